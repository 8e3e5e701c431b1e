"""Form building blocks: labelled fields with mnemonics, values, and errors on the field.

``FormDialog`` lays out fields, runs its submit function in the background, and on a
``ValidationError(message, field=...)`` marks that field, puts the message beside it and
gives it focus. Typed input is never cleared by an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from casework.core import clock
from ui.common.guard import GuardedDialog, keep_default
from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
)

T = TypeVar("T")


def humanise(code: str | None) -> str:
    """``first_warning_letter`` -> ``First warning letter`` (codes shown to people)."""
    if not code:
        return ""
    special = {"abc": "ABC", "cpw": "CPW", "cpn": "CPN", "cbo": "CBO", "icb": "ICB",
               "idva": "IDVA", "nrm": "NRM", "asb": "ASB", "swip": "SWIP", "mart": "MART",
               "trigger": "Community Trigger", "asb_team": "ASB team"}
    if code in special:
        return special[code]
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def combo(choices: Sequence[tuple[Any, str]] | Sequence[str], *, blank: str | None = None,
          current: Any = None) -> QComboBox:
    """A combo box whose items carry values (codes) and show labels."""
    box = QComboBox()
    if blank is not None:
        box.addItem(blank, None)
    for choice in choices:
        if isinstance(choice, tuple):
            box.addItem(choice[1], choice[0])
        else:
            box.addItem(humanise(choice), choice)
    if current is not None:
        idx = box.findData(current)
        if idx >= 0:
            box.setCurrentIndex(idx)
    return box


class CodeList(QListWidget):
    """Several codes picked from a list (check boxes); its value is the checked codes."""

    def __init__(self, choices: Sequence[tuple[str, str]], checked: Sequence[str] = ()) -> None:
        super().__init__()
        for code, label in choices:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in checked
                               else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setMaximumHeight(120)

    def codes(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, codes: Sequence[str]) -> None:
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked
                               if item.data(Qt.ItemDataRole.UserRole) in codes
                               else Qt.CheckState.Unchecked)


def vocabulary_choices(ws: Any, name: str) -> list[tuple[str, str]]:
    """A vocabulary's active terms as (code, label), for a combo box or a code list."""
    from casework.core.vocabulary import list_terms

    return [(t.code, t.label) for t in list_terms(ws, name)]


def vocabulary_combo(ws: Any, name: str, *, blank: str | None = "Choose…",
                     current: str | None = None) -> QComboBox:
    """A coded field: the user picks a term of a controlled vocabulary (or "Other")."""
    return combo(vocabulary_choices(ws, name), blank=blank, current=current)


