"""A period picker: a quarter, a year or a month, chosen from lists (never typed)."""

from __future__ import annotations

from datetime import date

from casework.core import clock
from ui.common.qt import QComboBox, QHBoxLayout, QWidget, Signal

KINDS = (("quarter", "Quarter"), ("year", "Year"), ("month", "Month"))
YEARS_BACK = 6


def quarters(today: date, years: int = YEARS_BACK) -> list[tuple[str, str]]:
    """(code, label) of the quarters from this one back ``years`` years, newest first."""
    out = []
    q = (today.month - 1) // 3 + 1
    y = today.year
    for _ in range(years * 4):
        start = date(y, 3 * q - 2, 1)
        end_month = 3 * q
        out.append((f"{y}Q{q}", f"Q{q} {y} ({start:%b}–{date(y, end_month, 1):%b %Y})"))
        q -= 1
        if q == 0:
            q, y = 4, y - 1
    return out


def years(today: date, back: int = YEARS_BACK) -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in range(today.year, today.year - back, -1)]


def months(today: date, back: int = YEARS_BACK) -> list[tuple[str, str]]:
    out = []
    y, m = today.year, today.month
    for _ in range(back * 12):
        out.append((f"{y}-{m:02d}", f"{date(y, m, 1):%B %Y}"))
        m -= 1
        if m == 0:
            m, y = 12, y - 1
    return out


class PeriodPicker(QWidget):
    """Two drop-downs: the kind of period, then which one. ``code()`` is what the report
    services take (``2026Q3``, ``2026``, ``2026-07``); ``changed`` fires on a new choice."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of period")
        for value, label in KINDS:
            self.kind.addItem(label, value)
        self.which = QComboBox()
        self.which.setAccessibleName("Period")
        self.which.setMinimumContentsLength(22)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.kind)
        row.addWidget(self.which)
        self.kind.currentIndexChanged.connect(self._fill)
        self.which.currentIndexChanged.connect(lambda _i: self.changed.emit(self.code()))
        self._fill()

    def _fill(self, *_: object) -> None:
        today = clock.today()
        items = {"quarter": quarters, "year": years, "month": months}[
            self.kind.currentData()](today)
        self.which.blockSignals(True)
        self.which.clear()
        for value, label in items:
            self.which.addItem(label, value)
        self.which.setCurrentIndex(0)
        self.which.blockSignals(False)
        self.changed.emit(self.code())

    def code(self) -> str:
        return str(self.which.currentData() or "")

    def set_code(self, code: str) -> bool:
        """Choose a period by its code (False if it is not in the lists)."""
        kind = "quarter" if "Q" in code.upper() else ("month" if "-" in code else "year")
        self.kind.setCurrentIndex(self.kind.findData(kind))
        index = self.which.findData(code.upper() if kind == "quarter" else code)
        if index < 0:
            return False
        self.which.setCurrentIndex(index)
        return True
