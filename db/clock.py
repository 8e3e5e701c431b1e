"""The project's one clock: every "today" and "now" in casework comes from here.

It lives in the lowest layer because the storage layer stamps rows too (``created_at``);
``casework.core.clock`` is the name the rest of the program uses. Nothing else reads the
system clock, so every rule, deadline and screen can be run as of any date: tests install
a ``FixedClock`` (``use(FixedClock(date(2026, 12, 25)))``) and put the old one back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now_utc(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now_utc(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock set to a chosen moment. ``day`` alone means noon local time on that day.

    With ``ticking=True`` (the default) time moves on from that moment at the real rate,
    so timestamps still increase and delays still elapse; ``ticking=False`` stops it.
    """

    def __init__(self, at: date | datetime, *, ticking: bool = True) -> None:
        if isinstance(at, datetime):
            start = at if at.tzinfo else at.astimezone()
        else:
            start = datetime(at.year, at.month, at.day, 12, 0).astimezone()
        self.start = start.astimezone(UTC)
        self.ticking = ticking
        self._origin = time.monotonic()
        self._offset = timedelta()

    def now_utc(self) -> datetime:
        moved = timedelta(seconds=time.monotonic() - self._origin) if self.ticking else timedelta()
        return self.start + moved + self._offset

    def advance(self, delta: timedelta) -> None:
        """Move the clock on (a test of "after 14 days" or "after the lockout delay")."""
        self._offset += delta

    def __repr__(self) -> str:
        return f"FixedClock({self.start.isoformat()})"


_current: Clock = SystemClock()


def current() -> Clock:
    return _current


def use(clock: Clock) -> Clock:
    """Install a clock; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def frozen(at: date | datetime, *, ticking: bool = True) -> Iterator[FixedClock]:
    """``with frozen(date(2026, 12, 25)):`` runs its body as of that day."""
    clock = FixedClock(at, ticking=ticking)
    previous = use(clock)
    try:
        yield clock
    finally:
        use(previous)


def now_utc() -> datetime:
    """The current instant, aware, in UTC."""
    return _current.now_utc()


def utcnow() -> datetime:
    """The current instant as a naive UTC timestamp (how rows store it)."""
    return _current.now_utc().replace(tzinfo=None)


def now() -> datetime:
    """The current local time, aware (for what a person reads)."""
    return _current.now_utc().astimezone()


def today() -> date:
    """Today's date where the user is."""
    return now().date()


def timestamp() -> float:
    """Seconds since the epoch (for delays measured across processes)."""
    return _current.now_utc().timestamp()
