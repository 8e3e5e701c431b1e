"""The case list's table model: paged, sorted by the service, never the whole table.

The first page is fetched off the GUI thread as soon as the filter or sort changes and is
shown before the total is counted; further pages arrive through ``canFetchMore`` /
``fetchMore`` as the view scrolls, each in the background.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.cases import caselist
from casework.core import clock
from ui.common.forms import humanise
from ui.common.ops import QueryOp
from ui.common.qt import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    no_value,
)

(COL_REFERENCE, COL_TYPE, COL_STAGE, COL_STATUS, COL_RISK, COL_OWNER, COL_TEAM, COL_AREA,
 COL_OPENED, COL_REVIEW) = range(10)
HEADERS = ("Reference", "Type", "Stage", "Status", "Risk", "Owner", "Team", "Area",
           "Opened", "Next review")
# Columns the service can sort by, and its sort key for each.
SORT_KEYS = {COL_REFERENCE: "reference", COL_TYPE: "case_type", COL_STATUS: "status",
             COL_RISK: "risk_level", COL_OWNER: "owner", COL_OPENED: "opened_on",
             COL_REVIEW: "next_review_on"}
SortRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2
RowRole = Qt.ItemDataRole.UserRole + 3
PAGE_SIZE = 100
RISK_ORDER = {"standard": 0, "medium": 1, "high": 2}

AnyIndex = QModelIndex | QPersistentModelIndex


def _date(d: date | None) -> str:
    return d.strftime("%d %b %Y") if d else ""


class CaseTableModel(QAbstractTableModel):
    """Rows of ``casework.caselist.CaseRow``. Emits ``page_loaded(rows_held)`` after each
    page and ``counted(total)`` when the total is known."""

    page_loaded = Signal(int)
    counted = Signal(int)
    failed = Signal(str)

    def __init__(self, ws: Any, parent: QObject | None = None,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.ws = ws
        self.page_size = page_size
        self.caselist = caselist
        self.filter = self.caselist.CaseFilter()
        self.sort_key = "opened_on"
        self.descending = True
        self._rows: list[Any] = []
        self._total: int | None = None
        self._more = False
        self._fetching = False
        self._generation = 0
        self.loaded_once = False

    # -- loading ------------------------------------------------------------------------
    def set_filter(self, flt: Any) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        """Drop the rows and fetch the first page, then the count."""
        self._generation += 1
        gen, ws, flt = self._generation, self.ws, self.filter
        sort, desc, size = self.sort_key, self.descending, self.page_size
        self.beginResetModel()
        self._rows, self._total, self._more = [], None, False
        self.endResetModel()
        self._fetching = True
        cl = self.caselist
        # The first page comes alone (nothing competes with it); then the count.
        QueryOp(None, lambda: cl.fetch_cases(ws, flt, 0, size, sort, desc),
                lambda rows: self._first_page(gen, rows)).failure(self._failed).run()

    def _first_page(self, gen: int, rows: list[Any]) -> None:
        if gen != self._generation:
            return
        ws, flt, cl = self.ws, self.filter, self.caselist
        QueryOp(None, lambda: cl.count_cases(ws, flt),
                lambda n: self._counted(gen, n)).failure(self._failed).run()
        self._fetching = False
        self.loaded_once = True
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows = list(rows)
            self.endInsertRows()
        self._more = len(rows) == self.page_size
        self.page_loaded.emit(len(self._rows))

    def _counted(self, gen: int, total: int) -> None:
        if gen != self._generation:
            return
        self._total = total
        self.counted.emit(total)

    def _failed(self, exc: BaseException) -> None:
        self._fetching = False
        self.loaded_once = True
        from ui.common.ops import error_text

        self.failed.emit(error_text(exc))

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: N802, B008
        if parent.isValid() or self._fetching:
            return False
        if self._total is not None:
            return len(self._rows) < self._total
        return self._more

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: N802, B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        gen, ws, flt, offset = self._generation, self.ws, self.filter, len(self._rows)
        sort, desc, size, cl = self.sort_key, self.descending, self.page_size, self.caselist
        QueryOp(None, lambda: cl.fetch_cases(ws, flt, offset, size, sort, desc),
                lambda rows: self._more_rows(gen, offset, rows)).failure(self._failed).run()

    def _more_rows(self, gen: int, offset: int, rows: list[Any]) -> None:
        if gen != self._generation or offset != len(self._rows):
            return
        self._fetching = False
        if rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._more = len(rows) == self.page_size
        self.page_loaded.emit(len(self._rows))

    @property
    def busy(self) -> bool:
        return self._fetching

    @property
    def total(self) -> int | None:
        return self._total

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    # -- the model ----------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return f"Sort by {HEADERS[section].lower()}" if section in SORT_KEYS else \
                HEADERS[section]
        return no_value()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return no_value()
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == SortRole:
            return self._sort_value(r, col)
        if role == IdRole:
            return r.id
        if role == RowRole:
            return r
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{HEADERS[col]}: {self._display(r, col)}"
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_RISK and r.risk_level == "high":
            from ui.common.qt import QColor

            return QColor("#b3261e")
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_REVIEW and r.next_review_on \
                and r.next_review_on < clock.today() and r.status == "open":
            from ui.common.qt import QColor

            return QColor("#b3261e")
        return no_value()

    @staticmethod
    def _display(r: Any, col: int) -> str:
        values = (r.reference, humanise(r.case_type), r.stage, humanise(r.status),
                  humanise(r.risk_level), r.owner, r.team, r.lsoa_code or "",
                  _date(r.opened_on), _date(r.next_review_on))
        return str(values[col])

    @staticmethod
    def _sort_value(r: Any, col: int) -> Any:
        if col == COL_RISK:
            return RISK_ORDER.get(r.risk_level, 0)
        if col == COL_OPENED:
            return r.opened_on.toordinal()
        if col == COL_REVIEW:
            return r.next_review_on.toordinal() if r.next_review_on else 10**7
        return CaseTableModel._display(r, col)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in the database (the model holds only the pages seen so far)."""
        key = SORT_KEYS.get(column)
        if key is None:
            return
        desc = order == Qt.SortOrder.DescendingOrder
        if (key, desc) == (self.sort_key, self.descending) and self.loaded_once:
            return
        self.sort_key, self.descending = key, desc
        self.reload()
