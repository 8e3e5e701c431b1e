"""Action dialogs every case type shares: add a note, close with an outcome."""

from __future__ import annotations

from typing import Any

from ui.common.forms import FormDialog, combo, date_edit
from ui.common.qt import QCheckBox, QLineEdit, QPlainTextEdit, QWidget


def text_box(height: int = 90) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setMinimumHeight(height)
    return box


class NoteDialog(FormDialog):
    """A timestamped case note."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Add a note", submit_label="&Add note")
        self.ws, self.case_id = ws, case_id
        self.add("body", "&Note", text_box(140))
        self.add("shareable", "", QCheckBox("&Shareable in anonymised outputs"),
                 "Only notes marked shareable may appear in a meeting pack")

    def on_submit(self) -> None:
        from casework.cases.lifecycle import add_note

        v = self.form.values()
        self.submit(lambda: add_note(self.ws, self.case_id, v["body"], v["shareable"]))


class CloseDialog(FormDialog):
    """Close the case with one of its type's outcomes."""

    versioned = True  # saves the case at the version shown (``CaseView.run_dialog``)

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, case_type: str,
                 items: list[Any] | None = None) -> None:
        asks = [i for i in items or () if i.record != "task"]
        super().__init__(parent, "Close the case", submit_label="C&lose case",
                         intro="Closing closes the case's open reminders. The outcome is "
                               "reported in the partnership's figures."
                               + (" Decide what happens to each open recommendation or "
                                  "action: nothing is completed without your say."
                                  if asks else ""))
        from casework.cases.lifecycle import OUTCOMES

        self.ws, self.case_id = ws, case_id
        self.add("outcome", "&Outcome", combo(OUTCOMES.get(case_type, ())))
        self.add("closed_on", "&Closed on", date_edit())
        self.add("reason", "&Reason", QLineEdit())
        self.decision_fields: dict[int, str] = {}
        moves = [("reassign", "Reassign to another referral of the panel")]
        for item in asks:
            name = f"decide_{item.task_id}"
            self.add(name, f"{item.record.capitalize()}: {item.title} (due "
                           f"{item.due_on:%d %b %Y})",
                     combo([("done", "Done: it was carried out"),
                            ("cancel", "Cancel the task: it stays not completed"),
                            *(moves if item.record == "action" else [])],
                           blank="Choose…"))
            self.decision_fields[item.task_id] = name
        if any(i.record == "action" for i in asks):
            from casework.panels.swip import open_referrals

            self.add("reassign_to", "Reassign actions &to",
                     combo([(c.case_id, c.reference) for c in open_referrals(ws, of_case=case_id)],
                           blank="No other referral"),
                     "The open referral of the same panel that takes reassigned actions")

    def on_submit(self) -> None:
        from casework.cases.lifecycle import close_case
        from casework.core.errors import ValidationError

        v = self.form.values()
        decisions = {tid: v[name] for tid, name in self.decision_fields.items() if v[name]}
        missing = [name for tid, name in self.decision_fields.items() if tid not in decisions]
        if missing:
            self.form.show_error(ValidationError("Decide what happens to each open item.",
                                                 missing[0]))
            return
        self.submit(lambda: close_case(self.ws, self.case_id, v["outcome"], v["closed_on"],
                                       v["reason"], decisions, v.get("reassign_to"),
                                       loaded_version=self.loaded_version))


class PartyDialog(FormDialog):
    """Add a person to the case after intake (on an ASB case, a perpetrator can become the
    subject: letters and the ladder's age rules follow the subject)."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, case_type: str) -> None:
        super().__init__(parent, "Add a person to the case", submit_label="A&dd person",
                         intro="Adds a new person record and links it to the case.")
        from casework.people.parties import PARTY_ROLES

        self.ws, self.case_id, self.case_type = ws, case_id, case_type
        self.add("given_name", "&Given name", QLineEdit())
        self.add("family_name", "&Family name", QLineEdit())
        born = date_edit()
        born.setSpecialValueText("Not known")
        born.setMinimumDate(born.minimumDate().addYears(-100))
        self.add("date_of_birth", "Date of &birth", born)
        self.add("line1", "&Address", QLineEdit())
        self.add("town", "&Town", QLineEdit())
        self.add("postcode", "&Postcode", QLineEdit())
        self.add("role", "&Role", combo(PARTY_ROLES))
        self.add("agency", "Agenc&y", QLineEdit(), "For a professional")
        if case_type == "asb":
            self.add("make_subject", "", QCheckBox("Make this person the case's &subject"),
                     "A perpetrator becomes the subject when the case has none")

    def on_submit(self) -> None:
        from casework.people.parties import add_case_party
        from casework.people.persons import AddressInput, PersonInput, create_person

        v = self.form.values()
        address = (AddressInput(v["line1"], "", v["town"], v["postcode"])
                   if v["line1"].strip() else None)
        data = PersonInput(v["given_name"], v["family_name"], v["date_of_birth"],
                           address=address)
        make_subject = bool(v.get("make_subject")) and v["role"] == "perpetrator"

        def work() -> Any:
            person = create_person(self.ws, data)
            return add_case_party(self.ws, self.case_id, person.id, v["role"], v["agency"],
                                  make_subject)
        self.submit(work)


class EndPartyDialog(FormDialog):
    """End a person's part in the case from a day, with a reason."""

    def __init__(self, parent: QWidget | None, ws: Any, party: Any) -> None:
        super().__init__(parent, "End this person's part", submit_label="&End")
        self.ws, self.party = ws, party
        self.add("ended_on", "Ended &on", date_edit())
        self.add("reason", "&Reason", QLineEdit())

    def on_submit(self) -> None:
        from casework.people.parties import end_party

        v = self.form.values()
        self.submit(lambda: end_party(self.ws, self.party.party_id, v["reason"], v["ended_on"]))


