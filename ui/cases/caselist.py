"""The case list view: filters above a paged table. Enter or double-click opens a case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casework.cases import caselist
from ui.cases.caselist_model import (
    COL_OPENED,
    COL_REFERENCE,
    COL_STAGE,
    HEADERS,
    CaseTableModel,
    IdRole,
)
from ui.common.forms import combo, humanise
from ui.common.ops import QueryOp
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

if TYPE_CHECKING:
    from casework.core.context import Workspace

STATUSES = ("open", "closed")
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
        self.f_status = combo(STATUSES, blank="Open or closed", current="open")
        self.f_risk = combo(RISKS, blank="Any risk")
        self.f_owner = combo([], blank="Anyone")
        self.f_team = combo([], blank="Any team")
        self.f_area = combo([], blank="Any area")
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
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = (150, 140, 130, 80, 80, 110, 150, 100, 110, 110)
        for col, width in enumerate(widths[:len(HEADERS)]):
            self.table.setColumnWidth(col, width)
        self.table.setColumnWidth(COL_STAGE, 130)
        self.table.setSortingEnabled(True)
        header.setSortIndicator(COL_OPENED, Qt.SortOrder.DescendingOrder)
        self.table.doubleClicked.connect(self._open_index)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table,
                  activated=self._open_current, context=Qt.ShortcutContext.WidgetShortcut)

        self.count = QLabel("Loading…")
        self.count.setObjectName("count")
        self.count.setAccessibleName("Number of cases")
        self.model.page_loaded.connect(self._update_count)
        self.model.counted.connect(self._update_count)
        self.model.failed.connect(self.count.setText)

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
        for box, items in ((self.f_owner, options.owners), (self.f_team, options.teams),
                           (self.f_area, options.lsoas)):
            box.blockSignals(True)
            for opt in items:
                box.addItem(opt.label, opt.value)
            box.blockSignals(False)

    def current_filter(self) -> Any:
        ref = self.f_ref.text().strip() or None
        return self._filter_cls(
            case_type=self.f_type.currentData(), status=self.f_status.currentData(),
            risk_level=self.f_risk.currentData(), owner_id=self.f_owner.currentData(),
            team_id=self.f_team.currentData(), lsoa_code=self.f_area.currentData(),
            stage=self.f_stage.currentData(), reference_prefix=ref)

    def _filters_changed(self, *_: Any) -> None:
        self.count.setText("Loading…")
        self.model.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        for box in (self.f_type, self.f_stage, self.f_risk, self.f_owner, self.f_team,
                    self.f_area, self.f_status):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.f_ref.clear()
        self._filters_changed()

    def _update_count(self, *_: Any) -> None:
        total = self.model.total
        shown = self.model.rowCount()
        if total is None:
            self.count.setText(f"{shown:,} cases shown…")
        else:
            self.count.setText(f"{total:,} cases" + (f" ({shown:,} loaded)"
                                                     if shown < total else ""))

    # -- opening ------------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            ref = self.model.index(index.row(), COL_REFERENCE).data()
            self.open_requested.emit(int(index.data(IdRole)), str(ref))

    def _open_current(self) -> None:
        self._open_index(self.table.currentIndex())

    def is_ready(self) -> bool:
        return self.model.loaded_once and not self.model.busy

    def refresh(self) -> None:
        self.model.reload()


def _case_types(ws: Workspace) -> set[str]:
    from casework.core.permissions import case_types_for

    return set(case_types_for(ws.actor))


__all__ = ["CaseListView", "humanise"]
