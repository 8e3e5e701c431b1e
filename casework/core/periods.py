"""Reporting periods by code: a quarter, a calendar year, a UK financial year, a month, or
a custom range of dates.

=================  ===========================  =====================================
code               period                       dates
=================  ===========================  =====================================
``2026Q3``         the third quarter of 2026    1 Jul 2026 to 30 Sep 2026
``2026``           the calendar year            1 Jan 2026 to 31 Dec 2026
``FY2026``         financial year 2026/27       1 Apr 2026 to 31 Mar 2027
``2026-07``        July 2026                    1 Jul 2026 to 31 Jul 2026
``2026-04-01..2026-06-30``  a custom range      both days included
=================  ===========================  =====================================

``parse`` turns a code into a ``Span`` or raises ValidationError(field="period") saying
what a period looks like; ``financial_year_of`` gives the financial year a day falls in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from casework.core.errors import ValidationError

FY_START_MONTH = 4  # the UK public sector's year runs from 1 April
MAX_CUSTOM_DAYS = 366 * 10
HELP = ("A period is a quarter (2026Q3), a year (2026), a financial year (FY2026 for "
        "2026/27), a month (2026-07) or two dates (2026-04-01..2026-06-30).")


@dataclass(frozen=True)
class Span:
    code: str
    start: date
    end: date  # included
    label: str


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def financial_year_of(day: date) -> int:
    """The year a financial year starts in: 2026 for any day of 1 Apr 2026 to 31 Mar 2027."""
    return day.year if day.month >= FY_START_MONTH else day.year - 1


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse(text: str) -> Span:
    value = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", value):
        year, q = int(m[1]), int(m[2])
        start = date(year, 3 * q - 2, 1)
        end = _month_end(year, 3 * q)
        return Span(f"{year}Q{q}", start, end, f"Q{q} {year}")
    if m := re.fullmatch(r"FY ?(\d{4})(?:/(\d{2}))?", value):
        year = int(m[1])
        if m[2] is not None and int(m[2]) != (year + 1) % 100:
            raise ValidationError(f"A financial year runs from April to March: "
                                  f"{fy_label(year)}, not {year}/{m[2]}.", field="period")
        return Span(f"FY{year}", date(year, FY_START_MONTH, 1),
                    date(year + 1, FY_START_MONTH, 1) - timedelta(days=1),
                    f"Financial year {fy_label(year)}")
    if m := re.fullmatch(r"(\d{4})", value):
        year = int(m[1])
        return Span(str(year), date(year, 1, 1), date(year, 12, 31), str(year))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            start = date(year, month, 1)
            return Span(f"{year}-{month:02d}", start, _month_end(year, month),
                        f"{start:%B %Y}")
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2}) ?\.\. ?(\d{4}-\d{2}-\d{2})", value):
        try:
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError:
            raise ValidationError("One of the two dates is not a day of the calendar.",
                                  field="period") from None
        return custom(start, end)
    raise ValidationError(HELP, field="period")


def custom(start: date, end: date) -> Span:
    """A range of days, both included; the end may not be before the start."""
    if end < start:
        raise ValidationError("The period ends before it starts: choose an end date on or "
                              "after the start date.", field="period")
    if (end - start).days > MAX_CUSTOM_DAYS:
        raise ValidationError("A custom period is at most ten years long.", field="period")
    return Span(f"{start.isoformat()}..{end.isoformat()}", start, end,
                f"{start:%d %b %Y} to {end:%d %b %Y}")
