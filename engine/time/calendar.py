"""Business-day calendar: US federal holidays, with the observed-date rule.

Pure functions, no I/O. A holiday that falls on a Saturday is observed on the Friday before, one that falls on a
Sunday on the Monday after (5 U.S.C. 6103 and OPM practice). A business day is a weekday that is not an observed
federal holiday. Juneteenth counts from 2021, the year it became a federal holiday.

Every function accepts a `date`, a `datetime` or an ISO 8601 string (as task data holds dates), so they can be
called from pathway scripts and timer expressions, e.g. ``business_days_duration(discharge_date, 2)``.
"""
from __future__ import annotations

import operator
from datetime import date, datetime, timedelta
from functools import lru_cache

__all__ = [
    "add_business_days",
    "business_days_between",
    "business_days_duration",
    "federal_holidays",
    "is_business_day",
]

MONDAY, THURSDAY, SATURDAY, SUNDAY = 0, 3, 5, 6
ONE_DAY = timedelta(days=1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday of a month (n=1 first); n=-1 is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - ONE_DAY
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _actual_holidays(year: int) -> list[tuple[date, str]]:
    """The holidays of a year on their actual dates (before the observed-date rule)."""
    holidays = [
        (date(year, 1, 1), "New Year's Day"),
        (_nth_weekday(year, 1, MONDAY, 3), "Birthday of Martin Luther King, Jr."),
        (_nth_weekday(year, 2, MONDAY, 3), "Washington's Birthday"),
        (_nth_weekday(year, 5, MONDAY, -1), "Memorial Day"),
        (date(year, 7, 4), "Independence Day"),
        (_nth_weekday(year, 9, MONDAY, 1), "Labor Day"),
        (_nth_weekday(year, 10, MONDAY, 2), "Columbus Day"),
        (date(year, 11, 11), "Veterans Day"),
        (_nth_weekday(year, 11, THURSDAY, 4), "Thanksgiving Day"),
        (date(year, 12, 25), "Christmas Day"),
    ]
    if year >= 2021:
        holidays.append((date(year, 6, 19), "Juneteenth National Independence Day"))
    return holidays


def _observed(day: date) -> date:
    if day.weekday() == SATURDAY:
        return day - ONE_DAY
    if day.weekday() == SUNDAY:
        return day + ONE_DAY
    return day


@lru_cache(maxsize=256)
def _observed_holidays(year: int) -> tuple[tuple[date, str], ...]:
    candidates = _actual_holidays(year)
    if year < date.max.year:
        # New Year's Day on a Saturday is observed on December 31 of the year before.
        candidates.append((date(year + 1, 1, 1), "New Year's Day"))
    observed = []
    for actual, name in candidates:
        day = _observed(actual)
        if day.year == year:
            observed.append((day, name if day == actual else f"{name} (observed)"))
    return tuple(sorted(observed))


def federal_holidays(year: int) -> dict[date, str]:
    """The observed federal holidays falling in `year`, in date order: {date: name}.

    A shifted holiday is named "<name> (observed)". New Year's Day of `year + 1` appears here when it is observed
    on December 31; New Year's Day of `year` does not when it is observed in the year before.
    """
    return dict(_observed_holidays(operator.index(year)))


@lru_cache(maxsize=256)
def _holiday_dates(year: int) -> frozenset[date]:
    return frozenset(day for day, _ in _observed_holidays(year))


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
    """True for a weekday that is not an observed federal holiday."""
    day = _day(_coerce(d))
    return day.weekday() < SATURDAY and day not in _holiday_dates(day.year)


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
    """Observed holidays d with after < d <= up_to (all of them fall on weekdays)."""
    return sum(
        1
        for year in range(after.year, up_to.year + 1)
        for day in _holiday_dates(year)
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
