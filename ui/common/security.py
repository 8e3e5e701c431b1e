"""Desktop safeguards: lock after idle time, and clear copied sensitive values.

``IdleWatcher`` watches input events application-wide and emits ``idle`` after the
configured quiet time (``ui.idle_lock_minutes``); the application then locks: every
window's data is closed and the data key forgotten. ``copy_sensitive`` puts a value on
the clipboard and clears it again after ``ui.clipboard_clear_seconds`` unless something
else was copied meanwhile.
"""

from __future__ import annotations

from ui.common.qt import QApplication, QEvent, QGuiApplication, QObject, QTimer, Signal

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.ShortcutOverride,
})


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``msec`` without keyboard or mouse input."""

    idle = Signal()

    def __init__(self, msec: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_interval(msec)

    def set_interval(self, msec: int) -> None:
        """Change the idle time (0 turns the lock off)."""
        self._msec = max(0, int(msec))
        self._timer.setInterval(self._msec)

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if self._msec:
            self._timer.start()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if self._msec and event.type() in _INPUT_EVENTS:  # every event passes here
            self._timer.start()
        return False


class _ClipboardGuard(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._clear)
        self._value: str | None = None

    def copy(self, value: str, seconds: int) -> None:
        QGuiApplication.clipboard().setText(value)
        self._value = value
        self._timer.start(max(1, seconds) * 1000)

    def _clear(self) -> None:
        clipboard = QGuiApplication.clipboard()
        # Only clear what we put there: the user may have copied something else since.
        if self._value is not None and clipboard.text() == self._value:
            clipboard.clear()
        self._value = None

    def clear_now(self) -> None:
        self._timer.stop()
        self._clear()


_guard: _ClipboardGuard | None = None
CLIPBOARD_SECONDS = 10


def copy_sensitive(value: str, seconds: int | None = None) -> None:
    """Copy a sensitive value; it is cleared from the clipboard after ``seconds``."""
    global _guard
    if _guard is None:
        _guard = _ClipboardGuard()
    _guard.copy(value, seconds if seconds is not None else CLIPBOARD_SECONDS)


def clear_clipboard_now() -> None:
    """Clear a sensitive value still on the clipboard (used when the app locks)."""
    if _guard is not None:
        _guard.clear_now()
