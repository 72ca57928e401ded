"""Demo data: users for every role and synthetic patients (Faker) at different stages of the shipped programs.

Everything is generated from a seed and a reference moment (the demo's "now"), so the same seed and the same
moment give the same patients, tasks and history, on any date. Each patient's past is simulated on a clock of
its own that never passes the reference moment, over up to six months: timers (outreach waits, deadlines,
monthly reviews) fire as their days come, and so do the events of the patient's history (`history`: time logged
on the patient page, HbA1c results and weights arriving as messages). Each task is claimed, worked for a while
and completed with answers built from its form (`answers`), steered by `STEER` so that most patients get past
enrolment and consent, by each patient's own screening answers (`profiles`) and mood trend, and for TCM by how
the discharge's follow-up went (`history.tcm_plan`: contacts in time and late, visits within 7, 14 days or
later); each patient is put in a program their conditions qualify for. Every minute a task records reaches the
time entries the patient page and the CCM report read (the engine reads a form's `minutes_spent`).
"""
from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from engine.demo import care_teams, history
from engine.demo.plans import care_plan
from engine.demo.profiles import assign_programs, screening_answers
from engine.demo.tasks import complete_with_answers
from engine.service import Actor, CarepathError, FormInvalid, InstanceStatus, PatientInput, TaskStatus
from engine.time import clock

DEMO = Actor.system_actor("demo")

log = logging.getLogger(__name__)

PASSWORD = "carepath-demo"
USERS = [  # username, name, roles
    ("admin", "Ada Admin", ["admin"]),
    ("lead", "Lee Clinical", ["clinical_lead"]),
    ("carl", "Carl Care", ["care_manager"]),
    ("nina", "Nina Nurse", ["nurse", "care_manager"]),
    ("lena", "Lena Lead", ["nurse_lead", "nurse"]),
    ("sam", "Sam Social", ["social_worker"]),
    ("pia", "Pia Pharm", ["pharmacist"]),
    ("dana", "Dana Diet", ["dietitian"]),
    ("chris", "Chris Health", ["chw"]),
    ("phil", "Phil Doctor", ["physician"]),
    ("olive", "Olive Privacy", ["privacy_officer"]),
]
CONDITIONS = ["Type 2 diabetes", "Hypertension", "Heart failure", "COPD", "Chronic kidney disease", "Asthma",
              "Major depressive disorder", "Osteoarthritis", "Atrial fibrillation", "Hyperlipidemia"]
# field -> answer that keeps a demo patient moving through the program (enrol, reached, consent given...)
STEER = {
    "candidate_decision": "enrol", "decision": "enrol", "outcome": "reached", "consent_given": True,
    "given": True, "cost_sharing_explained": True, "right_to_stop_explained": True, "consent_type": "verbal",
    "patient_agrees": True, "agreed": True, "review_decision": "continue",
}
# program id -> share of the demo patients
PROGRAM_MIX = [("ccm", 22), ("diabetes", 8), ("heart_failure", 7), ("behavioural_health", 7), ("tcm", 6)]


@dataclass
class DemoSummary:
    users: list[str] = field(default_factory=list)
    patients: int = 0
    instances: Counter = field(default_factory=Counter)
    steps: int = 0
    left_open: int = 0  # tasks whose form the automatic answers could not satisfy: left for a person
    errors: list[str] = field(default_factory=list)


def seed_users(service, summary: DemoSummary) -> None:
    existing = {u.username for u in service.users()}
    for username, name, roles in USERS:
        if username not in existing:
            service.add_user(username, PASSWORD, roles, DEMO, display_name=name, email=f"{username}@carepath.example")
        summary.users.append(username)


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years) if (day.month, day.day) != (2, 29) else \
        date(day.year - years, 2, 28)


def _patient_fields(fake, rng: random.Random, n: int, today: date) -> PatientInput:
    sex = rng.choice(["female", "male"])
    given = fake.first_name_female() if sex == "female" else fake.first_name_male()
    # aged 45 to 90 on the demo's date (Faker's own date_of_birth would count from the machine's date)
    birth = fake.date_between_dates(_years_before(today, 90), _years_before(today, 45))
    conditions = rng.sample(CONDITIONS, k=rng.choice([1, 2, 2, 3, 3, 4]))
    return PatientInput(mrn=f"{2040100 + n}", given_name=given, family_name=fake.last_name(),
                        birth_date=birth.isoformat(), sex=sex, phone=fake.numerify("555-###-####"),
                        email=f"{given.lower()}.{n}@example.org", address=fake.address().replace("\n", ", "),
                        primary_care_provider="Dr. " + fake.last_name(), preferred_language="English",
                        conditions=conditions)


