"""File → Import cases…: a workbook with a sheet per case type, or a CSV of one type (and
its incidents or complaints), imported all or nothing with a progress window whose Cancel
leaves nothing imported; "Save template…" writes the template workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ui.common.ops import Cancelled, Progress, QueryOp, error_text
from ui.common.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

KIND_LABELS = (("asb", "ASB cases"), ("trigger", "Community Trigger applications"),
               ("swip", "SWIP referrals"), ("mart", "MART referrals"),
               ("sanctuary", "Sanctuary jobs"))


class ImportDialog(QDialog):
    def __init__(self, parent: QWidget | None, ws: Any) -> None:
        super().__init__(parent)
        self.ws = ws
        self.summary: Any = None
        self.setWindowTitle("Import cases")
        self.setAccessibleName("Import cases")
        self.resize(640, 420)
        box = QVBoxLayout(self)
        intro = QLabel("An Excel workbook with a sheet per case type (see the template), or "
                       "a CSV file of one type. Every row is checked first: one bad row "
                       "and nothing is imported.")
        intro.setWordWrap(True)
        box.addWidget(intro)
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName("File to import")
        form.addRow(self._label("&File", self.path), self._with_browse(self.path, "&Browse…",
                                                                       self.browse))
        self.kind = QComboBox()
        for code, label in KIND_LABELS:
            self.kind.addItem(label, code)
        self.kind.setAccessibleName("Case type of a CSV file")
        form.addRow(self._label("Case &type (CSV)", self.kind), self.kind)
        self.child = QLineEdit()
        self.child.setAccessibleName("Incidents or complaints CSV")
        form.addRow(self._label("&Incidents or complaints (CSV)", self.child),
                    self._with_browse(self.child, "Br&owse…", self.browse_child))
        box.addLayout(form)
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setAccessibleName("Import result")
        box.addWidget(self.result, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = buttons.addButton("I&mport", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(self.start)
        self.template_button = buttons.addButton("&Save template…",
                                                 QDialogButtonBox.ButtonRole.ActionRole)
        self.template_button.clicked.connect(self.choose_template)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    @staticmethod
    def _with_browse(edit: QLineEdit, text: str, slot: Any) -> QWidget:
        host = QWidget()
        row = QHBoxLayout(host)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton(text)
        button.setAccessibleName(f"Browse for the {edit.accessibleName().lower()}")
        button.clicked.connect(slot)
        row.addWidget(button)
        return host

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose the file to import", "",
                                              "Workbooks and CSV (*.xlsx *.csv);;All (*)")
        if name:
            self.path.setText(name)

    def browse_child(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose the incidents or complaints",
                                              "", "CSV (*.csv);;All (*)")
        if name:
            self.child.setText(name)

    def choose_template(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the template workbook",
                                              "import-template.xlsx", "Workbook (*.xlsx)")
        if name:
            self.save_template(Path(name))

    def save_template(self, dest: Path) -> None:
        from casework.imports.files import template_bytes

        try:
            dest.write_bytes(template_bytes())
        except OSError as exc:
            self.result.setPlainText(f"The template could not be written: {exc.strerror}.")
            return
        self.result.setPlainText(f"Template written to {dest}.")

    def start(self) -> None:
        path = Path(self.path.text().strip()).expanduser()
        child_text = self.child.text().strip()
        child = Path(child_text).expanduser() if child_text else None
        for p in (path, child):
            if p is not None and not p.is_file():
                self.result.setPlainText(f"No such file: {p}. Nothing was imported.")
                return
        kind = self.kind.currentData()
        ws = self.ws

        def op(progress: Progress) -> Any:
            from casework.imports.files import import_file

            def report(sheet: str, done: int) -> None:
                progress.update(done, 0, f"Importing {sheet}: {done:,} row(s) written…")

            content = path.read_bytes()
            extra = child.read_bytes() if child is not None else None
            progress.check()
            return import_file(ws, content, kind, child=extra, progress=report)

        self.import_button.setEnabled(False)
        self.result.setPlainText("Checking every row…")
        QueryOp(self, op, self._done).failure(self._failed) \
            .with_progress("Importing: checking every row…").run()

    def _done(self, summary: Any) -> None:
        self.summary = summary
        self.import_button.setEnabled(True)
        self.result.setPlainText("Imported:\n" + "\n".join(summary.lines))

    def _failed(self, exc: BaseException) -> None:
        from casework.core.tabular import ImportRejected

        self.import_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.result.setPlainText("The import was cancelled. Nothing was imported.")
        elif isinstance(exc, ImportRejected):
            lines = [str(e) for e in exc.errors]
            if exc.total > len(exc.errors):
                lines.append(f"… and {exc.total - len(exc.errors)} more problem(s).")
            self.result.setPlainText(f"The file was rejected ({exc.total} problem(s)); "
                                     "nothing was imported.\n" + "\n".join(lines))
        else:
            self.result.setPlainText(error_text(exc))
