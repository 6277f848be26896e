"""The four drawn faces (1 very unhappy .. 4 very happy) and the button that carries one.

The face is drawn with canvas lines, not a font glyph or picture file, so it scales to any size
and takes its colours from the palette. Each expression differs in mouth curve, brows and eyes,
so the faces stay apart in the high-contrast palette where all fills are alike.
"""

from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.widgets.painted import Painted

__all__ = ["FaceButton", "FaceDrawing"]

# Mouth as (corner y, bezier control y) relative to the centre, in radii: control above the
# corners frowns, below them smiles.
_MOUTHS = {1: (-0.55, -0.05), 2: (-0.45, -0.28), 3: (-0.30, -0.58), 4: (-0.22, -0.85)}
# Brow tilt of the two unhappy faces (the happy ones have none); inner ends up: sad.
_BROWS = {1: 0.18, 2: 0.08}


class FaceDrawing(Widget):
    rating = NumericProperty(3)
    fill_color = ColorProperty((1, 1, 1, 1))
    line_color = ColorProperty((0, 0, 0, 1))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._trigger = self._redraw_later()
        for name in ("pos", "size", "rating", "fill_color", "line_color"):
            self.fbind(name, self._trigger)

    def _redraw_later(self):
        from kivy.clock import Clock

        return Clock.create_trigger(self.redraw, -1)

    def redraw(self, *_args) -> None:
        self.canvas.clear()
        r = min(self.width, self.height) / 2 - dp(4)
        if r <= 0:
            return
        cx, cy = self.center
        w = max(dp(4), r * 0.07)
        mood = int(self.rating)
        corner, middle = _MOUTHS[mood]
        with self.canvas:
            Color(*self.fill_color)
            Ellipse(pos=(cx - r, cy - r), size=(2 * r, 2 * r))
            Color(*self.line_color)
            Line(circle=(cx, cy, r), width=w)
            eye = r * 0.11
            for side in (-1, 1):
                ex, ey = cx + side * r * 0.36, cy + r * 0.22
                Ellipse(pos=(ex - eye, ey - eye), size=(2 * eye, 2 * eye))
                if mood >= 3:
                    continue  # only the unhappy faces have brows; flat brows looked stern
                tilt = _BROWS[mood] * r
                # Sad, not angry: each brow rises towards the nose (inner end up, outer end
                # down). Brows sloping down towards the nose read as anger.
                inner, outer = ex - side * r * 0.18, ex + side * r * 0.18
                Line(
                    points=[inner, ey + r * 0.2 + tilt * 0.5, outer, ey + r * 0.2 - tilt * 0.5],
                    width=w * 0.8,
                )
            left, right = cx - r * 0.45, cx + r * 0.45
            corner_y, control_y = cy + corner * r, cy + middle * r
            Line(bezier=[left, corner_y, cx, control_y, right, corner_y], width=w)
            if mood == 4:  # an open laugh: close the mouth with a straight upper lip
                Line(points=[left, corner_y, right, corner_y], width=w)


class FaceButton(ButtonBehavior, BoxLayout, Painted):
    """A face drawing above its text label; ``rating`` is 1..4 as ``sync.protocol`` rates."""

    rating = NumericProperty(3)
    text = StringProperty("")
    # The visitor's answer, when they come back to the faces: a thick outline and "Your answer".
    chosen = BooleanProperty(False)