HISTORY_DAYS = 180  # programs start up to this long before the demo's present


def seed_patients(service, count: int, summary: DemoSummary, seed: int = 7) -> list[str]:
    """`count` synthetic patients, registered 200 days before the clock's now (before any program starts: those
    go back at most HISTORY_DAYS), so each history reads in order."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    ids = []
    today = clock.now().date()
    registered = clock.FrozenClock(clock.now() - timedelta(days=HISTORY_DAYS + 20))
    with clock.use_clock(registered):
        for n in range(count):
            fields = _patient_fields(fake, rng, n, today)
            if service.patients_by_id([fields.mrn]):
                ids.append(fields.mrn)
                continue
            ids.append(service.add_patient(fields, DEMO).id)
    summary.patients = len(ids)
    return ids


def _actor_for(task, by_role: dict[str, Actor]) -> Actor:
    return by_role.get(task.role or "care_manager") or by_role["care_manager"]


def _complete(service, task, actor: Actor, visit: int, profile: dict, plan: history.Plan) -> None:
    schema = service.task_form(task.id)
    props = (schema or {}).get("properties") or {}
    overrides = STEER | history.mood_items(profile, plan.mood_trend, visit) | plan.answers.get(task.element_id, {})
    if "minutes_spent" in props:  # care programs bill by the month's minutes: 5 to 25 per task
        overrides["minutes_spent"] = 5 + (task.id * 7) % 21
    if "plan_problems" in props:  # a care plan that reads like one
        patient = service.patients_by_id([task.patient_id]).get(task.patient_id)
        conditions = patient.condition_names if patient else []
        provider = patient.primary_care_provider if patient else None
        overrides |= care_plan(conditions, clock.now().date(), provider)
    complete_with_answers(service, task, actor, visit, overrides, schema=schema)


def _run_events(service, plan: history.Plan, frozen: clock.FrozenClock, until: datetime) -> None:
    """The patient's history events up to `until`, each at its own moment (all after the last thing done)."""
    mark = frozen.now()
    for event in plan.due(until):
        frozen.set(event.at)
        event.run(service)
        mark = max(mark, event.at)
    frozen.set(mark)


def _fire_until(service, instance_id: int, frozen: clock.FrozenClock, plan: history.Plan, until: datetime) -> bool:
    """Fire the instance's timers that come due before `until`, in order (a deadline passing before the task
    is done); True when any fired."""
    fired = False
    while True:
        due = [t.due_at for t in service.instance(instance_id).timers if t.due_at + timedelta(minutes=1) <= until]
        if not due:
            return fired
        moment = max(min(due) + timedelta(minutes=1), frozen.now())
        _run_events(service, plan, frozen, moment)
        frozen.set(moment)
        service.fire_instance_timers(instance_id, frozen.now())
        fired = True


def _work(service, task, actor: Actor, frozen: clock.FrozenClock, rng: random.Random, present: datetime,
          plan: history.Plan, planned: bool) -> None:
    """Let the task wait in its queue a while (hours, now and then days: some go overdue), claim it and work on
    it (so the heatmap has waiting and working times). A task the plan times is claimed when it is done."""
    if not planned:
        wait = timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.85 else timedelta(hours=rng.randint(30, 120))
        if frozen.now() + wait < present:
            _run_events(service, plan, frozen, frozen.now() + wait)
            frozen.set(frozen.now() + wait)
    if task.status == TaskStatus.OPEN:
        service.claim(task.id, actor)
    later = frozen.now() + timedelta(minutes=rng.choice([5, 10, 15, 20, 30, 45, 60, 90, 150]))
    if later < present:
        _run_events(service, plan, frozen, later)
        frozen.set(later)


