"""ASB case actions: incident, escalate, breach, de-escalate, risk review, first contact."""

from __future__ import annotations

from typing import Any

from casework.cases.caselist import asb_stage_label
from casework.core.errors import ValidationError
from ui.cases.dialogs import text_box
from ui.common.forms import FormDialog, combo, date_edit, humanise, vocabulary_combo
from ui.common.qt import QCheckBox, QLineEdit, QSpinBox, QWidget


class IncidentDialog(FormDialog):
    """Record a reported incident on the case."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Add an incident", submit_label="&Add incident")
        from casework.asb.cases import INCIDENT_SOURCES

        self.ws, self.case_id = ws, case_id
        self.add("occurred_on", "&Happened on", date_edit())
        self.add("reported_on", "&Reported on", date_edit())
        self.add("source", "&Source", combo(INCIDENT_SOURCES))
        self.add("location", "&Location", QLineEdit())
        self.add("police_reference", "&Police reference", QLineEdit())
        self.add("hate_motivated", "", QCheckBox("Hate-&motivated"))
        self.add("description", "&Description", text_box())

    def on_submit(self) -> None:
        from casework.asb.cases import IncidentInput, add_incident

        v = self.form.values()
        data = IncidentInput(occurred_on=v["occurred_on"], reported_on=v["reported_on"],
                             location=v["location"], source=v["source"],
                             police_reference=v["police_reference"],
                             hate_motivated=v["hate_motivated"], description=v["description"])
        self.submit(lambda: add_incident(self.ws, self.case_id, data))


class EscalateDialog(FormDialog):
    """Take a step on the four-stage ladder. Skipping a stage needs a reason."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int,
                 options: list[Any]) -> None:
        super().__init__(parent, "Escalate", submit_label="&Escalate",
                         intro="Choose the step taken. Letter steps generate the letter and "
                               "keep it with the case's documents.")
        self.ws, self.case_id = ws, case_id
        self.options = {o.action: o for o in options}
        box = combo([(o.action, f"{asb_stage_label(o.stage)}: {humanise(o.action)}"
                      + (" (skips a stage)" if o.skips_stage else "")
                      + (f" — {o.blocked}" if o.blocked else "")) for o in options])
        model = box.model()
        for row, o in enumerate(options):
            if o.blocked:
                model.item(row).setEnabled(False)  # type: ignore[attr-defined]
        first = next((n for n, o in enumerate(options) if not o.blocked), 0)
        box.setCurrentIndex(first)
        self.add("action", "&Step", box)
        self.add("taken_on", "&Taken on", date_edit())
        self.add("reason", "&Reason", text_box(70),
                 "Required when a stage is skipped; recorded in the audit trail")
        hours = QSpinBox()
        hours.setRange(0, 48)
        hours.setSpecialValueText("Not applicable")
        self.add("duration_hours", "&Duration (hours)", hours, "Closure notice only (up to 48)")
        from casework.asb.ladder import LETTER_EXTRAS

        self.extra_names = sorted({n for fields in LETTER_EXTRAS.values() for n, _ in fields})
        self.extras_of = {a: tuple(n for n, _ in fields) for a, fields in LETTER_EXTRAS.items()}
        labels = {n: what for fields in LETTER_EXTRAS.values() for n, what in fields}
        for name in self.extra_names:
            widget = (text_box(60) if name in ("requirements", "order_terms", "contract_terms")
                      else QLineEdit())
            self.add(name, labels[name][0].upper() + labels[name][1:], widget,
                     "Printed in the letter, as the law requires")
        self.add("delivery", "De&livery", combo([("post", "By post"),
                                                  ("hand", "Hand delivered")]))
        self.preview_button = self.buttons.addButton(
            "&Preview letter", self.buttons.ButtonRole.ActionRole)
        self.preview_button.clicked.connect(self.preview)
        self.previewed: Any = None
        box.currentIndexChanged.connect(lambda _i: self.show_extras())
        self.show_extras()

    def show_extras(self) -> None:
        """Only the fields the chosen step's letter needs are shown."""
        needed = self.extras_of.get(self.form["action"], ())
        for name in self.extra_names:
            self.form.layout.setRowVisible(self.form.fields[name], name in needed)

    def _args(self) -> dict[str, Any]:
        v = self.form.values()
        return {"action": v["action"], "taken_on": v["taken_on"], "reason": v["reason"],
                "duration_hours": v["duration_hours"] or None,
                "extra": {n: v[n] for n in self.extras_of.get(v["action"], ()) if v[n]},
                "delivery": v["delivery"]}

    def preview(self) -> None:
        """Render the step's letter without taking the step, and open it."""
        from casework.asb.ladder import preview_step_letter
        from ui.common.ops import QueryOp

        args = self._args()
        self.form.clear_errors()

        def shown(draft: Any) -> None:
            from ui.common.documents import KEEP_MS, forget, write_private
            from ui.common.qt import QDesktopServices, QTimer, QUrl

            self.previewed = draft
            path = write_private(0, "application/pdf", draft.pdf)  # private temp, 0600
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            QTimer.singleShot(KEEP_MS, lambda: forget(path))
        QueryOp(self, lambda: preview_step_letter(self.ws, self.case_id, **args),
                shown).failure(self.form.show_error).run()

    def on_submit(self) -> None:
        from casework.asb.ladder import escalate

        args = self._args()
        option = self.options.get(args["action"])
        if option is not None and option.skips_stage and not args["reason"]:
            self.form.show_error(ValidationError(
                "This step skips a stage: give the reason.", "reason"))
            return
        self.submit(lambda: escalate(self.ws, self.case_id, **args))


