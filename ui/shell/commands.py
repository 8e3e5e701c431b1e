"""The main window's commands: one QAction each, shown in the menu bar (File, Case, View,
Tools, Help), on the toolbar, and in the shortcut sheet (Help > Keyboard shortcuts).

Keys: Ctrl+N new case, Ctrl+W close the case tab, Ctrl+F search, F5 refresh, F1 help for
the current screen, Ctrl+L lock, Alt+1... the screens. Menus carry no Alt letters of
their own: the screens' fields and buttons own Alt+letter (Alt alone still opens the
menu bar, and F10 too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ui.common.qt import (
    QAction,
    QDialog,
    QDialogButtonBox,
    QKeySequence,
    QLabel,
    QMenu,
    QMenuBar,
    QSize,
    QStyle,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from ui.shell.mainwindow import MainWindow


@dataclass
class Commands:
    """The window's actions by name (tests and other screens trigger them)."""

    actions: dict[str, QAction]
    toolbar: QToolBar

    def __getitem__(self, key: str) -> QAction:
        return self.actions[key]


def _action(win: MainWindow, text: str, slot: Callable[[], Any], keys: str = "",
            icon: QStyle.StandardPixmap | None = None, tip: str = "") -> QAction:
    act = QAction(text, win)
    if keys:
        act.setShortcut(QKeySequence(keys))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if icon is not None:
        act.setIcon(win.style().standardIcon(icon))
    act.setToolTip(f"{tip or text.replace('…', '')}" + (f" ({keys})" if keys else ""))
    act.setStatusTip(tip or text)
    act.triggered.connect(lambda _checked=False: slot())
    win.addAction(act)  # the shortcut works even where no menu shows it
    return act


def _menu(bar: QMenuBar, title: str) -> QMenu:
    """A menu made on the Python side and handed to the bar: the wrapper stays the menu's
    own (a menu made inside Qt can come back wrapped as whatever last lived at its
    address)."""
    menu = QMenu(title, bar)
    bar.addMenu(menu)
    return menu


def _can_import(win: MainWindow) -> bool:
    from casework.core.permissions import has

    actor = win.ws.actor
    return has(actor, "import.cases") and has(actor, "case.write")


def import_cases(win: MainWindow) -> Any:
    """File → Import cases…: the import window (kept on the window for tests)."""
    from ui.cases.importing import ImportDialog

    dlg = ImportDialog(win, win.ws)
    win.import_dialog = dlg
    dlg.finished.connect(dlg.deleteLater)
    dlg.open()
    return dlg


