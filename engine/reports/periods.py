"""Months and date ranges as reports take them: a calendar month is YYYY-MM (UTC), a range is two days."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from engine.errors import InvalidInput

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_RANGE_DAYS = 3 * 366  # a range longer than three years is refused (a report of everything ever is a CSV job)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str | None, default: date) -> Month:
        """YYYY-MM, or the month of `default` when empty; InvalidInput naming what is wrong."""
        text = (text or "").strip()
        if not text:
            return cls.of(default)
        found = _MONTH.match(text)
        if not found or not 1 <= int(found.group(2)) <= 12 or not 1900 <= int(found.group(1)) <= 2999:
            raise InvalidInput(f"the month must be written YYYY-MM, like 2027-03 (got '{text[:20]}')")
        return cls(int(found.group(1)), int(found.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), 12 if self.month == 1 else self.month - 1)

    def days_left(self, today: date) -> int:
        """Days of the month still to come, today included (0 for a month that has ended)."""
        if today > self.last:
            return 0
        return (self.last - max(today, self.first)).days + 1

    def label(self) -> str:
        return self.first.strftime("%B %Y")

    def __str__(self) -> str:
        return self.key


def recent_months(today: date, count: int = 13) -> list[Month]:
    """This month and the ones before it, newest first (a month picker's choices)."""
    months = [Month.of(today)]
    while len(months) < count:
        months.append(months[-1].previous())
    return months


@dataclass(frozen=True)
class DateRange:
    start: date  # the first day in the range
    end: date  # the last day in the range

    @classmethod
    def parse(cls, start: str | date | None, end: str | date | None, default_days: int, today: date) -> DateRange:
        """From two days (YYYY-MM-DD, either may be empty: the range ends today and spans `default_days`)."""
        last = _day(end, "end") or today
        first = _day(start, "start") or last - timedelta(days=default_days - 1)
        if first > last:
            raise InvalidInput("the range starts after it ends: choose a start on or before the end")
        if (last - first).days > MAX_RANGE_DAYS:
            raise InvalidInput("the range is longer than three years: choose a shorter one")
        return cls(first, last)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _day(value, which: str) -> date | None:
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"the {which} of the range must be a date written YYYY-MM-DD (got '{text[:20]}')") \
            from None
