"""Information-governance tabs: retention review (anonymise or delete after confirming),
who saw what (every access and change of a person's or a case's record), subject access
(find the person, export everything held about them: a redacted copy for disclosure and
a review copy) and the disclosure log."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import Any

from casework.core import clock
from ui.common.forms import FormDialog, combo, date_edit, humanise
from ui.common.ops import Cancelled, Progress, QueryOp, error_text
from ui.common.qt import (
    QAbstractItemView,
    QCheckBox,
    QDate,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from ui.common.widgets import RecordTable


def _button(text: str, slot: Any) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(text.replace("&", "").rstrip("…"))
    b.clicked.connect(slot)
    return b


class RetentionDialog(FormDialog):
    """Confirm an irreversible retention action with a reason."""

    def __init__(self, parent: QWidget | None, ws: Any, action: str,
                 items: list[Any]) -> None:
        verb = "Anonymise" if action == "anonymise" else "Delete"
        refs = ", ".join(i.reference for i in items[:8]) + (" …" if len(items) > 8 else "")
        what = ("Free text, notes and documents are removed and the people's identifying "
                "details cleared; non-identifying facts stay for statistics."
                if action == "anonymise" else
                "The cases and everything recorded under them are deleted, and so are "
                "people no other case refers to.")
        super().__init__(parent, f"{verb} {len(items)} case(s)", submit_label=f"&{verb}",
                         intro=f"{refs}\n\n{what} This cannot be undone.")
        self.ws, self.action, self.case_ids = ws, action, [i.case_id for i in items]
        self.add("reason", "&Reason", QLineEdit(), "Kept in the audit trail")
        self.add("confirmed", "", QCheckBox("I understand this &cannot be undone"))
        self.submit_button.setDefault(False)

    def on_submit(self) -> None:
        from casework.safeguards.retention import anonymise_cases, delete_cases

        v = self.form.values()
        fn = anonymise_cases if self.action == "anonymise" else delete_cases
        ws, ids = self.ws, self.case_ids
        self.submit(lambda: fn(ws, ids, confirmed=bool(v["confirmed"]), reason=v["reason"]))


class RetentionTab(QWidget):
    """Closed cases past their retention period (reference, type and dates only)."""

    def __init__(self, ws: Any, page: Any) -> None:
        super().__init__()
        self.ws, self.page = ws, page
        self.setAccessibleName("Retention review")
        self.loaded = False
        self.table = RecordTable([
            ("Reference", lambda i: i.reference), ("Type", lambda i: humanise(i.case_type)),
            ("Closed", lambda i: i.closed_on), ("Keep until", lambda i: i.retain_until),
            ("Days over", lambda i: i.days_overdue),
            ("Anonymised", lambda i: i.anonymised)], "Cases past retention")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.summary = QLabel("")
        self.summary.setAccessibleName("Retention summary")
        row = QHBoxLayout()
        self.review_button = _button("Re&view", self.refresh)
        self.anonymise_button = _button("A&nonymise selected…", lambda: self.act("anonymise"))
        self.delete_button = _button("D&elete selected…", lambda: self.act("delete"))
        for b in (self.review_button, self.anonymise_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.addLayout(row)
        box.addWidget(self.summary)
        box.addWidget(self.table, 1)
        QWidget.setTabOrder(self.review_button, self.anonymise_button)
        QWidget.setTabOrder(self.anonymise_button, self.delete_button)
        QWidget.setTabOrder(self.delete_button, self.table)

    def refresh(self) -> None:
        from casework.safeguards.retention import review_list

        ws = self.ws
        QueryOp(self, lambda: review_list(ws), self._show).run()

    def _show(self, items: list[Any]) -> None:
        self.table.set_records(items)
        self.summary.setText(f"{len(items)} closed case(s) kept past their retention period."
                             if items else "No closed case is past its retention period.")
        self.loaded = True

    def selected(self) -> list[Any]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.table.records[r] for r in rows if r < len(self.table.records)]

    def act(self, action: str) -> Any:
        items = self.selected()
        if not items:
            self.summary.setText("Choose one or more cases first.")
            return None
        dlg = RetentionDialog(self, self.ws, action, items)
        verb = "anonymised" if action == "anonymise" else "deleted"
        dlg.accepted.connect(lambda: (self.page.set_status(
            f"{len(items)} case(s) {verb}."), self.refresh()))
        dlg.finished.connect(dlg.deleteLater)
        self.dialog = dlg
        dlg.open()
        return dlg


class WhoSawTab(QWidget):
    """Who looked at or changed a person's or a case's record (the query is audited)."""

    def __init__(self, ws: Any) -> None:
        super().__init__()
        self.ws = ws
        self.report: Any = None
        self.setAccessibleName("Who saw what")
        self.kind = combo([("case", "Case reference"), ("person", "Person id")])
        self.kind.setAccessibleName("Record kind")
        self.subject = QLineEdit()
        self.subject.setPlaceholderText("e.g. ASB-2026-000123, or a person's id")
        self.subject.setAccessibleName("Record")
        self.subject.returnPressed.connect(self.show_report)
        kind_label = QLabel("Re&cord kind")
        kind_label.setBuddy(self.kind)
        subject_label = QLabel("Rec&ord")
        subject_label.setBuddy(self.subject)
        self.show_button = _button("&Show who saw it", self.show_report)
        row = QHBoxLayout()
        for w in (kind_label, self.kind, subject_label, self.subject, self.show_button):
            row.addWidget(w)
        row.setStretch(3, 1)
        self.summary = QLabel("Every view, search hit, export and change is in the audit "
                              "trail. Asking is audited too.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Who saw what summary")
        self.table = RecordTable([
            ("When (UTC)", lambda e: e.when.strftime("%d %b %Y %H:%M:%S")),
            ("User", lambda e: e.username), ("Kind", lambda e: humanise(e.kind)),
            ("Action", lambda e: e.action), ("Via", lambda e: e.via),
            ("Reason", lambda e: e.reason)], "Access entries")
        box = QVBoxLayout(self)
        box.addLayout(row)
        box.addWidget(self.summary)
        box.addWidget(self.table, 1)
        QWidget.setTabOrder(self.kind, self.subject)
        QWidget.setTabOrder(self.subject, self.show_button)
        QWidget.setTabOrder(self.show_button, self.table)

    def show_report(self) -> None:
        from casework.safeguards import who_saw

        text, kind, ws = self.subject.text().strip(), self.kind.currentData(), self.ws
        if not text:
            self.summary.setText("Enter a case reference or a person's id.")
            return
        if kind == "person" and not text.isdigit():
            self.summary.setText("A person is found by their id (a number).")
            return

        def work() -> Any:
            if kind == "person":
                return who_saw.for_person(ws, int(text))
            return who_saw.for_case(ws, text)

        QueryOp(self, work, self._show).failure(
            lambda exc: self.summary.setText(error_text(exc))).run()

    def _show(self, report: Any) -> None:
        self.report = report
        entries = list(reversed(report.entries))
        self.table.set_records(entries)
        name = report.reference or f"{report.subject_type} {report.subject_id}"
        users = ", ".join(report.users) or "nobody"
        self.summary.setText(f"{name}: {len(entries)} entries; users: {users}.")


class DisclosureDialog(FormDialog):
    """Log a disclosure: what went to whom, how and when."""

    def __init__(self, parent: QWidget | None, ws: Any, person_id: int,
                 files: list[Path]) -> None:
        from casework.safeguards.sar import METHODS

        names = ", ".join(f.name for f in files) or "no file"
        super().__init__(parent, "Record a disclosure", submit_label="&Record disclosure",
                         intro=f"Files: {names}. Their digests are kept in the log.")
        self.ws, self.person_id, self.files = ws, person_id, files
        self.add("recipient", "&Given to", QLineEdit(), "Who received it, e.g. the data "
                                                        "subject, or their solicitor")
        self.add("disclosed_on", "&On", date_edit())
        self.add("method", "&How", combo(METHODS, current="secure_email"))
        what = QLineEdit("Redacted copy of the information held")
        self.add("what", "&What", what)

    def on_submit(self) -> None:
        from casework.safeguards.sar import record_disclosure

        v = self.form.values()
        ws, pid, files = self.ws, self.person_id, self.files
        self.submit(lambda: record_disclosure(ws, pid, v["recipient"], v["disclosed_on"],
                                              v["method"], v["what"], files))


class SubjectAccessTab(QWidget):
    """A subject access request: find the person (the search is audited), then export
    everything held about them across every case type, as a redacted copy for disclosure,
    an unredacted review copy and JSON. The request is a task of the officer's, due one
    calendar month after receipt on a working day; the export completes it."""

    def __init__(self, ws: Any, page: Any = None) -> None:
        super().__init__()
        self.ws, self.page = ws, page
        self.last: Any = None
        self.dialog: Any = None
        self.matches: list[Any] = []
        self.setAccessibleName("Subject access")
        self.find = QLineEdit()
        self.find.setPlaceholderText("name (first and/or last) or date of birth dd/mm/yyyy")
        self.find.setAccessibleName("Find the subject")
        self.find.returnPressed.connect(lambda: self.search())
        find_label = QLabel("Find the &subject")
        find_label.setBuddy(self.find)
        self.search_button = _button("Searc&h", lambda: self.search())
        found = QHBoxLayout()
        for w in (find_label, self.find, self.search_button):
            found.addWidget(w)
        found.setStretch(1, 1)
        self.results = RecordTable([
            ("Name", lambda m: m.name), ("Born", lambda m: m.date_of_birth),
            ("Postcode", lambda m: m.postcode), ("Cases", lambda m: m.cases),
            ("Person id", lambda m: m.person_id)], "People found")
        self.results.setMaximumHeight(180)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.currentCellChanged.connect(lambda *_a: self._picked())
        self.results.doubleClicked.connect(lambda _i: self.export_button.setFocus())
        self.person = QLineEdit()
        self.person.setPlaceholderText("chosen from the search, or the person's id")
        self.person.setAccessibleName("Person id")
        self.received = QDateEdit(QDate(clock.today()))
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("dd MMM yyyy")
        self.received.setAccessibleName("Request received on")
        self.received.setMaximumDate(QDate(clock.today()))
        person_label = QLabel("&Person id")
        person_label.setBuddy(self.person)
        received_label = QLabel("Re&ceived on")
        received_label.setBuddy(self.received)
        self.export_button = _button("&Export everything held…", lambda: self.export())
        self.disclose_button = _button("Record disclos&ure…", lambda: self.disclose())
        self.disclose_button.setEnabled(False)
        self.disclose_button.setToolTip("Export first: the disclosure records the files sent.")
        row = QHBoxLayout()
        for w in (person_label, self.person, received_label, self.received,
                  self.export_button, self.disclose_button):
            row.addWidget(w)
        row.setStretch(1, 1)
        self.status = QLabel("The export gathers every case type. It writes a copy for "
                             "disclosure with other people's details blacked out, and a "
                             "review copy showing them highlighted: check it before sending.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Subject access status")
        box = QVBoxLayout(self)
        box.addLayout(found)
        box.addWidget(self.results)
        box.addLayout(row)
        box.addWidget(self.status)
        box.addStretch(1)
        QWidget.setTabOrder(self.find, self.search_button)
        QWidget.setTabOrder(self.search_button, self.results)
        QWidget.setTabOrder(self.results, self.person)
        QWidget.setTabOrder(self.person, self.received)
        QWidget.setTabOrder(self.received, self.export_button)
        QWidget.setTabOrder(self.export_button, self.disclose_button)

    def search(self) -> None:
        """Find people by name or date of birth (audited as a search)."""
        from casework.safeguards.sar import find_subject

        text, ws = self.find.text().strip(), self.ws
        if not text:
            self.status.setText("Type a name or a date of birth to search.")
            self.find.setFocus()
            return

        def shown(matches: list[Any]) -> None:
            self.matches = matches
            self.results.set_records(matches)
            self.status.setText(f"{len(matches)} person(s) found. Choose the one the "
                                "request is about." if matches else
                                "Nobody found: check the spelling, or search by date of "
                                "birth.")
            if matches:
                self.results.setCurrentCell(0, 0)
                self.results.setFocus()

        QueryOp(self, lambda: find_subject(ws, text), shown).failure(
            lambda exc: self.status.setText(error_text(exc))).run()

    def _picked(self) -> None:
        match = self.results.current_record()
        if match is not None:
            self.person.setText(str(match.person_id))

    def export(self, folder: str | None = None) -> None:
        """Write the export to a folder off the GUI thread; Cancel removes what was
        written."""
        from casework.safeguards.sar import export

        text = self.person.text().strip()
        if not text.isdigit():
            self.status.setText("Find the person first, or enter their id (a number).")
            self.person.setFocus()
            return
        if folder is None:
            folder = QFileDialog.getExistingDirectory(
                self, "Folder for the subject access export", str(Path.home()))
            if not folder:
                return
        ws, pid, out = self.ws, int(text), Path(folder)
        q = self.received.date()
        received = date(q.year(), q.month(), q.day())

        def work(progress: Progress) -> Any:
            progress.update(0, 0, "Gathering every record held about this person…")
            result = export(ws, pid, out, received)
            if progress.cancelled:
                for f in result.files:
                    with contextlib.suppress(OSError):
                        f.unlink()
                raise Cancelled()
            return result

        def done(result: Any) -> None:
            self.last = result
            self.disclose_button.setEnabled(True)
            self.status.setText(
                f"Written: {result.redacted.name} (for disclosure, "
                f"{result.marks} item(s) blacked out), {result.review.name} (review copy) "
                f"and {result.json.name}; {result.cases} case(s). Reply due "
                f"{result.request.due_on:%d %b %Y}; the request's task is completed.")

        QueryOp(self, work, done).with_progress("Subject access export…").failure(
            lambda exc: self.status.setText(f"Nothing was exported: {error_text(exc)}")).run()

    def disclose(self) -> Any:
        """Log the disclosure of the last export's redacted copy."""
        if self.last is None:
            self.status.setText("Export first: the disclosure records the files sent.")
            return None
        dlg = DisclosureDialog(self, self.ws, self.last.request.person_id,
                               [self.last.redacted])

        def logged() -> None:
            self.status.setText("Disclosure recorded in the log.")
            if self.page is not None and hasattr(self.page, "disclosures"):
                self.page.disclosures.refresh()

        dlg.accepted.connect(logged)
        dlg.finished.connect(dlg.deleteLater)
        self.dialog = dlg
        dlg.open()
        return dlg


