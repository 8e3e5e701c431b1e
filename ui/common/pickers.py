"""Pickers: choose a user (or an area...) from a list by typing any part of its name.

A picker is an editable combo box whose completer matches anywhere in an item's text,
case-blind, and that never adds what was typed as a new item: what is chosen is always one
of the items (``currentData``), so a user is never a typed login name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ui.common.qt import QComboBox, QCompleter, Qt


def make_searchable(box: QComboBox, placeholder: str = "", tip: str = "") -> QComboBox:
    """Turn a combo box of fixed items into one that completes on any part of an item."""
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    if placeholder:
        box.lineEdit().setPlaceholderText(placeholder)
    if tip:
        box.setToolTip(tip)
    completer = box.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    # Leaving the field with text that is no item puts the last chosen item back.
    box.lineEdit().editingFinished.connect(lambda: _settle(box))
    return box


def _settle(box: QComboBox) -> None:
    text = box.lineEdit().text().strip()
    index = box.findText(text, Qt.MatchFlag.MatchFixedString)
    if not text and box.findData(None) >= 0:
        index = box.findData(None)  # cleared: the blank choice ("Anyone")
    elif index < 0:
        matches = [i for i in range(box.count())
                   if text and text.casefold() in box.itemText(i).casefold()]
        index = matches[0] if len(matches) == 1 else box.currentIndex()
    box.setCurrentIndex(index)
    box.lineEdit().setText(box.itemText(index) if index >= 0 else "")


def user_label(username: str, display_name: str = "") -> str:
    """"Jo Smith (jsmith)": the name people know, with the login to tell two apart."""
    if display_name and display_name != username:
        return f"{display_name} ({username})"
    return username


def user_picker(users: Sequence[tuple[Any, str]], *, blank: str | None = None,
                current: Any = None) -> QComboBox:
    """A searchable list of users: (value, label) pairs, e.g. (user id, "Jo Smith (jsmith)")."""
    box = QComboBox()
    if blank is not None:
        box.addItem(blank, None)
    for value, label in sorted(users, key=lambda u: u[1].casefold()):
        box.addItem(label, value)
    if current is not None and (i := box.findData(current)) >= 0:
        box.setCurrentIndex(i)
    return make_searchable(box, "Type part of a name", "Type part of the person's name or "
                           "login to find them")
