"""The case list view: filters above a paged table. Enter or double-click opens a case.

The table has a row for every matching case from the start (the model pages them in),
sorts in the database (a column the database cannot sort by keeps the arrow where the
rows are sorted), names owners and areas, and says so when nothing matches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casework.cases import caselist
from ui.cases.caselist_model import (
    COL_OPENED,
    COL_REFERENCE,
    COL_STAGE,
    HEADERS,
    SORT_KEYS,
    CaseTableModel,
    IdRole,
)
from ui.common.forms import combo, humanise
from ui.common.ops import QueryOp
from ui.common.pickers import make_searchable
from ui.common.qt import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPushButton,
    QShortcut,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.common.widgets import copy_selected_rows

if TYPE_CHECKING:
    from casework.core.context import Workspace

STATUSES = ("open", "closed")
DEFAULT_STATUS = "open"
RISKS = ("standard", "medium", "high")


class CaseListView(QWidget):
    """Filters (type, stage, risk, owner, team, area, status, reference) and the table."""

    open_requested = Signal(int, str)

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws
        self.setAccessibleName("Case list")
        self.model = CaseTableModel(ws, self)
        self._filter_cls = caselist.CaseFilter

        self.f_type = combo(sorted(_case_types(ws)), blank="All types")
        self.f_stage = combo([(n, caselist.asb_stage_label(n)) for n in range(1, 5)],
                             blank="Any stage")
        self.f_status = combo(STATUSES, blank="Open or closed", current=DEFAULT_STATUS)
        self.f_risk = combo(RISKS, blank="Any risk")
        self.f_owner = combo([], blank="Anyone")
        self.f_team = combo([], blank="Any team")
        self.f_area = combo([], blank="Any area")
        make_searchable(self.f_area, "Any area", "Type part of an area's name or LSOA code")
        make_searchable(self.f_owner, "Anyone", "Type part of the owner's name")
        self.f_ref = QLineEdit()
        self.f_ref.setPlaceholderText("e.g. ASB-2026")
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        fields = (("T&ype", self.f_type), ("Sta&ge", self.f_stage), ("&Status", self.f_status),
                  ("R&isk", self.f_risk), ("O&wner", self.f_owner), ("Tea&m", self.f_team),
                  ("&Area", self.f_area), ("&Reference", self.f_ref))
        for n, (text, widget) in enumerate(fields):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(f"Filter by {text.replace('&', '').lower()}")
            widget.setMinimumWidth(130)
            row, col = divmod(n, 4)
            grid.addWidget(label, row, col * 2)
            grid.addWidget(widget, row, col * 2 + 1)
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._filters_changed)
        grid.setColumnStretch(8, 1)
        self._ref_timer = QTimer(self)
        self._ref_timer.setSingleShot(True)
        self._ref_timer.setInterval(300)
        self._ref_timer.timeout.connect(self._filters_changed)
        self.f_ref.textEdited.connect(lambda _t: self._ref_timer.start())

        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setAccessibleName("Cases")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = (140, 120, 120, 70, 75, 150, 120, 170, 105, 105)
        for col, width in enumerate(widths[:len(HEADERS)]):
            self.table.setColumnWidth(col, width)
        self.table.setColumnWidth(COL_STAGE, 130)
        self.table.setSortingEnabled(True)
        header.setSortIndicator(COL_OPENED, Qt.SortOrder.DescendingOrder)
        from ui.common import remember

        remember.restore_header("caselist", header)
        header.setSortIndicator(COL_OPENED, Qt.SortOrder.DescendingOrder)  # as the model
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self._load_visible())
        self.model.counted.connect(lambda _n: self._load_visible())
        self.empty = QLabel("No cases match these filters. Clear filters to see all open "
                            "cases.", self.table.viewport())
        self.empty.setObjectName("notice")
        self.empty.setAccessibleName("No cases match these filters")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.table.doubleClicked.connect(self._open_index)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(key), self.table, activated=self._open_current,
                      context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence.StandardKey.Copy, self.table,
                  activated=lambda: copy_selected_rows(self.table),
                  context=Qt.ShortcutContext.WidgetShortcut)

        from ui.common.table_export import add_list_menu

        # The last export's result stays beside the count until the filters change:
        # a page or count arriving after the export must not wipe it.
        self.export_note = ""
        self.export_report = self._export_done
        add_list_menu(self.table, lambda: self.export_list(self.export_report))
        self.count = QLabel("Loading…")
        self.count.setObjectName("count")
        self.count.setAccessibleName("Number of cases")
        self.model.page_loaded.connect(self._update_count)
        self.model.counted.connect(self._update_count)
        self.load_error = ""
        self.model.failed.connect(self._failed)

        top = QHBoxLayout()
        top.addLayout(grid, 1)
        top.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignBottom)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        box.addWidget(self.count)
        self._filters_changed()
        # Filter choices load after the first page, so they never delay it.
        self.model.page_loaded.connect(self._options_once)
        self._options_loaded = False
        from ui.common.changes import bus

        bus().changed.connect(self._changed)

    def _changed(self, change: Any) -> None:
        """A write elsewhere changed cases: show their new stage, risk, status..."""
        if change.case_ids or change.touches("case"):
            self.model.refresh_in_place()

    def _failed(self, text: str) -> None:
        self.load_error = f"the case list could not be loaded: {text}"
        self.count.setText(text)
        self.count.setObjectName("errorMessage")
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)

    def _options_once(self, *_: Any) -> None:
        if not self._options_loaded:
            self._options_loaded = True
            self._load_options()

    # -- filters ------------------------------------------------------------------------
    def _load_options(self) -> None:
        ws = self.ws
        QueryOp(self, lambda: caselist.filter_options(ws), self._fill_options).failure(
            lambda exc: None).run()

    def _fill_options(self, options: Any) -> None:
        owners = [(o.value, _person_label(o.label)) for o in options.owners]
        areas = [(o.value, _area_label(o.value, o.label)) for o in options.lsoas]
        for box, items in ((self.f_owner, owners),
                           (self.f_team, [(o.value, o.label) for o in options.teams]),
                           (self.f_area, sorted(areas, key=lambda a: a[1]))):
            box.blockSignals(True)
            for value, label in items:
                box.addItem(label, value)
            box.blockSignals(False)
        self.model.names = {code: label for code, label in areas}
        self.model.owner_names = {_login(o.label): _person_label(o.label)
                                  for o in options.owners}
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)
        if self.model.rowCount():
            self.model.dataChanged.emit(self.model.index(0, 0), self.model.index(
                self.model.rowCount() - 1, len(HEADERS) - 1))

    def current_filter(self) -> Any:
        ref = self.f_ref.text().strip() or None
        return self._filter_cls(
            case_type=self.f_type.currentData(), status=self.f_status.currentData(),
            risk_level=self.f_risk.currentData(), owner_id=self.f_owner.currentData(),
            team_id=self.f_team.currentData(), lsoa_code=self.f_area.currentData(),
            stage=self.f_stage.currentData(), reference_prefix=ref)

    def _export_done(self, text: str) -> None:
        self.export_note = text
        self._update_count()

    def _filters_changed(self, *_: Any) -> None:
        self.export_note = ""
        self.count.setText("Loading…")
        self.model.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        """Back to the defaults the list opens with: open cases of every type."""
        for box in (self.f_type, self.f_stage, self.f_risk, self.f_owner, self.f_team,
                    self.f_area, self.f_status):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.f_status.blockSignals(True)
        self.f_status.setCurrentIndex(self.f_status.findData(DEFAULT_STATUS))
        self.f_status.blockSignals(False)
        self.f_ref.clear()
        self._filters_changed()

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        """A column the database cannot sort by: put the arrow back on the sorted column."""
        if column in SORT_KEYS:
            return
        current = next((c for c, k in SORT_KEYS.items() if k == self.model.sort_key),
                       COL_OPENED)
        desc = Qt.SortOrder.DescendingOrder if self.model.descending \
            else Qt.SortOrder.AscendingOrder
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(current, desc)
        header.blockSignals(False)
        self.count.setText(f"The list cannot be sorted by {HEADERS[column].lower()}; it stays "
                           f"sorted by {HEADERS[current].lower()}.")

    def _load_visible(self) -> None:
        first = self.table.rowAt(0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        if first < 0:
            return
        self.model.ensure_loaded(first, last if last >= 0 else self.model.rowCount() - 1)

    def _update_count(self, *_: Any) -> None:
        total = self.model.total
        if total is None:
            text = "Counting cases…"
        else:
            text = ("No cases match these filters." if total == 0 else
                    f"{total:,} case{'s' if total != 1 else ''}")
        self.count.setText(f"{text} · {self.export_note}" if self.export_note else text)
        empty = total == 0
        self.empty.setVisible(empty)
        if empty:
            self.empty.setGeometry(self.table.viewport().rect())

    # -- opening ------------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            ref = self.model.index(index.row(), COL_REFERENCE).data()
            self.open_requested.emit(int(index.data(IdRole)), str(ref))

    def _open_current(self) -> None:
        self._open_index(self.table.currentIndex())

    def is_ready(self) -> bool:
        return self.model.loaded_once and not self.model.busy

    # -- export -------------------------------------------------------------------------
    def scope_text(self) -> str:
        """The filters in force, as the screen shows them ("Status: Open; Risk: High")."""
        parts = [f"{text}: {box.currentText()}" for text, box in (
            ("Type", self.f_type), ("Stage", self.f_stage), ("Status", self.f_status),
            ("Risk", self.f_risk), ("Owner", self.f_owner), ("Team", self.f_team),
            ("Area", self.f_area)) if box.currentData() is not None]
        if self.f_ref.text().strip():
            parts.append(f"Reference starts {self.f_ref.text().strip()}")
        return "; ".join(parts) or "All cases"

    def export_list(self, report: Any) -> Any:
        """Every case matching the filters (not only the rows loaded), in the list's
        order, through the sharing pipeline."""
        from casework.sharing.table_export import CASE_LIST_COLUMNS, case_list_rows
        from ui.common.table_export import export_list

        ws, flt = self.ws, self.current_filter()
        owners, areas = dict(self.model.owner_names), dict(self.model.names)
        sort, desc = self.model.sort_key, self.model.descending
        scope = self.scope_text()

        def rows() -> Any:  # in the background: reads every matching case
            return case_list_rows(ws, flt, owners, areas, humanise, sort, desc)[1]

        return export_list(self, ws, lambda: ("case_list", CASE_LIST_COLUMNS, rows, scope),
                           "cases", report)

    def refresh(self) -> None:
        self.model.reload()


def _login(label: str) -> str:
    return label.split(" (", 1)[0]


def _person_label(label: str) -> str:
    """An owner option "jsmith (Jo Smith)" shows as "Jo Smith"."""
    if label.endswith(")") and " (" in label:
        return label.split(" (", 1)[1][:-1]
    return label


def _area_label(code: str, label: str) -> str:
    """"E01028513 Oxford 005A" shows as "Oxford 005A (E01028513)"."""
    name = label[len(code):].strip() if label.startswith(code) else label
    return f"{name} ({code})" if name and name != code else code


def _case_types(ws: Workspace) -> set[str]:
    from casework.core.permissions import case_types_for

    return set(case_types_for(ws.actor))


__all__ = ["CaseListView", "humanise"]
