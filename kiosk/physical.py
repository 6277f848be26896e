"""Physical size: touch targets at least 15 mm and text at least 4 mm on every supported screen.

The kiosk is designed on a 1920×1080 canvas of dp, and 1 dp is one pixel of a 15.6″ 1920×1080
screen (:data:`REFERENCE_PPI`, ≈141 pixels per inch). On another screen Kivy's density is set
to ``ppi / REFERENCE_PPI`` (:func:`density_for`), so a dp keeps its physical size: a target of
``TARGET_DP`` (kiosk.look) is 15.1 mm and body text of 24 sp is 4.3 mm wherever it is drawn.

A caller may rely on this: :func:`apply_screen` sets Kivy's density (and font scale 1) from the
screen's diagonal (``[display] diagonal_inches`` in the kiosk's TOML) and its resolution, and
must run before the look and the widgets are built. A screen is *supported* when it is at least
as wide and as tall as a 15.6″ 16:9 screen (34.5 × 19.4 cm): then the canvas is at least
1920×1080 dp and every screen fits; :func:`supported` says so. Imports Kivy only in
:func:`apply_screen`.
"""

from __future__ import annotations

import math

__all__ = [
    "MIN_DIAGONAL_INCHES",
    "MM_PER_INCH",
    "REFERENCE_PPI",
    "TARGET_MM",
    "TEXT_MM",
    "apply_screen",
    "density_for",
    "mm",
    "ppi",
    "supported",
]

MM_PER_INCH = 25.4
MIN_DIAGONAL_INCHES = 15.6
DESIGN_SIZE = (1920, 1080)  # the canvas every screen is laid out on, in dp
TARGET_MM = 15.0  # EN 301 549 / seniors: the least width and height of anything to tap
TEXT_MM = 4.0  # the least font size (em height) of any text


def ppi(diagonal_inches: float, width_px: int, height_px: int) -> float:
    """Pixels per inch of a screen with square pixels."""
    if diagonal_inches <= 0:
        raise ValueError("a screen's diagonal must be more than 0 inches")
    return math.hypot(width_px, height_px) / diagonal_inches


REFERENCE_PPI = ppi(MIN_DIAGONAL_INCHES, *DESIGN_SIZE)


def density_for(diagonal_inches: float, width_px: int, height_px: int) -> float:
    """Kivy density (pixels per dp) that keeps a dp as large as on the reference screen."""
    return ppi(diagonal_inches, width_px, height_px) / REFERENCE_PPI


def mm(pixels: float, screen_ppi: float) -> float:
    """How many millimetres ``pixels`` are on a screen of ``screen_ppi``."""
    return pixels / screen_ppi * MM_PER_INCH


def supported(diagonal_inches: float, width_px: int, height_px: int) -> bool:
    """True when the screen's canvas in dp is at least the design size (1920×1080 dp)."""
    density = density_for(diagonal_inches, width_px, height_px)
    # A thousandth of slack: 15.6″ at 1920×1080 is the design size itself.
    return all(
        px / density >= need * 0.999
        for px, need in zip((width_px, height_px), DESIGN_SIZE, strict=True)
    )


def apply_screen(diagonal_inches: float, width_px: int, height_px: int) -> float:
    """Set Kivy's density for this screen (before anything is sized); returns it."""
    from kivy.metrics import Metrics

    density = density_for(diagonal_inches, width_px, height_px)
    Metrics.density = density
    Metrics.fontscale = 1.0  # sizes in sp are physical too; no system font scaling on top
    return density
