"""Small reusable widgets: a read-only record table, a key-value panel, a bar chart."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ui.common.forms import humanise
from ui.common.qt import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

Column = tuple[str, Callable[[Any], Any]]


def text_of(value: Any) -> str:
    """How a plain value reads in a table cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    if isinstance(value, tuple | list | frozenset | set):
        return ", ".join(humanise(str(v)) for v in value)
    return str(value)


class RecordTable(QTableWidget):
    """A read-only table of a short list of records (a case's incidents, tasks...)."""

    def __init__(self, columns: Sequence[Column], name: str) -> None:
        super().__init__(0, len(columns))
        self.columns = list(columns)
        self.records: list[Any] = []
        self.setAccessibleName(name)
        self.setObjectName(name.replace(" ", "_").lower())
        self.setHorizontalHeaderLabels([c[0] for c in columns])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def set_records(self, records: Sequence[Any]) -> None:
        self.records = list(records)
        self.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            for col, (_h, get) in enumerate(self.columns):
                item = QTableWidgetItem(text_of(get(record)))
                item.setData(Qt.ItemDataRole.UserRole, record)
                self.setItem(row, col, item)
        self.resizeRowsToContents()

    def current_record(self) -> Any:
        row = self.currentRow()
        return self.records[row] if 0 <= row < len(self.records) else None


class KeyValues(QWidget):
    """Labelled values laid out in a form (a case summary)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.layout_ = QFormLayout(self)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._values: dict[str, QLabel] = {}

    def set_values(self, pairs: Sequence[tuple[str, Any]]) -> None:
        while self.layout_.rowCount():
            self.layout_.removeRow(0)
        self._values.clear()
        for key, value in pairs:
            label = QLabel(text_of(value) or "—")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(key)
            self.layout_.addRow(QLabel(f"{key}:"), label)
            self._values[key] = label

    def value(self, key: str) -> str:
        return self._values[key].text()
