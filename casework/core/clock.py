"""The one clock every rule, deadline, task list, the demo and the desktop read.

``clock.today()`` and ``clock.now()`` instead of ``date.today()`` and ``datetime.now()``:
a test (or a check of how the product behaves on a given day) installs a fixed clock with
``clock.frozen(day)`` and everything follows. The implementation sits in ``db.clock``
because the storage layer stamps rows with the same clock.
"""

from db.clock import (
    Clock,
    FixedClock,
    SystemClock,
    current,
    frozen,
    now,
    now_utc,
    timestamp,
    today,
    use,
    utcnow,
)

__all__ = ["Clock", "FixedClock", "SystemClock", "current", "frozen", "now", "now_utc",
           "timestamp", "today", "use", "utcnow"]
