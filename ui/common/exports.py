"""Running an export off the GUI thread with a progress dialog and Cancel.

The ISP exports write files in one go. If the service takes a ``progress`` callback it is
given one; otherwise the dialog shows a busy bar. Cancel stops reporting at once, and when
the export returns its files are deleted and nothing is kept ("Cancelled").
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ui.common.ops import Cancelled, Progress, QueryOp
from ui.common.qt import QWidget


def run_export(parent: QWidget | None, label: str, fn: Callable[..., Any],
               args: tuple[Any, ...], done: Callable[[Any], None],
               failed: Callable[[BaseException], None] | None = None) -> QueryOp[Any]:
    """Call ``fn(*args)`` in the background behind a progress dialog with Cancel."""
    takes_progress = "progress" in inspect.signature(fn).parameters

    def work(progress: Progress) -> Any:
        progress.update(0, 0, label)
        kwargs = {"progress": progress} if takes_progress else {}
        result = fn(*args, **kwargs)
        if progress.cancelled:
            for f in getattr(result, "files", ()):
                with contextlib.suppress(OSError):
                    Path(f).unlink()
            raise Cancelled()
        return result

    op: QueryOp[Any] = QueryOp(parent, work, done).with_progress(label)
    if failed is not None:
        op.failure(failed)
    op.run()
    return op


def describe(result: Any) -> str:
    """One line about a finished export: files, protocol version, recipient."""
    files = ", ".join(Path(f).name for f in getattr(result, "files", ()))
    version = getattr(result, "protocol_version", "?")
    recipient = getattr(result, "recipient", "")
    return (f"Written {files} under sharing protocol version {version}"
            + (f" for {recipient}" if recipient else "") + ".")
