"""Every Qt import of the application goes through this module (as Anki's ``aqt.qt``).

Other ``ui`` modules import names from here, never from PySide6 directly, so a Qt
upgrade or a binding change touches one file.
"""

from __future__ import annotations

from PySide6.QtCore import *  # noqa: F403
from PySide6.QtCore import Property, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import *  # noqa: F403
from PySide6.QtWidgets import *  # noqa: F403

__all__ = ["Property", "QObject", "QRunnable", "QThreadPool", "QTimer", "Signal", "Slot"]

from shiboken6 import invalidate, isValid  # noqa: E402

__all__ += ["invalidate", "isValid"]


def _broken_binding() -> bool:
    import PySide6

    return PySide6.__version__ == "6.12.0"


_BROKEN_NONE = _broken_binding()


def _compensate_none() -> None:
    import ctypes

    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    incref(None)


def no_value() -> None:
    """``None`` for a Python override that C++ calls for a QVariant (``data``,
    ``headerData``).

    PySide6 6.12 on Python 3.11 drops one reference to ``None`` each time such an
    override returns it; after some thousands of calls (scrolling a long list) the
    interpreter aborts with "none_dealloc". Taking one extra reference first keeps the
    count right; with a fixed binding the extra reference is harmless (None is never
    freed). pyproject.toml excludes 6.12.0; this guards an environment that has it
    anyway. Void overrides (paintEvent, QRunnable.run) are hit too, so 6.12.0 must not
    be used.
    """
    if _BROKEN_NONE:
        _compensate_none()
    return None


__all__ += ["no_value"]
