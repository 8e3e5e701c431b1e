"""The Community Trigger view: complaints, the threshold decision, review, recommendations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from casework.core.errors import ValidationError
from ui.cases.dialogs import text_box
from ui.cases.view import CaseView
from ui.common.forms import FormDialog, combo, date_edit, humanise, vocabulary_combo
from ui.common.guard import disable_with_reason
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


class LetterDialog(FormDialog):
    """A milestone whose letter can be previewed before it is issued: Preview renders
    the letter from what is typed, after the service's checks, without recording
    anything; the dialog stays open with what was typed."""

    def __init__(self, parent: QWidget | None, title: str, *, intro: str,
                 submit_label: str) -> None:
        super().__init__(parent, title, intro=intro, submit_label=submit_label)
        self.preview_button = self.buttons.addButton(
            "&Preview letter", self.buttons.ButtonRole.ActionRole)
        self.preview_button.setAccessibleName("Preview letter")
        self.preview_button.setToolTip("Open the letter as it would be issued; nothing is "
                                       "recorded until you issue it")
        self.preview_button.clicked.connect(self.preview)
        self.previewed: Any = None  # the last preview's draft (title, PDF, recipient id)
        self.preview_error = ""

    def draft_op(self) -> Callable[[], Any]:
        """Override: read the fields (here, on the GUI thread) and return the service
        call that renders the letter without keeping it (run in the background)."""
        raise NotImplementedError

    def preview(self) -> None:
        from ui.common.ops import QueryOp

        self.form.clear_errors()
        self.preview_error = ""
        op = self.draft_op()

        def shown(draft: Any) -> None:
            from ui.common.documents import KEEP_MS, forget, write_private
            from ui.common.qt import QDesktopServices, QTimer, QUrl

            self.previewed = draft
            path = write_private(0, "application/pdf", draft.pdf)  # private temp, 0600
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            QTimer.singleShot(KEEP_MS, lambda: forget(path))

        def failed(exc: BaseException) -> None:
            self.preview_error = error_text(exc)
            self.form.show_error(exc)

        QueryOp(self, op, shown).failure(failed).run()


class DatedLetterDialog(LetterDialog):
    """A milestone that is only its date and its letter: the subclass names the dialog
    and the two service calls (preview, issue), each taking (ws, case_id, date)."""

    heading = intro_text = date_label = ""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, self.heading, submit_label="&Issue letter",
                         intro=self.intro_text)
        self.ws, self.case_id = ws, case_id
        self.add("on", self.date_label, date_edit())

    def services(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """Override: (the preview call, the issuing call), imported when needed."""
        raise NotImplementedError

    def draft_op(self) -> Callable[[], Any]:
        preview = self.services()[0]
        ws, case_id, on = self.ws, self.case_id, self.form["on"]
        return lambda: preview(ws, case_id, on)

    def on_submit(self) -> None:
        issue = self.services()[1]
        ws, case_id, on = self.ws, self.case_id, self.form["on"]
        self.submit(lambda: issue(ws, case_id, on))


class AcknowledgeDialog(DatedLetterDialog):
    """The acknowledgement of the application: the letter tells the applicant when the
    threshold decision is due."""

    heading = "Acknowledge the application"
    intro_text = ("The applicant is sent the acknowledgement letter, with the date the "
                  "threshold decision is due. It is kept with the case's documents, and the "
                  "acknowledgement task is done.")
    date_label = "Acknowledged &on"

    def services(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        from casework.trigger.applications import acknowledge, preview_acknowledgement

        return preview_acknowledgement, acknowledge


class ResponseDialog(FormDialog):
    """What the applicant said about the outcome letter; recording it again replaces it."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, current: str) -> None:
        super().__init__(parent, "Record the applicant's response",
                         submit_label="&Record response",
                         intro="What the applicant said about the outcome of the review "
                               "(satisfied, satisfied in part, not satisfied, and why).")
        self.ws, self.case_id = ws, case_id
        box = text_box(110)
        box.setPlainText(current)
        self.add("response", "R&esponse", box)

    def on_submit(self) -> None:
        from casework.trigger.review import record_applicant_response

        ws, case_id, response = self.ws, self.case_id, self.form["response"]
        if not response:
            self.form.show_error(ValidationError("Write what the applicant said.",
                                                 "response"))
            return
        self.submit(lambda: record_applicant_response(ws, case_id, response))


