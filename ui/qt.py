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

from shiboken6 import isValid  # noqa: E402

__all__ += ["isValid"]