def build_commands(win: MainWindow) -> Commands:
    """Add the menu bar and toolbar to ``win``; return the actions."""
    sp = QStyle.StandardPixmap
    acts: dict[str, QAction] = {}
    cases_allowed = "cases" in win.nav_keys()
    acts["new_case"] = _action(win, "New case…", lambda: new_case(win), "Ctrl+N",
                               sp.SP_FileIcon, "Start a new case")
    acts["lock"] = _action(win, "Lock", win.lock_requested.emit, "Ctrl+L",
                           sp.SP_DialogCloseButton, "Lock now: hide all data, forget the key")
    acts["quit"] = _action(win, "Quit", win.close, "Ctrl+Q")
    acts["export_list"] = _action(win, "Export list…", lambda: export_list(win),
                                  "Ctrl+Shift+E", tip="Export the screen's list to Excel or "
                                  "CSV, under the sharing protocol")
    acts["import"] = _action(win, "Import cases…", lambda: import_cases(win),
                             tip="Import cases from a workbook or CSV file")
    acts["import"].setVisible(cases_allowed and _can_import(win))
    acts["close_tab"] = _action(win, "Close case tab", lambda: close_case_tab(win), "Ctrl+W",
                                tip="Close the case tab shown")
    acts["refresh"] = _action(win, "Refresh", lambda: refresh(win), "F5", sp.SP_BrowserReload,
                              "Load the screen's data again")
    acts["find"] = _action(win, "Search…", lambda: focus_search(win), "Ctrl+F",
                           sp.SP_FileDialogContentsView, "Search people, cases and addresses")
    acts["help"] = _action(win, "Help for this screen", lambda: show_help(win), "F1",
                           sp.SP_MessageBoxQuestion)
    acts["shortcuts"] = _action(win, "Keyboard shortcuts", lambda: show_shortcuts(win),
                                "Ctrl+/")
    acts["about"] = _action(win, "About casework", lambda: show_about(win))
    # what the role cannot do is not offered at all (no grey buttons without a use)
    acts["new_case"].setVisible(cases_allowed and _can_create(win))
    acts["close_tab"].setVisible(cases_allowed)
    acts["find"].setVisible(win.search is not None)

    bar = win.menuBar()
    file_menu = _menu(bar, "File")
    file_menu.addAction(acts["new_case"])
    file_menu.addAction(acts["export_list"])
    file_menu.addAction(acts["import"])
    file_menu.addSeparator()
    file_menu.addAction(acts["lock"])
    file_menu.addAction(acts["quit"])
    case_menu = _menu(bar, "Case")
    case_menu.setObjectName("caseMenu")  # case actions join it as they are added
    case_menu.addAction(acts["close_tab"])
    case_menu.addAction(acts["refresh"])
    case_menu.menuAction().setVisible(cases_allowed)  # a role without cases has no Case menu
    view_menu = _menu(bar, "View")
    for n, item in enumerate(win.items, start=1):
        act = _action(win, item.label, lambda key=item.key: win.show_page(key), f"Alt+{n}")
        acts[f"page_{item.key}"] = act
        view_menu.addAction(act)
    view_menu.addSeparator()
    view_menu.addAction(acts["refresh"])
    tools_menu = _menu(bar, "Tools")
    tools_menu.addAction(acts["find"])
    if "admin" in win.nav_keys():
        acts["maintenance"] = _action(win, "Backup, check and verify…",
                                      lambda: win.show_page("admin"))
        tools_menu.addAction(acts["maintenance"])
    help_menu = _menu(bar, "Help")
    for key in ("help", "shortcuts", "about"):
        help_menu.addAction(acts[key])

    toolbar = QToolBar("Main toolbar")
    toolbar.setObjectName("mainToolbar")
    toolbar.setAccessibleName("Main toolbar")
    toolbar.setMovable(False)
    toolbar.setIconSize(QSize(18, 18))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for key in ("new_case", "refresh", "find", "help"):
        toolbar.addAction(acts[key])
    for button in toolbar.findChildren(QWidget):
        if button.accessibleName() == "" and hasattr(button, "defaultAction"):
            act = button.defaultAction()
            if act is not None:
                button.setAccessibleName(act.text().replace("…", ""))
    win.addToolBar(toolbar)
    from ui.common.qt import QToolButton

    # Qt's own "more" buttons (shown when a bar is too narrow) need names for screen readers
    for owner, name, label in ((bar, "qt_menubar_ext_button", "More menus"),
                               (toolbar, "qt_toolbar_ext_button", "More toolbar buttons")):
        for extra in owner.findChildren(QToolButton, name):
            extra.setAccessibleName(label)
    return Commands(acts, toolbar)


def _can_create(win: MainWindow) -> bool:
    from casework.core.permissions import case_types_for
    from ui.common import services

    return services.can(win.ws.actor, "case.write") and bool(case_types_for(win.ws.actor))


def new_case(win: MainWindow) -> Any:
    """Ctrl+N: the one case type's wizard, or the menu of types under New case."""
    page = win.show_page("cases")
    button = getattr(page, "new_button", None)
    if page is None or button is None:
        return None
    menu: QMenu = button.menu()
    types = [a for a in menu.actions() if a.isEnabled()]
    if len(types) == 1:
        types[0].trigger()
        return page.wizard  # type: ignore[attr-defined]
    menu.popup(button.mapToGlobal(button.rect().bottomLeft()))  # not modal: no exec()
    menu.setActiveAction(types[0] if types else None)
    return menu


