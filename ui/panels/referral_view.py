"""SWIP and MART referral views: needs, agencies, actions per agency; NRM for MART."""

from __future__ import annotations

from typing import Any

from ui.cases.dialogs import text_box
from ui.cases.view import CaseView
from ui.common.forms import FormDialog, combo, date_edit, humanise, vocabulary_combo
from ui.common.qt import QCheckBox, QLineEdit, QWidget
from ui.common.widgets import RecordTable


class ActionDialog(FormDialog):
    """An action for one agency, with an owner and a due date."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int,
                 meeting_id: int | None = None) -> None:
        super().__init__(parent, "Add an action", submit_label="&Add action")
        self.ws, self.case_id, self.meeting_id = ws, case_id, meeting_id
        self.add("agency", "&Agency", vocabulary_combo(ws, "agency"))
        self.add("owner", "&Owner", QLineEdit())
        self.add("description", "Ac&tion", text_box(80))
        self.add("due_on", "&Due on", date_edit())
        self.add("shareable", "", QCheckBox("&Shareable in the anonymised meeting pack"))

    def on_submit(self) -> None:
        from casework.panels.swip import add_action

        v = self.form.values()
        self.submit(lambda: add_action(self.ws, self.case_id, v["agency"] or "", v["owner"],
                                       v["description"], v["due_on"], self.meeting_id,
                                       v["shareable"]))


class NrmReferDialog(FormDialog):
    """Refer to the National Referral Mechanism (adults need informed consent)."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Refer to the NRM", submit_label="&Refer")
        self.ws, self.case_id = ws, case_id
        self.add("referred_on", "&Referred on", date_edit())
        self.add("first_responder", "&First responder", QLineEdit())
        self.add("informed_consent", "&Informed consent",
                 combo([(True, "Given"), (False, "Not given")], blank="Not applicable (child)"))

    def on_submit(self) -> None:
        from casework.panels.mart import refer_nrm

        v = self.form.values()
        self.submit(lambda: refer_nrm(self.ws, self.case_id, v["referred_on"],
                                      v["first_responder"], v["informed_consent"]))


class NrmDecisionDialog(FormDialog):
    """A reasonable- or conclusive-grounds decision (a conclusive-grounds decision inside
    the minimum recovery period needs its reason)."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int,
                 kind: str | None = None) -> None:
        super().__init__(parent, "NRM decision", submit_label="&Record decision",
                         intro="A positive reasonable-grounds decision starts the minimum "
                               "recovery period, tracked as a deadline. A conclusive-grounds "
                               "decision comes after that period, unless a reason is given.")
        from casework.panels.mart import DECISION_KINDS

        self.ws, self.case_id = ws, case_id
        self.add("kind", "&Decision", combo(DECISION_KINDS, current=kind))
        self.add("positive", "Res&ult", combo([(True, "Positive"), (False, "Negative")]))
        self.add("decided_on", "Decided &on", date_edit())
        self.add("early_reason", "Reason if &early", QLineEdit(),
                 "Only for a conclusive-grounds decision inside the recovery period")

    def on_submit(self) -> None:
        from casework.panels.mart import record_nrm_decision

        v = self.form.values()
        self.submit(lambda: record_nrm_decision(self.ws, self.case_id, v["kind"],
                                                v["decided_on"], bool(v["positive"]),
                                                v["early_reason"]))


class DutyToNotifyDialog(FormDialog):
    """Report a non-consenting adult under the Duty to Notify."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Duty to Notify", submit_label="&Report",
                         intro="For an adult who does not consent to an NRM referral. Name "
                               "the first responder organisation making the report.")
        self.ws, self.case_id = ws, case_id
        self.add("notified_on", "&Notified on", date_edit())
        self.add("first_responder", "&First responder", QLineEdit())

    def on_submit(self) -> None:
        from casework.panels.mart import notify_duty

        v = self.form.values()
        self.submit(lambda: notify_duty(self.ws, self.case_id, v["notified_on"],
                                        v["first_responder"]))


