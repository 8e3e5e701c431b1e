"""Colours from the palette: light, dark (what Qt takes from Windows dark mode) and high
contrast. The stylesheet names roles (``palette(base)``) and a few house tokens
(``@error@``, ``@ok@``, ``@muted@``, ``@accent@``...) filled in here from the palette, so no
screen draws light text on a fixed light background."""

from __future__ import annotations

from ui.common.qt import QApplication, QColor, QPalette

Role = QPalette.ColorRole


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette or QApplication.palette()
    return pal.color(Role.Window).lightness() < 128


def _palette(colours: dict[QPalette.ColorRole, str], disabled_text: str) -> QPalette:
    """A palette of the given role colours, with text greyed to ``disabled_text`` when
    disabled."""
    pal = QPalette()
    for role, value in colours.items():
        pal.setColor(role, QColor(value))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled_text))
    return pal


def dark_palette() -> QPalette:
    """A dark palette like Windows 11 dark mode gives Qt 6."""
    colours = {Role.Window: "#202124", Role.WindowText: "#e8eaed", Role.Base: "#17181a",
               Role.AlternateBase: "#26282b", Role.Text: "#e8eaed", Role.Button: "#2d2f33",
               Role.ButtonText: "#e8eaed", Role.Highlight: "#3d6aa8",
               Role.HighlightedText: "#ffffff", Role.ToolTipBase: "#2d2f33",
               Role.ToolTipText: "#e8eaed", Role.PlaceholderText: "#9aa0a6",
               Role.Link: "#8ab4f8", Role.Mid: "#44474c", Role.Dark: "#111214",
               Role.Light: "#3c4043", Role.Midlight: "#35373b", Role.Shadow: "#000000",
               Role.BrightText: "#ffffff"}
    return _palette(colours, "#7c8087")


def light_palette() -> QPalette:
    """The house light palette (calm greys, dark text)."""
    colours = {Role.Window: "#f6f7f9", Role.WindowText: "#1c2733", Role.Base: "#ffffff",
               Role.AlternateBase: "#f3f6fa", Role.Text: "#1c2733", Role.Button: "#eef1f5",
               Role.ButtonText: "#1c2733", Role.Highlight: "#cfe0f5",
               Role.HighlightedText: "#1c2733", Role.ToolTipBase: "#ffffdc",
               Role.ToolTipText: "#1c2733", Role.PlaceholderText: "#6b7785",
               Role.Link: "#1f4f8f", Role.Mid: "#cfd6df", Role.Dark: "#9aa5b1",
               Role.Light: "#ffffff", Role.Midlight: "#e9edf2", Role.Shadow: "#5a6570",
               Role.BrightText: "#ffffff"}
    return _palette(colours, "#8a949f")


def high_contrast_palette() -> QPalette:
    """Black on white with strong edges (Windows "high contrast" users)."""
    pal = QPalette()
    for role in (Role.Window, Role.Base, Role.AlternateBase, Role.Button, Role.ToolTipBase):
        pal.setColor(role, QColor("#000000"))
    for role in (Role.WindowText, Role.Text, Role.ButtonText, Role.ToolTipText,
                 Role.BrightText, Role.PlaceholderText, Role.Light, Role.Midlight):
        pal.setColor(role, QColor("#ffffff"))
    pal.setColor(Role.Highlight, QColor("#1aebff"))
    pal.setColor(Role.HighlightedText, QColor("#000000"))
    pal.setColor(Role.Link, QColor("#ffff00"))
    pal.setColor(Role.Mid, QColor("#ffffff"))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):  # greyed still readable
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#a0a0a0"))
    return pal


PALETTES = {"light": light_palette, "dark": dark_palette, "contrast": high_contrast_palette}


def tokens(palette: QPalette | None = None) -> dict[str, str]:
    """House colours that suit the palette (each readable on its background)."""
    if is_dark(palette):
        return {"error": "#ff8a80", "ok": "#81c995", "muted": "#b0b6bd", "warn": "#fdd663",
                "accent": "#8ab4f8", "bar": "#17304f", "bartext": "#ffffff",
                "navsel": "palette(base)", "invalid": "#ff8a80"}
    return {"error": "#b3261e", "ok": "#1d6b35", "muted": "#4a5a6a", "warn": "#7a4d00",
            "accent": "#1f3a5f", "bar": "#1f3a5f", "bartext": "#ffffff",
            "navsel": "palette(base)", "invalid": "#b3261e"}


def colour(name: str, palette: QPalette | None = None) -> QColor:
    """One house colour for painting (charts, a table cell's foreground)."""
    value = tokens(palette)[name]
    if value.startswith("palette("):
        return (palette or QApplication.palette()).color(Role.Base)
    return QColor(value)


def stylesheet(template: str, palette: QPalette | None = None) -> str:
    """The stylesheet with its ``@token@`` colours filled in for the palette."""
    out = template
    for key, value in tokens(palette).items():
        out = out.replace(f"@{key}@", value)
    return out


def apply(app: QApplication, name: str | None, template: str) -> None:
    """Use a named palette (None: the system's) and the matching stylesheet."""
    if name:
        app.setPalette(PALETTES[name]())
    elif not is_dark(app.palette()):
        app.setPalette(light_palette())  # the house light colours; a dark system stays dark
    app.setStyleSheet(stylesheet(template, app.palette()))