def export_list(win: MainWindow) -> Any:
    """Ctrl+Shift+E: export the list of the screen shown, if it has one."""
    page = win.current_page()
    fn = getattr(page, "export_list", None)
    if not callable(fn):
        win.statusBar().showMessage("This screen has no list to export.", 5000)
        return None
    return fn()


def close_case_tab(win: MainWindow) -> bool:
    """Ctrl+W: close the case tab shown on the Cases screen (never the list)."""
    page = win.page("cases")
    if page is None or win.current_page() is not page:
        return False
    index = page.tabs.currentIndex()  # type: ignore[attr-defined]
    if index <= 0:
        return False
    page.close_tab(index)  # type: ignore[attr-defined]
    return True


def refresh(win: MainWindow) -> None:
    """F5: reload the screen shown (and the case shown on it)."""
    page = win.current_page()
    if page is None:
        return
    page.refresh()
    current = getattr(getattr(page, "tabs", None), "currentWidget", lambda: None)()
    for target in (current,):
        again = getattr(target, "reload", None) or getattr(target, "refresh", None)
        if callable(again):
            again()


def focus_search(win: MainWindow) -> None:
    if win.search is not None:
        win.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        win.search.selectAll()


def _sheet_dialog(win: MainWindow, title: str, body: QWidget) -> QDialog:
    dlg = QDialog(win)
    dlg.setWindowTitle(title)
    dlg.setAccessibleName(title)
    box = QVBoxLayout(dlg)
    box.addWidget(body, 1)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dlg.reject)
    buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
    box.addWidget(buttons)
    dlg.resize(640, 520)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    win.help_dialog = dlg  # type: ignore[attr-defined]
    dlg.open()
    return dlg


def show_help(win: MainWindow) -> QDialog:
    """F1: help for the screen shown."""
    from ui.shell.help import help_for

    page = win.current_page()
    key = next((i.key for i in win.items if win.pages.get(i.key) is page), "")
    if page is not None and page.help_key():
        key = page.help_key()
    title, html = help_for(key)
    text = QTextBrowser()
    text.setAccessibleName(f"Help: {title}")
    text.setOpenExternalLinks(False)
    text.setHtml(html)
    return _sheet_dialog(win, f"Help: {title}", text)


def shortcut_rows(win: MainWindow) -> list[tuple[str, str]]:
    """(keys, what they do) for every window command and the keys every screen shares."""
    rows = [(a.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
             a.text().replace("…", "")) for a in win.actions() if not a.shortcut().isEmpty()]
    from ui.shell.help import COMMON_KEYS

    return rows + list(COMMON_KEYS)


def show_shortcuts(win: MainWindow) -> QDialog:
    """The shortcut sheet: every key the window knows."""
    rows = shortcut_rows(win)
    table = QTableWidget(len(rows), 2)
    table.setObjectName("shortcutSheet")
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Keys", "Does"])
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for n, (keys, what) in enumerate(rows):
        table.setItem(n, 0, QTableWidgetItem(keys))
        table.setItem(n, 1, QTableWidgetItem(what))
    table.resizeColumnToContents(0)
    return _sheet_dialog(win, "Keyboard shortcuts", table)


def show_about(win: MainWindow) -> QDialog:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("casework")
    except PackageNotFoundError:
        ver = "development"
    label = QLabel(f"<b>casework</b> {ver}<br>Community safety casework: ASB, Community "
                   "Trigger, SWIP, MART and sanctuary, on an encrypted database.")
    label.setWordWrap(True)
    label.setAccessibleName("About casework")
    return _sheet_dialog(win, "About casework", label)
