"""The main window: menu bar, toolbar, navigation, the search box, the screens, and the
lock button. Every command is a QAction (menu, toolbar and shortcut are one thing), and
the shortcut sheet lists them all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ui.common import services
from ui.common.accessibility import prepare
from ui.common.forms import humanise
from ui.common.qt import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSize,
    QStackedWidget,
    Qt,
    QWidget,
    Signal,
)
from ui.common.screen import Screen
from ui.shell.registry import CASE_TYPES, NAV, CaseTypeUi

if TYPE_CHECKING:
    from casework.core.context import Workspace


def fit_size(width: int, height: int) -> QSize:
    """``width`` x ``height``, or less to fit the screen's free area (a 1366x768 laptop, or
    1920x1080 at 150%: 1280x720 logical pixels)."""
    from ui.common.qt import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    return QSize(min(width, free.width()), min(height, free.height() - 30))


class MainWindow(QMainWindow):
    """The signed-in application. Emits ``lock_requested`` for the Lock button."""

    lock_requested = Signal()

    def __init__(self, ws: Workspace, *, remember: bool = False) -> None:
        super().__init__()
        self.ws = ws
        self.import_dialog: Any = None  # File → Import cases…, while open
        self.remember = remember
        self.setWindowTitle("casework")
        self.setAccessibleName("casework main window")
        self.resize(fit_size(1400, 860))
        self.items = [n for n in NAV if n.allowed(ws.actor)]
        self.case_types: dict[str, CaseTypeUi] = CASE_TYPES
        self.pages: dict[str, Screen] = {}

        top = QWidget()
        top.setObjectName("topBar")
        bar = QHBoxLayout(top)
        bar.setContentsMargins(12, 8, 12, 8)
        brand = QLabel("casework")
        brand.setObjectName("brand")
        bar.addWidget(brand)
        bar.addSpacing(24)
        self.search = None
        if services.can(ws.actor, "people.read") or services.can(ws.actor, "case.read"):
            from ui.shell.search import SearchBox

            self.search = SearchBox(ws, self)
            bar.addWidget(self.search, 1)
        else:
            bar.addStretch(1)
        who = QLabel(f"{ws.actor.username} · {humanise(ws.actor.role)}")
        who.setObjectName("who")
        who.setAccessibleName("Signed in as")
        bar.addWidget(who)
        self.password_button = QPushButton("Change password…")
        self.password_button.setAccessibleName("Change your password")
        self.password_button.clicked.connect(self.change_password)
        bar.addWidget(self.password_button)
        self.lock_button = QPushButton("Lock")  # Ctrl+L; Alt+L is Clear filters
        self.lock_button.setAccessibleName("Lock the application")
        self.lock_button.setToolTip("Lock now (Ctrl+L): hides all data and forgets the key")
        self.lock_button.clicked.connect(self.lock_requested)
        bar.addWidget(self.lock_button)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Navigation")
        self.nav.setFixedWidth(210)
        self.nav.setIconSize(QSize(18, 18))
        self.stack = QStackedWidget()
        for n, item in enumerate(self.items, start=1):
            entry = QListWidgetItem(item.label)
            entry.setData(Qt.ItemDataRole.UserRole, item.key)
            entry.setToolTip(f"{item.label} (Alt+{n})")
            entry.setSizeHint(QSize(200, 40))
            self.nav.addItem(entry)
            self.stack.addWidget(QWidget())
        self.nav.currentRowChanged.connect(self._on_nav)
        self.setMinimumSize(640, 480)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        central = QWidget()
        from ui.common.qt import QVBoxLayout

        col = QVBoxLayout(central)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(top)
        col.addWidget(body, 1)
        self.setCentralWidget(central)
        from ui.shell.commands import build_commands

        self.commands = build_commands(self)
        self.setTabOrder(self.nav, self.stack)
        self.statusBar().showMessage(f"Signed in as {ws.actor.username}")
        from ui.common.changes import ChangeWatcher

        self.watcher = ChangeWatcher(ws, self)  # other users' changes reach open screens
        prepare(self)
        if self.items:
            self.nav.setCurrentRow(0)
        else:
            self.stack.addWidget(QLabel("Your role has no screens in this application."))

    def change_password(self) -> None:
        """The signed-in user changes their own password (the same rules as everywhere)."""
        from ui.shell.newdb import ChangePasswordDialog

        dlg = ChangePasswordDialog(self, self.ws)
        if dlg.exec() == dlg.DialogCode.Accepted:
            self.statusBar().showMessage("Your password was changed.")

    # -- navigation -----------------------------------------------------------------------
    def nav_keys(self) -> list[str]:
        return [i.key for i in self.items]

    def show_page(self, key: str) -> Screen | None:
        """Switch to a screen (built on first use); None if the role does not have it."""
        if key not in self.nav_keys():
            return None
        self.nav.setCurrentRow(self.nav_keys().index(key))
        return self.pages.get(key)

    def page(self, key: str) -> Screen | None:
        return self.pages.get(key)

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        item = self.items[row]
        page = self.pages.get(item.key)
        if page is None:
            page = item.page(self.ws, self)
            self.pages[item.key] = page
            old = self.stack.widget(row)
            self.stack.insertWidget(row, page)
            self.stack.removeWidget(old)
            old.deleteLater()
            prepare(page)
            page.refresh()
        self.stack.setCurrentWidget(page)

    def open_case(self, case_id: int, label: str = "") -> None:
        """Open a case view in the Cases screen."""
        page = self.show_page("cases")
        if page is not None:
            page.open_case(case_id, label)  # type: ignore[attr-defined]

    def open_person(self, person_id: int) -> None:
        page = self.show_page("people")
        if page is not None:
            page.open_person(person_id)  # type: ignore[attr-defined]

    def open_address(self, address_id: int) -> None:
        """An address hit: show the people screen (addresses are found through people)."""
        del address_id
        self.show_page("people")

    def current_page(self) -> Screen | None:
        page = self.stack.currentWidget()
        return page if isinstance(page, Screen) else None

    # -- remembering (QSettings: no personal data) ----------------------------------------
    def restore_state(self) -> None:
        """The window's place and the user's open case tabs, as they were last time."""
        from ui.common import remember

        if remember.restore_geometry("window", self):
            free = self.screen().availableGeometry() if self.screen() else None
            if free is not None and not free.intersects(self.frameGeometry()):
                self.resize(fit_size(1400, 860))  # the screen it was on is gone
        ids = remember.open_tabs(str(self.ws.store.path), self.ws.actor.username)
        if ids and "cases" in self.nav_keys():
            current = self.nav.currentRow()
            for case_id in ids:
                self.open_case(case_id)
            self.nav.setCurrentRow(current)

    def save_state(self) -> None:
        from ui.common import remember

        remember.save_geometry("window", self)
        cases = self.pages.get("cases")
        if cases is not None:
            tabs = cases.tabs  # type: ignore[attr-defined]
            views = cases.views  # type: ignore[attr-defined]
            ids = [cid for i in range(1, tabs.count()) for cid, v in views.items()
                   if v is tabs.widget(i)]
            remember.save_tabs(str(self.ws.store.path), self.ws.actor.username, ids)
            lst = getattr(cases, "list_view", None)
            if lst is not None:
                remember.save_header("caselist", lst.table.horizontalHeader())

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if self.remember:
            self.save_state()
        super().closeEvent(event)

    def close_data(self) -> None:
        """Drop every screen (and the data it shows) before the window goes."""
        for page in self.pages.values():
            page.deleteLater()
        self.pages.clear()
