"""The Community Trigger view: complaints, the threshold decision, review, recommendations."""

from __future__ import annotations

from typing import Any

from casework.core.errors import ValidationError
from ui.cases.dialogs import text_box
from ui.cases.view import CaseView
from ui.common.forms import FormDialog, combo, date_edit, humanise, vocabulary_combo
from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QCheckBox,
    QLineEdit,
    QWidget,
)
from ui.common.widgets import RecordTable
from ui.trigger.same_incident import SameIncidentPanel

BODIES = ("council", "police", "icb", "housing_provider", "other")


class ComplaintDialog(FormDialog):
    """A complaint about the behaviour; the same incident told to several agencies shares
    an incident key and counts once."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Add a complaint", submit_label="&Add complaint")
        self.ws, self.case_id = ws, case_id
        self.add("behaviour_on", "&Behaviour on", date_edit())
        self.add("complained_on", "&Complained on", date_edit())
        self.add("agency", "&Made to", vocabulary_combo(ws, "recipient_body", blank=None,
                                                         current="council"))
        self.add("place", "Wh&ere", QLineEdit(),
                 "The street, park or block: reports of one incident to other agencies "
                 "are suggested from the day, the place and what happened")
        self.add("description", "&What happened", text_box(70))
        self.add("incident_key", "Same &incident as", QLineEdit(),
                 "Give complaints about one incident the same short key")
        self.add("hate_related", "", QCheckBox("&Hate incident or crime"))

    def on_submit(self) -> None:
        from casework.trigger.applications import add_complaint

        v = self.form.values()
        self.submit(lambda: add_complaint(self.ws, self.case_id, v["behaviour_on"],
                                          v["complained_on"], v["agency"], v["incident_key"],
                                          v["hate_related"], description=v["description"],
                                          place=v["place"]))


class ThresholdDialog(FormDialog):
    """A person confirms (or departs from) the proposed threshold decision, with reasons."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, proposal: Any,
                 pending: int = 0) -> None:
        lines = "\n".join(f"• {r}" for r in proposal.reasons)
        if pending:
            lines += (f"\n• {pending} suggested same-incident group(s) are not yet confirmed "
                      "or rejected (Same incident tab): each report counts on its own.")
        super().__init__(parent, "Threshold decision", submit_label="&Record decision",
                         intro=f"Qualifying complaints: {proposal.qualifying}.\n{lines}")
        self.ws, self.case_id, self.proposal = ws, case_id, proposal
        self.add("met", "&Decision", combo([(True, "Threshold met"),
                                             (False, "Threshold not met")],
                                            current=proposal.met))
        self.add("reasons", "Rea&sons", text_box(90))
        self.add("decided_on", "Decided &on", date_edit())

    def on_submit(self) -> None:
        from casework.trigger.applications import decide_threshold

        v = self.form.values()
        if not v["reasons"]:
            self.form.show_error(ValidationError("Give the reasons for the decision.",
                                                 "reasons"))
            return
        self.submit(lambda: decide_threshold(self.ws, self.case_id, bool(v["met"]),
                                             v["reasons"], v["decided_on"]))


class ReviewDialog(FormDialog):
    """The review meeting of the relevant bodies and its findings."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Record the review", submit_label="&Record review")
        self.ws, self.case_id = ws, case_id
        self.add("meeting_on", "&Meeting on", date_edit())
        for body in BODIES:
            self.add(f"body_{body}", "", QCheckBox(f"{humanise(body)} attended"))
        self.add("findings", "&Findings", text_box(110))

    def on_submit(self) -> None:
        from casework.trigger.review import record_review

        v = self.form.values()
        bodies = [b for b in BODIES if v[f"body_{b}"]]
        self.submit(lambda: record_review(self.ws, self.case_id, v["meeting_on"], bodies,
                                          v["findings"]))


class RecommendationDialog(FormDialog):
    """A recommendation addressed to one body, with a due date."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Add a recommendation", submit_label="&Add recommendation")
        self.ws, self.case_id = ws, case_id
        self.add("body", "&To", combo(BODIES))
        self.add("recommendation", "&Recommendation", text_box(90))
        self.add("due_on", "&Due on", date_edit())

    def on_submit(self) -> None:
        from casework.trigger.review import add_recommendation

        v = self.form.values()
        self.submit(lambda: add_recommendation(self.ws, self.case_id, v["body"],
                                               v["recommendation"], v["due_on"]))


