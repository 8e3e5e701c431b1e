"""The settings as a form: grouped by subject, each with a label, its description beneath
and an editor of its type (numbers in spin boxes bounded by their floors, yes/no as a
check box, the letterhead, retention and ladder as fields of their own).

Save stores every change at once or none (``settings.update_many``, audited per setting);
a value that cannot be stored is marked, named in the error line and focused, and what was
typed stays. The disclosure-control settings cannot go below the floors of the sharing
protocol's guardrails: the spin boxes stop there, and the service refuses it anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casework.core import settings as cs
from ui.common.forms import humanise
from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

# (section title, key prefix) in the order the form shows them.
SECTIONS = (
    ("ASB cases", "asb."), ("Letters", "letters."), ("Evidence", "evidence."),
    ("Community Trigger", "trigger."), ("MART and the National Referral Mechanism", "mart."),
    ("Panels", "panel."), ("Sanctuary", "sanctuary."),
    ("Retention and subject access", ("retention.", "sar.")),
    ("Disclosure control (sharing protocol)", "isp."), ("Backups", "admin."),
    ("Desktop safeguards", "ui."),
)
LABELS = {
    cs.REVIEW_DAYS_HIGH: "Review high-risk cases every (days)",
    cs.REVIEW_DAYS_MEDIUM: "Review medium-risk cases every (days)",
    cs.REVIEW_DAYS_STANDARD: "Review standard-risk cases every (days)",
    cs.RISK_MEDIUM_FROM: "Medium risk from score",
    cs.RISK_HIGH_FROM: "High risk from score",
    cs.FIRST_CONTACT_HIGH: "First contact, high risk (working days)",
    cs.FIRST_CONTACT_OTHER: "First contact, others (working days)",
    cs.UPDATE_WORKING_DAYS: "Update the complainant every (working days)",
    cs.LADDER: "Escalation ladder",
    cs.LETTERHEAD: "Letterhead",
    cs.EVIDENCE_MAX_MB: "Largest evidence file (MB)",
    cs.TRIGGER_COMPLAINTS: "Qualifying complaints",
    cs.TRIGGER_WINDOW_MONTHS: "Window (months)",
    cs.TRIGGER_QUALIFY_MONTHS: "Complaint within (months of the behaviour)",
    cs.TRIGGER_HATE_ONE: "One hate incident meets the threshold",
    cs.TRIGGER_INDIVIDUALS: "Individuals complaining (0 = off)",
    cs.TRIGGER_ACK_DAYS: "Acknowledge within (working days)",
    cs.TRIGGER_DECISION_DAYS: "Threshold decision within (working days)",
    cs.TRIGGER_OUTCOME_DAYS: "Review and outcome within (working days)",
    cs.NRM_RG_DAYS: "Reasonable-grounds decision within (working days)",
    cs.NRM_RECOVERY_DAYS: "Recovery period (days)",
    cs.PANEL_INTERVAL_DAYS: "Days between meetings",
    cs.FEEDBACK_FROM_MONTHS: "Feedback from (months after fitting)",
    cs.FEEDBACK_TO_MONTHS: "Feedback until (months after fitting)",
    cs.SANCTUARY_REVIEW_DAYS: "Review an open job every (days)",
    cs.RETENTION_YEARS: "Keep closed cases (years)",
    cs.BACKUP_REMINDER_DAYS: "Remind me when the last backup is older than (days)",
    cs.SAR_MONTHS: "Answer a subject access request within (calendar months)",
    cs.SUPPRESS_MAX: "Suppress counts up to",
    cs.ROUND_TO: "Round counts to a multiple of (0 = no rounding)",
    cs.K_ANONYMITY: "k-anonymity k",
    cs.IDLE_LOCK_MINUTES: "Lock after idle (minutes)",
    cs.CLIPBOARD_CLEAR_SECONDS: "Clear a copied value after (seconds)",
}
MAXIMA = {cs.TRIGGER_COMPLAINTS: 3}
LETTERHEAD_FIELDS = (("council_name", "Council name"), ("address", "Address"),
                     ("phone", "Phone"), ("email", "E-mail"),
                     ("magistrates_court", "Magistrates' court"))


def label_of(key: str) -> str:
    return LABELS.get(key) or humanise(key.rsplit(".", 1)[-1])


def _section(key: str) -> str:
    """The form's group for a setting (every setting has one: a test checks it)."""
    for title, prefix in SECTIONS:
        if key.startswith(prefix):
            return title
    raise KeyError(f"setting {key} belongs to no section of the settings form")


