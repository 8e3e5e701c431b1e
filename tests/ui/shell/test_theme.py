"""Colours come from the palette: the stylesheet names no fixed colour, and the house
colours are readable on their background in light, dark and high-contrast palettes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from casework.core import resources
from ui.common import theme
from ui.common.charts import BarChart
from ui.common.qt import QColor, QImage, QPalette


def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_stylesheet_takes_colours_from_the_palette() -> None:
    qss = resources.read_text("style.qss")
    body = re.sub(r"/\*.*?\*/", "", qss, flags=re.S)
    assert re.findall(r"#[0-9a-fA-F]{3,6}\b", body) == []
    filled = theme.stylesheet(qss, theme.dark_palette())
    assert "@" not in re.sub(r"/\*.*?\*/", "", filled, flags=re.S)


@pytest.mark.parametrize("name", ["light", "dark", "contrast"])
def test_text_and_house_colours_are_readable(name: str, app: Any) -> None:
    pal = theme.PALETTES[name]()
    role = QPalette.ColorRole
    assert contrast(pal.color(role.Text), pal.color(role.Base)) >= 7
    assert contrast(pal.color(role.WindowText), pal.color(role.Window)) >= 7
    for token in ("error", "ok", "muted", "accent"):
        assert contrast(theme.colour(token, pal), pal.color(role.Window)) >= 3, token
    assert contrast(QColor(theme.tokens(pal)["bartext"]), QColor(theme.tokens(pal)["bar"])) >= 7


@pytest.mark.parametrize("name", ["light", "dark"])
def test_chart_text_is_drawn_in_the_palette_text_colour(name: str, app: Any,
                                                         qtbot: Any) -> None:
    chart = BarChart("Figures")
    qtbot.addWidget(chart)
    chart.setPalette(theme.PALETTES[name]())
    chart.setAutoFillBackground(True)
    chart.set_values([("Opened", 10), ("Closed", 4)])
    chart.resize(420, 120)
    image: QImage = chart.grab().toImage()
    background = chart.palette().color(QPalette.ColorRole.Window)
    text = chart.palette().color(QPalette.ColorRole.WindowText)
    # some pixels are (near) the text colour: the labels are visible on this background
    near = 0
    for x in range(0, image.width(), 2):
        for y in range(0, image.height(), 2):
            c = image.pixelColor(x, y)
            if abs(c.lightness() - text.lightness()) < 40 and \
                    abs(c.lightness() - background.lightness()) > 80:
                near += 1
    assert near > 20