class TriggerCaseView(CaseView):
    """A Community Trigger application (ASB case review)."""

    case_type = "trigger"
    help_key = "trigger"  # F1: the Community Trigger help page (ui.shell.help)

    def build_tabs(self) -> None:
        self.complaints = RecordTable([
            ("Behaviour", lambda c: c.behaviour_on), ("Complained", lambda c: c.complained_on),
            ("Made to", lambda c: humanise(c.agency)), ("Where", lambda c: c.place),
            ("Incident", lambda c: c.incident_key), ("Hate", lambda c: c.hate_related),
            ("What happened", lambda c: c.description)], "Complaints")
        self.decisions = RecordTable([
            ("Review on", lambda r: r.meeting_on), ("Bodies", lambda r: r.bodies),
            ("Findings", lambda r: r.findings)], "Reviews")
        self.recommendations = RecordTable([
            ("To", lambda r: humanise(r.body)), ("Recommendation", lambda r: r.recommendation),
            ("Due", lambda r: r.due_on), ("Done", lambda r: r.completed_on)],
            "Recommendations")
        self.same_incident = SameIncidentPanel()
        self.same_incident.confirm_button.clicked.connect(lambda: self.decide_same(True))
        self.same_incident.reject_button.clicked.connect(lambda: self.decide_same(False))
        self.add_tab(self.complaints, "Complaints")  # Alt+C is Close with outcome
        self.add_tab(self.same_incident, "Same incident?")
        self.add_tab(self.decisions, "Review")  # Alt+V is Record review
        self.add_tab(self.recommendations, "Recommendations")

    def build_actions(self) -> None:
        self.add_action("complaint", "Add comp&laint…", self.add_complaint)
        self.add_action("threshold", "&Threshold decision…", self.threshold)
        self.add_action("review", "Record re&view…", self.review)
        self.add_action("recommendation", "Add recommendation…", self.recommend)

    def load(self) -> Any:
        from casework.trigger.applications import trigger_view

        return trigger_view(self.ws, self.case_id)

    def populate(self, v: Any) -> None:
        h = self.header_of(v)
        decided = "Awaiting decision" if v.threshold_met is None else (
            "Met" if v.threshold_met else "Not met")
        proposed = "" if v.proposed_threshold_met is None else (
            "Met" if v.proposed_threshold_met else "Not met")
        self.summary.set_values([
            ("Reference", h.reference), ("Status", humanise(h.status)),
            ("Outcome", humanise(h.outcome)), ("Received", v.received_on),
            ("On the victim's behalf", v.on_behalf), ("Acknowledged", v.acknowledged_on),
            ("Complaints", len(v.complaints)),
            ("Suggested same incidents", len(v.same_incident)),
            ("Proposed threshold", proposed),
            ("Threshold decision", decided), ("Decision reasons", v.threshold_reasons),
            ("Decided on", v.threshold_decided_on), ("Outcome letter", v.outcome_letter_on),
            ("Outcome due", h.next_review_on), ("Appeal requested", v.appeal_requested_on),
            ("Appeal outcome", humanise(v.appeal_outcome))])
        self.complaints.set_records(v.complaints)
        from casework.trigger.same_incident import DECIDED
        from ui.common import services

        self.same_incident.set_groups(v.same_incident, v.complaints,
                                      h.status == "open" and services.can(self.ws.actor,
                                                                          "case.write"),
                                      DECIDED if v.threshold_met is not None else "")
        i = self.tabs.indexOf(self.same_incident)
        self.tabs.setTabText(i, f"Same incident? ({len(v.same_incident)})")
        self.decisions.set_records(v.reviews)
        self.recommendations.set_records(v.recommendations)
        if h.status == "open":
            undecided = v.threshold_met is None
            self.buttons["threshold"].setEnabled(undecided)
            self.buttons["review"].setEnabled(bool(v.threshold_met))
            self.buttons["recommendation"].setEnabled(bool(v.threshold_met))

    def add_complaint(self) -> None:
        self.run_dialog(ComplaintDialog(self, self.ws, self.case_id), "Complaint added.")

    def threshold(self) -> None:
        from casework.trigger.applications import propose_threshold

        ws, case_id = self.ws, self.case_id
        pending = len(self.view.same_incident) if self.view is not None else 0
        QueryOp(self, lambda: propose_threshold(ws, case_id),
                lambda p: self.run_dialog(ThresholdDialog(self, ws, case_id, p, pending),
                                          "Threshold decision recorded.")).run()

    def decide_same(self, same: bool) -> None:
        """Confirm or reject the chosen suggestion (audited by the service)."""
        from casework.trigger.same_incident import confirm, reject

        group = self.same_incident.chosen()
        if group is None:
            self.status.setText("Choose a suggested group first.")
            return
        ws, case_id, ids = self.ws, self.case_id, group.complaint_ids
        for b in (self.same_incident.confirm_button, self.same_incident.reject_button):
            b.setEnabled(False)
        n = len(ids)
        message = (f"Confirmed: the {n} complaints report one incident and count once."
                   if same else f"Rejected: the {n} complaints count as separate incidents.")
        QueryOp(self, lambda: (confirm if same else reject)(ws, case_id, ids),
                lambda _r: self.after_change(message)).failure(
            lambda exc: (self.status.setText(error_text(exc)), self.reload())).run()

    def review(self) -> None:
        self.run_dialog(ReviewDialog(self, self.ws, self.case_id), "Review recorded.")

    def recommend(self) -> None:
        self.run_dialog(RecommendationDialog(self, self.ws, self.case_id),
                        "Recommendation added.")