class BreachDialog(FormDialog):
    """A breach of a CPW, CPN, ABC or injunction, against that step."""

    def __init__(self, parent: QWidget | None, ws: Any, steps: list[Any]) -> None:
        super().__init__(parent, "Record a breach", submit_label="&Record breach")
        self.ws = ws
        self.add("step_id", "&Step breached",
                 combo([(s.id, f"{humanise(s.action)} of {s.taken_on:%d %b %Y}")
                        for s in steps]))
        self.add("occurred_on", "&Happened on", date_edit())
        self.add("action_taken", "&Action taken",
                 vocabulary_combo(ws, "breach_response", blank="Not decided yet"),
                 "Leave \"Not decided yet\" to be reminded to decide within 5 working days")
        self.add("description", "&Description", text_box())

    def on_submit(self) -> None:
        from casework.asb.ladder import record_breach

        v = self.form.values()
        if v["step_id"] is None:
            self.form.show_error(ValidationError("There is no step to breach.", "step_id"))
            return
        self.submit(lambda: record_breach(self.ws, v["step_id"], v["occurred_on"],
                                          v["action_taken"] or "", v["description"]))


class DeEscalateDialog(FormDialog):
    """Step down the ladder with a reason."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, stage: int) -> None:
        super().__init__(parent, "De-escalate", submit_label="&De-escalate")
        self.ws, self.case_id = ws, case_id
        self.add("to_stage", "&To stage",
                 combo([(n, asb_stage_label(n)) for n in range(stage)]))
        self.add("reason", "&Reason", text_box(70))
        self.add("taken_on", "&On", date_edit())

    def on_submit(self) -> None:
        from casework.asb.ladder import de_escalate

        v = self.form.values()
        self.submit(lambda: de_escalate(self.ws, self.case_id, v["to_stage"] or 0, v["reason"],
                                        v["taken_on"]))


class RiskDialog(FormDialog):
    """A risk assessment review: each question scored; the total sets the level."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        from casework.asb.risk import MAX_ANSWER, QUESTIONS

        super().__init__(parent, "Risk assessment", submit_label="&Save assessment",
                         intro=f"Score each question from 0 (not at all) to {MAX_ANSWER}.")
        self.ws, self.case_id = ws, case_id
        for q in QUESTIONS:
            spin = QSpinBox()
            spin.setRange(0, MAX_ANSWER)
            self.add(q.key, f"{q.text} ({q.section})", spin)
        self.add("assessed_on", "Assessed &on", date_edit())

    def on_submit(self) -> None:
        from casework.asb.risk import assess_risk

        v = self.form.values()
        on = v.pop("assessed_on")
        self.submit(lambda: assess_risk(self.ws, self.case_id, v, on))


class ContactDialog(FormDialog):
    """The date of first contact with the complainant."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "First contact", submit_label="&Record contact")
        self.ws, self.case_id = ws, case_id
        self.add("contacted_on", "Contacted &on", date_edit())

    def on_submit(self) -> None:
        from casework.asb.cases import record_contact

        v = self.form.values()
        self.submit(lambda: record_contact(self.ws, self.case_id, v["contacted_on"]))
