"""Keep personal values out of logs, even when someone turns SQLAlchemy's logging up.

The engine hides SQL parameters (``hide_parameters=True``), but with the
``sqlalchemy.engine`` logger at DEBUG SQLAlchemy also logs every result row, which would
put names and addresses into a log file. ``install`` adds a filter that drops those
records; it is called before any database is unlocked (``casework.lockout.open_store``).
"""

from __future__ import annotations

import logging

ENGINE_LOGGERS = ("sqlalchemy.engine.Engine", "sqlalchemy.engine.base.Engine")


class DropRowLogs(logging.Filter):
    """Drop SQLAlchemy's per-row and per-column debug records."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg if isinstance(record.msg, str) else ""
        return not msg.startswith(("Row ", "Col "))


_FILTER = DropRowLogs()


def install() -> None:
    """Attach the filter (idempotent)."""
    for name in ENGINE_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
