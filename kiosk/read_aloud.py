"""Read-aloud as a mode: while it is on, every screen speaks its script when it appears.

:class:`ReadAloud` sits between the screens and the :class:`kiosk.speech.Speaker`. A caller may
rely on this:

* ``on`` switched on speaks the current screen at once; switched off it stops the speech;
* while ``on``, a new screen is spoken one frame after it appears (its state is set by then), a
  new language cuts off the old speech at once and speaks the screen again in the new language;
  :meth:`stop` interrupts, :meth:`repeat` speaks the screen again;
* the story keyboard echoes each character, reads the word back at a space and
  :meth:`read_story` reads the whole story; choosing a theme says its new state;
* ``level`` (1..``LEVELS``) sets the volume: espeak-ng's amplitude up to the kiosk's
  ``speech.max_volume``;
* :meth:`reset` (the end of a visit, an idle reset) stops the speech at once, switches the mode
  off and sets the volume back;
* a prompt given to :meth:`watch_prompt` (the idle guard's "more time?") is read when it opens.

While on, a bar of speech controls (repeat, stop, quieter, louder, read my story) is shown
under the top bar; it is added to the window's root only then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import _
from kiosk.speech_scripts import key_name, screen_script
from kiosk.spoken import number_words, speakable

__all__ = ["DEFAULT_LEVEL", "LEVELS", "ReadAloud"]

LEVELS = 5
DEFAULT_LEVEL = 4
_KV = Path(__file__).resolve().parent / "kv" / "speech_bar.kv"


def amplitude(level: int, max_volume: int) -> int:
    """espeak-ng's amplitude for ``level``: a quarter of the maximum at 1, all of it at LEVELS."""
    level = max(1, min(LEVELS, int(level)))
    return round(max_volume * (0.25 + 0.75 * (level - 1) / (LEVELS - 1)))


