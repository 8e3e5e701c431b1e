"""Background work: run a function off the GUI thread, call back on the GUI thread.

Modelled on Anki's ``QueryOp``. The function opens its own unit of work (every casework
service does) and returns plain data; ``success`` and ``failure`` run on the GUI thread.
A long export adds ``with_progress`` for a progress dialog with a Cancel button::

    QueryOp(self, lambda: caselist.count_cases(ws, flt), self._show_count).run()
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ui.common.qt import (
    QObject,
    QProgressDialog,
    QRunnable,
    Qt,
    QThreadPool,
    QWidget,
    Signal,
    isValid,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

# Operations in flight: keeps their Python objects alive until the callbacks have run.
_ACTIVE: set[QueryOp[Any]] = set()


class Cancelled(Exception):
    """Raised inside an operation when the user pressed Cancel."""


class Progress:
    """Handed to an operation run ``with_progress``: report progress, check Cancel.

    Thread-safe in the only way needed: the worker writes, the GUI thread reads flags.
    """

    def __init__(self, bridge: _Bridge) -> None:
        self._bridge = bridge
        self.cancelled = False

    def update(self, done: int, total: int, label: str = "") -> None:
        """Report ``done`` of ``total``; raises Cancelled if the user cancelled."""
        if self.cancelled:
            raise Cancelled()
        self._bridge.progressed.emit(int(done), int(total), label)

    def __call__(self, done: int, total: int, label: str = "") -> None:
        self.update(done, total, label)

    def check(self) -> None:
        """Raise Cancelled if the user cancelled (for loops without a count)."""
        if self.cancelled:
            raise Cancelled()


class _Bridge(QObject):
    """Carries the outcome to the GUI thread. The result is kept on the Python object and
    the signal carries no Python object: marshalling arbitrary objects (None above all)
    through queued signals has hit reference-count bugs in the bindings."""

    done = Signal()
    progressed = Signal(int, int, str)

    def __init__(self) -> None:
        super().__init__()
        self.result: Any = None
        self.error: BaseException | None = None


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], bridge: _Bridge) -> None:
        super().__init__()
        self._fn = fn
        self._bridge = bridge
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            self._bridge.result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            self._bridge.error = exc
        self._bridge.done.emit()


def error_text(exc: BaseException) -> str:
    """A message for the user: service and store messages as they are (they carry no
    personal data), anything else as a fixed sentence."""
    from casework.core.errors import CaseworkError
    from db.errors import StoreError

    if isinstance(exc, CaseworkError | StoreError):
        return str(exc)
    if isinstance(exc, Cancelled):
        return "Cancelled."
    return f"Something went wrong ({type(exc).__name__}); nothing was changed by this step."


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """The default failure handler: a window-modal message with a safe text. It does
    not block (``open``), so no nested event loop runs inside a callback."""
    from casework.core.errors import CaseworkError
    from ui.common.qt import QMessageBox

    if isinstance(exc, Cancelled):
        return
    if not isinstance(exc, CaseworkError):
        log.warning("operation failed: %s", type(exc).__name__)
    owner = parent if parent is not None and isValid(parent) else None
    box = QMessageBox(QMessageBox.Icon.Warning, "casework", error_text(exc),
                      QMessageBox.StandardButton.Ok, owner)
    box.setAccessibleName("Error")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class QueryOp(Generic[T]):
    """One background operation. Build, optionally configure, then ``run()``."""

    def __init__(self, parent: QWidget | None, op: Callable[[], T],
                 success: Callable[[T], None]) -> None:
        self._parent = parent
        self._op: Callable[..., T] = op
        self._success = success
        self._failure: Callable[[BaseException], None] | None = None
        self._progress_label: str | None = None
        self._dialog: QProgressDialog | None = None
        self._progress: Progress | None = None
        self._bridge = _Bridge()

    def failure(self, fn: Callable[[BaseException], None]) -> QueryOp[T]:
        """Call ``fn(exc)`` on the GUI thread if the operation raises."""
        self._failure = fn
        return self

    def with_progress(self, label: str) -> QueryOp[T]:
        """Show a progress dialog with Cancel; the op is then called with a Progress."""
        self._progress_label = label
        return self

    def run(self) -> None:
        """Start the operation on the global thread pool."""
        b = self._bridge
        b.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        fn: Callable[[], Any] = self._op
        if self._progress_label is not None:
            self._progress = progress = Progress(b)
            self._dialog = dlg = QProgressDialog(self._progress_label, "Cancel", 0, 0,
                                                 self._live_parent())
            dlg.setWindowTitle("casework")
            dlg.setAccessibleName(self._progress_label)
            dlg.setWindowModality(Qt.WindowModality.WindowModal)
            dlg.setMinimumDuration(0)
            dlg.setAutoClose(False)
            dlg.setAutoReset(False)
            dlg.canceled.connect(self._cancel)
            b.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
            dlg.show()
            op = self._op

            def fn() -> Any:
                return op(progress)

        _ACTIVE.add(self)
        QThreadPool.globalInstance().start(_Runnable(fn, b))

    # -- GUI thread ---------------------------------------------------------------------
    def _live_parent(self) -> QWidget | None:
        p = self._parent
        return p if p is not None and isValid(p) else None

    def _cancel(self) -> None:
        if self._progress is not None:
            self._progress.cancelled = True
        if self._dialog is not None:
            self._dialog.setLabelText("Cancelling…")

    def _on_progress(self, done: int, total: int, label: str) -> None:
        dlg = self._dialog
        if dlg is None or not isValid(dlg):
            return
        dlg.setMaximum(max(total, 0))
        dlg.setValue(min(done, total) if total > 0 else 0)
        if label:
            dlg.setLabelText(label)

    def _finish(self) -> None:
        _ACTIVE.discard(self)
        if self._dialog is not None and isValid(self._dialog):
            self._dialog.close()
            self._dialog.deleteLater()
        self._dialog = None

    def _parent_gone(self) -> bool:
        return self._parent is not None and not isValid(self._parent)

    def _on_done(self) -> None:
        b = self._bridge
        if b.error is not None:
            error, b.error = b.error, None
            self._on_failure(error)
        else:
            result, b.result = b.result, None
            self._on_success(result)

    def _on_success(self, result: Any) -> None:
        self._finish()
        if self._parent_gone():
            return
        self._success(result)

    def _on_failure(self, exc: BaseException) -> None:
        self._finish()
        if self._parent_gone():
            return
        if self._failure is not None:
            self._failure(exc)
        else:
            show_error(self._live_parent(), exc)


def active_count() -> int:
    """Operations still running (tests wait for this to reach zero)."""
    return len(_ACTIVE)
