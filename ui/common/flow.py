"""A row of widgets that wraps onto the next line when the width runs out (what the Qt
"flow layout" example does). A case's action buttons use it, so a case with many actions
never forces the window wider than a laptop screen.

It is a widget that places its children itself, not a ``QLayout`` subclass: a Python
layout must hold the ``QLayoutItem``s Qt hands it, and Qt deletes those items behind
Python's back when a widget goes, leaving wrappers whose addresses a later object reuses
(a header view then comes back typed as a layout item)."""

from __future__ import annotations

from ui.common.qt import (
    QEvent,
    QObject,
    QPoint,
    QRect,
    QSize,
    QSizePolicy,
    Qt,
    QWidget,
    isValid,
)


class FlowBar(QWidget):
    """Left-to-right rows of widgets; ``heightForWidth`` gives the wrapped height."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._widgets: list[QWidget] = []
        self._spacing = spacing
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    # -- the QBoxLayout calls the screens use -------------------------------------------
    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 - QBoxLayout's API
        explicitly_hidden = widget.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide) \
            and widget.isHidden()
        widget.setParent(self)
        widget.installEventFilter(self)
        self._widgets.append(widget)
        if self.isVisible() and not explicitly_hidden:
            widget.show()
        self._relayout()

    def addStretch(self, _stretch: int = 0) -> None:  # noqa: N802 - QBoxLayout's API
        """Rows already start at the left; kept so callers written for QHBoxLayout work."""

    def widgets(self) -> list[QWidget]:
        """The widgets in the order they were added (the Tab order)."""
        return list(self._widgets)

    def spacing(self) -> int:
        return self._spacing

    # -- geometry -----------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        width = sum(w.sizeHint().width() + self._spacing for w in self._shown())
        return QSize(max(0, width - self._spacing), self.heightForWidth(max(width, 1)))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for w in self._shown():
            size = size.expandedTo(w.minimumSizeHint().expandedTo(w.minimumSize()))
        return size

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        self._arrange(self.rect(), move=True)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self._relayout()
        elif event.type() == QEvent.Type.ChildRemoved:
            # The child may be half destroyed: keep the widgets that are still ours.
            self._widgets = [w for w in self._widgets if isValid(w) and w.parent() is self]
            self._relayout()
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """A button shown or hidden (a case's actions change with its state)."""
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self._relayout()
        return False

    def _shown(self) -> list[QWidget]:
        return [w for w in self._widgets if isValid(w) and not w.isHidden()]

    def _relayout(self) -> None:
        self.updateGeometry()
        self._arrange(self.rect(), move=True)

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        gap = self._spacing
        for w in self._shown():
            hint = w.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + gap, 0
            if move:
                w.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y()
