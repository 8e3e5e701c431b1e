"""The new Community Trigger application wizard: the applicant, then the application and
the complaints it rests on.

Complaints entered here are compared as they are added (``casework.trigger.incidents``):
reports of one incident to several agencies are suggested with why, and the officer
confirms (they count once) or rejects (not suggested together again) before anything is
saved. Creating the case records the application, its complaints and those decisions in
one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from casework.core import clock
from casework.core.errors import ValidationError
from ui.cases.wizard import CaseWizard
from ui.common.areas import area_combo
from ui.common.forms import Form, date_edit, humanise
from ui.common.qt import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from ui.common.widgets import RecordTable
from ui.trigger.same_incident import SameIncidentPanel
from ui.trigger.view import ComplaintDialog


@dataclass(frozen=True)
class Pending:
    """A complaint typed in the wizard, not saved yet (``id`` is local to the wizard)."""

    id: int
    behaviour_on: date
    complained_on: date
    agency: str
    place: str = ""
    description: str = ""
    hate_related: bool = False
    incident_key: str = ""
    not_same_as: frozenset[int] = field(default_factory=frozenset)


class PendingComplaintDialog(ComplaintDialog):
    """The complaint form of the case view, kept in the wizard until the case is made."""

    def __init__(self, parent: QWidget | None, ws: Any, received_on: date, next_id: int) -> None:
        super().__init__(parent, ws, 0)
        self.received_on, self.next_id = received_on, next_id
        self.setWindowTitle("Add a complaint to the application")

    def on_submit(self) -> None:
        v = self.form.values()
        self.form.clear_errors()
        problem = None
        if v["complained_on"] < v["behaviour_on"]:
            problem = "A complaint cannot be made before the behaviour."
        elif v["complained_on"] > min(self.received_on, clock.today()):
            problem = ("The application can only rest on complaints made by the day it "
                       "was received.")
        if problem is not None:
            self.form.show_error(ValidationError(problem, field="complained_on"))
            return
        if not v["agency"]:
            self.form.show_error(ValidationError("Say which agency received the complaint.",
                                                 field="agency"))
            return
        self.result_value = Pending(self.next_id, v["behaviour_on"], v["complained_on"],
                                    v["agency"], v["place"], v["description"],
                                    bool(v["hate_related"]), v["incident_key"])
        self.accept()


class NewTriggerWizard(CaseWizard):
    """A Community Trigger application, its applicant and its complaints."""

    title = "New Community Trigger application"
    person_role = "Applicant"
    person_optional = False

    def build_case_form(self, form: Form) -> None:
        self.setMinimumSize(720, 640)
        self.pending: list[Pending] = []
        self.dialog: Any = None
        form.add("received_on", "&Received on", date_edit())
        form.add("on_behalf", "", QCheckBox("Made &on the victim's behalf"))
        form.add("lsoa_code", "&Area", area_combo())
        self.complaint_table = RecordTable([
            ("Behaviour", lambda c: c.behaviour_on), ("Complained", lambda c: c.complained_on),
            ("Made to", lambda c: humanise(c.agency)), ("Where", lambda c: c.place),
            ("Incident", lambda c: c.incident_key)], "Complaints on the application")
        self.complaint_table.empty_text = "No complaints yet: add them here or on the case."
        self.complaint_table.setMinimumHeight(130)
        self.add_complaint_button = QPushButton("Add comp&laint…")
        self.add_complaint_button.setAccessibleName("Add complaint")
        self.add_complaint_button.clicked.connect(self.add_complaint)
        self.remove_complaint_button = QPushButton("Remo&ve complaint")
        self.remove_complaint_button.setAccessibleName("Remove complaint")
        self.remove_complaint_button.clicked.connect(self.remove_complaint)
        row = QHBoxLayout()
        row.addWidget(self.add_complaint_button)
        row.addWidget(self.remove_complaint_button)
        row.addStretch(1)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.complaint_table, 1)
        lay.addLayout(row)
        form.layout.addRow(QLabel("Complaints"), box)
        self.same_incident = SameIncidentPanel()
        self.same_incident.table.setMaximumHeight(150)
        self.same_incident.confirm_button.clicked.connect(lambda: self.decide_same(True))
        self.same_incident.reject_button.clicked.connect(lambda: self.decide_same(False))
        form.layout.addRow(QLabel("Same incident?"), self.same_incident)
        self._refresh()

    # -- complaints before the case exists ----------------------------------------------
    def add_complaint(self) -> None:
        received = self.case.fields["received_on"].date().toPython()
        dlg = PendingComplaintDialog(self, self.ws, received,
                                     max((c.id for c in self.pending), default=0) + 1)
        self.dialog = dlg
        dlg.accepted.connect(lambda: self._added(dlg.result_value))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()

    def _added(self, complaint: Pending | None) -> None:
        if complaint is not None:
            self.pending.append(complaint)
            self._refresh()

    def remove_complaint(self) -> None:
        chosen = self.complaint_table.current_record()
        if chosen is None:
            return
        self.pending = [replace(c, not_same_as=c.not_same_as - {chosen.id})
                        for c in self.pending if c.id != chosen.id]
        self._refresh()

    def suggestions(self) -> list[Any]:
        """Likely same-incident groups among the complaints typed so far."""
        from casework.trigger.incidents import Reported, group

        return group([Reported(c.id, c.agency, c.behaviour_on, c.place, c.description,
                               c.incident_key, c.not_same_as) for c in self.pending])

    def decide_same(self, same: bool) -> None:
        """Confirm (one incident key) or reject (told apart) the chosen suggestion."""
        chosen = self.same_incident.chosen()
        if chosen is None:
            return
        ids = set(chosen.complaint_ids)
        members = [c for c in self.pending if c.id in ids]
        if same:
            key = next((c.incident_key for c in members if c.incident_key),
                       f"same-{min(ids)}")
            self.pending = [replace(c, incident_key=key) if c.id in ids else c
                            for c in self.pending]
        else:
            self.pending = [replace(c, not_same_as=c.not_same_as | (ids - {c.id}))
                            if c.id in ids else c for c in self.pending]
        self._refresh()

    def _refresh(self) -> None:
        self.complaint_table.set_records(self.pending)
        self.remove_complaint_button.setEnabled(bool(self.pending))
        self.same_incident.set_groups(self.suggestions(), self.pending, True)

    # -- the case -----------------------------------------------------------------------
    def validate(self, values: dict[str, Any]) -> ValidationError | None:
        values["complaints"] = tuple(self.pending)  # as they are now, for ``create``
        return None

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.trigger.applications import NewComplaint, open_trigger

        if person_id is None:
            raise ValidationError("Record the applicant.", field="family_name")
        pending: tuple[Pending, ...] = v.get("complaints", ())
        position = {c.id: n for n, c in enumerate(pending)}
        complaints = [NewComplaint(c.behaviour_on, c.complained_on, c.agency, c.incident_key,
                                   c.hate_related, c.description, c.place,
                                   tuple(sorted(position[i] for i in c.not_same_as
                                                if i in position)))
                      for c in pending]
        h = open_trigger(self.ws, person_id, v["received_on"], v["on_behalf"], v["lsoa_code"],
                         complaints)
        return h.id, h.reference
