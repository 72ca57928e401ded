"""Business-day calendar: the installation's holidays with their observed dates, from the `holidays` package.

The holidays come from the `holidays` package (PyPI), for the calendar that `use_holidays` chooses (one per
process): "US" by default, the US federal holidays, or a country with a subdivision such as "US-CA", that state's
calendar as the package has it (its own holidays, and not always every federal one or its observed date). In the US
calendar a holiday that falls on a Saturday is observed on the Friday before, one that falls on a Sunday on the
Monday after (5 U.S.C. 6103 and OPM practice), New Year's Day on a Saturday on December 31 of the year before;
Juneteenth counts from 2021, and earlier years follow history (Martin Luther King Jr. Day from 1986). A business day
is a weekday (Monday to Friday, in every calendar) that is not an observed holiday. The package covers a bounded
range of years (the US calendar 1777 to 2100): outside it a calendar has no holidays. Each year's holidays are
computed once per calendar and cached.

Every function accepts a `date`, a `datetime` or an ISO 8601 string (as task data holds dates), so they can be
called from pathway scripts and timer expressions, e.g. ``business_days_duration(discharge_date, 2)``.
`use_holidays` and `holiday_calendar` are left out of `__all__`, which lists what pathway code may call: choosing
the calendar is the installation's business (its settings), not a script's.
"""
from __future__ import annotations

import operator
from collections.abc import Iterable
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "add_business_days",
    "business_days_between",
    "business_days_duration",
    "federal_holidays",
    "is_business_day",
]

DEFAULT_CALENDAR = "US"
SATURDAY = 5
ONE_DAY = timedelta(days=1)
MOVED_WITHIN = 7  # days: how far from a holiday the package may put its observed date

_calendar = DEFAULT_CALENDAR  # the code `use_holidays` chose, as the package spells it


def _canonical(code: str) -> str:
    """The calendar "CC" or "CC-SUBDIV" spelled as the `holidays` package spells it; ValueError if it has none."""
    if not isinstance(code, str):
        raise TypeError(f"a holiday calendar is a string such as 'US' or 'US-CA', got {type(code).__name__}")
    country, dash, subdiv = code.strip().upper().partition("-")
    subdivisions = holidays.list_supported_countries().get(country)
    if subdivisions is not None and not dash:
        return country
    spelled = {name.upper(): name for name in subdivisions or ()}.get(subdiv) if subdiv else None
    if spelled is None:
        raise ValueError(f"unknown holiday calendar {code!r}: use a country code, optionally with a subdivision, "
                         "such as US or US-CA")
    return f"{country}-{spelled}"


def use_holidays(code: str) -> None:
    """Choose the holiday calendar: "US" (the default), or a country and subdivision such as "US-CA", "US-NY".

    Raises ValueError for a code the `holidays` package does not know.
    """
    global _calendar
    calendar = _canonical(code)
    _package_holidays(calendar, (), observed=True)  # loads its module and names now, not in a timed script
    _calendar = calendar
    _observed_holidays.cache_clear()
    _weekday_holidays.cache_clear()


def holiday_calendar() -> str:
    """The code of the holiday calendar in use, e.g. "US" or "US-CA"."""
    return _calendar


def _package_holidays(calendar: str, years: Iterable[int], observed: bool) -> holidays.HolidayBase:
    country, _, subdiv = calendar.partition("-")
    language = getattr(holidays, country).default_language  # not the process locale: stable names
    return holidays.country_holidays(
        country, subdiv or None, years=years, expand=False, observed=observed, language=language)


def _entries(calendar: holidays.HolidayBase) -> set[tuple[date, str]]:
    return {(day, name) for day in calendar for name in calendar.get_list(day)}


def _moved(entry: tuple[date, str], shifted: set[tuple[date, str]]) -> bool:
    """A weekend holiday that the observed-date rule moved: a shifted entry named after it lies within a week."""
    day, name = entry
    return day.weekday() >= SATURDAY and any(
        name in label and 0 < abs((to - day).days) <= MOVED_WITHIN for to, label in shifted)


