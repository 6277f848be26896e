"""How the kiosk looks right now: text size, palette, and the sizes derived from them.

One :class:`Look` instance lives on the App as ``app.look``; every kv rule takes its font sizes
(``app.look.body``, ``app.look.heading``, ``app.look.title``), its touch-target sizes
(``app.look.target``) and its colours (``app.look.pal.<role>``, roles from ``kiosk.palette``)
from it, so switching text size or contrast re-lays every screen through ordinary Kivy
property bindings. The floors of issue 3 live here: body text 24 sp, headings 36 sp, targets
84 dp with 12 dp gaps, faces 160 dp, all at text size x1. A dp is a pixel of a 15.6″ 1920×1080
screen on every screen (kiosk.physical), so a target is at least 15 mm and text at least 4 mm.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.metrics import dp, sp
from kivy.properties import DictProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.palette import PALETTES, get_palette

__all__ = ["Look", "TEXT_SCALES", "CONTRASTS", "BODY_SP", "HEADING_SP", "TARGET_DP", "GAP_DP"]

TEXT_SCALES = (1.0, 1.5, 2.0)
CONTRASTS = ("normal", "high-contrast")
BODY_SP = 24
HEADING_SP = 36
TITLE_SP = 44
TARGET_DP = 84  # 15.1 mm (kiosk.physical.TARGET_MM); was 72 dp, 12.9 mm
GAP_DP = 12
FACE_SHOWN_DP = 200


class Look(EventDispatcher):
    scale = NumericProperty(1.0)
    contrast = StringProperty("normal")
    pal = ObjectProperty(PALETTES["normal"])
    body = NumericProperty(sp(BODY_SP))
    heading = NumericProperty(sp(HEADING_SP))
    title = NumericProperty(sp(TITLE_SP))
    key = NumericProperty(sp(30))
    # The always-visible bar (language, text size, contrast, read aloud) must fit one row at x2.
    control = NumericProperty(sp(BODY_SP))
    control_target = NumericProperty(dp(TARGET_DP))
    # A text-carrying button is at least the target floor and tall enough for one line of text.
    target = NumericProperty(dp(TARGET_DP))
    gap = NumericProperty(dp(GAP_DP))
    pad = NumericProperty(dp(24))
    face = NumericProperty(dp(FACE_SHOWN_DP))
    # The same sizes by name. Widgets pick theirs with a style name (``text_style: 'heading'``)
    # instead of overriding ``font_size`` in a second kv rule: two rules bound to the look would
    # both fire on a change and the later one would win at random.
    sizes = DictProperty({})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The class defaults were computed at import, perhaps before the screen's density was
        # set (kiosk.physical.apply_screen): compute every size again now.
        self.on_scale(self, self.scale)

    def on_scale(self, _instance, value: float) -> None:
        if value not in TEXT_SCALES:
            raise ValueError(f"text scale {value!r} is not one of {TEXT_SCALES}")
        self.body = sp(BODY_SP) * value
        self.heading = sp(HEADING_SP) * value
        self.title = sp(TITLE_SP) * value
        # Single-letter key labels are already large; they grow half as fast so the keyboard
        # keeps room for the story above it at x2.
        self.key = sp(30) * (1 + (value - 1) / 2)
        self.control = sp(BODY_SP) * (1 + (value - 1) / 2)
        self.control_target = max(dp(TARGET_DP), self.control * 2.4)
        self.target = max(dp(TARGET_DP), self.body * 2.4)
        self._update_sizes()

    def _update_sizes(self) -> None:
        self.sizes = {
            "body": self.body,
            "heading": self.heading,
            "title": self.title,
            "key": self.key,
            "control": self.control,
            "target": self.target,
            "control_target": self.control_target,
            "key_target": max(dp(TARGET_DP), self.key * 1.6),
        }

    def on_contrast(self, _instance, value: str) -> None:
        self.pal = get_palette(value)

    def next_scale(self) -> float:
        """The text size after this one, wrapping from x2 back to x1."""
        i = TEXT_SCALES.index(self.scale)
        return TEXT_SCALES[(i + 1) % len(TEXT_SCALES)]

    def scale_text(self, scale: float, lang: str) -> str:
        """A text size as people write it: "1,5" in Finnish and Swedish, "1.5" in English."""
        text = f"{scale:g}"
        return text.replace(".", ",") if lang in ("fi", "sv") else text

    def reset(self) -> None:
        """Back to the defaults a new visitor should see."""
        self.scale = 1.0
        self.contrast = "normal"
