"""Buttons that carry a drawn arrow (◀ or ▶) beside or instead of their text.

The kiosk's font has no arrow glyphs, so the arrow is a filled triangle drawn in the label's
colour, on the side it points to, with room kept for it in the padding. ``arrow`` is ``"left"``,
``"right"`` or ``""`` (none). A caller may rely on the text staying the plain word, so
read-aloud and translations never see a symbol.
"""

from __future__ import annotations

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import OptionProperty

from kiosk.widgets.buttons import BigButton

__all__ = ["ArrowButton"]


class ArrowButton(BigButton):
    arrow = OptionProperty("", options=["", "left", "right"])

    def arrow_points(self, *_depends_on) -> list[float]:
        """The triangle's corners: centred without text, else in the padding on its side."""
        if not self.arrow:
            return [0, 0, 0, 0, 0, 0]
        half, depth = self.font_size * 0.4, self.font_size * 0.7
        cy = self.y + self.height / 2
        side = -1 if self.arrow == "left" else 1  # the way the arrow points
        if self.text:
            # The padded label is centred in the button; the arrow sits in its padding.
            edge = self.center_x + side * self.texture_size[0] / 2
            tip = edge - side * (self.font_size * 0.2 + dp(8))
        else:
            tip = self.center_x + side * depth / 2
        back = tip - side * depth
        return [tip, cy, back, cy + half, back, cy - half]


Builder.load_string(
    """
#:import dp kivy.metrics.dp

<ArrowButton>:
    # Room for the arrow on its side: as wide as the arrow plus a gap.
    padding: (self.font_size * 1.1 + dp(16) if self.arrow == 'left' else dp(16)), dp(8), (self.font_size * 1.1 + dp(16) if self.arrow == 'right' else dp(16)), dp(8)
    canvas.after:
        Color:
            rgba: (self.disabled_color if self.disabled else self.color) if self.arrow else (0, 0, 0, 0)
        Triangle:
            # The arrow sits centred when there is no text, else in the padding on its side.
            points: self.arrow_points(self.arrow, self.text, self.pos, self.size, self.font_size, self.texture_size)
"""
)
