"""Minutes of clinical staff time logged on a patient's page without a task (a call with the patient, a talk
with a specialist, arranging services), and each patient's minutes per calendar month and program
(`monthly_minutes`), kept with every time entry: with a completion's time entry in the same batched write
(engine.care.time_entries), with a logged one here.

Time counts in the calendar month (UTC) of the day the work was done; a day in the future is refused, and so is
one more than a year back (that month's billing is long closed)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from engine import roles
from engine.care import accounts
from engine.care.actors import Actor
from engine.care.characters import refused_character
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models import MonthlyMinutes, Patient, TimeEntry
from engine.store import audit
from engine.store.conflicts import insert_for
from engine.store.step_writes import WriteBatch, defer
from engine.time import clock

MAX_LOGGED_MINUTES = 480  # one entry is one piece of work; a day's work is several entries
BACK_DAYS = 366
ACTIVITY_MAX = 300
NO_PROGRAM = "Care management"  # time that belongs to no program in particular
# what care managers log most (suggestions on the form; any activity may be typed)
ACTIVITIES = (
    "Call with the patient or caregiver",
    "Care plan review or update",
    "Medication management",
    "Coordination with other providers",
    "Arranging community services",
    "Reviewing test results",
    "Follow-up after an ED visit or admission",
)
_INSERT = insert(TimeEntry.__table__).inline()


class TimeLogInvalid(InvalidInput):
    """Logged time was refused: `errors` maps field name (spent_on, minutes, activity, username, program) ->
    message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class LoggedTime:
    """Time to log, as a person typed it: the day (YYYY-MM-DD), minutes, what was done, who did it (a user
    name), and the program it was for (one of the patient's, or none)."""

    spent_on: str | date | None
    minutes: str | int | None
    activity: str | None
    username: str | None
    program: str | None = None


def add_to_month(batch: WriteBatch, dialect: str, patient_id: str, month: str, program: str, minutes: int) -> None:
    """Add `minutes` to the patient's month and program in `monthly_minutes` (a row for the step's writes)."""
    batch.add(_add_minutes(dialect), dict(month=month, patient_id=patient_id, program=program, minutes=minutes))


_STATEMENTS: dict = {}


def _add_minutes(dialect: str):
    statement = _STATEMENTS.get(dialect)
    if statement is None:
        table = MonthlyMinutes.__table__
        insert_ = insert_for(dialect, table, "monthly minutes")
        statement = _STATEMENTS[dialect] = insert_.on_conflict_do_update(
            index_elements=["month", "patient_id", "program"], set_={"minutes": table.c.minutes + insert_.excluded.minutes})
    return statement


def log_time(session: Session, patient_id: str, entry: LoggedTime, actor: Actor,
             programs: list[str] | tuple[str, ...] = ()) -> dict:
    """Record time spent on the patient's care outside any task; `programs`: the patient's programs, which the
    entry may name. Every field is checked and a refusal names each one (TimeLogInvalid). Returns the row."""
    if not (actor.is_admin or any(role in actor.roles for role in roles.TEAM_ROLES)):
        raise Forbidden(f"{actor.name} holds no care team role, so cannot log clinical staff time")
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"no patient '{patient_id}'")
    row = _checked(session, entry, programs)
    now = clock.now()
    row.update(patient_id=patient.id, instance_id=None, task_id=None, month=row["spent_on"].strftime("%Y-%m"),
               recorded_at=now, recorded_by=actor.name if actor.name != row["username"] else None)
    batch = WriteBatch()
    batch.add(_INSERT, row)
    add_to_month(batch, session.get_bind().dialect.name, patient.id, row["month"], row["program"], row["minutes"])
    audit.record(session, "time_logged", actor.name, patient_id=patient.id, details={
        "minutes": row["minutes"], "spent_on": row["spent_on"].isoformat(), "by": row["username"],
        "activity": row["activity"], "program": row["program"]})
    defer(session, batch)
    return row


def _checked(session: Session, entry: LoggedTime, programs) -> dict:
    errors: dict[str, str] = {}
    values: dict = {}
    today = clock.now().date()
    try:
        values["spent_on"] = _day(entry.spent_on, today)
    except ValueError as exc:
        errors["spent_on"] = str(exc)
    try:
        values["minutes"] = _minutes(entry.minutes)
    except ValueError as exc:
        errors["minutes"] = str(exc)
    activity = " ".join(str(entry.activity or "").split())
    if problem := refused_character(str(entry.activity or "")):
        errors["activity"] = f"The activity {problem}"
    elif not activity:
        errors["activity"] = "Say what was done"
    elif len(activity) > ACTIVITY_MAX:
        errors["activity"] = f"The activity has at most {ACTIVITY_MAX} characters"
    values["activity"] = activity
    try:
        values["username"] = _staff(session, entry.username)
    except ValueError as exc:
        errors["username"] = str(exc)
    program = " ".join(str(entry.program or "").split()) or NO_PROGRAM
    if program != NO_PROGRAM and program not in programs:
        errors["program"] = f"Choose one of the patient's programs or {NO_PROGRAM}"
    values["program"] = program
    if errors:
        raise TimeLogInvalid(errors)
    return values


def _day(value, today: date) -> date:
    if isinstance(value, date):
        day = value
    else:
        text = str(value or "").strip()
        if not text:
            raise ValueError("Enter the day the work was done")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError("Enter the day as a date, like 2027-03-01") from None
    if day > today:
        raise ValueError("The day cannot be in the future")
    if day < today - timedelta(days=BACK_DAYS):
        raise ValueError("The day is more than a year ago: that month's billing is closed")
    return day


def _minutes(value) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValueError("Enter the minutes spent")
    try:
        minutes = int(text)
    except ValueError:
        raise ValueError("Minutes must be a whole number") from None
    if not 1 <= minutes <= MAX_LOGGED_MINUTES:
        raise ValueError(f"Minutes must be between 1 and {MAX_LOGGED_MINUTES}")
    return minutes


def _staff(session: Session, username) -> str:
    """The user name of an active account on the care team (a team role: clinical staff time)."""
    name = str(username or "").strip()
    if not name:
        raise ValueError("Say who did the work")
    if refused_character(name):
        raise ValueError("The user name holds a control character")
    user = accounts.find_by_name(session, name)
    if user is None or not user.active:
        raise ValueError(f"There is no active account '{name[:100]}'")
    if not any(role in roles.TEAM_ROLES for role in user.roles):
        raise ValueError(f"{user.username} holds no care team role: only clinical staff time counts")
    return user.username