class ReadAloud(EventDispatcher):
    on = BooleanProperty(False)
    level = NumericProperty(DEFAULT_LEVEL)
    screen_name = StringProperty("")  # the screen shown now, for the bar's story button

    def __init__(self, app: Any, max_volume: int = 100, **kwargs: Any):
        super().__init__(**kwargs)
        self.app = app
        self.max_volume = max_volume
        self.bar: Any = None
        self._keyboards: set[int] = set()
        self._themes_bound = False
        self._speak_screen = Clock.create_trigger(self._speak_current, 0)
        self._apply_volume()

    # --- wiring, done once by the app

    def attach(self, manager: Any, tr: Any) -> None:
        manager.bind(current=self._screen_changed)
        tr.bind(lang=self._language_changed)
        self.screen_name = manager.current or ""

    def watch_prompt(self, prompt: Any) -> None:
        """Read a modal prompt (the idle guard's "more time?") aloud when it opens."""
        # Spoken a frame after it starts to open (laid out by then), not after its animation.
        prompt.bind(
            on_pre_open=lambda view: Clock.schedule_once(
                lambda _dt: self.say(_widget_texts(view)), 0
            )
        )

    # --- the mode

    def toggle(self) -> None:
        self.on = not self.on

    def on_on(self, _instance: Any, value: bool) -> None:
        self._show_bar(value)
        if value:
            self._speak_current()
        else:
            self.speaker.stop()

    def reset(self) -> None:
        """End of a visit: silence now, mode off, volume back to its default."""
        self.speaker.stop()
        self._speak_screen.cancel()
        self.on = False
        self.level = DEFAULT_LEVEL

    def stop(self) -> None:
        self.speaker.stop()

    def repeat(self) -> None:
        self._speak_current()

    def say(self, text: str | list[str]) -> None:
        if self.on:
            self.speaker.say(text, self.app.tr.lang)

    # --- volume

    def on_level(self, *_args: Any) -> None:
        self._apply_volume()

    def _apply_volume(self) -> None:
        speaker = getattr(self.app, "speaker", None)
        if speaker is not None:
            speaker.amplitude = amplitude(self.level, self.max_volume)

    @property
    def speaker(self) -> Any:
        """The app's speaker (looked up each time: a test may swap it), at this volume."""
        self._apply_volume()
        return self.app.speaker

    def louder(self) -> None:
        self.level = min(LEVELS, self.level + 1)
        self.say(self.volume_words())

    def quieter(self) -> None:
        self.level = max(1, self.level - 1)
        self.say(self.volume_words())

    def volume_text(self, level: int, lang: str) -> str:
        return _("Volume {level}/{levels}").format(level=level, levels=LEVELS)

    def volume_words(self) -> str:
        lang = self.app.tr.lang
        return _("Volume {level} of {levels}").format(
            level=number_words(self.level, lang), levels=number_words(LEVELS, lang)
        )

    # --- screens

    def _current_screen(self) -> Any:
        root = self.app.root
        return None if root is None else root.ids.screens.current_screen

    def _screen_changed(self, _manager: Any, name: str) -> None:
        self.screen_name = name or ""
        self.speaker.stop()  # the old screen's words end with it, on or off
        if name == "story":
            self._watch_keyboard(self.app.ensure_screen("story"))
        elif name == "themes":
            self._watch_themes(self.app.ensure_screen("themes"))
        if self.on:
            self._speak_screen()

    def _language_changed(self, *_args: Any) -> None:
        self.speaker.stop()
        if self.on:
            self._speak_screen()

    def _speak_current(self, *_args: Any) -> None:
        screen = self._current_screen()
        if self.on and screen is not None:
            self.speaker.say(screen_script(screen), self.app.tr.lang)

    # --- the story keyboard and the theme chips

    def _watch_keyboard(self, story: Any) -> None:
        keyboard = story.ids.keyboard
        if id(keyboard) in self._keyboards:
            return
        self._keyboards.add(id(keyboard))
        # Bound after the screen's own handlers, so Kivy calls these first (the last bound
        # handler runs first): the story text is still as it was before the key.
        keyboard.bind(
            on_text=lambda _kb, text: self._typed(story, text),
            on_backspace=lambda _kb: self._deleted(story),
        )
        # "About you" and Send's question are panels of the same screen: each is read as a
        # screen of its own when it opens (and writing again when the visitor goes back to it).
        story.bind(panel=lambda *_args: self._panel_changed(story))

    def _panel_changed(self, story: Any) -> None:
        if self.on and self.app.flow.current == "story":
            self.speaker.stop()
            self.speaker.say(screen_script(story), self.app.tr.lang)

    def _typed(self, story: Any, text: str) -> None:
        if not self.on:
            return
        if text == " ":
            words = _text_before_caret(story).split()
            self.say(words[-1] if words else key_name(" "))
        else:
            self.say(key_name(text, self.app.tr.lang))

    def _deleted(self, story: Any) -> None:
        before = _text_before_caret(story)
        if not before:
            self.say(_("Your story is empty."))
            return
        words = before[:-1].split()
        self.say(
            [
                _("Deleted: {key}").format(key=key_name(before[-1], self.app.tr.lang)),
                words[-1] if words else _("Your story is empty."),
            ]
        )

    def read_story(self) -> None:
        story = self.app.ensure_screen("story")
        text = speakable(story.text.strip(), self.app.tr.lang)  # a date in it said as words
        self.say(text if text else _("Your story is empty."))

    def _watch_themes(self, themes: Any) -> None:
        if self._themes_bound:
            return
        self._themes_bound = True
        themes.bind(chosen=lambda screen, chosen: self._themes_changed(screen, chosen))
        themes.bind(full_note=self._themes_full)

    def _themes_full(self, screen: Any, full: bool) -> None:
        if full:
            self.say(screen.hint(3, True, ""))

    def _themes_changed(self, screen: Any, chosen: list[str]) -> None:
        if not self.on or self.app.root.ids.screens.current != "themes":
            return
        lang = self.app.tr.lang
        names = {t.id: t.name.get(lang) for t in self.app.content().themes}
        said = [
            _("Chosen: {themes}.").format(themes=", ".join(names.get(c, c) for c in chosen))
            if chosen
            else _("No theme chosen.")
        ]
        self.say(said)

    # --- the bar of speech controls

    def _show_bar(self, shown: bool) -> None:
        root = self.app.root
        if root is None:
            return
        if self.bar is None:
            if str(_KV) not in Builder.files:
                Builder.load_file(str(_KV))
            from kivy.factory import Factory

            self.bar = Factory.SpeechBar()
        if shown and self.bar.parent is None:
            screens = root.ids.screens
            root.add_widget(self.bar, index=root.children.index(screens) + 1)
        elif not shown and self.bar.parent is not None:
            self.bar.parent.remove_widget(self.bar)


def _text_before_caret(story: Any) -> str:
    caret = getattr(story, "caret", None)
    text = story.text
    return text[:caret] if isinstance(caret, int) else text


def _widget_texts(view: Any) -> list[str]:
    """The texts of ``view``'s labels and buttons, top to bottom."""
    from kivy.uix.label import Label

    found = [
        (-round(w.to_window(w.x, w.top)[1]), w.text)
        for w in view.walk(restrict=True)
        if isinstance(w, Label) and w.text and w.opacity
    ]
    return [text for _top, text in sorted(found, key=lambda item: item[0])]