def _floor(key: str) -> int:
    spec = cs.SPECS[key]
    if spec.minimum is not None:
        return spec.minimum
    return 1 if key in cs.AT_LEAST_ONE else 0


class _Editor:
    """One setting's editor: the widget laid out, the one focused on error, get/set."""

    def __init__(self, widget: QWidget, focus: QWidget, get: Callable[[], Any],
                 put: Callable[[Any], None]) -> None:
        self.widget, self.focus, self.get, self.put = widget, focus, get, put


def _spin(key: str, name: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(_floor(key), MAXIMA.get(key, 100_000))
    box.setAccessibleName(name)
    box.setMinimumWidth(90)
    box.setMaximumWidth(140)
    return box


def _int_editor(key: str) -> _Editor:
    box = _spin(key, label_of(key))
    spec = cs.SPECS[key]
    if spec.minimum is not None:
        box.setToolTip(f"The sharing protocol's guardrails do not allow less than "
                       f"{spec.minimum}.")
    return _Editor(box, box, box.value, lambda v: box.setValue(int(v)))


def _bool_editor(key: str) -> _Editor:
    box = QCheckBox("Yes")
    box.setAccessibleName(label_of(key))
    return _Editor(box, box, box.isChecked, lambda v: box.setChecked(bool(v)))


def _retention_editor(key: str) -> _Editor:
    host = QWidget()
    row = QHBoxLayout(host)
    row.setContentsMargins(0, 0, 0, 0)
    boxes: dict[str, QSpinBox] = {}
    for code in cs.CASE_TYPES:
        lab = QLabel(humanise(code))
        box = _spin(key, f"Keep closed {humanise(code)} cases (years)")
        box.setRange(1, 100)
        box.setMinimumWidth(60)
        lab.setBuddy(box)
        row.addWidget(lab)
        row.addWidget(box)
        boxes[code] = box
    row.addStretch(1)

    def put(value: Any) -> None:
        for code, box in boxes.items():
            box.setValue(int(value.get(code, 6)))
    return _Editor(host, boxes[cs.CASE_TYPES[0]],
                   lambda: {c: b.value() for c, b in boxes.items()}, put)


def _letterhead_editor(key: str) -> _Editor:
    host = QWidget()
    form = QFormLayout(host)
    form.setContentsMargins(0, 0, 0, 0)
    edits: dict[str, QLineEdit] = {}
    for field, text in LETTERHEAD_FIELDS:
        edit = QLineEdit()
        edit.setAccessibleName(f"Letterhead: {text.lower()}")
        form.addRow(text, edit)
        edits[field] = edit
    held: dict[str, Any] = {}

    def put(value: Any) -> None:
        held.clear()
        held.update(value)  # keeps entries the form has no field for (the logo)
        for field, edit in edits.items():
            edit.setText(str(value.get(field, "")))

    def get() -> dict[str, Any]:
        return {**held, **{f: e.text().strip() for f, e in edits.items()}}
    return _Editor(host, edits["council_name"], get, put)


def _ladder_editor(key: str) -> _Editor:
    host = QWidget()
    form = QFormLayout(host)
    form.setContentsMargins(0, 0, 0, 0)
    edits: dict[str, QLineEdit] = {}
    for stage in ("1", "2", "3", "4"):
        edit = QLineEdit()
        edit.setAccessibleName(f"Actions of stage {stage}")
        edit.setToolTip("Action codes, separated by commas")
        form.addRow(f"Stage {stage}", edit)
        edits[stage] = edit

    def put(value: Any) -> None:
        for stage, edit in edits.items():
            edit.setText(", ".join(value.get(stage, [])))

    def get() -> dict[str, list[str]]:
        return {s: [a.strip() for a in e.text().split(",") if a.strip()]
                for s, e in edits.items()}
    return _Editor(host, edits["1"], get, put)


def _editor(key: str) -> _Editor:
    special = {cs.RETENTION_YEARS: _retention_editor, cs.LETTERHEAD: _letterhead_editor,
               cs.LADDER: _ladder_editor}
    if key in special:
        return special[key](key)
    spec = cs.SPECS[key]
    return _bool_editor(key) if spec.type is bool else _int_editor(key)


class SettingsForm(QWidget):
    """Every setting in one scrolling form with Save and Undo changes."""

    def __init__(self, ws: Any, report: Callable[[str], None]) -> None:
        super().__init__()
        self.ws, self.report = ws, report
        self.setAccessibleName("Settings")
        self.stored: dict[str, Any] = {}
        self.editors: dict[str, _Editor] = {}
        self.captions: dict[str, QLabel] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        inner = QWidget()
        column = QVBoxLayout(inner)
        groups: dict[str, QFormLayout] = {}
        for title, _prefix in SECTIONS:
            group = QGroupBox(title)
            form = QFormLayout(group)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            groups[title] = form
            column.addWidget(group)
        column.addStretch(1)
        for key, spec in cs.SPECS.items():
            editor = _editor(key)
            caption = QLabel(label_of(key))
            caption.setBuddy(editor.focus)
            desc = QLabel(spec.description)
            desc.setObjectName("hint")
            desc.setWordWrap(True)
            desc.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            editor.focus.setAccessibleDescription(spec.description)
            form = groups[_section(key)]
            if editor.widget is editor.focus:  # one small editor: its description beside it
                cell = QWidget()
                line = QHBoxLayout(cell)
                line.setContentsMargins(0, 0, 0, 0)
                line.addWidget(editor.widget)
                line.addWidget(desc, 1)
                form.addRow(caption, cell)
            else:
                form.addRow(caption, editor.widget)
                form.addRow("", desc)
            self.editors[key] = editor
            self.captions[key] = caption
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setAccessibleName("Settings form")
        box.addWidget(scroll, 1)
        self.error = QLabel("")
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Error message")
        self.error.hide()
        box.addWidget(self.error)
        row = QHBoxLayout()
        self.save_button = QPushButton("&Save settings")
        self.save_button.setAccessibleName("Save settings")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.undo_button = QPushButton("Und&o changes")
        self.undo_button.setAccessibleName("Undo changes")
        self.undo_button.clicked.connect(lambda: self.show_values(self.stored))
        row.addWidget(self.save_button)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        box.addLayout(row)

    def show_values(self, values: dict[str, Any]) -> None:
        """Put the stored values in the editors (and forget any error)."""
        self.stored = dict(values)
        for key, editor in self.editors.items():
            editor.put(values.get(key, cs.SPECS[key].default))
        self._clear_error()

    def changes(self) -> dict[str, Any]:
        """The settings whose editor differs from the stored value."""
        return {k: e.get() for k, e in self.editors.items()
                if e.get() != self.stored.get(k, cs.SPECS[k].default)}

    def _clear_error(self) -> None:
        self.error.hide()
        for caption in self.captions.values():
            if caption.property("invalid"):
                caption.setProperty("invalid", False)
                caption.style().unpolish(caption)
                caption.style().polish(caption)

    def show_error(self, exc: BaseException) -> None:
        self._clear_error()
        key = getattr(exc, "field", None)
        message = error_text(exc)
        if key in self.editors:
            caption = self.captions[key]
            caption.setProperty("invalid", True)
            caption.style().unpolish(caption)
            caption.style().polish(caption)
            message = f"{label_of(key)}: {message}"
            self.editors[key].focus.setFocus()
            self.editors[key].focus.setAccessibleDescription(message)
        self.error.setText(f"Nothing was saved. {message}")
        self.error.show()
        self.save_button.setDefault(True)

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.report("No setting was changed.")
            return
        ws = self.ws
        self.save_button.setEnabled(False)

        def done(_stored: Any) -> None:
            self.save_button.setEnabled(True)
            self.show_values({**self.stored, **changes})
            names = ", ".join(label_of(k) for k in changes)
            self.report(f"Saved {len(changes)} setting{'s' if len(changes) != 1 else ''}: "
                        f"{names}.")

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.show_error(exc)

        QueryOp(self, lambda: cs.update_many(ws, changes), done).failure(failed).run()
