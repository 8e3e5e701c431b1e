"""The case list's table model: paged, sorted by the service, never the whole table.

The first page is fetched off the GUI thread as soon as the filter or sort changes and is
shown at once; then the total is counted and the model grows to the whole list, so the
scroll bar covers every case from the start and Ctrl+End reaches the last one. A page
not yet held is fetched in the background when the view first asks for one of its rows
(its cells read "…" for that moment).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.cases import caselist
from casework.core import clock
from ui.common import theme
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
PENDING = "…"

AnyIndex = QModelIndex | QPersistentModelIndex


def _date(d: date | None) -> str:
    return d.strftime("%d %b %Y") if d else ""


class CaseTableModel(QAbstractTableModel):
    """Rows of ``casework.caselist.CaseRow``. Emits ``page_loaded(rows_held)`` after each
    page and ``counted(total)`` when the total is known (the model then has ``total``
    rows)."""

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
        self._pages: dict[int, list[Any]] = {}
        self._pending: set[int] = set()
        self._rows_shown = 0
        self._total: int | None = None
        self._generation = 0
        self.loaded_once = False
        self.names: dict[str, str] = {}  # area code -> "Name (code)", from the filter options
        self.owner_names: dict[str, str] = {}  # user name -> display name

    # -- loading ------------------------------------------------------------------------
    def set_filter(self, flt: Any) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        """Drop the rows and fetch the first page, then the count."""
        self._generation += 1
        self.beginResetModel()
        self._pages, self._pending, self._rows_shown, self._total = {}, set(), 0, None
        self.endResetModel()
        self._fetch_page(0)

    def _fetch_page(self, page: int) -> None:
        if page in self._pages or page in self._pending:
            return
        self._pending.add(page)
        gen, ws, flt, cl = self._generation, self.ws, self.filter, self.caselist
        sort, desc, size = self.sort_key, self.descending, self.page_size
        QueryOp(None, lambda: cl.fetch_cases(ws, flt, page * size, size, sort, desc),
                lambda rows: self._page_arrived(gen, page, rows)).failure(
            lambda exc: self._failed(gen, exc)).run()

    def _page_arrived(self, gen: int, page: int, rows: list[Any]) -> None:
        if gen != self._generation:
            return
        self._pending.discard(page)
        self._pages[page] = list(rows)
        first = page * self.page_size
        if page == 0 and self._total is None:
            self.loaded_once = True
            if rows:
                self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
                self._rows_shown = len(rows)
                self.endInsertRows()
            if len(rows) < self.page_size:
                self._counted(gen, len(rows))  # the whole list is on this page
            else:
                ws, flt, cl = self.ws, self.filter, self.caselist
                QueryOp(None, lambda: cl.count_cases(ws, flt),
                        lambda n: self._counted(gen, n)).failure(
                    lambda exc: self._failed(gen, exc)).run()
        elif rows:
            self.dataChanged.emit(self.index(first, 0),
                                  self.index(first + len(rows) - 1, len(HEADERS) - 1))
        self.page_loaded.emit(self.rows_held)

    def _counted(self, gen: int, total: int) -> None:
        if gen != self._generation:
            return
        if total > self._rows_shown:
            self.beginInsertRows(QModelIndex(), self._rows_shown, total - 1)
            self._rows_shown = total
            self.endInsertRows()
        self._total = total
        self.counted.emit(total)

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._generation:
            return
        self._pending.clear()
        self.loaded_once = True
        from ui.common.ops import error_text

        self.failed.emit(error_text(exc))

    def refresh_in_place(self) -> None:
        """Fetch the held pages again (a case changed: its stage, risk, owner...) and the
        count, keeping the rows where they are until the new values arrive."""
        if not self.loaded_once:
            return
        gen, ws, flt, cl = self._generation, self.ws, self.filter, self.caselist
        sort, desc, size = self.sort_key, self.descending, self.page_size
        for page in sorted(self._pages):
            self._pending.add(page)
            QueryOp(None, lambda p=page: cl.fetch_cases(ws, flt, p * size, size, sort, desc),
                    lambda rows, p=page: self._page_again(gen, p, rows)).failure(
                lambda exc: self._failed(gen, exc)).run()
        QueryOp(None, lambda: cl.count_cases(ws, flt),
                lambda n: self._recounted(gen, n)).failure(
            lambda exc: self._failed(gen, exc)).run()

    def _page_again(self, gen: int, page: int, rows: list[Any]) -> None:
        if gen != self._generation:
            return
        self._pending.discard(page)
        self._pages[page] = list(rows)
        first = page * self.page_size
        last = min(first + self.page_size, self._rows_shown) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(HEADERS) - 1))
        self.page_loaded.emit(self.rows_held)

    def _recounted(self, gen: int, total: int) -> None:
        if gen != self._generation:
            return
        if total < self._rows_shown:
            self.beginRemoveRows(QModelIndex(), total, self._rows_shown - 1)
            self._rows_shown = total
            self.endRemoveRows()
        self._counted(gen, total)

    def ensure_loaded(self, first: int, last: int) -> None:
        """Fetch the pages holding rows ``first``..``last`` (the rows on screen)."""
        for page in range(max(0, first) // self.page_size, max(0, last) // self.page_size + 1):
            if page * self.page_size < self._rows_shown:
                self._fetch_page(page)

    @property
    def busy(self) -> bool:
        return bool(self._pending) or (self.loaded_once and self._total is None
                                       and self._rows_shown == self.page_size)

    @property
    def total(self) -> int | None:
        return self._total

    @property
    def rows_held(self) -> int:
        return sum(len(p) for p in self._pages.values())

    def row_at(self, row: int) -> Any:
        """The case row at ``row``, or None while its page is still being fetched."""
        page = self._pages.get(row // self.page_size)
        if page is None:
            self._fetch_page(row // self.page_size)
            return None
        offset = row % self.page_size
        return page[offset] if offset < len(page) else None

    # -- the model ----------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._rows_shown

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
        if not index.isValid() or index.row() >= self._rows_shown:
            return no_value()
        r = self.row_at(index.row())
        col = index.column()
        if r is None:
            return PENDING if role == Qt.ItemDataRole.DisplayRole and col == 0 else no_value()
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
            return theme.colour("error")
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_REVIEW and r.next_review_on \
                and r.next_review_on < clock.today() and r.status == "open":
            return theme.colour("error")
        return no_value()

    def _display(self, r: Any, col: int) -> str:
        area = self.names.get(r.lsoa_code or "", r.lsoa_code or "")
        values = (r.reference, humanise(r.case_type), r.stage, humanise(r.status),
                  humanise(r.risk_level), self.owner_names.get(r.owner, r.owner), r.team, area,
                  _date(r.opened_on), _date(r.next_review_on))
        return str(values[col])

    def _sort_value(self, r: Any, col: int) -> Any:
        if col == COL_RISK:
            return RISK_ORDER.get(r.risk_level, 0)
        if col == COL_OPENED:
            return r.opened_on.toordinal()
        if col == COL_REVIEW:
            return r.next_review_on.toordinal() if r.next_review_on else 10**7
        return self._display(r, col)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in the database (the model holds only the pages seen so far)."""
        key = SORT_KEYS.get(column)
        if key is None:
            return  # the view puts the arrow back where the rows are sorted
        desc = order == Qt.SortOrder.DescendingOrder
        if (key, desc) == (self.sort_key, self.descending) and self.loaded_once:
            return
        self.sort_key, self.descending = key, desc
        self.reload()
