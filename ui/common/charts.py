"""A simple horizontal bar chart drawn with QPainter (QtCharts is not in the Essentials)."""

from __future__ import annotations

from collections.abc import Sequence

from ui.common import theme
from ui.common.qt import QFont, QPainter, QPaintEvent, QPalette, QSize, Qt, QWidget


class BarChart(QWidget):
    """Labelled bars with their values; the accessible description lists the figures."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.values: list[tuple[str, float]] = []
        self.setAccessibleName(title)
        self.setMinimumHeight(120)

    def set_values(self, values: Sequence[tuple[str, float]]) -> None:
        self.values = list(values)
        self.setAccessibleDescription("; ".join(f"{k}: {v:g}" for k, v in self.values))
        self.setMinimumHeight(36 + 26 * max(1, len(self.values)))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(420, 36 + 26 * max(1, len(self.values)))

    def label_width(self) -> int:
        """The width the labels are drawn in (the widest label unless space is short)."""
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(k) for k, _ in self.values), default=0) + 12
        # Labels are cut only when the bars would have no room left (a value needs ~70 px).
        return int(min(widest, max(140, self.width() * 0.62)))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        TEXT = pal.color(QPalette.ColorRole.WindowText)  # noqa: N806 - read on the palette
        BAR = theme.colour("accent", pal)  # noqa: N806
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        p.setPen(TEXT)
        p.drawText(4, 18, self.title)
        p.setFont(self.font())
        if not self.values:
            p.drawText(4, 44, "No figures for this period.")
            return
        metrics = p.fontMetrics()
        label_w = self.label_width()
        top, row = 30, 26
        width = max(10, self.width() - label_w - 70)
        biggest = max(v for _, v in self.values) or 1.0
        for n, (label, value) in enumerate(self.values):
            y = top + n * row
            p.setPen(TEXT)
            p.drawText(4, y, label_w - 8, row - 6,
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                       metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, label_w - 8))
            w = int(width * value / biggest)
            p.fillRect(label_w, y + 3, max(w, 1), row - 12, BAR)
            p.drawText(label_w + w + 6, y, 60, row - 6,
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                       f"{value:g}")
        p.end()
