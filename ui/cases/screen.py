"""The Cases screen: the list in the first tab, each opened case in a tab of its own."""

from __future__ import annotations

from typing import Any

from casework.core.permissions import case_types_for
from ui.common import services
from ui.common.forms import humanise
from ui.common.ops import QueryOp
from ui.common.qt import QHBoxLayout, QMenu, QPushButton, QTabWidget, QVBoxLayout
from ui.common.screen import Screen, heading, missing

PREFIX_TYPE = {"ASB": "asb", "CT": "trigger", "SWIP": "swip", "MART": "mart", "SAN": "sanctuary"}


class Page(Screen):
    """All cases the user may see, and the cases they have open."""

    title = "Cases"

    def __init__(self, ws: Any, main: Any) -> None:
        super().__init__(ws, main)
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Open cases")
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.list_view: Any = None
        self.views: dict[int, Any] = {}
        self.wizard: Any = None
        top = QHBoxLayout()
        top.addWidget(heading("Cases"))
        top.addStretch(1)
        types = sorted(case_types_for(ws.actor))
        if services.can(ws.actor, "case.write") and types:
            self.new_button = QPushButton("New case")  # Ctrl+N; Alt+N is Add note
            self.new_button.setAccessibleName("New case")
            menu = QMenu(self.new_button)
            for t in types:
                action = menu.addAction(f"{humanise(t)}…")
                action.triggered.connect(lambda _c=False, t=t: self.new_case(t))
            self.new_button.setMenu(menu)
            top.addWidget(self.new_button)
        from ui.cases.caselist import CaseListView

        self.list_view = CaseListView(ws)
        self.list_view.open_requested.connect(self.open_case)
        self.tabs.addTab(self.list_view, "All cases")
        bar = self.tabs.tabBar()
        bar.setTabButton(0, bar.ButtonPosition.RightSide, None)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        """Lists reload themselves when filters change; nothing to do on show."""

    def help_key(self) -> str:
        """An open case's own help page when it has one (a Community Trigger case)."""
        return str(getattr(self.tabs.currentWidget(), "help_key", "") or "")

    def is_ready(self) -> bool:
        current = self.tabs.currentWidget()
        ready = getattr(current, "is_ready", None)
        return bool(ready()) if callable(ready) else True

    # -- opening cases ------------------------------------------------------------------
    def open_case(self, case_id: int, label: str = "") -> Any:
        """Show the case in its tab (creating the view on first open)."""
        if case_id in self.views:
            self.tabs.setCurrentWidget(self.views[case_id])
            return self.views[case_id]
        case_type = PREFIX_TYPE.get(label.split("-", 1)[0]) if label else None
        if case_type is None:
            from casework.cases.caseview import case_header

            ws = self.ws
            QueryOp(self, lambda: case_header(ws, case_id),
                    lambda h: self._open_view(case_id, h.case_type, h.reference)).run()
            return None
        return self._open_view(case_id, case_type, label)

    def _open_view(self, case_id: int, case_type: str, label: str) -> Any:
        kind = self.main.case_types.get(case_type)
        view = (kind.view(self.ws, case_id, self.main) if kind is not None
                else missing(f"The {humanise(case_type)} case view"))
        self.views[case_id] = view
        index = self.tabs.addTab(view, label or f"Case {case_id}")
        self.tabs.setTabToolTip(index, f"{label} (Ctrl+W closes)")
        self.tabs.setCurrentIndex(index)
        view.destroyed.connect(lambda *_: self.views.pop(case_id, None))
        return view

    def export_list(self) -> Any:
        """File > Export list: the case list with its filters (from any tab)."""
        if self.list_view is None:
            return None
        return self.list_view.export_list(self.list_view.export_report)

    def close_tab(self, index: int) -> None:
        if index == 0:
            return
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        for key, view in list(self.views.items()):
            if view is widget:
                del self.views[key]
        widget.deleteLater()

    # -- new cases ----------------------------------------------------------------------
    def new_case(self, case_type: str) -> Any:
        """Start the new-case wizard for a type; the new case opens when it finishes."""
        kind = self.main.case_types.get(case_type)
        if kind is None:
            return None
        self.wizard = kind.wizard(self, self.ws)
        self.wizard.created.connect(self._created)
        self.wizard.open()
        return self.wizard

    def _created(self, case_id: int, reference: str) -> None:
        from ui.common.changes import CASE, TASK, Change, announce

        if self.list_view is not None:
            self.list_view.refresh()
        self.open_case(case_id, reference)
        announce(Change({case_id}, {CASE, TASK}, self))
