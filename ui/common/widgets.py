"""Small reusable widgets: a read-only record table, a key-value panel, a bar chart."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ui.common.forms import humanise
from ui.common.qt import (
    QAbstractItemView,
    QBoxLayout,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

Column = tuple[str, Callable[[Any], Any]]


def add_buttons(layout: QBoxLayout, store: dict[str, QPushButton],
                specs: Sequence[tuple[str, str, Callable[[], Any]]]) -> None:
    """A row of push buttons from (key, label with its Alt letter, slot): each is named for
    a screen reader after its label, kept in ``store`` under its key and added to
    ``layout``."""
    for key, text, slot in specs:
        b = QPushButton(text)
        b.setAccessibleName(text.replace("&", "").rstrip("…"))
        b.clicked.connect(slot)
        store[key] = b
        layout.addWidget(b)


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


def rows_as_text(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Tab-separated lines with a heading line: pastes into a spreadsheet as columns."""
    def clean(cell: str) -> str:
        return " ".join(str(cell).split())

    return "\n".join("\t".join(clean(c) for c in line) for line in [headers, *rows]) + "\n"


def copy_selected_rows(view: QAbstractItemView) -> int:
    """Ctrl+C on a table: copy the chosen rows (all columns, with headings); the clipboard
    is cleared again after the sensitive-copy delay. Returns how many rows were copied."""
    from ui.common.security import copy_sensitive

    model = view.model()
    rows = sorted({i.row() for i in view.selectionModel().selectedIndexes()}) or (
        [view.currentIndex().row()] if view.currentIndex().isValid() else [])
    if not rows:
        return 0
    cols = range(model.columnCount())
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in cols]
    lines = [[str(model.index(r, c).data() or "") for c in cols] for r in rows]
    copy_sensitive(rows_as_text(headers, lines))
    return len(rows)


class RecordTable(QTableWidget):
    """A read-only table of a short list of records (a case's incidents, tasks...).
    Click a heading to sort; Ctrl+C copies the chosen rows."""

    def __init__(self, columns: Sequence[Column], name: str) -> None:
        super().__init__(0, len(columns))
        self.columns = list(columns)
        self.records: list[Any] = []
        self.setAccessibleName(name)
        self.setObjectName(name.replace(" ", "_").lower())
        self.setHorizontalHeaderLabels([c[0] for c in columns])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.setWordWrap(True)
        self.empty_text = "Nothing recorded yet."
        # A header made here, not the one the view made in C++: its Python wrapper is
        # always a QHeaderView, whatever object last lived at that address.
        header = QHeaderView(Qt.Orientation.Horizontal, self)
        header.setSectionsClickable(True)
        header.setHighlightSections(True)
        self.setHorizontalHeader(header)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order first
        header.setSortIndicatorShown(True)

    def set_records(self, records: Sequence[Any]) -> None:
        self.setSortingEnabled(False)
        self.records = list(records)
        self.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            for col, (_h, get) in enumerate(self.columns):
                value = get(record)
                item = SortItem(text_of(value))
                item.setData(Qt.ItemDataRole.UserRole, record)
                item.setData(SortKeyRole, _sort_key(value))
                self.setItem(row, col, item)
        self.resizeRowsToContents()
        self.setSortingEnabled(True)  # the row changes repaint the view, empty text included

    def current_record(self) -> Any:
        """The record of the current row (the rows may have been sorted)."""
        item = self.item(self.currentRow(), 0) if self.currentRow() >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        from ui.common.qt import QKeySequence

        if event.matches(QKeySequence.StandardKey.Copy):
            copy_selected_rows(self)
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self.records and self.empty_text:
            from ui.common.qt import QPainter

            p = QPainter(self.viewport())
            p.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
            p.drawText(self.viewport().rect().adjusted(0, 30, 0, 0),
                       int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                       self.empty_text)
            p.end()


SortKeyRole = Qt.ItemDataRole.UserRole + 10


def _sort_key(value: Any) -> Any:
    """Dates sort by date and numbers by number, not as text; None sorts first."""
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, date):
        return (1, value.toordinal())
    return (2, text_of(value).casefold())


class SortItem(QTableWidgetItem):
    """A cell that sorts by its value's key (a date as a date)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SortKeyRole), other.data(SortKeyRole)
        try:
            return bool(mine < theirs)
        except TypeError:
            return str(mine) < str(theirs)


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