def recommendation_label(r: Any) -> str:
    text = r.recommendation if len(r.recommendation) <= 60 else r.recommendation[:59] + "…"
    return f"To the {humanise(r.body).lower()}, due {r.due_on:%d %b %Y}: {text}"


class CompleteRecommendationDialog(FormDialog):
    """The body reports a recommendation done: it and its task are completed."""

    def __init__(self, parent: QWidget | None, ws: Any, open_recs: Sequence[Any],
                 chosen: Any = None) -> None:
        super().__init__(parent, "Complete a recommendation", submit_label="&Mark done",
                         intro="The body the recommendation was made to reports it done. "
                               "Its task is completed the same day.")
        self.ws = ws
        self.add("recommendation", "&Recommendation",
                 combo([(r.id, recommendation_label(r)) for r in open_recs],
                       current=getattr(chosen, "id", None)))
        self.add("completed_on", "Completed &on", date_edit())

    def on_submit(self) -> None:
        from casework.trigger.review import complete_recommendation

        ws, v = self.ws, self.form.values()
        self.submit(lambda: complete_recommendation(ws, v["recommendation"], v["completed_on"]))


class ReviewPackDialog(FormDialog):
    """The anonymised review pack for one person of a body taking part in the review,
    through the information-sharing protocol (marked and audited)."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int,
                 bodies: Sequence[str], out: str | None = None) -> None:
        super().__init__(parent, "Review pack", submit_label="&Write pack",
                         intro="An anonymised copy of the application for the review "
                               "meeting: no names, reasons, findings or descriptions. One "
                               "copy per person, for a body taking part in the review.")
        self.ws, self.case_id, self.out = ws, case_id, out
        self.add("recipient", "&For", QLineEdit(), "The person this copy is for")
        self.add("agency", "Of the &body", combo(list(bodies)))

    def on_submit(self) -> None:
        from pathlib import Path

        from casework.trigger.review_pack import export_review_pack
        from ui.common.qt import QFileDialog

        v = self.form.values()
        if not v["recipient"]:
            self.form.show_error(ValidationError("Name the person this copy is for.",
                                                 "recipient"))
            return
        if self.out is None:
            self.out, _ = QFileDialog.getSaveFileName(
                self, "Save the review pack", str(Path.home() / "review-pack.pdf"),
                "PDF (*.pdf)")
            if not self.out:
                self.out = None
                return
        ws, case_id, out = self.ws, self.case_id, Path(self.out)
        self.submit(lambda: export_review_pack(ws, case_id, v["recipient"], v["agency"], out))


class OutcomeLetterDialog(DatedLetterDialog):
    """The outcome letter to the applicant: the review's findings, its recommendations
    and the appeal route, from what is recorded."""

    heading = "Send the outcome letter"
    intro_text = ("The letter gives the applicant the review's findings, each recommendation "
                  "with its body and due date, and how to appeal. It is kept with the case's "
                  "documents.")
    date_label = "Letter &dated"

    def services(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        from casework.trigger.review import preview_outcome, send_outcome

        return preview_outcome, send_outcome


class AppealDialog(FormDialog):
    """The applicant asks for a review of the decision (the appeal)."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Record an appeal", submit_label="&Record appeal",
                         intro="The applicant is not satisfied with the decision or the "
                               "way the review was carried out and asks for it to be "
                               "reviewed (the Police and Crime Commissioner's route).")
        self.ws, self.case_id = ws, case_id
        self.add("requested_on", "Appeal made &on", date_edit())

    def on_submit(self) -> None:
        from casework.trigger.review import record_appeal

        ws, case_id, on = self.ws, self.case_id, self.form["requested_on"]
        self.submit(lambda: record_appeal(ws, case_id, on))


APPEAL_CHOICES = (("upheld", "Upheld"), ("not_upheld", "Not upheld"),
                  ("withdrawn", "Withdrawn by the applicant"))


