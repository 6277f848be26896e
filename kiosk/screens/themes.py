"""Themes screen: "Which theme areas matter to you?" - choose up to three, or skip.

One chip per theme of the content, in the current language. A fourth choice is refused with a
visible note rather than silently dropping an earlier one. "Continue" saves the choice at once
(through the flow); "Skip" saves nothing and moves on.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty

from kiosk.i18n import _
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.touch import KEY_REPEAT_SECONDS
from kiosk.widgets import ButtonPool, ChipButton
from sync.protocol import MAX_THEMES

__all__ = ["ThemesScreen"]


class ThemesScreen(KioskScreen):
    chosen = ListProperty([])
    full_note = BooleanProperty(False)

    def __init__(self, **kwargs):
        self._pool = ButtonPool(ChipButton, self.toggle)
        self._last_toggle: tuple[str, float] = ("", float("-inf"))
        super().__init__(**kwargs)

    def on_pre_enter(self, *_args) -> None:
        self.build_chips()

    def build_chips(self, *_args) -> None:
        lang = self.app.tr.lang
        themes = self.app.content().themes
        self._pool.fill(self.ids.chips, [(t.id, t.name.get(lang)) for t in themes], self.chosen)

    def chip(self, theme_id: str) -> ChipButton:
        for chip in self.ids.chips.children:
            if chip.value == theme_id:
                return chip
        raise KeyError(f"no chip for theme {theme_id!r}")

    def toggle(self, chip: ChipButton) -> None:
        # A trembling finger's second touch on the same chip would take the choice straight back:
        # like the keyboard (kiosk.touch), the same chip again within KEY_REPEAT_SECONDS is one tap.
        now = self.app.clock()
        last_value, last_at = self._last_toggle
        self._last_toggle = (chip.value, now)
        if chip.value == last_value and now - last_at < KEY_REPEAT_SECONDS:
            return
        if chip.value in self.chosen:
            self.chosen.remove(chip.value)
            chip.selected = False
            self.full_note = False
        elif len(self.chosen) >= MAX_THEMES:
            self.full_note = True
        else:
            self.chosen.append(chip.value)
            chip.selected = True

    def hint(self, count: int, full: bool, lang: str) -> str:
        if full:
            return _("You have chosen three. Tap a chosen theme to remove it first.")
        return _("Choose up to three, or skip. Chosen: {count} of 3").format(count=count)

    def done(self) -> None:
        self.app.flow.choose_themes(list(self.chosen))

    def skip(self) -> None:
        self.app.flow.choose_themes([])

    def go_on(self) -> None:
        """The bottom bar's Continue: save what is chosen (nothing chosen: as Skip)."""
        self.done()

    def clear(self) -> None:
        self.chosen = []
        self.full_note = False
        self._last_toggle = ("", float("-inf"))
        for chip in self.ids.chips.children:
            chip.selected = False


load_kv("themes")