@lru_cache(maxsize=256)
def _observed_holidays(calendar: str, year: int) -> tuple[tuple[date, str], ...]:
    """The holidays observed in `year`, in date order, without the actual dates of weekend holidays moved away."""
    years = range(max(year - 1, MINYEAR), min(year + 1, MAXYEAR) + 1)  # observed dates cross the new year
    observed = _entries(_package_holidays(calendar, years, observed=True))
    shifted = observed - _entries(_package_holidays(calendar, years, observed=False))
    return tuple(sorted(entry for entry in observed if entry[0].year == year and not _moved(entry, shifted)))


def federal_holidays(year: int) -> dict[date, str]:
    """The observed holidays falling in `year` in the chosen calendar (`use_holidays`), in date order: {date: name}.

    The name is the `holidays` package's; a shifted holiday is named "<name> (observed)", and a weekend holiday
    shifted so appears on its observed date only. Two holidays on one day are named "<name>; <name>". In the US
    calendar New Year's Day of `year + 1` appears here when it is observed on December 31, and New Year's Day of
    `year` does not when it is observed in the year before.
    """
    named: dict[date, str] = {}
    for day, name in _observed_holidays(_calendar, operator.index(year)):
        named[day] = f"{named[day]}; {name}" if day in named else name
    return named


@lru_cache(maxsize=256)
def _weekday_holidays(calendar: str, year: int) -> frozenset[date]:
    """The observed holidays of `year` that fall on weekdays: the days they take out of the working week."""
    return frozenset(day for day, _ in _observed_holidays(calendar, year) if day.weekday() < SATURDAY)


def _coerce(value: date | datetime | str) -> date | datetime:
    """A date or datetime from a date, datetime or ISO 8601 string ('2026-12-24', '2026-12-24T09:30:00Z')."""
    if isinstance(value, date):  # datetime is a subclass of date
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or date-time: {value!r}") from None
    raise TypeError(f"expected a date, datetime or ISO 8601 string, got {type(value).__name__}")


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def is_business_day(d: date | datetime | str) -> bool:
    """True for a weekday that is not an observed holiday of the chosen calendar."""
    day = _day(_coerce(d))
    return day.weekday() < SATURDAY and day not in _weekday_holidays(_calendar, day.year)


def add_business_days(start: date | datetime | str, n: int) -> date | datetime:
    """The day `n` business days after `start` (before it when n < 0).

    A datetime keeps its time of day and time zone; an ISO string gives a date or datetime as it reads. n=0 gives
    `start` unchanged, even on a weekend or holiday. Starting on a non-business day, +1 is the next business day.
    """
    n = operator.index(n)
    value = _coerce(start)
    day = _day(value)
    step = ONE_DAY if n > 0 else -ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if is_business_day(day):
            remaining -= 1
    return value + (day - _day(value)) if isinstance(value, datetime) else day


def _weekdays_up_to(day: date) -> int:
    """Number of weekdays from 0001-01-01 (a Monday) up to and including `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _holidays_in(after: date, up_to: date) -> int:
    """Observed holidays on weekdays d with after < d <= up_to."""
    calendar = _calendar
    return sum(
        1
        for year in range(after.year, up_to.year + 1)
        for day in _weekday_holidays(calendar, year)
        if after < day <= up_to
    )


def business_days_between(a: date | datetime | str, b: date | datetime | str) -> int:
    """Business days d with a < d <= b; negative (the same count, negated) when b is before a.

    When a and b are business days, ``add_business_days(a, business_days_between(a, b)) == b``.
    """
    first, second = _day(_coerce(a)), _day(_coerce(b))
    if second < first:
        return -business_days_between(second, first)
    return _weekdays_up_to(second) - _weekdays_up_to(first) - _holidays_in(first, second)


def business_days_duration(start: date | datetime | str, n: int) -> str:
    """ISO 8601 duration from `start` to the moment `n` business days later, e.g. 'P5D'.

    Usable as a BPMN duration timer expression: ``business_days_duration(discharge_date, 2)``.
    """
    n = operator.index(n)
    if n < 0:
        raise ValueError("business_days_duration needs n >= 0: an ISO 8601 duration cannot be negative")
    value = _coerce(start)
    return f"P{(_day(add_business_days(value, n)) - _day(value)).days}D"


_package_holidays(DEFAULT_CALENDAR, (), observed=True)  # see use_holidays
