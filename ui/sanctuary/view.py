"""The sanctuary job view: eligibility, survey, work lines and costs, order, feedback."""

from __future__ import annotations

from typing import Any

from casework.core.errors import ValidationError
from ui.cases.view import CaseView
from ui.common.forms import FormDialog, combo, date_edit, humanise
from ui.common.qt import QDoubleSpinBox, QLineEdit, QWidget
from ui.common.widgets import RecordTable


def pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


class WorkLineDialog(FormDialog):
    """A line of work with its cost."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        from casework.sanctuary.jobs import WORK_KINDS

        super().__init__(parent, "Add a work line", submit_label="&Add work line")
        self.ws, self.case_id = ws, case_id
        self.add("kind", "&Work", combo(WORK_KINDS))
        self.add("description", "&Description", QLineEdit())
        cost = QDoubleSpinBox()
        cost.setPrefix("£")
        cost.setRange(0, 100000)
        cost.setDecimals(2)
        self.add("cost_pence", "&Cost", cost)

    def on_submit(self) -> None:
        from casework.sanctuary.jobs import add_work_line

        v = self.form.values()
        pence = round(v["cost_pence"] * 100)
        self.submit(lambda: add_work_line(self.ws, self.case_id, v["kind"], v["description"],
                                          pence))


class DateStepDialog(FormDialog):
    """One dated step of the job (survey, fire-safety check, completion)."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, title: str,
                 service: str) -> None:
        super().__init__(parent, title, submit_label="&Record")
        self.ws, self.case_id, self.service = ws, case_id, service
        self.add("on", "&Date", date_edit())

    def on_submit(self) -> None:
        from casework.sanctuary import jobs as sanctuary

        fn = getattr(sanctuary, self.service)
        day = self.form["on"]
        self.submit(lambda: fn(self.ws, self.case_id, day))


class OrderDialog(FormDialog):
    """Order the work from a contractor."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int,
                 contractors: list[Any]) -> None:
        super().__init__(parent, "Order the work", submit_label="&Order")
        self.ws, self.case_id = ws, case_id
        self.add("contractor_id", "&Contractor",
                 combo([(c.id, c.name) for c in contractors if c.active]))
        self.add("ordered_on", "&Ordered on", date_edit())

    def on_submit(self) -> None:
        from casework.sanctuary.jobs import order_work

        v = self.form.values()
        if v["contractor_id"] is None:
            self.form.show_error(ValidationError("No contractor is set up yet.",
                                                 "contractor_id"))
            return
        self.submit(lambda: order_work(self.ws, self.case_id, v["contractor_id"],
                                       v["ordered_on"]))


class SanctuaryCaseView(CaseView):
    """A sanctuary / target-hardening job."""

    case_type = "sanctuary"

    def build_tabs(self) -> None:
        self.work = RecordTable([("Work", lambda w: humanise(w.kind)),
                                 ("Description", lambda w: w.description),
                                 ("Cost", lambda w: pounds(w.cost_pence))], "Work lines")
        self.feedback = RecordTable([("Collected", lambda f: f.collected_on),
                                     ("Felt safer", lambda f: f.felt_safer),
                                     ("Further incidents", lambda f: f.further_incidents),
                                     ("Moved", lambda f: f.moved),
                                     ("Comments", lambda f: f.comments)], "Feedback")
        self.add_tab(self.work, "&Work lines")
        self.add_tab(self.feedback, "&Feedback")

    def build_actions(self) -> None:
        self.add_action("survey", "Record &survey…", lambda: self._step(
            "Record the survey", "record_survey", "Survey recorded."))
        self.add_action("work_line", "Add &work line…", self.add_work_line)
        self.add_action("order", "O&rder work…", self.order)
        self.add_action("fire", "&Fire-safety check…", lambda: self._step(
            "Fire-safety check", "record_fire_safety_check", "Fire-safety check recorded."))
        self.add_action("complete", "Co&mplete job…", lambda: self._step(
            "Complete the job", "complete_job", "Job completed."))

    def load(self) -> Any:
        from casework.sanctuary.jobs import sanctuary_view

        return sanctuary_view(self.ws, self.case_id)

    def populate(self, v: Any) -> None:
        h = v.header
        checks = ", ".join(f"{humanise(k)}: {'yes' if ok else 'NO'}"
                           for k, ok in v.eligibility.items())
        self.summary.set_values([
            ("Reference", h.reference), ("Status", humanise(h.status)),
            ("Victim of", humanise(v.victim_of)), ("Referred by", humanise(v.referral_source)),
            ("Eligible", v.eligible), ("Eligibility checks", checks),
            ("Referred", v.referred_on), ("Surveyed", v.surveyed_on),
            ("Contractor", v.contractor), ("Ordered", v.ordered_on),
            ("Fire-safety check", v.fire_safety_checked_on), ("Completed", v.completed_on),
            ("Work lines", len(v.work_lines)), ("Total cost", pounds(v.total_cost_pence)),
            ("Feedback due", f"{v.feedback_from:%d %b %Y} to {v.feedback_by:%d %b %Y}"
             if v.feedback_from and v.feedback_by else "")])
        self.work.set_records(v.work_lines)
        self.feedback.set_records(v.feedback)

    def _step(self, title: str, service: str, message: str) -> None:
        self.run_dialog(DateStepDialog(self, self.ws, self.case_id, title, service), message)

    def add_work_line(self) -> None:
        self.run_dialog(WorkLineDialog(self, self.ws, self.case_id), "Work line added.")

    def order(self) -> None:
        from casework.sanctuary.jobs import list_contractors
        from ui.common.ops import QueryOp

        ws, case_id = self.ws, self.case_id
        QueryOp(self, lambda: list_contractors(ws),
                lambda cs: self.run_dialog(OrderDialog(self, ws, case_id, cs),
                                           "Work ordered.")).run()