def advance(service, instance_id: int, steps: int, by_role: dict[str, Actor], summary: DemoSummary,
            frozen: clock.FrozenClock, rng: random.Random, profile: dict, present: datetime,
            plan: history.Plan | None = None) -> None:
    """Work `steps` tasks of the instance, letting simulated days pass between them and firing the timers that
    come due (outreach waits, monthly reviews), with the patient's history events at their moments; never
    going past the demo's `present`. A task the plan says is done later (a TCM visit) waits until then."""
    plan = plan or history.Plan()
    visits: Counter = Counter()
    for _ in range(steps):
        _run_events(service, plan, frozen, frozen.now())
        view = service.instance(instance_id)
        if view.instance.status != InstanceStatus.RUNNING:
            break
        pending = [t for t in view.tasks if t.status in TaskStatus.ACTIVE]
        if not pending:
            due = min((t.due_at for t in view.timers), default=None)
            if due is None or due + timedelta(minutes=1) >= present:
                break
            _run_events(service, plan, frozen, due + timedelta(minutes=1))
            frozen.set(due + timedelta(minutes=1))
            # this instance's timers only: another patient's, fired at this patient's simulated time, would
            # land in that patient's history after their present-day events
            service.fire_instance_timers(instance_id, frozen.now())
            continue
        task = pending[0]
        when = plan.when.get(task.element_id)
        if when is not None and when > frozen.now():
            if when >= present:
                break
            fired = _fire_until(service, instance_id, frozen, plan, when)
            _run_events(service, plan, frozen, when)
            frozen.set(when)
            if fired:
                continue  # a deadline passed meanwhile: what waits now may be another task
        try:
            actor = _actor_for(task, by_role)
            _work(service, task, actor, frozen, rng, present, plan, when is not None)
            _complete(service, task, actor, visits[task.element_id], profile, plan)
        except FormInvalid:
            summary.left_open += 1
            break
        except CarepathError as exc:
            summary.errors.append(f"instance {instance_id}, task '{task.title}': {exc.message}")
            break
        visits[task.element_id] += 1
        summary.steps += 1
    _run_events(service, plan, frozen, present)


def seed_programs(service, patient_ids: list[str], summary: DemoSummary, seed: int = 7) -> None:
    """Put each patient in a program and work some of its tasks in the simulated past, up to the clock's now."""
    rng = random.Random(seed)
    present = clock.now()
    by_role: dict[str, Actor] = {}  # each role's work is done by the first demo user holding it (carl: care manager)
    for username, _, roles in USERS:
        for role in roles:
            by_role.setdefault(role, Actor.person(username, *roles))
    available = {p["id"] for d in service.versions() for p in d.processes if p.get("startable")}
    mix = [(program, share) for program, share in PROGRAM_MIX if program in available]
    if not mix:
        return
    found = service.patients_by_id(patient_ids)
    conditions = [found[i].condition_names for i in patient_ids]
    programs = assign_programs(conditions, mix)
    names = {p["id"]: p.get("name") or p["id"] for d in service.versions() for p in d.processes}
    for patient_id, program in zip(patient_ids, programs):
        if service.instances(patient_id=patient_id):
            continue
        profile = screening_answers(rng)
        if program == "tcm":  # TCM starts on the day of a discharge
            discharged = history.discharge_day(rng, present)
            started = datetime.combine(discharged, time(rng.randint(13, 18)), tzinfo=timezone.utc)
        elif program == "behavioural_health":  # long enough for the mood screening every third review
            started = present - timedelta(days=rng.randint(100, HISTORY_DAYS), hours=rng.randint(0, 8))
        else:
            started = present - timedelta(days=rng.randint(0, HISTORY_DAYS), hours=rng.randint(0, 8))
        started = min(started, present - timedelta(minutes=30))
        plan = history.plan_for(rng, program, patient_id, started, present, names.get(program, program))
        # earlier hospital stays of a TCM patient, from a generator of their own (the others' draws stay the same)
        earlier = history.earlier_discharges(random.Random(f"{seed}:{patient_id}"), present, started.date()) \
            if program == "tcm" else []
        frozen = clock.FrozenClock(min([started] + [_afternoon(day) for day in earlier]))
        with clock.use_clock(frozen):
            care_teams.join(service, seed, patient_id, program, names.get(program, program))
            _earlier_stays(service, patient_id, earlier, started, by_role, summary, frozen, profile, seed)
            instance_id = _start(service, program, patient_id, rng, summary, plan)
            if instance_id is not None:
                steps = rng.randint(30, 60) if program == "behavioural_health" else rng.randint(6, 60)
                advance(service, instance_id, steps, by_role, summary, frozen, rng, profile, present, plan)
        if instance_id is None:
            continue
        summary.instances[program] += 1
        _claim_some(service, instance_id, by_role, rng)
    service.run_due_timers()  # what came due between the simulated past and now


