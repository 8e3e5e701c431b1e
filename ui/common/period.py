"""A period picker for every report: quarter, year, financial year, month, or custom dates,
chosen from lists and calendars (never typed as text).

``code()`` is the period's code as ``casework.core.periods`` reads it (``2026Q3``,
``2026``, ``FY2026``, ``2026-07``, ``2026-04-01..2026-06-30``); ``span()`` the checked
period, or None with the reason shown as an error beside the picker (a custom range that
ends before it starts). ``changed`` fires with the code of each new valid choice,
``invalid`` with the reason of each choice that is not a period.
"""

from __future__ import annotations

from datetime import date

from casework.core import clock
from casework.core.errors import ValidationError
from casework.core.periods import Span, custom, financial_year_of, fy_label, parse
from ui.common.qt import QComboBox, QDate, QDateEdit, QHBoxLayout, QLabel, QWidget, Signal

KINDS = (("quarter", "Quarter"), ("year", "Year"), ("fy", "Financial year"),
         ("month", "Month"), ("custom", "Custom dates"))
YEARS_BACK = 6


def quarters(today: date, years: int = YEARS_BACK) -> list[tuple[str, str]]:
    """(code, label) of the quarters from this one back ``years`` years, newest first."""
    out = []
    q, y = (today.month - 1) // 3 + 1, today.year
    for _ in range(years * 4):
        out.append((f"{y}Q{q}", f"Q{q} {y} ({date(y, 3 * q - 2, 1):%b}–"
                                f"{date(y, 3 * q, 1):%b %Y})"))
        q -= 1
        if q == 0:
            q, y = 4, y - 1
    return out


def years(today: date, back: int = YEARS_BACK) -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in range(today.year, today.year - back, -1)]


def financial_years(today: date, back: int = YEARS_BACK) -> list[tuple[str, str]]:
    first = financial_year_of(today)
    return [(f"FY{y}", f"{fy_label(y)} (Apr {y}–Mar {y + 1})")
            for y in range(first, first - back, -1)]


def months(today: date, back: int = YEARS_BACK) -> list[tuple[str, str]]:
    out = []
    y, m = today.year, today.month
    for _ in range(back * 12):
        out.append((f"{y}-{m:02d}", f"{date(y, m, 1):%B %Y}"))
        m -= 1
        if m == 0:
            m, y = 12, y - 1
    return out


def period_name(code: str) -> str:
    """A period's code as people read it: "Q4 2026", "Financial year 2026/27", "July
    2026", "01 Apr 2026 to 30 Jun 2026" (the code itself if it is no period)."""
    try:
        return parse(code).label
    except ValidationError:
        return code


def _kind_of(code: str) -> str:
    code = code.strip().upper()
    if ".." in code:
        return "custom"
    if code.startswith("FY"):
        return "fy"
    if "Q" in code:
        return "quarter"
    return "month" if "-" in code else "year"


class PeriodPicker(QWidget):
    """The kind of period, then which one (or two calendar dates for custom)."""

    changed = Signal(str)
    invalid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Report period")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of period")
        for value, label in KINDS:
            self.kind.addItem(label, value)
        self.which = QComboBox()
        self.which.setAccessibleName("Period")
        self.which.setMinimumContentsLength(22)
        today = clock.today()
        self.start = self._date_edit("Period starts", date(today.year, today.month, 1))
        self.end = self._date_edit("Period ends", today)
        self.to = QLabel("to")
        self.error = QLabel("")
        self.error.setObjectName("formError")
        self.error.setAccessibleName("Period error")
        self.error.setWordWrap(True)
        self.error.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.kind, self.which, self.start, self.to, self.end):
            row.addWidget(w)
        row.addWidget(self.error, 1)
        row.addStretch(1)  # the fields keep their size whether or not an error shows
        self.kind.currentIndexChanged.connect(self._fill)
        self.which.currentIndexChanged.connect(lambda _i: self._emit())
        self.start.dateChanged.connect(lambda _d: self._emit())
        self.end.dateChanged.connect(lambda _d: self._emit())
        self._fill()

    @staticmethod
    def _date_edit(name: str, value: date) -> QDateEdit:
        edit = QDateEdit(QDate(value))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setAccessibleName(name)
        return edit

    def _fill(self, *_: object) -> None:
        kind = self.kind.currentData()
        is_custom = kind == "custom"
        for w in (self.start, self.to, self.end):
            w.setVisible(is_custom)
        self.which.setVisible(not is_custom)
        if not is_custom:
            today = clock.today()
            items = {"quarter": quarters, "year": years, "fy": financial_years,
                     "month": months}[kind](today)
            self.which.blockSignals(True)
            self.which.clear()
            for value, label in items:
                self.which.addItem(label, value)
            self.which.setCurrentIndex(0)
            self.which.blockSignals(False)
        self._emit()

    def _emit(self) -> None:
        span = self.span()
        if span is not None:
            self.changed.emit(span.code)
        else:
            self.invalid.emit(self.error.text())

    def span(self) -> Span | None:
        """The chosen period, checked; None (and the reason shown) if it is not valid."""
        try:
            if self.kind.currentData() == "custom":
                got = custom(self.start.date().toPython(), self.end.date().toPython())
            else:
                got = parse(str(self.which.currentData() or ""))
        except ValidationError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return None
        self.error.hide()
        return got

    def code(self) -> str:
        span = self.span()
        return span.code if span is not None else ""

    def set_code(self, code: str) -> bool:
        """Choose a period by its code (False if it is not one the lists offer); ``changed``
        fires once, with the new code."""
        kind = _kind_of(code)
        span: Span | None = None
        if kind == "custom":
            try:
                span = parse(code)
            except ValidationError:
                return False
        widgets = (self.kind, self.which, self.start, self.end)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.kind.setCurrentIndex(self.kind.findData(kind))
            self._fill_quiet()
            if span is not None:
                self.start.setDate(QDate(span.start))
                self.end.setDate(QDate(span.end))
                found = True
            else:
                index = self.which.findData(code.strip().upper() if kind in ("quarter", "fy")
                                            else code.strip())
                found = index >= 0
                if found:
                    self.which.setCurrentIndex(index)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._emit()
        return found

    def _fill_quiet(self) -> None:
        blocked = self.signalsBlocked()
        self.blockSignals(True)
        try:
            self._fill()
        finally:
            self.blockSignals(blocked)