class MartOutcomesDialog(FormDialog):
    """The case's outcomes: several may apply."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int,
                 current: tuple[str, ...]) -> None:
        from casework.panels.mart import OUTCOMES

        super().__init__(parent, "Outcomes", submit_label="&Save outcomes",
                         intro="Tick every outcome that applies.")
        self.ws, self.case_id = ws, case_id
        self.boxes: dict[str, QCheckBox] = {}
        for code in OUTCOMES:
            box = QCheckBox(humanise(code))
            box.setChecked(code in current)
            self.boxes[code] = box
            self.add(f"outcome_{code}", "", box)
        self.add("recorded_on", "&Recorded on", date_edit())

    def on_submit(self) -> None:
        from casework.panels.mart import record_outcomes

        chosen = [code for code, box in self.boxes.items() if box.isChecked()]
        day = self.form.values()["recorded_on"]
        self.submit(lambda: record_outcomes(self.ws, self.case_id, chosen, day))


class _ReferralView(CaseView):
    def build_tabs(self) -> None:
        self.actions = RecordTable([
            ("Agency", lambda a: humanise(a.agency)), ("Owner", lambda a: a.owner),
            ("Action", lambda a: a.description), ("Due", lambda a: a.due_on),
            ("Done", lambda a: a.completed_on), ("Shareable", lambda a: a.shareable)],
            "Actions")
        self.add_tab(self.actions, "Ac&tions")

    def build_actions(self) -> None:
        self.add_action("action", "Add pane&l action…", self.add_panel_action)

    def referral(self, v: Any) -> Any:
        return v

    def header_of(self, view: Any) -> Any:
        r = self.referral(view)
        return getattr(r, "header", None) or r.case

    def referral_values(self, r: Any) -> list[tuple[str, Any]]:
        h = getattr(r, "header", None) or r.case
        return [("Reference", h.reference), ("Status", humanise(h.status)),
                ("Outcome", humanise(h.outcome)), ("Risk", humanise(h.risk_level)),
                ("Referred", r.referred_on), ("Referrer", r.referrer_name),
                ("Referrer's agency", humanise(r.referrer_agency)),
                ("Consent", humanise(r.consent)),
                ("Needs", ", ".join(humanise(n) for n in r.needs)),
                ("Agencies engaged", ", ".join(humanise(a) for a in r.agencies_engaged)),
                ("Next review", h.next_review_on)]

    def populate(self, v: Any) -> None:
        r = self.referral(v)
        self.summary.set_values(self.referral_values(r))
        self.actions.set_records(r.actions)

    def add_panel_action(self) -> None:
        self.run_dialog(ActionDialog(self, self.ws, self.case_id), "Action added.")


class SwipCaseView(_ReferralView):
    """A Sex Workers Intervention Panel referral."""

    case_type = "swip"

    def load(self) -> Any:
        from casework.panels.swip import referral_view

        return referral_view(self.ws, self.case_id)

    def referral_values(self, r: Any) -> list[tuple[str, Any]]:
        return [*super().referral_values(r), ("Location concern", r.location_concern)]


class MartCaseView(_ReferralView):
    """An Anti-Slavery MART referral with its National Referral Mechanism progress."""

    case_type = "mart"

    def build_tabs(self) -> None:
        super().build_tabs()
        self.decisions = RecordTable([
            ("Decision", lambda d: humanise(d.kind)), ("On", lambda d: d.decided_on),
            ("Positive", lambda d: d.positive),
            ("Recovery period ends", lambda d: d.recovery_period_ends),
            ("Reason if early", lambda d: d.early_reason)], "NRM decisions")
        self.add_tab(self.decisions, "NRM dec&isions")

    def build_actions(self) -> None:
        super().build_actions()
        self.add_action("nrm", "Refer to N&RM…", self.refer_nrm)
        self.add_action("duty", "Duty to notif&y…", self.notify_duty)
        self.add_action("nrm_decision", "Record &grounds decision…", self.nrm_decision)
        self.add_action("outcomes", "Outcom&es…", self.edit_outcomes)

    def load(self) -> Any:
        from casework.panels.mart import mart_view

        return mart_view(self.ws, self.case_id)

    def referral(self, v: Any) -> Any:
        return v.referral

    def populate(self, v: Any) -> None:
        super().populate(v)
        self.mart = v
        age = "Child" if v.is_child else "Adult"
        if v.age_override_reason:
            age += f" (recorded against the date of birth: {v.age_override_reason})"
        elif v.child_by_age is None:
            age += " (no date of birth held)"
        values = self.referral_values(v.referral) + [
            ("Exploitation", humanise(v.exploitation_type)),
            ("Exploitation date", v.exploited_on), ("Age group", age),
            ("Nationality", v.nationality), ("NRM referred", v.nrm_referred_on),
            ("Duty to Notify", v.duty_to_notify_on), ("First responder", v.first_responder),
            ("Recovery period ends", v.recovery_period_ends),
            ("Outcomes", ", ".join(humanise(o) for o in v.outcomes))]
        self.summary.set_values(values)
        self.decisions.set_records(v.decisions)
        if self.header_of(v).status == "open":
            routed = v.nrm_referred or v.duty_to_notify
            if "nrm" in self.buttons:
                self.buttons["nrm"].setEnabled(not routed)
            if "duty" in self.buttons:
                self.buttons["duty"].setEnabled(not routed and not v.is_child)
                self.buttons["duty"].setToolTip(
                    "A child is referred to the NRM; consent is not needed." if v.is_child
                    else "The NRM route is already recorded." if routed else "")

    def refer_nrm(self) -> None:
        self.run_dialog(NrmReferDialog(self, self.ws, self.case_id), "Referred to the NRM.")

    def notify_duty(self) -> None:
        self.run_dialog(DutyToNotifyDialog(self, self.ws, self.case_id),
                        "Reported under the Duty to Notify.")

    def nrm_decision(self) -> None:
        view = getattr(self, "mart", None)
        kind = None
        if view is not None:
            kinds = {d.kind for d in view.decisions}
            kind = "conclusive_grounds" if "reasonable_grounds" in kinds else None
        self.run_dialog(NrmDecisionDialog(self, self.ws, self.case_id, kind),
                        "NRM decision recorded.")

    def edit_outcomes(self) -> None:
        view = getattr(self, "mart", None)
        current = view.outcomes if view is not None else ()
        self.run_dialog(MartOutcomesDialog(self, self.ws, self.case_id, current),
                        "Outcomes saved.")
