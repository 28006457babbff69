"""Partial dates: YYYY, YYYY-MM or YYYY-MM-DD, kept at the precision the source gives."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MONTHS = [calendar.month_name[m] for m in range(1, 13)]
FORMAT_HINT = "a date as YYYY, YYYY-MM or YYYY-MM-DD"


class DateError(ValueError):
    """A text that is not a partial date; the message says what was expected."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a year, a month or a day; it covers the span [first, last]."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        text = text.strip()
        m = _PATTERN.match(text)
        if not m:
            raise DateError(f"expected {FORMAT_HINT}{_hint(text)}")
        year, month, day = (int(g) if g else None for g in m.groups())
        if month is not None and not 1 <= month <= 12:
            raise DateError(f"expected {FORMAT_HINT}; month {month:02d} does not exist")
        if day is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise DateError(f"expected {FORMAT_HINT}; {_MONTHS[month - 1]} {year} has {last} days")
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> dt.date:
        if self.day:
            return self.first
        if self.month:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)

    def iso(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)

    def display(self) -> str:
        """'8 November 2020', 'October 2020' or '1994': never more precise than known."""
        if self.day:
            return f"{self.day} {_MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{_MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def __str__(self) -> str:
        return self.iso()


def display_span(start: PartialDate, end: PartialDate | None) -> str:
    """'October 2020', '1987 to 1994', 'September 2020 to 8 November 2020'."""
    if end is None or end == start:
        return start.display()
    return f"{start.display()} to {end.display()}"


def _hint(text: str) -> str:
    if re.match(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$", text):
        return f"; {text} is ambiguous (day/month or month/day?): write 2020-11-08 for 8 November 2020"
    if re.match(r"^\d{1,2}[/.-]\d{4}$", text):
        return "; write a month as YYYY-MM, for example 2020-10"
    if re.match(r"^\d{4}-\d{1,2}(-\d{1,2})?$", text):
        return "; months and days take two digits, for example 2020-09-01"
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        return "; give the date without a time"
    return ""