class ReopenDialog(FormDialog):
    """Reopen a closed case with a reason."""

    versioned = True

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Reopen the case", submit_label="&Reopen",
                         intro="The outcome is cleared and a review task is set for today.")
        self.ws, self.case_id = ws, case_id
        self.add("reason", "&Reason", text_box(70))

    def on_submit(self) -> None:
        from casework.cases.transitions import reopen_case

        v = self.form.values()
        self.submit(lambda: reopen_case(self.ws, self.case_id, v["reason"],
                                        loaded_version=self.loaded_version))


class TransferDialog(FormDialog):
    """Transfer the case to another team and owner, or give it to another officer of its
    team; access follows at once."""

    versioned = True

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, team_id: Any,
                 choices: list[Any]) -> None:
        super().__init__(parent, "Transfer or reassign", submit_label="&Transfer",
                         intro="The new owner's team sees the case at once; the old team "
                               "no longer does. Open tasks follow the new owner.")
        self.ws, self.case_id, self.team_id = ws, case_id, team_id
        owners = [(uid, f"{name} ({c.name})") for c in choices for uid, name in c.officers]
        self.team_of = {uid: c.team_id for c in choices for uid, _n in c.officers}
        from ui.common.pickers import user_picker

        self.add("owner_id", "New &owner", user_picker(owners))
        self.add("reason", "&Reason", text_box(70))

    def on_submit(self) -> None:
        from casework.cases.transitions import reassign_owner, transfer_case

        v = self.form.values()
        owner = v["owner_id"]
        team = self.team_of.get(owner)
        if team is not None and team != self.team_id:
            self.submit(lambda: transfer_case(self.ws, self.case_id, team, owner, v["reason"],
                                              loaded_version=self.loaded_version))
        else:
            self.submit(lambda: reassign_owner(self.ws, self.case_id, owner, v["reason"],
                                               loaded_version=self.loaded_version))


class EvidenceDialog(FormDialog):
    """Attach a file (photo, statement, body-worn video still, diary sheet...) as evidence;
    it is kept encrypted inside the case's database."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Attach evidence", submit_label="&Attach",
                         intro="The file is stored encrypted with the case. Accepted: "
                               "JPEG, PNG, PDF, text, Word, MP3 and MP4 files.")
        from casework.cases.evidence import EVIDENCE_TYPES
        from ui.common.qt import QHBoxLayout, QPushButton

        self.ws, self.case_id = ws, case_id
        self.path = QLineEdit()
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self.browse)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.path, 1)
        line.addWidget(browse)
        self.form.add("file", "&File", self.path, row=row)
        self.add("evidence_type", "&Kind", combo(EVIDENCE_TYPES))
        self.add("evidence_on", "&Dated", date_edit())
        self.add("description", "D&escription", text_box(70))

    def browse(self) -> None:
        from ui.common.qt import QFileDialog

        name, _ = QFileDialog.getOpenFileName(self, "Choose the evidence file")
        if name:
            self.path.setText(name)

    def on_submit(self) -> None:
        from pathlib import Path

        from casework.cases.evidence import add_evidence
        from casework.core.errors import ValidationError

        v = self.form.values()
        path = Path(v["file"].strip()) if v["file"].strip() else None

        def work() -> Any:
            if path is None or not path.is_file():
                raise ValidationError("Choose a file to attach.", field="file")
            return add_evidence(self.ws, self.case_id, path.name, path.read_bytes(),
                                v["evidence_type"], v["evidence_on"], v["description"])
        self.submit(work)
