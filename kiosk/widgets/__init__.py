"""Reusable kiosk widgets; importing this package registers them and loads their kv rules.

Every widget that paints a background exposes it as ``bg_color`` (RGBA) so the accessibility
tests can compute each label's contrast from the colours the widgets really use: a label's
background is its own ``bg_color`` when it has one, else its nearest painted ancestor's.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from kivy.lang import Builder

from kiosk.widgets.buttons import BigButton, ButtonPool, ChipButton
from kiosk.widgets.faces import FaceButton, FaceDrawing
from kiosk.widgets.fitcolumn import FitColumn
from kiosk.widgets.keyboard import OnScreenKeyboard
from kiosk.widgets.longpress import LongPressArea
from kiosk.widgets.mood import MoodChart
from kiosk.widgets.moretime import MoreTimePrompt
from kiosk.widgets.painted import Painted, PaintedBox
from kiosk.widgets.qrimage import QRImage

__all__ = [
    "BigButton",
    "ButtonPool",
    "ChipButton",
    "FaceButton",
    "FaceDrawing",
    "FitColumn",
    "LongPressArea",
    "MoodChart",
    "MoreTimePrompt",
    "OnScreenKeyboard",
    "Painted",
    "PaintedBox",
    "QRImage",
]

_KV = Path(str(files("kiosk.widgets").joinpath("widgets.kv")))  # package data
if str(_KV) not in Builder.files:
    Builder.load_file(str(_KV))
