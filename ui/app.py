"""Entry point of the desktop application (filled in by the desktop feature)."""

from __future__ import annotations

import sys


def main() -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv)
    label = QLabel("casework")
    label.show()
    return app.exec()
