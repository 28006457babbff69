"""Partial dates: YYYY, YYYY-MM or YYYY-MM-DD, kept at the precision the source gives."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)  # 0-9 only, as in the Table Schema pattern
_MONTHS = [calendar.month_name[m] for m in range(1, 13)]
_MONTH_NUMBER = {name.lower(): i + 1 for i, name in enumerate(_MONTHS)}
_MONTH_NUMBER.update({name.lower()[:3]: i + 1 for i, name in enumerate(_MONTHS)})
_MONTH_NUMBER["sept"] = 9
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
    def parse(cls, text: str) -> PartialDate:
        """'2020', '2020-10' or '2020-11-08'; anything else raises DateError with a hint."""
        text = text.strip()
        m = _PATTERN.match(text)
        if not m:
            raise DateError(f"expected {FORMAT_HINT}{_hint(text)}")
        year, month, day = (int(g) if g else None for g in m.groups())
        if year == 0:
            raise DateError(f"expected {FORMAT_HINT}; there is no year 0000")
        if month is not None and not 1 <= month <= 12:
            raise DateError(f"expected {FORMAT_HINT}; month {month:02d} does not exist (months are 01 to 12)")
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


def date_with_precision(date: str, date_end: str = "") -> str:
    """'October 2020 (month)', '8 November 2020 (day)', '1987 to 1994 (years)',
    'September 2020 to 10 November 2020 (start known to the month, end to the day)'."""
    start = PartialDate.parse(date)
    end = PartialDate.parse(date_end) if date_end else None
    text = display_span(start, end)
    if end is None or end == start:
        return f"{text} ({start.precision})"
    if end.precision == start.precision:
        return f"{text} ({start.precision}s)"
    return f"{text} (start known to the {start.precision}, end to the {end.precision})"


# ---------------------------------------------------------------- hints for what people write instead


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """The ISO text of a real date, or None when there is no such date."""
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day).iso()


def _full_year(y: str) -> int:
    year = int(y)
    return year + (2000 if year < 50 else 1900) if len(y) == 2 else year


def _hint(text: str) -> str:
    """What to write instead, when we can tell what was meant."""
    if not text:
        return ""
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return "; write the digits as 0-9"
    # 08/11/2020, 8.11.2020, 08-11-2020, 08/11/20: day and month cannot be told apart.
    m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$", text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), _full_year(m.group(3))
        day_first, month_first = _iso(year, b, a), _iso(year, a, b)
        if day_first and month_first and day_first != month_first:
            return (f"; {text} is ambiguous (day/month or month/day?): write {day_first} for "
                    f"{PartialDate.parse(day_first).display()} or {month_first} for {PartialDate.parse(month_first).display()}")
        if day_first or month_first:
            return f"; write {day_first or month_first} for {PartialDate.parse(day_first or month_first).display()}"
        return f"; {text} is not a date"
    # 2020/11/08, 2020.11.08, 2020/11
    m = re.match(r"^(\d{4})[/.](\d{1,2})(?:[/.](\d{1,2}))?$", text)
    if m:
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        return f"; separate with '-': write {iso}" if iso else ""
    # 20201108
    m = re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if m:
        iso = _iso(*(int(g) for g in m.groups()))
        return f"; separate with '-': write {iso}" if iso else ""
    # 11/2020, 11-2020
    m = re.match(r"^(\d{1,2})[/.-](\d{4})$", text)
    if m:
        iso = _iso(int(m.group(2)), int(m.group(1)))
        return f"; write a month as YYYY-MM: {iso}" if iso else "; write a month as YYYY-MM, for example 2020-10"
    # 2020-9-1
    m = re.match(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$", text)
    if m:
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        return f"; months and days take two digits: write {iso}" if iso else "; months and days take two digits, for example 2020-09-01"
    # 2020-11-08T10:00, 2020-11-08 10:00
    m = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]\S", text)
    if m:
        return f"; give the date without a time: {m.group(1)}"
    # 8 November 2020, November 8, 2020, Nov 2020, 8th of November 2020
    words = re.findall(r"[A-Za-z]+|\d+", text)
    months = [_MONTH_NUMBER[w.lower()] for w in words if w.lower() in _MONTH_NUMBER]
    numbers = [w for w in words if w.isdigit()]
    years = [n for n in numbers if len(n) == 4]
    if len(months) == 1 and len(years) == 1:
        days = [int(n) for n in numbers if len(n) <= 2]
        iso = _iso(int(years[0]), months[0], days[0] if len(days) == 1 else None)
        if iso:
            return f"; write {iso}"
    # 1990s, c. 1994, early 2020: a precision the format cannot hold
    m = re.match(r"^(\d{3})0s$", text)
    if m:
        return f"; for a decade give date {m.group(1)}0 and date_end {m.group(1)}9"
    if re.search(r"\d{4}", text):
        return "; put the source's words in date_as_reported and the nearest year, month or day here (a span goes in date and date_end)"
    return "; put the source's words (such as 'last month') in date_as_reported and the date they stand for here"
