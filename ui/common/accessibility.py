"""Keyboard and screen-reader support applied to every window: accessible names and a
tab order that follows the layout.

- ``name_widgets(root)`` gives every button, text field, combo box and spin box without
  an accessible name one from what a sighted user reads: the button's text, the label
  that is its buddy, else the placeholder or tooltip.
- ``layout_order(root)`` lists the widgets Tab stops at, in the order the layouts place
  them (rows top to bottom, items left to right, into tab pages, splitters and scroll
  areas): not a hidden one, and of a group of exclusive radio buttons only the checked
  one, as Qt's Tab does. ``apply_tab_order(root)`` chains every focusable widget, hidden
  ones too, with ``QWidget.setTabOrder``, so Tab follows the layout rather than the order
  in which the widgets happened to be created, and still does after a dialog shows a row
  it hid (Qt skips hidden widgets).
- ``install(app)`` applies both to every dialog when it is first shown; screens and case
  views call them once they are built.
"""

from __future__ import annotations

from ui.common.flow import FlowBar
from ui.common.qt import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QEvent,
    QLabel,
    QLayout,
    QLineEdit,
    QObject,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    Qt,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
    invalidate,
)

NAMED = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)


def clean(text: str) -> str:
    """Label text as read aloud: no mnemonic ampersands, ellipses or trailing colons."""
    return " ".join(text.replace("&&", "\0").replace("&", "").replace("\0", "&")
                    .replace("…", "").split()).rstrip(":").strip()


def is_internal(w: QWidget) -> bool:
    """An editor inside a composite widget (a spin box's or a combo box's line edit),
    named through its owner."""
    parent = w.parentWidget()
    return isinstance(parent, QAbstractSpinBox | QComboBox) or (
        isinstance(w, QAbstractButton)
        and isinstance(parent, QTabBar | QLineEdit | QAbstractItemView))


def buddies(root: QWidget) -> dict[int, str]:
    """id(widget) -> its buddy label's text, for every labelled widget under ``root``."""
    found: dict[int, str] = {}
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and clean(label.text()):
            found[id(buddy)] = clean(label.text())
    return found


def name_of(w: QWidget, labels: dict[int, str]) -> str:
    """The accessible name a widget has, or would get from what is shown."""
    if w.accessibleName():
        return w.accessibleName()
    if isinstance(w, QAbstractButton) and clean(w.text()):
        return clean(w.text())
    if id(w) in labels:
        return labels[id(w)]
    placeholder = getattr(w, "placeholderText", None)
    if callable(placeholder) and placeholder():
        return str(placeholder())
    return clean(w.toolTip())


def name_widgets(root: QWidget) -> None:
    """Give every unnamed control under ``root`` the name a sighted user reads."""
    labels = buddies(root)
    for w in root.findChildren(QWidget):
        if isinstance(w, NAMED) and not is_internal(w) and not w.accessibleName():
            name = name_of(w, labels)
            if name:
                w.setAccessibleName(name)


def unnamed(root: QWidget) -> list[str]:
    """Controls under ``root`` with neither an accessible name nor a buddy label."""
    labels = buddies(root)
    return [f"{type(w).__name__}({w.objectName() or w.metaObject().className()})"
            for w in root.findChildren(QWidget)
            if isinstance(w, NAMED) and not is_internal(w)
            and not w.accessibleName() and id(w) not in labels]


def _focusable(w: QWidget) -> bool:
    return bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus) and not is_internal(w)


def _leaf(w: QWidget) -> bool:
    return isinstance(w, (*NAMED, QAbstractItemView, QPlainTextEdit, QTextEdit, QTabBar))


def _walk_widget(w: QWidget, out: list[QWidget], every: bool = True) -> None:
    if not every and w.isHidden():
        return
    if isinstance(w, QTabWidget):
        out.append(w.tabBar())
        for i in range(w.count()):
            _walk_widget(w.widget(i), out, every)
        return
    if isinstance(w, QStackedWidget):
        for i in range(w.count()):
            _walk_widget(w.widget(i), out, every)
        return
    if isinstance(w, QSplitter):
        for i in range(w.count()):
            _walk_widget(w.widget(i), out, every)
        return
    if isinstance(w, QScrollArea):
        inner = w.widget()
        if inner is not None:
            _walk_widget(inner, out, every)
        return
    if _leaf(w):
        if _focusable(w) and (every or not _unchecked_in_group(w)):
            out.append(w)
        return
    if isinstance(w, FlowBar):
        for child in w.widgets():
            _walk_widget(child, out, every)
        return
    layout = w.layout()
    if layout is not None:
        _walk_layout(layout, out, every)
    elif _focusable(w):
        out.append(w)


def _walk_layout(layout: QLayout, out: list[QWidget], every: bool = True) -> None:
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        widget, inner = item.widget(), item.layout()
        if inner is None:
            # A widget or spacer item that Qt owns and will delete without telling Python:
            # drop its wrapper now, or a later object at the same address comes back as it.
            invalidate(item)
        del item
        if widget is not None:
            _walk_widget(widget, out, every)
        elif inner is not None:
            _walk_layout(inner, out, every)


def _unchecked_in_group(w: QWidget) -> bool:
    """An exclusive radio button other than its group's checked one: Tab passes it by
    (the arrow keys move within the group)."""
    group = w.group() if isinstance(w, QAbstractButton) else None
    return group is not None and group.exclusive() and group.checkedButton() is not None \
        and group.checkedButton() is not w


def _ordered(root: QWidget, every: bool) -> list[QWidget]:
    out: list[QWidget] = []
    layout = root.layout()
    if layout is not None:
        _walk_layout(layout, out, every)
    seen: set[int] = set()
    order = []
    for w in out:
        if id(w) not in seen and w is not root:
            seen.add(id(w))
            order.append(w)
    return order


def layout_order(root: QWidget) -> list[QWidget]:
    """The widgets Tab stops at under ``root``, in layout order (each once): none that is
    hidden, and of an exclusive radio group only the checked button."""
    return _ordered(root, every=False)


def apply_tab_order(root: QWidget) -> list[QWidget]:
    """Chain Tab through all of ``root``'s focusable widgets (hidden ones too, which Qt
    passes by) in layout order; returns the order."""
    order = _ordered(root, every=True)
    for a, b in zip(order, order[1:], strict=False):
        QWidget.setTabOrder(a, b)
    return order


def prepare(root: QWidget) -> None:
    """Names and tab order for a window or screen that has been built."""
    name_widgets(root)
    apply_tab_order(root)


class _OnShow(QObject):
    """Prepares each dialog the first time it is shown (after subclasses added rows)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Every event of the application passes here: the cheap test first.
        if (isinstance(watched, QDialog) and event.type() == QEvent.Type.Show
                and not watched.property("a11yPrepared")):
            watched.setProperty("a11yPrepared", True)
            prepare(watched)
        return False


_filter: _OnShow | None = None


def install(app: QApplication) -> None:
    """Prepare every dialog of the application when it is first shown."""
    global _filter
    if _filter is None:
        _filter = _OnShow()
        app.installEventFilter(_filter)