def date_edit(value: date | None = None) -> QDateEdit:
    """A calendar date field defaulting to today, in day-month-year order."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd MMM yyyy")
    edit.setDate(QDate(value or clock.today()))
    return edit


def widget_value(widget: QWidget) -> Any:
    """The plain value a field widget holds."""
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if data is not None or widget.currentIndex() < 0 else None
    if isinstance(widget, QDateEdit):
        return widget.date().toPython()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, CodeList):
        return widget.codes()
    if isinstance(widget, QListWidget):
        item = widget.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None
    raise TypeError(type(widget).__name__)


class Form:
    """Named fields in a QFormLayout, with an error line and per-field error marks."""

    def __init__(self, parent: QWidget) -> None:
        self.layout = QFormLayout()
        self.layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self.error = QLabel(parent)
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Error message")
        self.error.hide()

    def add(self, name: str, label: str, widget: QWidget, tip: str = "",
            row: QWidget | None = None) -> QWidget:
        """Add a field; ``label`` may hold a mnemonic (``&Reason``). ``row`` is what the
        form lays out when it is more than the field (a field with a button)."""
        lab = QLabel(label)
        lab.setBuddy(widget)
        plain = label.replace("&", "").rstrip(":")
        if not plain:  # a check box carries its own text
            plain = str(getattr(widget, "text", lambda: "")()).replace("&", "")
        widget.setAccessibleName(plain)
        widget.setObjectName(f"field_{name}")
        if tip:
            widget.setToolTip(tip)
            widget.setAccessibleDescription(tip)
        self.layout.addRow(lab, row if row is not None else widget)
        self.fields[name] = widget
        self.labels[name] = lab
        return widget

    def values(self) -> dict[str, Any]:
        return {name: widget_value(w) for name, w in self.fields.items()}

    def __getitem__(self, name: str) -> Any:
        return widget_value(self.fields[name])

    def clear_errors(self) -> None:
        self.error.hide()
        self.error.setText("")
        for w in self.fields.values():
            if w.property("invalid"):
                w.setProperty("invalid", False)
                w.style().unpolish(w)
                w.style().polish(w)
            w.setAccessibleDescription(w.toolTip())

    def show_error(self, exc: BaseException | str) -> None:
        """Show the message; mark and focus the named field if the form has it."""
        message = exc if isinstance(exc, str) else error_text(exc)
        field = getattr(exc, "field", None)
        self.clear_errors()
        widget = self.fields.get(field) if field else None
        if widget is not None:
            widget.setProperty("invalid", True)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            widget.setAccessibleDescription(message)
            widget.setFocus()
            label = self.labels[field].text().replace("&", "")
            message = f"{label}: {message}"
        self.error.setText(message)
        self.error.show()

    @property
    def error_field(self) -> str | None:
        for name, w in self.fields.items():
            if w.property("invalid"):
                return name
        return None


class FormDialog(GuardedDialog):
    """A dialog around a Form whose submit runs a service call in the background.

    Closing it with changes asks first; after an error the submit button stays the
    default, so Enter retries."""

    def __init__(self, parent: QWidget | None, title: str, *, intro: str = "",
                 submit_label: str = "&Save") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(460)
        self.form = Form(self)
        box = QVBoxLayout(self)
        if intro:
            text = QLabel(intro)
            text.setWordWrap(True)
            box.addWidget(text)
        box.addLayout(self.form.layout)
        box.addWidget(self.form.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.submit_button = self.buttons.addButton(submit_label,
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit_button.setAccessibleName(submit_label.replace("&", ""))
        self.submit_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.on_submit)
        self.buttons.rejected.connect(self.request_close)
        box.addWidget(self.buttons)
        self.result_value: Any = None

    def add(self, name: str, label: str, widget: QWidget, tip: str = "") -> QWidget:
        return self.form.add(name, label, widget, tip)

    def on_submit(self) -> None:
        """Override: validate locally, then ``self.submit(lambda: service(...))``."""
        self.accept()

    def submit(self, op: Callable[[], T], done: Callable[[T], None] | None = None) -> None:
        """Run ``op`` off the GUI thread; on success store the result and accept."""
        self.form.clear_errors()
        self.submit_button.setEnabled(False)

        def ok(result: T) -> None:
            self.result_value = result
            self.submit_button.setEnabled(True)
            if done is not None:
                done(result)
            self.accept()

        def bad(exc: BaseException) -> None:
            keep_default(self.submit_button)
            self.form.show_error(exc)
            from casework.core.errors import EditConflict

            if isinstance(exc, EditConflict) and self._fetch_version is not None:
                self._offer_reload()

        QueryOp(self, op, ok).failure(bad).run()

    # -- editing a record others may change (optimistic concurrency) --------------------
    loaded_version: int | None = None
    _fetch_version: Callable[[], int] | None = None
    _reloaded_change: Any = None
    reload_button: QPushButton | None = None

    def expect_version(self, version: int | None, fetch: Callable[[], int],
                       change: Any = None) -> None:
        """The record is shown at ``version``: the dialog's save hands it back
        (``self.loaded_version``). If someone else saved first, the service refuses and
        the dialog keeps every typed value and offers to reload: ``fetch`` (run in the
        background) reads the current version, and ``change`` is announced so the screen
        behind shows the other user's changes."""
        self.loaded_version = version
        self._fetch_version = fetch
        self._reloaded_change = change

    def _offer_reload(self) -> None:
        from ui.common.mnemonics import claims

        if self.reload_button is None:
            self.reload_button = self.buttons.addButton(
                "Reload their changes", QDialogButtonBox.ButtonRole.ResetRole)
            self.reload_button.setAccessibleName("Reload their changes")
            self.reload_button.clicked.connect(self.reload_latest)
        taken = {key for key, _t in claims(self)}
        text = "Reload their changes"
        spot = next((i for i, ch in enumerate(text) if ch.isalpha()
                     and ch.lower() not in taken), None)
        self.reload_button.setText(text if spot is None else f"{text[:spot]}&{text[spot:]}")
        self.reload_button.show()
        self.reload_button.setEnabled(True)
        keep_default(self.reload_button)
        self.reload_button.setFocus()
        self.adjustSize()  # the whole message shows, however long

    def reload_latest(self) -> None:
        """Take the current version (the typed input stays as it is) and announce the
        change, so the next save is checked against what is now shown."""
        fetch = self._fetch_version
        if fetch is None or self.reload_button is None:
            return
        self.reload_button.setEnabled(False)

        def done(version: int) -> None:
            self.loaded_version = version
            if self.reload_button is not None:
                self.reload_button.hide()
            keep_default(self.submit_button)
            self.submit_button.setFocus()
            self.form.show_error("Reloaded: the screen behind now shows their changes. "
                                 "Your input is as you typed it: check it, then save again.")
            if self._reloaded_change is not None:
                from ui.common.changes import announce

                announce(self._reloaded_change)

        def failed(exc: BaseException) -> None:
            if self.reload_button is not None:
                self.reload_button.setEnabled(True)
            self.form.show_error(exc)

        QueryOp(self, fetch, done).failure(failed).run()
