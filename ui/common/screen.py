"""What every screen shares: the workspace, the main window, and a not-available pane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.common.qt import QLabel, Qt, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from casework.core.context import Workspace
    from ui.shell.mainwindow import MainWindow


class Screen(QWidget):
    """A page of the main window. ``refresh()`` reloads its data (in the background)."""

    title = ""

    def __init__(self, ws: Workspace, main: MainWindow) -> None:
        super().__init__()
        self.ws = ws
        self.main = main
        self.setAccessibleName(self.title)

    def refresh(self) -> None:
        """Reload the screen's data; called when the screen is shown."""

    def help_key(self) -> str:
        """The F1 help page for what the screen shows now ("" for the screen's own)."""
        return ""


def notice(text: str) -> QWidget:
    """A centred message for a pane with nothing to show (or a service not installed)."""
    w = QWidget()
    box = QVBoxLayout(w)
    label = QLabel(text)
    label.setObjectName("notice")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setAccessibleName(text)
    box.addStretch(1)
    box.addWidget(label)
    box.addStretch(2)
    return w


def missing(what: str) -> QWidget:
    """Shown where a workflow's service is not installed in this build yet."""
    return notice(f"{what} is not available in this version yet.")


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading")
    label.setAccessibleName(text)
    return label
