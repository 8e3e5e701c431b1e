"""Search as you type: people, case references and addresses.

Typing restarts a short timer (debounce); when it fires the search runs off the GUI
thread; answers to an older query are dropped. Results drop down under the box: Down
moves into them, Enter opens one, Escape closes the list.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from casework.cases.search import search
from ui.common.ops import QueryOp
from ui.common.qt import (
    QEvent,
    QKeyEvent,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)

if TYPE_CHECKING:
    from casework.core.context import Workspace
    from ui.shell.mainwindow import MainWindow

DEBOUNCE_MS = 180
LIMIT = 20
MORE = "more"  # the data of the "show more results" row
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def readable_dates(text: str) -> str:
    """ISO dates in a result's detail read as everywhere else: 05 Mar 1958."""
    from datetime import date

    def one(m: re.Match[str]) -> str:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).strftime("%d %b %Y")
        except ValueError:
            return m[0]

    return _ISO.sub(one, text)

KIND_LABEL = {"person": "Person", "case": "Case", "address": "Address"}


class SearchBox(QLineEdit):
    """The search field of the main window."""

    results_shown = Signal(int)

    def __init__(self, ws: Workspace, main: MainWindow) -> None:
        super().__init__()
        self.ws = ws
        self.main = main
        self.setObjectName("search")
        self.setPlaceholderText("Search people, case references and addresses  (Ctrl+F)")
        self.setAccessibleName("Search people, case references and addresses")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(360)
        self._generation = 0
        self.limit = LIMIT
        self.more = False  # there are more results than shown
        self.hits: list[Any] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._run)
        self.textEdited.connect(self._edited)
        self.returnPressed.connect(self._open_first)
        self.results = QListWidget(main)
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName("Search results")
        self.results.hide()
        self.results.itemActivated.connect(self._open)
        self.results.installEventFilter(self)

    # -- searching ----------------------------------------------------------------------
    def _edited(self, _text: str) -> None:
        self.limit = LIMIT
        self._timer.start()

    def show_more(self) -> None:
        """Run the search again with twice as many results."""
        from casework.cases.search import MAX_LIMIT

        self.limit = min(self.limit * 2, MAX_LIMIT)
        self._run()

    def _run(self) -> None:
        text = self.text().strip()
        self._generation += 1
        gen = self._generation
        if len(text) < 2:
            self._show([])
            return
        ws, limit = self.ws, self.limit
        QueryOp(self, lambda: search(ws, text, limit + 1),
                lambda hits: self._answer(gen, hits, limit=limit)).failure(
            lambda exc: self._answer(gen, [], str(exc) or "Search failed.")).run()

    def _answer(self, gen: int, hits: list[Any], message: str = "",
                limit: int = LIMIT) -> None:
        if gen != self._generation:
            return  # an older query answered late
        self.more = len(hits) > limit
        self._show(hits[:limit], message or ("No matches." if not hits else ""))

    def _show(self, hits: list[Any], message: str = "") -> None:
        self.hits = list(hits)
        self.results.clear()
        for hit in self.hits:
            kind = KIND_LABEL.get(hit.kind, hit.kind.title())
            detail = f"  —  {readable_dates(hit.detail)}" if getattr(hit, "detail", "") else ""
            item = QListWidgetItem(f"{kind}: {hit.label}{detail}")
            item.setData(Qt.ItemDataRole.UserRole, hit)
            self.results.addItem(item)
        if message:
            item = QListWidgetItem(message)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        if self.more and self.hits:
            from casework.cases.search import MAX_LIMIT

            text = (f"Only the first {len(self.hits)} results are shown: press Enter here to "
                    "show more" if self.limit < MAX_LIMIT else
                    f"Only the first {len(self.hits)} results are shown: type more to narrow "
                    "the search")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, MORE if self.limit < MAX_LIMIT else None)
            if self.limit >= MAX_LIMIT:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        if self.results.count() and self.text().strip():
            self._place()
            self.results.show()
            self.results.raise_()
        else:
            self.results.hide()
        self.results_shown.emit(len(self.hits))

    def _place(self) -> None:
        pos = self.mapTo(self.main, QPoint(0, self.height() + 2))
        rows = min(self.results.count(), 12)
        self.results.setGeometry(pos.x(), pos.y(), max(self.width(), 480), rows * 28 + 8)

    # -- opening ------------------------------------------------------------------------
    def _open_first(self) -> None:
        if self.hits:
            self.open_hit(self.hits[0])

    def _open(self, item: QListWidgetItem) -> None:
        hit = item.data(Qt.ItemDataRole.UserRole)
        if hit == MORE:
            self.show_more()
        elif hit is not None:
            self.open_hit(hit)

    def open_hit(self, hit: Any) -> None:
        """Open what a hit names: a case view, or the person's record."""
        self.results.hide()
        if hit.kind == "case":
            self.main.open_case(hit.id, hit.label)
        elif hit.kind == "person":
            self.main.open_person(hit.id)
        elif hit.kind == "address":
            self.main.open_address(hit.id)

    # -- keyboard -----------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Down and self.results.isVisible():
            self.results.setFocus()
            self.results.setCurrentRow(0)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.results.hide()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.results and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key == Qt.Key.Key_Escape:
                self.results.hide()
                self.setFocus()
                return True
            if key == Qt.Key.Key_Up and self.results.currentRow() == 0:
                self.setFocus()
                return True
        return False

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().focusOutEvent(event)
        QTimer.singleShot(150, self._hide_if_unfocused)

    def _hide_if_unfocused(self) -> None:
        if not self.hasFocus() and not self.results.hasFocus():
            self.results.hide()
