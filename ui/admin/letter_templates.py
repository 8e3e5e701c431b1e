"""Administration → Letter templates: the wording of every letter, edited and versioned.

On the left the templates; in the middle the current text in an editor, with Preview
(the text laid out with synthetic sample data and the council's letterhead, opened from a
private temporary file like any letter) and Save as new version… (asks for the reason);
on the right the placeholders the letter may use (Insert puts one at the cursor), what the
law requires the letter to keep, and the history: every version, which can be viewed and
reverted to (a revert saves a copy as the newest version). Unsaved edits are never thrown
away without asking. When the standard wording of a template changed since the council's
wording was edited from it, the list and the editor say so and offer the comparison,
keeping the council's wording as reviewed, or the standard wording; new letters use the
council's wording until then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ui.common.forms import FormDialog
from ui.common.guard import GuardedDialog, confirm_discard
from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QDialogButtonBox,
    QFont,
    QFontDatabase,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    Qt,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from ui.common.widgets import RecordTable, add_buttons


def _version_label(version: int) -> str:
    return "built-in" if version == 0 else f"version {version}"


class ReasonDialog(FormDialog):
    """Ask why a template changes, then run the save (or revert) with that reason."""

    def __init__(self, parent: QWidget | None, title: str, intro: str, label: str,
                 action: Any) -> None:
        super().__init__(parent, title, intro=intro, submit_label=label)
        self.action = action
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(70)
        self.add("reason", "&Reason", self.reason,
                 "Recorded with the version and in the audit trail: say what changed and "
                 "why, never a person's details")

    def on_submit(self) -> None:
        reason = self.reason.toPlainText()
        self.submit(lambda: self.action(reason))


class VersionDialog(GuardedDialog):
    """A text shown read only: an older version, or the comparison with the standard."""

    def __init__(self, parent: QWidget | None, title: str, text: str,
                 intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(640, 480)
        box = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            box.addWidget(label)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Version text")
        box.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)


class LetterTemplatesTab(QWidget):
    """The template list, the editor and the history of the chosen template."""

    def __init__(self, ws: Any, page: Any) -> None:
        super().__init__()
        self.ws, self.page = ws, page
        self.loaded = False
        self.detail: Any = None  # the chosen template as last loaded
        self.dialog: Any = None
        self.previewed: Any = None  # the last preview's private file
        self._choosing = False
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        outer = QVBoxLayout(self)
        outer.addWidget(splitter, 1)

        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setAccessibleName("Letter templates")
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(self._chosen)
        heading = QLabel("&Templates")
        heading.setBuddy(self.list)
        lbox.addWidget(heading)
        lbox.addWidget(self.list, 1)
        splitter.addWidget(left)

        middle = QWidget()
        mbox = QVBoxLayout(middle)
        mbox.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        mbox.addWidget(self.caption)
        self.buttons: dict[str, QPushButton] = {}
        # shown when the standard wording changed since the council's wording was edited
        self.standard = QWidget()
        self.standard.setObjectName("standardChanged")
        sbox = QVBoxLayout(self.standard)
        sbox.setContentsMargins(0, 0, 0, 0)
        self.standard_note = QLabel("")
        self.standard_note.setWordWrap(True)
        self.standard_note.setAccessibleName("Standard wording changed")
        self.standard_note.setStyleSheet("color:#8a4b00")
        self.standard_note.setSizePolicy(QSizePolicy.Policy.Preferred,
                                         QSizePolicy.Policy.Minimum)
        sbox.addWidget(self.standard_note)
        srow = QHBoxLayout()
        add_buttons(srow, self.buttons, (
            ("compare", "&Compare…", self.compare),
            ("keep", "Keep our wordin&g…", self.keep_reviewed),
            ("standard", "Use standard…", self.use_standard)))
        self.buttons["compare"].setToolTip("Your wording beside the standard wording, line "
                                           "by line")
        self.buttons["keep"].setToolTip("Keep your wording, recorded as reviewed against "
                                        "the standard wording of this release")
        self.buttons["standard"].setToolTip("Revert to the standard (built-in) wording; "
                                            "yours stays in the history")
        srow.addStretch(1)
        sbox.addLayout(srow)
        self.standard.hide()
        mbox.addWidget(self.standard)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Template text")
        self.editor.setTabChangesFocus(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(font)
        self.editor.textChanged.connect(self._edited)
        text_label = QLabel("Te&xt: a 'title:' line, a blank line, then the body "
                            "(a blank line between paragraphs)")
        text_label.setWordWrap(True)
        text_label.setBuddy(self.editor)
        mbox.addWidget(text_label)
        mbox.addWidget(self.editor, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Template message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mbox.addWidget(self.message)
        row = QHBoxLayout()
        add_buttons(row, self.buttons, (("preview", "Pre&view", self.preview),
                                        ("save", "&Save as new version…", self.save),
                                        ("undo", "Undo ch&anges", self.undo)))
        row.addStretch(1)
        mbox.addLayout(row)
        splitter.addWidget(middle)

        # the right pane: placeholders, what must stay, the history (one at a time)
        self.side = QTabWidget()
        self.side.setAccessibleName("Template details")
        holder = QWidget()
        pbox = QVBoxLayout(holder)
        self.fields = QListWidget()
        self.fields.setAccessibleName("Placeholders")
        self.fields.setWordWrap(True)
        self.fields.itemActivated.connect(lambda _i: self.insert_field())
        pbox.addWidget(QLabel("Enter or double-click puts one at the cursor."))
        pbox.addWidget(self.fields, 1)
        insert = QPushButton("&Insert placeholder")
        insert.setAccessibleName("Insert placeholder")
        insert.clicked.connect(self.insert_field)
        self.buttons["insert"] = insert
        pbox.addWidget(insert)
        self.side.addTab(holder, "&Placeholders")
        self.required = QLabel("")
        self.required.setWordWrap(True)
        self.required.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.required.setAccessibleName("Required content")
        self.required.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.required)
        self.side.addTab(scroll, "Re&quired")
        past = QWidget()
        hbox = QVBoxLayout(past)
        self.history = RecordTable([
            ("Version", lambda v: _version_label(v.version)),
            ("Saved", lambda v: v.created_at[:16].replace("T", " ") or "packaged"),
            ("By", lambda v: v.created_by),
            ("Reason", lambda v: v.reason
             + (f" (copy of {_version_label(v.reverted_from)})"
                if v.reverted_from is not None else ""))], "Template history")
        self.history.setSelectionMode(self.history.SelectionMode.SingleSelection)
        self.history.activated.connect(lambda _i: self.view_version())
        hbox.addWidget(self.history, 1)
        hrow = QHBoxLayout()
        add_buttons(hrow, self.buttons, (("view", "View versi&on…", self.view_version),
                                         ("revert", "&Revert to this version…", self.revert)))
        hrow.addStretch(1)
        hbox.addLayout(hrow)
        self.side.addTab(past, "&History")
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([270, 560, 400])
        self._edited()

    # -- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the list (and the chosen template unless it has unsaved edits)."""
        from casework.cases.letter_templates import list_templates

        ws = self.ws
        QueryOp(self, lambda: list_templates(ws), self._show_list).failure(
            lambda exc: self.page.set_status(error_text(exc))).run()

    def _show_list(self, items: list[Any]) -> None:
        keep = self.key()
        self._choosing = True
        self.list.clear()
        for t in items:
            youth = " — under 18" if t.key.endswith("_youth") else ""
            flag = " — standard wording changed" if t.standard_changed else ""
            entry = QListWidgetItem(f"{t.title}{youth} ({_version_label(t.version)}){flag}")
            entry.setData(Qt.ItemDataRole.UserRole, t.key)
            entry.setToolTip(t.key + ("\nThe standard wording changed since this template "
                                      "was edited: review it" if flag else ""))
            self.list.addItem(entry)
        keys = [t.key for t in items]
        self.list.setCurrentRow(keys.index(keep) if keep in keys else 0)
        self._choosing = False
        self.loaded = True
        if not self.is_dirty():
            self.load(self.key())

    def key(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def load(self, key: str) -> None:
        from casework.cases.letter_templates import template_detail

        if not key:
            return
        ws = self.ws
        QueryOp(self, lambda: template_detail(ws, key), self._show_detail).failure(
            lambda exc: self.page.set_status(error_text(exc))).run()

    def _show_detail(self, detail: Any) -> None:
        if detail.key != self.key():
            return  # a load for an earlier choice, answered after a later one
        self.detail = detail
        self.editor.blockSignals(True)
        self.editor.setPlainText(detail.text)
        self.editor.blockSignals(False)
        self.fields.clear()
        for name, what in detail.fields:
            entry = QListWidgetItem(f"${name}: {what}")
            entry.setData(Qt.ItemDataRole.UserRole, name)
            self.fields.addItem(entry)
        self.fields.setCurrentRow(0)
        self.required.setText("<b>The law requires this letter to keep:</b><ul>"
                              + "".join(f"<li>{_html(r)}</li>" for r in detail.required)
                              + "</ul>A text without one of these is refused.")
        self.history.set_records(detail.history)
        self.message.setText("")
        self.standard_note.setText(detail.standard.message)
        self.standard.setVisible(detail.standard.changed)
        self._edited()

    def _chosen(self, _row: int) -> None:
        if self._choosing:
            return
        key = self.key()
        if self.detail is not None and key != self.detail.key and self.is_dirty() \
                and not confirm_discard(self):
            self._choosing = True
            keys = [str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                    for i in range(self.list.count())]
            self.list.setCurrentRow(keys.index(self.detail.key))
            self._choosing = False
            return
        self.load(key)

    # -- editing ------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return self.detail is not None and self.editor.toPlainText() != self.detail.text

    def _edited(self) -> None:
        dirty = self.is_dirty()
        self.buttons["save"].setEnabled(dirty)
        self.buttons["undo"].setEnabled(dirty)
        have = self.detail is not None
        for key in ("preview", "insert", "view", "revert"):
            self.buttons[key].setEnabled(have)
        if self.detail is not None:
            self.caption.setText(
                f"<b>{_html(self.detail.title)}</b>: current text is "
                f"{_version_label(self.detail.version)}"
                + (" — <i>edited, not saved</i>" if dirty else ""))

    def insert_field(self) -> None:
        item = self.fields.currentItem()
        if item is None:
            return
        self.editor.insertPlainText(f"${item.data(Qt.ItemDataRole.UserRole)}")
        self.editor.setFocus()

    def undo(self) -> None:
        if self.detail is None or not self.is_dirty() or not confirm_discard(self):
            return
        self._show_detail(self.detail)

    def preview(self) -> None:
        """Lay the editor's text out with sample data and open it (not saved)."""
        from casework.cases.letter_templates import preview_template

        if self.detail is None:
            return
        ws, key, text = self.ws, self.detail.key, self.editor.toPlainText()

        def shown(pdf: bytes) -> None:
            from ui.common.documents import KEEP_MS, forget, write_private
            from ui.common.qt import QDesktopServices, QTimer, QUrl

            path = write_private(0, "application/pdf", pdf)  # private temp, 0600
            self.previewed = path
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            QTimer.singleShot(KEEP_MS, lambda: forget(path))
            self.message.setText("Preview opened: sample data, not a real letter.")
        QueryOp(self, lambda: preview_template(ws, key, text), shown).failure(
            self._refused).run()

    def _refused(self, exc: BaseException) -> None:
        self.message.setText(f"<span style='color:#a4262c'>{_html(error_text(exc))}</span>")

    def save(self) -> None:
        from casework.cases.letter_templates import save_template

        if self.detail is None or not self.is_dirty():
            return
        ws, key, text = self.ws, self.detail.key, self.editor.toPlainText()
        self._ask(ReasonDialog(
            self, "Save as new version",
            f"“{self.detail.title}” becomes {_version_label(self.detail.version + 1)}, used "
            "for every new letter from now on. Letters already issued keep their wording.",
            "&Save version", lambda reason: save_template(ws, key, text, reason)))

    def _chosen_version(self) -> Any:
        version = self.history.current_record()
        if version is None:
            self.message.setText("Choose a version in the history first.")
        return version

    def view_version(self) -> None:
        version = self._chosen_version()
        if version is None or self.detail is None:
            return
        self.dialog = VersionDialog(self, f"{self.detail.title}: "
                                    f"{_version_label(version.version)}", version.text)
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.open()

    def revert(self) -> None:
        from casework.cases.letter_templates import revert_template

        version = self._chosen_version()
        if version is None or self.detail is None:
            return
        if version.version == self.detail.version:
            self.message.setText("That is the current version already.")
            return
        if self.is_dirty() and not confirm_discard(self):
            return
        ws, key, number = self.ws, self.detail.key, version.version
        self._ask(ReasonDialog(
            self, "Revert to an older version",
            f"A copy of {_version_label(number)} becomes "
            f"{_version_label(self.detail.version + 1)}; every version stays in the history.",
            "&Revert", lambda reason: revert_template(ws, key, number, reason)))

    def compare(self) -> None:
        """The standard wording beside the council's: what each has that the other has
        not, line by line."""
        from casework.cases.letter_templates import compare_with_standard

        if self.detail is None:
            return
        ws, key, title = self.ws, self.detail.key, self.detail.title

        def shown(diff: str) -> None:
            self.dialog = VersionDialog(
                self, f"{title}: your wording and the standard wording",
                diff or "Your wording is the same as the standard wording.",
                "Lines starting “-” are in the standard wording only; lines starting “+” "
                "are in your council's wording only.")
            self.dialog.finished.connect(self.dialog.deleteLater)
            self.dialog.open()
        QueryOp(self, lambda: compare_with_standard(ws, key), shown).failure(
            self._refused).run()

    def keep_reviewed(self) -> None:
        from casework.cases.letter_templates import keep_reviewed

        self._ask_for_current(
            "Keep your wording", lambda d: (
                f"Your wording of “{d.title}” stays as it is, saved as "
                f"{_version_label(d.version + 1)} and recorded as reviewed against the "
                "standard wording of this release."),
            "&Keep wording", keep_reviewed)

    def use_standard(self) -> None:
        """Revert to the built-in text (the standard wording of this release)."""
        from casework.cases.letter_templates import revert_template

        self._ask_for_current(
            "Use the standard wording", lambda d: (
                f"The standard wording becomes {_version_label(d.version + 1)}; your "
                "wording stays in the history and can be reverted to."),
            "&Use standard", lambda ws, key, reason: revert_template(ws, key, 0, reason))

    def _ask_for_current(self, title: str, intro: Callable[[Any], str], label: str,
                         call: Callable[[Any, str, str], Any]) -> None:
        """Ask the reason for a change to the chosen template (after asking whether to
        drop unsaved edits), then run ``call(ws, key, reason)``."""
        if self.detail is None or (self.is_dirty() and not confirm_discard(self)):
            return
        ws, key = self.ws, self.detail.key
        self._ask(ReasonDialog(self, title, intro(self.detail), label,
                               lambda reason: call(ws, key, reason)))

    def _ask(self, dialog: ReasonDialog) -> None:
        self.dialog = dialog

        def saved() -> None:
            v = dialog.result_value
            self.page.set_status(f"Saved {_version_label(v.version)} of the template.")
            if self.detail is not None:
                self.detail = None  # the saved text becomes the loaded one
            self.refresh()
        dialog.accepted.connect(saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()


def _html(text: str) -> str:
    from html import escape

    return escape(text)
