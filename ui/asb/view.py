"""The ASB case view: incidents, the escalation ladder, breaches and risk."""

from __future__ import annotations

from typing import Any

from casework.cases.caselist import asb_stage_label
from ui.asb import dialogs as dlg
from ui.cases.view import CaseView
from ui.common.areas import area_name
from ui.common.forms import humanise
from ui.common.ops import QueryOp
from ui.common.widgets import RecordTable


class AsbCaseView(CaseView):
    """An anti-social behaviour case."""

    case_type = "asb"

    def build_tabs(self) -> None:
        self.incidents = RecordTable([
            ("Happened", lambda i: i.occurred_on), ("Reported", lambda i: i.reported_on),
            ("Source", lambda i: humanise(i.source)), ("Location", lambda i: i.location),
            ("Hate", lambda i: i.hate_motivated), ("Description", lambda i: i.description)],
            "Incidents")
        self.steps = RecordTable([
            ("Stage", lambda s: asb_stage_label(s.stage)), ("Step", lambda s: humanise(s.action)),
            ("Taken", lambda s: s.taken_on), ("Expires", lambda s: s.expires_on),
            ("Letter", lambda s: "Yes" if s.document_id else ""),
            ("Reason", lambda s: s.reason)], "Escalation steps")
        self.breaches = RecordTable([
            ("Happened", lambda b: b.occurred_on), ("Step", lambda b: self._step_label(b)),
            ("Action taken", lambda b: humanise(b.action_taken) or "Not decided yet"),
            ("Description", lambda b: b.description)], "Breaches")
        self.risk = RecordTable([
            ("Assessed", lambda r: r.assessed_on), ("Level", lambda r: humanise(r.level)),
            ("Personal", lambda r: r.personal_score),
            ("Situational", lambda r: r.situational_score),
            ("Incidental", lambda r: r.incidental_score), ("Total", lambda r: r.total_score),
            ("Next review", lambda r: r.next_review_on)], "Risk assessments")
        self.add_tab(self.incidents, "Incidents")  # Alt+I is Add incident
        self.add_tab(self.steps, "Stages and &steps")
        self.add_tab(self.breaches, "Breaches")  # Alt+B is Record breach
        self.add_tab(self.risk, "&Risk")

    def build_actions(self) -> None:
        self.add_action("incident", "Add &incident…", self.add_incident)
        self.add_action("escalate", "&Escalate…", self.escalate)
        self.add_action("breach", "Record &breach…", self.record_breach)
        self.add_action("deescalate", "De-escalate…", self.de_escalate)
        self.add_action("risk", "Ris&k review…", self.risk_review)
        self.add_action("contact", "First con&tact…", self.first_contact)

    def load(self) -> Any:
        from casework.asb.cases import get_asb_case

        return get_asb_case(self.ws, self.case_id)

    def populate(self, v: Any) -> None:
        h = v.header
        self.summary.set_values([
            ("Reference", h.reference), ("Status", humanise(h.status)),
            ("Outcome", humanise(h.outcome)), ("Category", humanise(v.category)),
            ("Sub-category", humanise(v.subcategory)),
            ("Stage", asb_stage_label(v.stage)),
            ("Risk", humanise(h.risk_level)), ("Opened", h.opened_on),
            ("Closed", h.closed_on), ("Area", area_name(h.lsoa_code)),
            ("Next review", h.next_review_on), ("First contact due", v.first_contact_due),
            ("First contact made", v.first_contact_on),
            ("Guardcam installed", v.guardcam_installed), ("Summary", v.summary)])
        self.incidents.set_records(v.incidents)
        self.steps.set_records(v.steps)
        self.breaches.set_records(v.breaches)
        self.risk.set_records(getattr(v, "assessments", ()))
        from ui.common.guard import disable_with_reason

        if "breach" in self.buttons and h.status == "open":
            from casework.asb.ladder import BREACHABLE

            disable_with_reason(self.buttons["breach"], None if any(
                s.action in BREACHABLE for s in v.steps) else
                "no step on this case can be breached (a CPW, CPN, ABC or injunction)")
        if "deescalate" in self.buttons and h.status == "open":
            disable_with_reason(self.buttons["deescalate"], None if v.stage > 0 else
                                "the case is not escalated")
        if "contact" in self.buttons and h.status == "open":
            disable_with_reason(self.buttons["contact"], None if v.first_contact_on is None
                                else f"first contact was made on {v.first_contact_on:%d %b %Y}")

    def _step_label(self, breach: Any) -> str:
        for s in getattr(self.view, "steps", ()):
            if s.id == breach.step_id:
                return humanise(s.action)
        return ""

    # -- actions ------------------------------------------------------------------------
    def add_incident(self) -> None:
        self.run_dialog(dlg.IncidentDialog(self, self.ws, self.case_id), "Incident added.")

    def escalate(self) -> None:
        from casework.asb.ladder import ladder_options

        ws, case_id = self.ws, self.case_id
        QueryOp(self, lambda: ladder_options(ws, case_id),
                lambda options: self.run_dialog(dlg.EscalateDialog(self, ws, case_id, options),
                                                "Escalated.")).run()

    def record_breach(self) -> None:
        from casework.asb.ladder import BREACHABLE

        steps = [s for s in getattr(self.view, "steps", ()) if s.action in BREACHABLE]
        self.run_dialog(dlg.BreachDialog(self, self.ws, steps), "Breach recorded.")

    def de_escalate(self) -> None:
        stage = getattr(self.view, "stage", 0)
        self.run_dialog(dlg.DeEscalateDialog(self, self.ws, self.case_id, stage),
                        "De-escalated.")

    def risk_review(self) -> None:
        self.run_dialog(dlg.RiskDialog(self, self.ws, self.case_id), "Risk reviewed.")

    def first_contact(self) -> None:
        self.run_dialog(dlg.ContactDialog(self, self.ws, self.case_id),
                        "First contact recorded.")
