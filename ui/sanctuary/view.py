"""The sanctuary job view: eligibility, survey, work lines and costs, order, feedback."""

from __future__ import annotations

from typing import Any

from casework.core.errors import ValidationError
from ui.cases.view import CaseView
from ui.common.forms import FormDialog, combo, date_edit, humanise
from ui.common.qt import QCheckBox, QDoubleSpinBox, QLabel, QLineEdit, QVBoxLayout, QWidget
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


CHECK_LABELS = {
    "victim_chose": "The victim &chose to stay with sanctuary measures",
    "perpetrator_not_resident": "The &perpetrator does not live at the address",
    "right_to_occupy": "The victim's &right to occupy is confirmed",
    "landlord_consent": "The &landlord consents",
    "risk_assessment_done": "A risk &assessment is done",
}


class EligibilityDialog(FormDialog):
    """The eligibility checks, each dated on the day it is recorded as passed."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, view: Any) -> None:
        super().__init__(parent, "Eligibility checks", submit_label="&Save checks",
                         intro="Tick the checks made. The survey and the order need every "
                               "check, with the risk assessment dated before them.")
        self.ws, self.case_id = ws, case_id
        self.current: dict[str, bool] = dict(view.eligibility) if view is not None else {}
        self.boxes: dict[str, QCheckBox] = {}
        for key, label in CHECK_LABELS.items():
            box = QCheckBox(label)
            box.setChecked(self.current.get(key, False))
            self.boxes[key] = box
            self.add(key, "", box)
        self.add("checked_on", "Checked &on", date_edit())

    def on_submit(self) -> None:
        from casework.sanctuary.jobs import record_eligibility

        changed = {k: b.isChecked() for k, b in self.boxes.items()
                   if b.isChecked() != self.current.get(k, False)}
        day = self.form.values()["checked_on"]
        self.submit(lambda: record_eligibility(self.ws, self.case_id, **changed,
                                               checked_on=day))


class FeedbackDialog(FormDialog):
    """Feedback from the victim, 3 to 6 months after fitting."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Record feedback", submit_label="&Record feedback")
        self.ws, self.case_id = ws, case_id
        said = [(True, "Yes"), (False, "No")]
        self.add("collected_on", "&Collected on", date_edit())
        self.add("felt_safer", "Felt &safer", combo(said, blank="Not said"))
        self.add("further_incidents", "&Further incidents", combo(said, blank="Not said"))
        self.add("moved", "", QCheckBox("The victim has &moved"))
        self.add("comments", "Co&mments", QLineEdit())

    def on_submit(self) -> None:
        from casework.sanctuary.jobs import record_feedback

        v = self.form.values()
        self.submit(lambda: record_feedback(self.ws, self.case_id, v["collected_on"],
                                            v["felt_safer"], v["further_incidents"],
                                            bool(v["moved"]), v["comments"]))


class OrderDialog(FormDialog):
    """Order the work from a contractor (or a new one, named here)."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int,
                 contractors: list[Any]) -> None:
        super().__init__(parent, "Order the work", submit_label="&Order")
        self.ws, self.case_id = ws, case_id
        self.add("contractor_id", "&Contractor",
                 combo([(c.id, c.name) for c in contractors if c.active],
                       blank="A new contractor (name it below)"))
        self.add("new_contractor", "New contractor &firm", QLineEdit())
        self.add("ordered_on", "Ordered o&n", date_edit())

    def on_submit(self) -> None:
        from casework.sanctuary.jobs import add_contractor, order_work

        v = self.form.values()
        if v["contractor_id"] is None and not v["new_contractor"]:
            self.form.show_error(ValidationError("Choose a contractor, or name a new one.",
                                                 "new_contractor"))
            return
        ws, case_id = self.ws, self.case_id

        def work() -> Any:
            firm = v["contractor_id"]
            if firm is None:
                firm = add_contractor(ws, v["new_contractor"]).id
            return order_work(ws, case_id, firm, v["ordered_on"])

        self.submit(work)


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
        host = QWidget()
        box = QVBoxLayout(host)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.work, 1)
        self.work_total = QLabel("")
        self.work_total.setObjectName("workTotal")
        self.work_total.setAccessibleName("Work lines total")
        box.addWidget(self.work_total)
        self.add_tab(host, "Work &lines")
        self.add_tab(self.feedback, "Feedbac&k")

    def build_actions(self) -> None:
        self.add_action("eligibility", "Eli&gibility checks…", self.eligibility)
        self.add_action("survey", "Record &survey…", lambda: self._step(
            "Record the survey", "record_survey", "Survey recorded."))
        self.add_action("work_line", "Add &work line…", self.add_work_line)
        self.add_action("order", "O&rder work…", self.order)
        self.add_action("fire", "F&ire-safety check…", lambda: self._step(
            "Fire-safety check", "record_fire_safety_check", "Fire-safety check recorded."))
        self.add_action("complete", "Complete &job…", lambda: self._step(
            "Complete the job", "complete_job", "Job completed."))
        self.add_action("feedback", "Record feed&back…", self.record_feedback)

    def load(self) -> Any:
        from casework.sanctuary.jobs import sanctuary_view

        return sanctuary_view(self.ws, self.case_id)

    def populate(self, v: Any) -> None:
        h = v.header
        self.job = v

        def check(key: str, ok: bool) -> str:
            on = v.checked_on.get(key)
            return f"{humanise(key)}: {'yes' if ok else 'NO'}" + (
                f" ({on:%d %b %Y})" if ok and on else "")

        checks = "; ".join(check(k, ok) for k, ok in v.eligibility.items())
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
        self.work_total.setText(f"Total: {pounds(v.total_cost_pence)} for "
                                f"{len(v.work_lines)} line(s)")
        self.feedback.set_records(v.feedback)

    def _step(self, title: str, service: str, message: str) -> None:
        self.run_dialog(DateStepDialog(self, self.ws, self.case_id, title, service), message)

    def eligibility(self) -> None:
        self.run_dialog(EligibilityDialog(self, self.ws, self.case_id,
                                          getattr(self, "job", None)),
                        "Eligibility checks recorded.")

    def record_feedback(self) -> None:
        self.run_dialog(FeedbackDialog(self, self.ws, self.case_id), "Feedback recorded.")

    def add_work_line(self) -> None:
        self.run_dialog(WorkLineDialog(self, self.ws, self.case_id), "Work line added.")

    def order(self) -> None:
        from casework.sanctuary.jobs import list_contractors
        from ui.common.ops import QueryOp

        ws, case_id = self.ws, self.case_id
        QueryOp(self, lambda: list_contractors(ws),
                lambda cs: self.run_dialog(OrderDialog(self, ws, case_id, cs),
                                           "Work ordered.")).run()
