"""Never lose typed input: a dialog remembers what its fields held when it opened and asks
before throwing changes away; after an error its default button stays the action.

Every dialog of the application can use these (``FormDialog`` and the case wizard do):

* ``GuardedDialog`` - a QDialog that asks "Discard changes?" when the user closes it
  (Esc, Cancel wired to ``request_close``, the title bar's close button) while any input
  field differs from when it was shown. A ``reject()`` from code closes without asking;
  so does ``force_reject()`` (the idle lock, after saying so).
* ``keep_default(button)`` - make ``button`` the dialog's default again, so Enter
  retries the action after a validation error instead of pressing Cancel.
* ``disable_with_reason(button, reason)`` - a disabled button that says why in its
  tooltip (and to a screen reader).
"""

from __future__ import annotations

from typing import Any

from ui.common.qt import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextEdit,
    QWidget,
)

DISCARD_TITLE = "Discard changes?"
DISCARD_TEXT = "You have typed or changed something here. Close and lose it?"


def field_value(w: QWidget) -> Any:
    """What an input widget holds, for comparing before and after (None: not input)."""
    if isinstance(w, QLineEdit):
        return None if w.isReadOnly() else w.text()
    if isinstance(w, QPlainTextEdit):
        return None if w.isReadOnly() else w.toPlainText()
    if isinstance(w, QTextEdit):
        return None if w.isReadOnly() else w.toPlainText()
    if isinstance(w, QComboBox):
        return (w.currentIndex(), w.currentText() if w.isEditable() else "")
    if isinstance(w, QDateEdit):
        return w.date().toJulianDay()
    if isinstance(w, QAbstractSpinBox):
        return w.text()
    if isinstance(w, QCheckBox | QRadioButton):
        return w.isChecked()
    if isinstance(w, QListWidget):
        return w.currentRow()
    return None


def snapshot(root: QWidget) -> dict[int, Any]:
    """The values of every input field under ``root``, by widget identity."""
    values: dict[int, Any] = {}
    for w in root.findChildren(QWidget):
        # a combo box's own line edit is part of the combo box
        if isinstance(w, QLineEdit) and isinstance(w.parent(), QComboBox | QAbstractSpinBox):
            continue
        value = field_value(w)
        if value is not None:
            values[id(w)] = value
    return values


def confirm_discard(parent: QWidget) -> bool:
    """Ask whether to throw the changes away (No is the default answer)."""
    answer = QMessageBox.question(
        parent, DISCARD_TITLE, DISCARD_TEXT,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard


def keep_default(button: QPushButton) -> None:
    """Make ``button`` the default again (after it was disabled while working, focus went
    to Cancel, and Cancel became the default: the next Enter would discard the input)."""
    for other in button.window().findChildren(QPushButton):
        if other is not button and other.isDefault():
            other.setDefault(False)
    button.setEnabled(True)
    button.setAutoDefault(True)
    button.setDefault(True)


def disable_with_reason(button: QAbstractButton, reason: str | None) -> None:
    """Enable ``button`` (reason None) or disable it and say why in its tooltip."""
    base = button.property("baseTip")
    if base is None:
        base = button.toolTip()
        button.setProperty("baseTip", base)
    button.setEnabled(reason is None)
    tip = str(base) if reason is None else (f"{base}\n" if base else "") + f"Not now: {reason}"
    button.setToolTip(tip)
    button.setAccessibleDescription("" if reason is None else reason)


class GuardedDialog(QDialog):
    """A dialog that asks before closing with changes. Call ``mark_clean()`` when the
    fields hold their starting values (done when the dialog is first shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clean: dict[int, Any] | None = None
        self._forced = False
        self.asked_discard = 0

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if self._clean is None:
            self.mark_clean()
        super().showEvent(event)

    def mark_clean(self) -> None:
        self._clean = snapshot(self)

    def has_changes(self) -> bool:
        if self._clean is None:
            return False
        now = snapshot(self)
        return any(k in now and now[k] != v for k, v in self._clean.items())

    def may_close(self) -> bool:
        """True when nothing was typed, or the user agrees to discard it."""
        if self._forced or not self.isVisible() or not self.has_changes():
            return True
        self.asked_discard += 1
        return confirm_discard(self)

    def request_close(self) -> bool:
        """The user asked to close (Cancel, Esc): ask first if there are changes."""
        if not self.may_close():
            return False
        self._forced = True  # asked once: the close event that follows must not ask again
        self.reject()
        self._forced = False
        return True

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        from ui.common.qt import Qt

        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.request_close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if not self.may_close():
            event.ignore()
            return
        self._forced = True
        super().closeEvent(event)
        self._forced = False

    def force_reject(self) -> None:
        """Close without asking (the lock closes another user's dialogs)."""
        self._forced = True
        self.reject()
        self._forced = False