class DisclosureLogTab(QWidget):
    """What was disclosed, to whom and when (newest first)."""

    def __init__(self, ws: Any) -> None:
        super().__init__()
        self.ws = ws
        self.loaded = False
        self.setAccessibleName("Disclosure log")
        self.table = RecordTable([
            ("Disclosed", lambda d: d.disclosed_on), ("Person id", lambda d: d.person_id),
            ("Given to", lambda d: d.recipient), ("How", lambda d: humanise(d.method)),
            ("What", lambda d: d.what), ("Files", lambda d: ", ".join(d.files)),
            ("Recorded by", lambda d: d.recorded_by)], "Disclosures")
        self.summary = QLabel("")
        self.summary.setAccessibleName("Disclosure log summary")
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.table, 1)

    def refresh(self) -> None:
        from casework.safeguards.sar import list_disclosures

        ws = self.ws

        def shown(entries: list[Any]) -> None:
            self.table.set_records(entries)
            self.summary.setText(f"{len(entries)} disclosure(s) recorded." if entries else
                                 "No disclosure recorded yet.")
            self.loaded = True

        QueryOp(self, lambda: list_disclosures(ws), shown).failure(
            lambda exc: self.summary.setText(error_text(exc))).run()


__all__ = ["DisclosureDialog", "DisclosureLogTab", "RetentionDialog", "RetentionTab",
           "SubjectAccessTab", "WhoSawTab"]
