"""The frame every case view shares: a header, the action buttons, and the tabs.

A type's view implements ``load()`` (a service call returning its read model, run off the
GUI thread), ``populate(view)``, and declares its tabs and actions. Tasks, notes,
documents and the record's history are common to all types.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casework.cases import caseview
from ui.common import services
from ui.common.accessibility import prepare
from ui.common.flow import FlowBar
from ui.common.forms import humanise
from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.common.widgets import KeyValues, RecordTable

if TYPE_CHECKING:
    from casework.core.context import Workspace


def _list_row(ws: Any, case_id: int, reference: str) -> Any:
    """The case's line of the case list (officer, team, stage), or None."""
    from casework.cases import caselist

    flt = caselist.CaseFilter(reference_prefix=reference)
    rows = caselist.fetch_cases(ws, flt, 0, 5, "reference", False)
    return next((r for r in rows if r.id == case_id), None)


def template_label(doc: Any) -> str:
    """Which template version a letter was made from ("" for other documents)."""
    if not getattr(doc, "template_key", ""):
        return ""
    return "built-in" if not doc.template_version else f"version {doc.template_version}"


class CaseView(QWidget):
    """A case of one type. Emits ``loaded`` after each (re)load and ``changed`` after an
    action changed it."""

    loaded = Signal()
    changed = Signal()
    case_type = ""

    def __init__(self, ws: Workspace, case_id: int, main: Any = None) -> None:
        super().__init__()
        self.ws = ws
        self.case_id = case_id
        self.main = main
        self.view: Any = None
        self.header: Any = None
        self.load_count = 0
        self.load_error = ""  # why the last load failed (``--screenshot`` exits non-zero)
        self.dialog: QDialog | None = None
        self.setAccessibleName(f"{humanise(self.case_type)} case")
        self.title = QLabel("Loading…")
        self.title.setObjectName("caseTitle")
        self.title.setAccessibleName("Case")
        self.badges = QLabel("")
        self.badges.setObjectName("caseBadges")
        self.case_header = QLabel("")
        self.case_header.setObjectName("caseHeader")
        self.case_header.setAccessibleName("Who is involved")
        self.case_header.setWordWrap(True)
        self.case_header.setTextFormat(Qt.TextFormat.RichText)
        self.case_header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list_row: Any = None  # the case's line of the case list (officer, team, stage)
        self.actions_bar = FlowBar(spacing=6)  # wraps: never forces the window wider
        self.buttons: dict[str, QPushButton] = {}
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Case tabs")
        self.tabs.setObjectName("caseTabs")  # the style fits every tab in 1280 px
        self.tabs.setUsesScrollButtons(True)  # only shown should a tab ever not fit
        self.summary = KeyValues("Summary")
        summary_scroll = QScrollArea()  # a long summary scrolls on a small screen
        summary_scroll.setWidgetResizable(True)
        summary_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        summary_scroll.setWidget(self.summary)
        summary_scroll.setAccessibleName("Summary")
        self.tabs.addTab(summary_scroll, "S&ummary")
        self.people = RecordTable([("Name", lambda p: p.name), ("Role", lambda p: humanise(p.role)),
                                   ("Date of birth", lambda p: p.date_of_birth),
                                   ("Agency", lambda p: p.agency)], "People")
        self.people.doubleClicked.connect(self._open_person)
        self.build_tabs()
        self.tasks = RecordTable([("Due", lambda t: t.due_on), ("Task", lambda t: t.title),
                                  ("Done", lambda t: t.completed_on)], "Tasks")
        self.notes = RecordTable([("When", lambda n: n.created_at), ("By", lambda n: n.author),
                                  ("Shareable", lambda n: n.shareable),
                                  ("Note", lambda n: n.body)], "Notes")
        self.documents = RecordTable([("Created", lambda d: d.created_at[:16].replace("T", " ")),
                                      ("Title", lambda d: d.title),
                                      ("Kind", lambda d: humanise(d.kind)),
                                      ("Template", template_label),
                                      ("Size", lambda d: f"{d.size / 1024:.0f} KB")],
                                     "Documents")
        self.evidence = RecordTable([("Dated", lambda e: e.evidence_on),
                                     ("Kind", lambda e: humanise(e.evidence_type)),
                                     ("Description", lambda e: e.description),
                                     ("File", lambda e: e.file_name),
                                     ("Added by", lambda e: e.added_by),
                                     ("Size", lambda e: f"{e.size / 1024:.0f} KB")],
                                    "Evidence")
        self.evidence.activated.connect(lambda *_: self.open_evidence())
        self.linked = RecordTable([("Reference", lambda c: c.reference),
                                   ("Type", lambda c: humanise(c.case_type)),
                                   ("Status", lambda c: humanise(c.status)),
                                   ("Opened", lambda c: c.opened_on),
                                   ("Shares", lambda c: humanise(c.via))], "Linked cases")
        self.linked.empty_text = ("No other case you may see shares a person or an address "
                                  "with this one.")
        self.linked.doubleClicked.connect(lambda *_: self._open_linked())
        self.linked.setToolTip("Cases sharing a person or an address with this one. "
                               "Double-click to open one.")
        self.history = RecordTable([("When (UTC)", lambda h: h.when),
                                    ("User", lambda h: h.username),
                                    ("Action", lambda h: h.action),
                                    ("Reason", lambda h: h.reason)], "History")
        self.tabs.insertTab(1, self.people, "&People")
        for widget, label in ((self.tasks, "T&asks"), (self.notes, "N&otes"),
                              (self.documents, "&Documents"), (self.evidence, "E&vidence"),
                              (self.linked, "Linked cases"), (self.history, "&History")):
            self.tabs.addTab(widget, label)

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.badges)
        head.addStretch(1)
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setAccessibleName("Case status message")
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 6, 4, 4)  # the width goes to the tab bar
        box.addLayout(head)
        box.addWidget(self.case_header)
        box.addWidget(self.actions_bar)
        box.addWidget(self.status)
        box.addWidget(self.tabs, 1)
        if services.can(ws.actor, "case.write"):
            self.build_actions()
            self.add_action("note", "Add &note…", self.add_note)
            self.add_action("party", "Add person…", self.add_party)
            self.add_action("transfer", "Trans&fer…", self.transfer)
            self.add_action("close", "&Close with outcome…", self.close_case)
            self.add_action("reopen", "Reope&n…", self.reopen)  # Alt+O is the Notes tab
            self.add_action("evidence", "Attach evidence…", self.attach_evidence)
        if services.can(ws.actor, "export.case"):
            self.add_action("summary", "Print summary…", lambda: self.print_summary())
            self.add_action("bundle", "Court bundle…", lambda: self.court_bundle())
        self.add_action("open_document", "Open docu&ment", self.open_document)
        self.buttons["open_document"].setToolTip(
            "Open the chosen letter in the Documents tab (or double-click it)")
        self.documents.activated.connect(lambda *_: self.open_document())
        self.actions_bar.addStretch(1)
        prepare(self)
        from ui.common.changes import bus

        bus().changed.connect(self._on_change)
        self.reload()

    # -- for subclasses -----------------------------------------------------------------
    def build_tabs(self) -> None:
        """Add the type's own tabs (incidents, complaints, steps...)."""

    def build_actions(self) -> None:
        """Add the type's action buttons with ``add_action``."""

    def load(self) -> Any:
        """Return the type's read model (runs off the GUI thread)."""
        raise NotImplementedError

    def populate(self, view: Any) -> None:
        """Show the read model."""

    def header_of(self, view: Any) -> Any:
        return getattr(view, "header", None) or getattr(view, "case", None)

    # -- shared -------------------------------------------------------------------------
    def add_action(self, key: str, label: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(label)
        button.setAccessibleName(label.replace("&", "").rstrip("…"))
        button.setObjectName(f"action_{key}")
        button.clicked.connect(slot)
        self.actions_bar.addWidget(button)
        self.buttons[key] = button
        return button

    def add_tab(self, widget: QWidget, label: str) -> None:
        self.tabs.addTab(widget, label)

    def reload(self) -> None:
        """Load the case and its common parts in the background."""
        ws, case_id, load = self.ws, self.case_id, self.load

        def work() -> tuple[Any, caseview.CaseParts, Any, Any, Any]:
            from casework.cases.evidence import list_evidence
            from casework.cases.transitions import linked_cases

            view, parts = load(), caseview.case_parts(ws, case_id)
            return (view, parts, _list_row(ws, case_id, parts.header.reference),
                    list_evidence(ws, case_id), linked_cases(ws, case_id))

        # Only the newest load is shown: a reload asked for while an older one is still
        # running (an action, then a change announced by another screen) must not let the
        # older, staler result land last or count as the newer one.
        self._generation = generation = getattr(self, "_generation", 0) + 1

        def shown(loaded: tuple[Any, ...]) -> None:
            if generation == self._generation:
                self._show(loaded)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._failed(exc)

        QueryOp(self, work, shown).failure(failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.title.setText("This case could not be opened")
        self.load_error = f"the case could not be opened: {error_text(exc)}"
        self.status.setText(error_text(exc))
        self.load_count += 1
        self.loaded.emit()

    def _show(self, loaded: tuple[Any, ...]) -> None:
        view, parts = loaded[0], loaded[1]
        self.list_row = loaded[2] if len(loaded) > 2 else None
        self.load_error = ""
        self.view = view
        self.parts = parts
        self.header = h = self.header_of(view) or parts.header
        if h is not None:
            self.title.setText(f"{h.reference}  ·  {humanise(h.case_type)}")
            self.badges.setText(f"{humanise(h.status)} · {humanise(h.risk_level)} risk")
            closed = h.status == "closed"
            from ui.common.guard import disable_with_reason

            for key, button in self.buttons.items():
                disable_with_reason(button, "the case is closed" if closed and key not in
                                    self._always_enabled() else None)
                # a closed case shows only what it still allows (Reopen, documents)
                button.setVisible(not closed or key in self._always_enabled())
        self.case_header.setText(self.header_text(parts))
        self.people.set_records(parts.people)
        self.tasks.set_records(parts.tasks)
        self.notes.set_records(parts.notes)
        self.documents.set_records(parts.documents)
        from ui.common.guard import disable_with_reason

        disable_with_reason(self.buttons["open_document"], None if parts.documents else
                            "this case has no documents yet")
        self.evidence.set_records(loaded[3] if len(loaded) > 3 else ())
        self.linked.set_records(loaded[4] if len(loaded) > 4 else ())
        if "reopen" in self.buttons and h is not None:
            closed = h.status == "closed"
            disable_with_reason(self.buttons["reopen"], None if closed else "the case is open")
            self.buttons["reopen"].setVisible(closed)
        self.history.set_records(parts.history)
        try:
            self.populate(view)
        finally:
            self._count_tabs()
            self.load_count += 1
        self.loaded.emit()

    def header_text(self, parts: caseview.CaseParts) -> str:
        """Who is involved and what comes next: the parties by name and role, the
        officer's name, the team, the stage and the next deadline."""
        from html import escape

        def pair(key: str, value: str, keep: bool = True) -> str:
            # A name is never broken over two lines: the line wraps between the parts.
            shown = escape(value).replace(" ", "&nbsp;") if keep else escape(value)
            return f"<span style='font-weight:600'>{escape(key)}</span>&nbsp;{shown}"

        items = [pair(humanise(p.role), p.name) for p in parts.people]
        if not parts.people:
            items.append(pair("People", "nobody recorded yet"))
        row = self.list_row
        if row is not None:
            cases = self.main.page("cases") if self.main is not None else None
            lst = getattr(cases, "list_view", None)
            names = lst.model.owner_names if lst is not None else {}
            items.append(pair("Officer", names.get(row.owner, row.owner) or "not assigned"))
            if row.team:
                items.append(pair("Team", row.team))
            if row.stage:
                items.append(pair("Stage", row.stage))
        due = sorted((t for t in parts.tasks if t.completed_on is None),
                     key=lambda t: t.due_on)
        if due:
            when = f"{due[0].due_on:%d %b %Y}".replace(" ", "&nbsp;")
            items.append(pair("Next deadline", f"{due[0].title},", keep=False) + f" {when}")
        return " &nbsp;·&nbsp; ".join(items)

    def _count_tabs(self) -> None:
        """Show how many rows each list tab holds, e.g. "Incidents (3)"."""
        labels = getattr(self, "_tab_labels", None)
        if labels is None:
            labels = self._tab_labels = [self.tabs.tabText(i) for i in range(self.tabs.count())]
        for i, label in enumerate(labels):
            w = self.tabs.widget(i)
            if isinstance(w, RecordTable) and w is not self.history:
                self.tabs.setTabText(i, f"{label} ({w.rowCount()})")

    def _open_linked(self) -> None:
        c = self.linked.current_record()
        if c is not None and self.main is not None:
            self.main.open_case(c.case_id, c.reference)

    def open_when_closed(self) -> frozenset[str]:
        return frozenset()

    def _always_enabled(self) -> frozenset[str]:
        return frozenset({"open_document", "reopen"}) | self.open_when_closed()

    def open_document(self) -> None:
        """Open the chosen document (the newest if none is chosen) in the viewer."""
        from ui.common.documents import open_document

        doc = self.documents.current_record()
        if doc is None and self.documents.records:
            doc = self.documents.records[0]
        if doc is None:
            self.status.setText("This case has no documents yet.")
            return
        self.tabs.setCurrentWidget(self.documents)
        open_document(self, self.ws, doc.id,
                      lambda _p: self.status.setText(f"Opened “{doc.title}”."))

    def after_change(self, message: str, result: Any = None) -> None:
        """Show what an action did, reload the case, and tell every open screen."""
        from ui.common.changes import CASE, TASK, announce, change_of

        self.status.setText(message)
        self.changed.emit()
        self.reload()
        announce(change_of(result, self.case_id, self, (CASE, TASK)))

    def _on_change(self, change: Any) -> None:
        if change.source is not self and self.case_id in change.case_ids:
            self.reload()

    def run_dialog(self, dialog: QDialog, message: str) -> QDialog:
        """Open an action dialog (window-modal, non-blocking); reload the case when it is
        accepted. The open dialog is ``self.dialog`` (tests drive it)."""
        self.dialog = dialog
        if getattr(dialog, "versioned", False) and self.header is not None:
            from casework.cases.caseview import case_header
            from ui.common.changes import CASE, Change

            ws, case_id = self.ws, self.case_id
            dialog.expect_version(  # type: ignore[attr-defined]
                getattr(self.header, "version", None),
                lambda: case_header(ws, case_id).version, Change({case_id}, {CASE}))
        dialog.accepted.connect(
            lambda: self.after_change(message, getattr(dialog, "result_value", None)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _open_person(self, *_: Any) -> None:
        record = self.people.current_record()
        if record is not None and self.main is not None:
            self.main.open_person(record.person_id)

    def add_note(self) -> None:
        from ui.cases.dialogs import NoteDialog

        self.run_dialog(NoteDialog(self, self.ws, self.case_id), "Note added.")

    def close_case(self) -> None:
        from casework.cases.lifecycle import open_items
        from ui.cases.dialogs import CloseDialog

        ws, case_id = self.ws, self.case_id
        QueryOp(self, lambda: open_items(ws, case_id),
                lambda items: self.run_dialog(
                    CloseDialog(self, ws, case_id, self.case_type, items),
                    "Case closed.")).run()

    def attach_evidence(self) -> None:
        from ui.cases.dialogs import EvidenceDialog

        self.run_dialog(EvidenceDialog(self, self.ws, self.case_id), "Evidence attached.")

    def open_evidence(self) -> None:
        """Open the chosen evidence file (audited) through the private temporary folder."""
        from ui.common.documents import open_document

        item = self.evidence.current_record()
        if item is None and self.evidence.records:
            item = self.evidence.records[0]
        if item is None:
            self.status.setText("This case has no evidence yet.")
            return
        open_document(self, self.ws, item.document_id,
                      lambda _p: self.status.setText("Opened the evidence file."))

    def print_summary(self, out: str | None = None) -> None:
        """The printable case summary (an identifiable PDF, audited), off the GUI thread."""
        from casework.sharing.case_outputs import export_case_summary
        from ui.common.exports import describe, run_export

        ref = self.header.reference if self.header is not None else str(self.case_id)
        if out is None:
            out, _ = QFileDialog.getSaveFileName(
                self, "Save the case summary", str(Path.home() / f"{ref}-summary.pdf"),
                "PDF (*.pdf)")
            if not out:
                return
        run_export(self, "Printing the case summary…", export_case_summary,
                   (self.ws, self.case_id, Path(out)),
                   lambda r: self.status.setText(describe(r)),
                   lambda exc: self.status.setText(f"The summary was not written: "
                                                   f"{error_text(exc)}"))

    def court_bundle(self, folder: str | None = None) -> None:
        """The court bundle (index PDF and the evidence files) into a new folder inside
        the one chosen, audited."""
        from casework.sharing.case_outputs import export_court_bundle
        from ui.common.exports import run_export

        ref = self.header.reference if self.header is not None else str(self.case_id)
        if folder is None:
            folder = QFileDialog.getExistingDirectory(
                self, "Choose where to put the court bundle", str(Path.home()))
            if not folder:
                return
        out = Path(folder) / f"{ref}-court-bundle"
        run_export(self, "Making the court bundle…", export_court_bundle,
                   (self.ws, self.case_id, out),
                   lambda r: self.status.setText(
                       f"Court bundle written to {out.name}: the index and "
                       f"{len(r.files) - 1} evidence file(s)."),
                   lambda exc: self.status.setText(f"The bundle was not written: "
                                                   f"{error_text(exc)}"))

    def add_party(self) -> None:
        from ui.cases.dialogs import PartyDialog

        self.run_dialog(PartyDialog(self, self.ws, self.case_id, self.case_type),
                        "Person added.")

    def reopen(self) -> None:
        from ui.cases.dialogs import ReopenDialog

        self.run_dialog(ReopenDialog(self, self.ws, self.case_id), "Case reopened.")

    def transfer(self) -> None:
        from casework.cases.transitions import transfer_choices
        from ui.cases.dialogs import TransferDialog

        ws, case_id = self.ws, self.case_id
        team = self.header.team_id if self.header is not None else None
        QueryOp(self, lambda: transfer_choices(ws, case_id),
                lambda choices: self.run_dialog(
                    TransferDialog(self, ws, case_id, team, choices),
                    "Case transferred.")).run()

    def is_ready(self) -> bool:
        return self.load_count > 0
