"""The new-case wizard frame: the person, their likely duplicates, then the case.

1. Person: who the case is about (or "no person yet"). Fields are kept if the user goes
   back, and nothing is created yet.
2. Possible matches: ``casework.matching.find_duplicates`` runs off the GUI thread; if it
   finds anyone, the user picks the existing record or says "none of these".
3. Case details: the type's own form. Finishing creates the person (if new) and the case.
"""

from __future__ import annotations

from typing import Any

from casework.core.errors import ValidationError
from ui.common.forms import Form, combo, date_edit
from ui.common.guard import GuardedDialog, keep_default
from ui.common.ops import QueryOp
from ui.common.qt import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

STEP_PERSON, STEP_MATCHES, STEP_CASE = range(3)
NEW_PERSON = -1


class CaseWizard(GuardedDialog):
    """Subclasses set ``title``/``person_role`` and implement ``build_case_form`` and
    ``create(person_id, values)`` (run off the GUI thread; returns (case_id, reference)).

    Esc, Cancel or the close button ask before discarding what was typed."""

    created = Signal(int, str)
    title = "New case"
    person_role = "Person"
    person_optional = True

    def __init__(self, parent: QWidget | None, ws: Any) -> None:
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(self.title)
        self.setAccessibleName(self.title)
        self.setMinimumSize(620, 520)
        self.matches: list[Any] = []
        self._created_person: int | None = None
        self.step = STEP_PERSON
        self.stack = QStackedWidget()
        self.person = Form(self)
        self.matches_list = QListWidget()
        self.case = Form(self)
        self.stack.addWidget(self._person_page())
        self.stack.addWidget(self._matches_page())
        self.stack.addWidget(self._case_page())
        self.back_button = QPushButton("< Bac&k")
        self.next_button = QPushButton("&Next >")
        self.cancel_button = QPushButton("Cancel")
        for b, name in ((self.back_button, "Back"), (self.next_button, "Next"),
                        (self.cancel_button, "Cancel")):
            b.setAccessibleName(name)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self.request_close)
        self.next_button.setDefault(True)
        # wide enough for its longest label, "Create case" (it was clipped after the change)
        bold = self.next_button.font()
        bold.setBold(True)
        from ui.common.qt import QFontMetrics

        self.next_button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance("Create case") + 32)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.back_button, self.next_button, self.cancel_button):
            buttons.addWidget(b)
        self.step_label = QLabel()
        self.step_label.setObjectName("heading")
        box = QVBoxLayout(self)
        box.addWidget(self.step_label)
        box.addWidget(self.stack, 1)
        box.addLayout(buttons)
        self._go(STEP_PERSON)

    # -- pages --------------------------------------------------------------------------
    def _person_page(self) -> QWidget:
        from casework.people.persons import CONSENT, GENDERS

        page = QWidget()
        box = QVBoxLayout(page)
        self.no_person = QCheckBox(f"No {self.person_role.lower()} to record &yet")
        self.no_person.setAccessibleName(f"No {self.person_role.lower()} to record yet")
        self.no_person.setVisible(self.person_optional)
        self.no_person.toggled.connect(lambda on: [w.setEnabled(not on) for w in
                                                   self.person.fields.values()])
        f = self.person
        f.add("given_name", "&Given name", QLineEdit())
        f.add("family_name", "&Family name", QLineEdit())
        dob = date_edit()
        dob.setSpecialValueText("Not known")
        dob.setMinimumDate(dob.minimumDate())
        self.dob_known = QCheckBox("&Date of birth known")
        self.dob_known.setAccessibleName("Date of birth known")
        self.dob_known.toggled.connect(dob.setEnabled)
        dob.setEnabled(False)
        f.add("date_of_birth", "Date of &birth", dob)
        f.add("gender", "G&ender", combo(GENDERS, current="not_known"))
        f.add("line1", "&Address", QLineEdit())
        f.add("postcode", "&Postcode", QLineEdit())
        f.add("phone", "P&hone", QLineEdit())
        f.add("consent", "&Consent", combo(CONSENT, current="not_sought"))
        box.addWidget(self.no_person)
        box.addLayout(f.layout)
        box.addWidget(self.dob_known)
        box.addWidget(f.error)
        box.addStretch(1)
        return page

    def _matches_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        intro = QLabel("These people already on record may be the same person. Pick one to "
                       "link it to the new case, or choose to create a new record.")
        intro.setWordWrap(True)
        self.matches_list.setAccessibleName("Possible matches")
        self.matches_list.setObjectName("matches")
        self.matches_list.itemActivated.connect(lambda _i: self.next())
        box.addWidget(intro)
        box.addWidget(self.matches_list, 1)
        return page

    def _case_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.build_case_form(self.case)
        box.addLayout(self.case.layout)
        box.addWidget(self.case.error)
        box.addStretch(1)
        return page

    def build_case_form(self, form: Form) -> None:
        """Add the type's case fields."""

    # -- steps --------------------------------------------------------------------------
    def _go(self, step: int) -> None:
        self.step = step
        self.stack.setCurrentIndex(step)
        titles = {STEP_PERSON: f"1. The {self.person_role.lower()}",
                  STEP_MATCHES: "2. Possible matches",
                  STEP_CASE: "3. The case"}
        self.step_label.setText(titles[step])
        self.back_button.setEnabled(step != STEP_PERSON)
        self.next_button.setText("&Create case" if step == STEP_CASE else "&Next >")
        self.next_button.setAccessibleName("Create case" if step == STEP_CASE else "Next")
        keep_default(self.next_button)
        first = {STEP_PERSON: self.person, STEP_CASE: self.case}.get(step)
        if first is not None and first.fields:
            next(iter(first.fields.values())).setFocus()
        elif step == STEP_MATCHES:
            self.matches_list.setFocus()

    def back(self) -> None:
        if self.step == STEP_CASE and self.matches:
            self._go(STEP_MATCHES)
        else:
            self._go(STEP_PERSON)

    def next(self) -> None:
        if self.step == STEP_PERSON:
            self._check_person()
        elif self.step == STEP_MATCHES:
            self._go(STEP_CASE)
        else:
            self._finish()

    def person_input(self) -> Any:
        from casework.people.persons import AddressInput, PersonInput

        v = self.person.values()
        address = AddressInput(line1=v["line1"], postcode=v["postcode"]) \
            if v["line1"] or v["postcode"] else None
        return PersonInput(given_name=v["given_name"], family_name=v["family_name"],
                           date_of_birth=v["date_of_birth"] if self.dob_known.isChecked()
                           else None, gender=v["gender"], phone=v["phone"], address=address,
                           consent=v["consent"])

    def _check_person(self) -> None:
        self.person.clear_errors()
        self._created_person = None
        if self.no_person.isChecked():
            self.matches = []
            self._go(STEP_CASE)
            return
        data = self.person_input()
        if not data.given_name and not data.family_name:
            self.person.show_error(ValidationError("Enter the person's name.", "family_name"))
            return
        from casework.people.matching import find_duplicates

        self.next_button.setEnabled(False)
        ws = self.ws
        QueryOp(self, lambda: find_duplicates(ws, data), self._show_matches).failure(
            self._person_failed).run()

    def _person_failed(self, exc: BaseException) -> None:
        keep_default(self.next_button)
        self.person.show_error(exc)

    def _show_matches(self, matches: list[Any]) -> None:
        self.matches = list(matches)
        self.matches_list.clear()
        if not self.matches:
            self._go(STEP_CASE)
            return
        for m in self.matches:
            born = f", born {m.date_of_birth:%d %b %Y}" if m.date_of_birth else ""
            where = f", {m.postcode}" if m.postcode else ""
            item = QListWidgetItem(f"{m.display_name}{born}{where}  —  match {m.score}%: "
                                   f"{'; '.join(m.reasons)}")
            item.setData(Qt.ItemDataRole.UserRole, m.person_id)
            self.matches_list.addItem(item)
        new = QListWidgetItem("None of these: create a new person")
        new.setData(Qt.ItemDataRole.UserRole, NEW_PERSON)
        self.matches_list.addItem(new)
        self.matches_list.setCurrentRow(0)
        self._go(STEP_MATCHES)

    def chosen_person(self) -> int | None:
        """An existing person's id, NEW_PERSON, or None for no person."""
        if self.no_person.isChecked():
            return None
        if not self.matches:
            return NEW_PERSON
        item = self.matches_list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else NEW_PERSON

    def _finish(self) -> None:
        self.case.clear_errors()
        chosen = self.chosen_person()
        data = self.person_input() if chosen == NEW_PERSON else None
        values = self.case.values()
        ws = self.ws
        problem = self.validate(values)
        if problem is not None:
            self.case.show_error(problem)
            return

        def work() -> tuple[int, str]:
            person_id = chosen
            if data is not None and self._created_person is not None:
                person_id = self._created_person  # created on a try whose case failed
            elif data is not None:
                from casework.people.persons import create_person

                person_id = create_person(ws, data).id
                self._created_person = person_id
            return self.create(person_id, values)

        self.next_button.setEnabled(False)
        QueryOp(self, work, self._done).failure(self._failed).run()

    def validate(self, values: dict[str, Any]) -> ValidationError | None:
        """Local checks before anything is created (None when fine)."""
        return None

    def _failed(self, exc: BaseException) -> None:
        keep_default(self.next_button)
        field = getattr(exc, "field", None)
        if field in self.person.fields:
            self._go(STEP_PERSON)
            self.person.show_error(exc)
        else:
            self.case.show_error(exc)

    def _done(self, result: tuple[int, str]) -> None:
        case_id, reference = result
        self.created.emit(case_id, reference)
        self.accept()

    def create(self, person_id: int | None, values: dict[str, Any]) -> tuple[int, str]:
        raise NotImplementedError
