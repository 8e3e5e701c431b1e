"""Alt mnemonics: find the letters two visible controls of one window both claim.

Two controls with the same Alt letter make Qt cycle between them (or do nothing for a
menu), so Alt+letter no longer does what its underline promises. ``clashes(window)`` lists
them; a test walks every screen and dialog with it.
"""

from __future__ import annotations

import re

from ui.common.qt import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QTabBar,
    QWidget,
)

_MNEMONIC = re.compile(r"&([^&\s])")


def letter(text: str) -> str | None:
    """The mnemonic letter of ``"Sa&ve"`` (``v``); ``&&`` is a literal ampersand."""
    m = _MNEMONIC.search(text.replace("&&", ""))
    return m.group(1).lower() if m else None


def claims(window: QWidget) -> list[tuple[str, str]]:
    """(letter, control text) for every visible control of ``window`` with a mnemonic."""
    out: list[tuple[str, str]] = []
    if isinstance(window, QMainWindow) and window.menuWidget() is not None:
        for action in window.menuBar().actions():
            if action.isVisible() and (key := letter(action.text())):
                out.append((key, f"menu {action.text()}"))
    for w in window.findChildren(QWidget):
        if w.window() is not window or not w.isVisible():
            continue
        text = ""
        if isinstance(w, QAbstractButton) or isinstance(w, QLabel) and w.buddy() is not None:
            text = w.text()
        elif isinstance(w, QGroupBox):
            text = w.title()
        if text and (key := letter(text)):
            out.append((key, text))
        if isinstance(w, QTabBar):
            for i in range(w.count()):
                if w.isTabVisible(i) and (key := letter(w.tabText(i))):
                    out.append((key, f"tab {w.tabText(i)}"))
    return out


def clashes(window: QWidget) -> dict[str, list[str]]:
    """Letters claimed by more than one visible control, with the controls' texts."""
    seen: dict[str, list[str]] = {}
    for key, text in claims(window):
        seen.setdefault(key, []).append(text)
    return {k: v for k, v in seen.items() if len(v) > 1}