def _afternoon(day: date) -> datetime:
    return datetime.combine(day, time(15), tzinfo=timezone.utc)


def _earlier_stays(service, patient_id: str, days: list[date], latest: datetime, by_role: dict[str, Actor],
                   summary: DemoSummary, frozen: clock.FrozenClock, profile: dict, seed: int) -> None:
    """The TCM periods of a patient's earlier discharges, each worked until the next discharge (one still open
    then, a readmission within its 30 days, is ended)."""
    for n, day in enumerate(days):
        rng = random.Random(f"{seed}:{patient_id}:{day}")
        following = _afternoon(days[n + 1]) if n + 1 < len(days) else latest
        frozen.set(_afternoon(day))
        instance_id = _start(service, "tcm", patient_id, rng, summary, plan := history.Plan())
        if instance_id is None:
            continue
        advance(service, instance_id, 12, by_role, summary, frozen, rng, profile, following, plan)
        if service.instance(instance_id).instance.status == InstanceStatus.RUNNING:
            service.terminate(instance_id, reason="readmitted")
    if days:
        frozen.set(max(frozen.now(), latest))


def _start(service, program: str, patient_id: str, rng: random.Random, summary: DemoSummary,
           plan: history.Plan) -> int | None:
    """Start `program` for the patient (TCM by a hospital discharge message, that day); None when it could not
    start."""
    try:
        if program == "tcm":
            discharged = clock.now().date()
            complexity = rng.choice(["moderate", "high"])
            history.tcm_plan(plan, rng, discharged, complexity)
            result = service.correlate("hospital_discharge", {"patient_id": patient_id}, {
                "discharge_date": discharged.isoformat(), "facility": "General Hospital",
                "diagnoses": ["Heart failure exacerbation"], "complexity": complexity,
                "medications": [{"name": "Furosemide", "dose": "40 mg"}]})
            return result.started[0] if result.started else None
        patient = service.patient(patient_id)
        data = {"chronic_conditions": list(patient.conditions or []),
                "lace_inputs": {"length_of_stay_days": rng.randint(0, 9), "emergent_admission": rng.random() < 0.5,
                                "charlson_index": rng.randint(0, 5), "ed_visits_6_months": rng.randint(0, 4)}}
        return service.start(program, patient_id, data, Actor.person("carl", "care_manager")).id
    except CarepathError as exc:
        summary.errors.append(f"{patient_id} {program}: {exc.message}")
        return None


def _claim_some(service, instance_id: int, by_role: dict[str, Actor], rng: random.Random) -> None:
    """Leave some open tasks claimed, so that My tasks has work in it."""
    for task in service.tasks(instance_id=instance_id):
        if task.status == TaskStatus.OPEN and rng.random() < 0.35:
            try:
                service.claim(task.id, _actor_for(task, by_role))
            except CarepathError:
                pass


DEMO_HOUR = time(15, 0, tzinfo=timezone.utc)  # a demo "as of" a date is seen at 10:00 on the US east coast


def reference_moment(day: date | None = None) -> datetime:
    """The demo's present: `day` at a fixed time (so the same date gives the same demo), or now."""
    return datetime.combine(day, DEMO_HOUR) if day is not None else clock.now()


def keep_time_from(present: datetime) -> None:
    """From now on this process's engine clock starts at the demo's moment and runs on from there (a demo
    served as of another date)."""
    clock.set_clock(clock.OffsetClock.starting_at(present))


def seed_demo(service, patient_count: int, present: datetime, seed: int = 7) -> DemoSummary:
    """Users, patients and their programs as of `present`: the same seed and moment give the same demo."""
    summary = DemoSummary()
    with clock.use_clock(clock.FrozenClock(present)):
        seed_users(service, summary)
        ids = seed_patients(service, patient_count, summary, seed)
        seed_programs(service, ids, summary, seed)
    return summary
