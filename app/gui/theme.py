"""Light or dark, as the system is: the app's palette follows the system's colour scheme.

Qt reports the system's scheme (``QStyleHints.colorScheme``) and when it changes; some
platform styles do not restyle widgets by themselves, so the app uses the Fusion style's
palette for a dark scheme and the style's own palette for a light one. Cells whose
meaning is a colour (an unsupported or reviewed grid cell) keep their own dark ink on a
light shade, so they read the same in both.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

Role = QPalette.ColorRole

#: The dark palette: (role, colour), near the platform dark themes' own greys.
DARK: tuple[tuple[QPalette.ColorRole, str], ...] = (
    (Role.Window, "#2b2b2b"),
    (Role.WindowText, "#e6e6e6"),
    (Role.Base, "#1e1e1e"),
    (Role.AlternateBase, "#262626"),
    (Role.ToolTipBase, "#3a3a3a"),
    (Role.ToolTipText, "#f0f0f0"),
    (Role.Text, "#e6e6e6"),
    (Role.PlaceholderText, "#9a9a9a"),
    (Role.Button, "#353535"),
    (Role.ButtonText, "#e6e6e6"),
    (Role.BrightText, "#ff6b6b"),
    (Role.Highlight, "#2f65ca"),
    (Role.HighlightedText, "#ffffff"),
    (Role.Link, "#8ab4f8"),
    (Role.LinkVisited, "#c58af9"),
)


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK:
        palette.setColor(role, QColor(colour))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def apply_scheme(app: QGuiApplication, scheme: Qt.ColorScheme | None = None) -> bool:
    """Set the palette for ``scheme`` (default: the system's now); True if dark."""
    scheme = scheme if scheme is not None else app.styleHints().colorScheme()
    dark = scheme == Qt.ColorScheme.Dark
    if dark:
        app.setPalette(dark_palette())
    else:
        app.setPalette(QPalette())  # the style's own (light) palette
    return dark


def follow_system(app: QGuiApplication) -> bool:
    """Apply the system's scheme now and whenever it changes; True if dark now."""
    app.styleHints().colorSchemeChanged.connect(lambda scheme: apply_scheme(app, scheme))
    return apply_scheme(app)
