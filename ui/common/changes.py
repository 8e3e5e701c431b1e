"""One change signal (the pattern of Anki's ``CollectionOp``): a write says what it changed,
and every open screen that shows it refreshes from that.

A dialog or action that wrote something calls ``announce(Change(...))``; the case list,
open case views, My work and the meeting screen listen on ``bus().changed`` and reload
what the change touches. The screen that made the change (``source``) need not listen
to its own echo.

    announce(Change(case_ids={case_id}, kinds={"case", "task"}, source=self))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ui.common.qt import QObject, Signal

CASE, TASK, PERSON, MEETING, USER, SETTING = ("case", "task", "person", "meeting", "user",
                                              "setting")


@dataclass(frozen=True)
class Change:
    """What one write changed: the cases it touched and the kinds of record."""

    case_ids: frozenset[int] = field(default_factory=frozenset)
    kinds: frozenset[str] = field(default_factory=frozenset)
    source: Any = field(default=None, compare=False)

    def __init__(self, case_ids: Any = (), kinds: Any = (), source: Any = None) -> None:
        object.__setattr__(self, "case_ids", frozenset(int(c) for c in case_ids))
        object.__setattr__(self, "kinds", frozenset(kinds))
        object.__setattr__(self, "source", source)

    def touches(self, kind: str) -> bool:
        return kind in self.kinds

    def __repr__(self) -> str:
        return f"Change(cases={sorted(self.case_ids)}, kinds={sorted(self.kinds)})"


def change_of(result: Any, case_id: int | None = None, source: Any = None,
              kinds: Any = (CASE,)) -> Change:
    """The change a service result describes: its ``case_id`` (or a header's id) and
    ``case_id`` if given."""
    ids = set()
    if case_id is not None:
        ids.add(case_id)
    for attr in ("case_id",):
        value = getattr(result, attr, None)
        if isinstance(value, int):
            ids.add(value)
    header = getattr(result, "header", None)
    if isinstance(getattr(header, "id", None), int):
        ids.add(header.id)
    return Change(ids, kinds, source)


class ChangeBus(QObject):
    """Carries every ``Change`` to the screens (one per application)."""

    changed = Signal(object)


_BUS: ChangeBus | None = None


def bus() -> ChangeBus:
    global _BUS
    if _BUS is None:
        _BUS = ChangeBus()
    return _BUS


def announce(change: Change) -> Change:
    """Tell every open screen what changed."""
    bus().changed.emit(change)
    return change


POLL_MS = 30_000  # how often an open window looks for other users' changes


class ChangeWatcher(QObject):
    """Shows other users' changes: when the window is activated again and every
    ``POLL_MS`` while it is active, it reads the "last change" marker (one index lookup,
    in the background) and, only if it moved, which cases and kinds of record changed;
    then it announces them on the bus, and the open screens that show them reload."""

    def __init__(self, ws: Any, window: Any, interval_ms: int = POLL_MS) -> None:
        from ui.common.qt import QApplication, QTimer

        super().__init__(window)
        self.ws, self.window = ws, window
        self.marker: int | None = None
        self.busy = False
        self.polls = 0  # finished looks (tests wait on it)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._state_changed)
        self.poll()

    def _state_changed(self, state: Any) -> None:
        from ui.common.qt import Qt

        if state == Qt.ApplicationState.ApplicationActive:
            self.poll()

    def _tick(self) -> None:
        if self.window.isActiveWindow():
            self.poll()

    def poll(self) -> None:
        """Look now (in the background); a look still running is not doubled."""
        from casework.core import changefeed
        from ui.common.ops import QueryOp

        if self.busy:
            return
        self.busy = True
        ws, marker = self.ws, self.marker

        def work() -> Any:
            latest = changefeed.last_change(ws)
            if marker is None or latest == marker:
                return changefeed.Changes(latest, frozenset(), frozenset())
            return changefeed.changes_after(ws, marker)

        QueryOp(self.window, work, self._seen).failure(self._failed).run()

    def _seen(self, changes: Any) -> None:
        self.busy = False
        self.polls += 1
        self.marker = changes.last
        if changes.any:
            announce(Change(changes.case_ids, changes.kinds, source=self))

    def _failed(self, _exc: BaseException) -> None:
        self.busy = False  # a locked or busy database: the next look tries again
        self.polls += 1
