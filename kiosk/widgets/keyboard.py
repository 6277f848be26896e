"""The story screen's docked on-screen keyboard: Finnish/Swedish letters, digits, punctuation.

Our own layout rather than Kivy's VKeyboard: large keys (``app.look.target`` high, 12 dp apart),
å ä ö on the letter rows, a one-shot "Capital letter" key (after one letter it returns to small
letters, as on phones, so nobody gets stuck in capitals; while it is on, the key is drawn
selected and the letters show as capitals), Backspace, a wide Space and ◀ ▶ to move the caret.
It emits ``on_text(text)``, ``on_backspace()`` and ``on_move(step)`` (-1 or +1); it holds no text
itself, so clearing the story clears everything. The same key pressed again within
``repeat_seconds`` of its last accepted press is ignored (a trembling double tap gives one "a");
time comes from ``clock`` (the App's, injectable in tests).
"""

from __future__ import annotations

import time

from kivy.properties import BooleanProperty, DictProperty, NumericProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.touch import KEY_REPEAT_SECONDS
from kiosk.widgets.arrows import ArrowButton
from kiosk.widgets.buttons import BigButton

__all__ = ["OnScreenKeyboard", "ROWS"]

# Special keys are written as their action names in angle brackets.
ROWS = (
    ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "<backspace>"),
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "å"),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "ö", "ä"),
    ("<shift>", "z", "x", "c", "v", "b", "n", "m", ",", ".", "-"),
    ("?", "!", "'", ":", "(", ")", "<space>", '"', "/", "<left>", "<right>"),
)
# "Capital letter" is two words in every language: room for them on one line at x1.5.
_WIDE = {"<backspace>": 2.0, "<shift>": 3.0, "<space>": 3.0}
_MOVES = {"<left>": -1, "<right>": 1}


class KeyButton(BigButton):
    """One key; ``value`` is the character or ``<action>`` it sends."""


class ArrowKey(KeyButton, ArrowButton):
    """◀ or ▶: moves the caret; drawn, since the font has no arrow glyphs."""


class OnScreenKeyboard(BoxLayout):
    shift = BooleanProperty(False)
    # Translated names of the special keys: {"<shift>": ..., "<space>": ..., "<backspace>": ...}
    labels = DictProperty({})
    look = ObjectProperty(None, allownone=True)
    key_height = NumericProperty(72)
    clock = ObjectProperty(time.monotonic)
    repeat_seconds = NumericProperty(KEY_REPEAT_SECONDS)
    __events__ = ("on_text", "on_backspace", "on_move")

    def __init__(self, **kwargs):
        self._last_key: str | None = None
        self._last_at = float("-inf")
        super().__init__(**kwargs)
        self.orientation = "vertical"
        self.keys: list[KeyButton] = []
        for row in ROWS:
            line = BoxLayout(orientation="horizontal", size_hint_y=None)
            line.spacing = self.spacing
            self.fbind("spacing", lambda _i, v, line=line: setattr(line, "spacing", v))
            for value in row:
                if value in _MOVES:
                    key = ArrowKey(value=value, arrow="left" if _MOVES[value] < 0 else "right")
                else:
                    key = KeyButton(value=value)
                key.size_hint_x = _WIDE.get(value, 1.0)
                key.role = "secondary" if value.startswith("<") else "primary"
                key.bind(on_release=self._pressed, height=self._relayout)
                line.add_widget(key)
                self.keys.append(key)
            self.add_widget(line)
        self.size_hint_y = None
        self.fbind("spacing", self._relayout)
        self.fbind("padding", self._relayout)
        self._relabel()
        self._relayout()

    def _relayout(self, *_args) -> None:
        # Rows are as tall as their tallest key; the keyboard is as tall as its rows.
        total = 0.0
        for line in self.children:
            line.height = max((k.height for k in line.children), default=0)
            total += line.height
        pad = self.padding if isinstance(self.padding, list | tuple) else [self.padding] * 4
        gaps = self.spacing if isinstance(self.spacing, int | float) else self.spacing[1]
        self.height = total + gaps * (len(self.children) - 1) + pad[1] + pad[3]

    def key(self, value: str) -> KeyButton:
        """The key that sends ``value`` (a character or ``<shift>``/``<space>``/``<backspace>``)."""
        for k in self.keys:
            if k.value == value:
                return k
        raise KeyError(f"the keyboard has no key {value!r}")

    def on_shift(self, *_args) -> None:
        self._relabel()

    def on_labels(self, *_args) -> None:
        self._relabel()

    def _relabel(self) -> None:
        for k in self.keys:
            if k.value.startswith("<"):
                k.text = self.labels.get(k.value, "")
                if k.value == "<shift>":
                    k.role = "selected" if self.shift else "secondary"
            else:
                k.text = k.value.upper() if self.shift else k.value

    def _pressed(self, key: KeyButton) -> None:
        now = self.clock()
        if key.value == self._last_key and now - self._last_at < self.repeat_seconds:
            return  # the same key again at once: a bounce of the finger, not a second letter
        self._last_key, self._last_at = key.value, now
        if key.value in _MOVES:
            self.dispatch("on_move", _MOVES[key.value])
        elif key.value == "<shift>":
            self.shift = not self.shift
        elif key.value == "<backspace>":
            self.dispatch("on_backspace")
        elif key.value == "<space>":
            self.dispatch("on_text", " ")
        else:
            self.dispatch("on_text", key.value.upper() if self.shift else key.value)
            if self.shift and key.value.isalpha():
                self.shift = False

    def on_text(self, text: str) -> None:
        pass

    def on_backspace(self) -> None:
        pass

    def on_move(self, step: int) -> None:
        pass
