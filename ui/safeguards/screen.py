"""Information governance: subject access, the disclosure log, retention review and who
saw what: the council's data-protection function, kept apart from administration."""

from __future__ import annotations

from typing import Any

from ui.common.qt import QLabel, QTabWidget, QVBoxLayout
from ui.common.screen import Screen, heading
from ui.safeguards.tabs import DisclosureLogTab, RetentionTab, SubjectAccessTab, WhoSawTab


class Page(Screen):
    """Tabs (as the role allows): Subject access, Disclosure log, Retention, Who saw what."""

    title = "Information governance"

    def __init__(self, ws: Any, main: Any) -> None:
        super().__init__(ws, main)
        from casework.core.permissions import has

        box = QVBoxLayout(self)
        box.addWidget(heading("Information governance"))
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setAccessibleName("Information governance status")
        self.status.hide()
        box.addWidget(self.status)
        self.tabs = QTabWidget()
        box.addWidget(self.tabs, 1)
        self.sar = self.disclosures = self.retention = self.who_saw = None
        if has(ws.actor, "sar.export"):
            self.sar = SubjectAccessTab(ws, self)
            self.tabs.addTab(self.sar, "Subject &access")
        if has(ws.actor, "sar.disclosures"):
            self.disclosures = DisclosureLogTab(ws)
            self.tabs.addTab(self.disclosures, "Disclosure &log")
        if has(ws.actor, "admin.retention"):
            self.retention = RetentionTab(ws, self)
            self.tabs.addTab(self.retention, "&Retention")
        if has(ws.actor, "audit.who_saw"):
            self.who_saw = WhoSawTab(ws)
            self.tabs.addTab(self.who_saw, "&Who saw what")
        self.tabs.currentChanged.connect(self._tab_shown)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def is_ready(self) -> bool:
        return True

    def _tab_shown(self, index: int) -> None:
        widget = self.tabs.widget(index)
        for tab in (self.disclosures, self.retention):
            if tab is not None and widget is tab and not tab.loaded:
                tab.refresh()

    def refresh(self) -> None:
        self._tab_shown(self.tabs.currentIndex())