class AppealDecisionDialog(LetterDialog):
    """The appeal's outcome and its reasons; the appeal outcome letter goes to the
    applicant."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Appeal decision", submit_label="&Issue letter",
                         intro="Record how the appeal was decided. The applicant is sent "
                               "the appeal outcome letter with the reasons, kept with the "
                               "case's documents.")
        self.ws, self.case_id = ws, case_id
        self.add("outcome", "&Outcome", combo(list(APPEAL_CHOICES)))
        self.add("decided_on", "D&ecided on", date_edit())
        self.add("reasons", "Rea&sons", text_box(90), "Printed in the letter to the applicant")

    def _args(self) -> tuple[str, Any, str]:
        v = self.form.values()
        return v["outcome"], v["decided_on"], v["reasons"]

    def draft_op(self) -> Callable[[], Any]:
        from casework.trigger.review import preview_appeal_outcome

        ws, case_id, (outcome, on, reasons) = self.ws, self.case_id, self._args()
        return lambda: preview_appeal_outcome(ws, case_id, outcome, on, reasons)

    def on_submit(self) -> None:
        from casework.trigger.review import decide_appeal

        ws, case_id, (outcome, on, reasons) = self.ws, self.case_id, self._args()
        if not reasons:
            self.form.show_error(ValidationError("Give the reasons for the appeal's outcome: "
                                                 "they are printed in the letter.", "reasons"))
            return
        self.submit(lambda: decide_appeal(ws, case_id, outcome, on, reasons))


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
        self.add_tab(self.decisions, "Review")  # Alt+G is Review meeting, Alt+V Evidence
        self.add_tab(self.recommendations, "Recommendations")

    def build_actions(self) -> None:
        # (key, label, slot, tooltip) in the order of the application's steps; the Alt
        # letters are unique on the view (Alt+N is Reopen, Alt+O the Notes tab, Alt+I and
        # Alt+E the Same incident tab's buttons).
        for key, label, slot, tip in (
            ("acknowledge", "Ac&knowledge…", self.acknowledge,
             "Preview and issue the acknowledgement letter to the applicant"),
            ("complaint", "Add comp&laint…", self.add_complaint,
             "A complaint about the behaviour, made before the threshold decision"),
            ("threshold", "&Threshold decision…", self.threshold, ""),
            ("review", "Review meetin&g…", self.review, ""),
            ("recommendation", "Add recommendation…", self.recommend, ""),
            ("complete_recommendation", "Recommendation done &by body…",
             self.complete_recommendation,
             "A body reports a recommendation done (choose it in the Recommendations tab, "
             "or in the dialog)"),
            ("outcome", "Revie&w outcome letter…", self.outcome_letter,
             "Preview and issue the outcome letter to the applicant"),
            ("response", "Applicant's repl&y…", self.response,
             "What the applicant said about the outcome letter"),
            ("appeal", "&Record appeal…", self.appeal,
             "The applicant asks for the decision to be reviewed"),
            ("appeal_decision", "Appeal deci&sion…", self.appeal_decision,
             "Record the appeal's outcome; preview and issue its letter to the applicant"),
        ):
            button = self.add_action(key, label, slot)
            if tip:
                button.setToolTip(tip)
        from ui.common import services

        if services.can(self.ws.actor, "export.trigger_pack"):
            self.add_action("review_pack", "Review pack…", self.review_pack).setToolTip(
                "The anonymised pack for a body taking part in the review")

    def open_when_closed(self) -> frozenset[str]:
        # A threshold not met closes the application; the applicant may still appeal it.
        # The applicant may respond, and bodies report recommendations done, after the
        # case is closed.
        return frozenset({"appeal", "appeal_decision", "response", "complete_recommendation"})

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
            ("Outcome due", h.next_review_on), ("Applicant's response", v.applicant_response),
            ("Appeal requested", v.appeal_requested_on),
            ("Appeal outcome", humanise(v.appeal_outcome)),
            ("Appeal decided", v.appeal_decided_on)])
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
        for key, reason in self.action_reasons(v).items():
            if key in self.buttons and (h.status == "open" or key in self.open_when_closed()):
                disable_with_reason(self.buttons[key], reason)

    @staticmethod
    def action_reasons(v: Any) -> dict[str, str | None]:
        """Why each Community Trigger action is not available now (None: it is)."""
        from casework.trigger.applications import acknowledged_reason, complaints_closed_reason

        decided, met = v.threshold_met is not None, v.threshold_met is True
        not_met = "the threshold was not met, so there is no review"
        if v.outcome_letter_on is not None:
            outcome = f"the outcome letter was sent on {v.outcome_letter_on:%d %b %Y}"
        elif not decided:
            outcome = "the threshold decision is not recorded yet"
        elif not met:
            outcome = not_met
        elif not v.reviews:
            outcome = "record the review first"
        else:
            outcome = None
        if v.appeal_requested_on is not None:
            appeal = f"an appeal was recorded on {v.appeal_requested_on:%d %b %Y}"
        else:
            appeal = None if decided else "there is no decision to appeal yet"
        if v.appeal_outcome is not None:
            decision = f"the appeal was decided on {v.appeal_decided_on:%d %b %Y}"
        else:
            decision = None if v.appeal_requested_on is not None else "no appeal is recorded"
        review = None if met else ("the threshold decision is not recorded yet"
                                   if not decided else not_met)
        recommend = review if review else (None if v.reviews else "record the review first")
        complete: str | None
        if any(r.completed_on is None for r in v.recommendations):
            complete = None
        elif v.recommendations:
            complete = "every recommendation is done"
        else:
            complete = recommend or "no recommendation is recorded"
        return {
            "acknowledge": acknowledged_reason(v.acknowledged_on),
            "complaint": complaints_closed_reason(v.threshold_decided_on),
            "threshold": (f"the threshold was decided on {v.threshold_decided_on:%d %b %Y}"
                          if decided and v.threshold_decided_on else None),
            "review": review,
            "recommendation": recommend,
            "complete_recommendation": complete,
            "review_pack": recommend,
            "outcome": outcome,
            "response": (None if v.outcome_letter_on is not None
                         else "the outcome letter has not been sent yet"),
            "appeal": appeal,
            "appeal_decision": decision,
        }

    def acknowledge(self) -> None:
        self._letter_dialog(AcknowledgeDialog(self, self.ws, self.case_id),
                            "Application acknowledged: the letter is in the Documents tab.",
                            "Acknowledgement recorded")

    def response(self) -> None:
        current = self.view.applicant_response if self.view is not None else ""
        self.run_dialog(ResponseDialog(self, self.ws, self.case_id, current),
                        "Applicant's response recorded.")

    def complete_recommendation(self) -> None:
        records = self.view.recommendations if self.view is not None else ()
        open_recs = [r for r in records if r.completed_on is None]
        chosen = self.recommendations.current_record()
        self.run_dialog(CompleteRecommendationDialog(self, self.ws, open_recs, chosen),
                        "Recommendation marked done; its task is completed.")

    def review_pack(self, out: str | None = None) -> None:
        from ui.common.exports import describe

        reviews = self.view.reviews if self.view is not None else ()
        bodies = reviews[-1].bodies if reviews else BODIES
        dialog = ReviewPackDialog(self, self.ws, self.case_id, bodies, out)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.status.setText(describe(dialog.result_value)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

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

    def outcome_letter(self) -> None:
        self._letter_dialog(OutcomeLetterDialog(self, self.ws, self.case_id),
                            "Outcome letter issued: it is in the Documents tab.",
                            "Outcome recorded")

    def appeal(self) -> None:
        self.run_dialog(AppealDialog(self, self.ws, self.case_id), "Appeal recorded.")

    def appeal_decision(self) -> None:
        self._letter_dialog(AppealDecisionDialog(self, self.ws, self.case_id),
                            "Appeal decision recorded; its letter is in the Documents tab.",
                            "Appeal decision recorded")

    def _letter_dialog(self, dialog: LetterDialog, issued: str, recorded: str) -> None:
        """Run a milestone dialog; when the milestone was recorded but its letter held
        (the applicant has no address), say so instead of claiming a letter."""
        before = len(self.view.letters) if self.view is not None else 0

        def held() -> None:
            result = dialog.result_value
            if result is not None and len(result.letters) <= before:
                self.status.setText(f"{recorded}, but the letter is held: the applicant has "
                                    "no address. Record it, then issue the letter (see the "
                                    "Tasks tab).")

        self.run_dialog(dialog, issued)
        dialog.accepted.connect(held)

    def recommend(self) -> None:
        self.run_dialog(RecommendationDialog(self, self.ws, self.case_id),
                        "Recommendation added.")
