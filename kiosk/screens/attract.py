"""Attract screen, "Making development visible": rotating theme cards, the story wall, and the
two ways in.

Each card shows one theme in the current language: its name, its velho (name and role), where
the theme stands on its dated path, the latest "what happened" update and the mood of recent
weeks as small drawn faces. Beside it, the story wall shows one "My Mikkeli" story that staff
approved for it (kiosk-config's ``stories``; those in the visitor's language first), shortened
to ``WALL_STORY_CHARS``. Card and story change every ``ROTATE_SECONDS`` (at least 20 s, WCAG
2.2.2); ◀ and ▶ turn the cards by hand (the wait starts again) and a pause stops them. One
sentence says what käyttäjätori is and what happens to an answer; the two big buttons start a
visit with a rating or with a story.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.content import ThemeCard, theme_card
from kiosk.i18n import _, format_date
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.speech_scripts import PURPOSE

__all__ = [
    "RESTING_EVERY",
    "ROTATE_SECONDS",
    "WALL_STORY_CHARS",
    "AttractScreen",
    "shorten",
    "wall_stories",
]

ROTATE_SECONDS = 20.0  # WCAG 2.2.2: slow enough to read at x2; the visitor can also pause
# While the kiosk rests (nobody has touched it for a while), a card every RESTING_EVERY turns,
# two minutes: each change redraws the whole window, which was most of an idle kiosk's CPU.
RESTING_EVERY = 6
WALL_STORY_CHARS = 240  # a story can be 2,000 characters; the wall shows a few lines of it


def wall_stories(stories, lang: str) -> list:
    """The approved stories to rotate: the ones told in ``lang``, else all of them."""
    stories = list(stories or [])
    return [s for s in stories if s.lang == lang] or stories


def shorten(text: str, limit: int = WALL_STORY_CHARS) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",.;:!?-–") + "…"


class AttractScreen(KioskScreen):
    card = ObjectProperty(None, allownone=True)
    index = NumericProperty(0)
    count = NumericProperty(0)
    story = ObjectProperty(None, allownone=True)  # the wall's story now (kiosk-config's)
    story_index = NumericProperty(0)
    paused = BooleanProperty(False)
    photo = StringProperty("")  # the cached velho photo of the card shown ("" when none)
    purpose = StringProperty(PURPOSE)  # a msgid; kv translates it

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._rotation = None

    def on_kv_post(self, _base_widget) -> None:
        self.app.tr.bind(lang=self.refresh)  # a new language re-writes the card at once

    def on_enter(self, *_args) -> None:
        self.refresh()
        if self._rotation is None:
            self._rotation = Clock.schedule_interval(self.next_card, ROTATE_SECONDS)

    def on_leave(self, *_args) -> None:
        if self._rotation is not None:
            self._rotation.cancel()
            self._rotation = None

    def refresh(self, *_args) -> None:
        """Rebuild the current card and story from the content, in the current language."""
        content = self.app.content()
        stories = wall_stories(content.stories, self.app.tr.lang)
        self.story = stories[self.story_index % len(stories)] if stories else None
        themes = content.themes
        self.count = len(themes)
        if not themes:
            self.card = None
            return
        self.index %= len(themes)
        self.card = theme_card(themes[self.index], self.app.tr.lang)
        self.photo = str(self.app.velho_photos.path(self.card.velho_photo_url) or "")
        urls = [t.velho.photo_url if t.velho else None for t in themes]
        self.app.velho_photos.fetch(urls, on_new=self._photos_arrived)

    def _photos_arrived(self) -> None:
        # From the download thread: the card is rebuilt on the UI thread, between frames.
        Clock.schedule_once(self.refresh, 0)

    def next_card(self, *_args) -> None:
        speech = getattr(self.app, "speech", None)
        if self.paused or (speech is not None and speech.on):
            return  # paused by the visitor, or read aloud: the card stays the one being heard
        if getattr(self.app, "loop_resting", False):
            self._quiet_turns = getattr(self, "_quiet_turns", 0) + 1
            if self._quiet_turns < RESTING_EVERY:
                return
        self._quiet_turns = 0
        self.index += 1
        self.story_index += 1
        self.refresh()

    def turn(self, step: int) -> None:
        """The visitor's ◀ / ▶: the card before or after, and a full wait before the next turn."""
        self.index += step
        self.refresh()
        if self._rotation is not None:
            self._rotation.cancel()
            self._rotation = Clock.schedule_interval(self.next_card, ROTATE_SECONDS)
        speech = getattr(self.app, "speech", None)
        if speech is not None:
            speech.repeat()

    def clear(self) -> None:
        self.paused = False

    def story_text(self, story, lang: str) -> str:
        if story is None or not story.text:
            return ""
        return _("“{story}”").format(story=shorten(story.text))

    # Text of the card's lines; ``lang`` is passed only so kv re-evaluates on a language change.

    def velho_text(self, card: ThemeCard | None, lang: str) -> str:
        if card is None:
            return ""
        if not card.velho_name:
            return _("This theme still needs a velho, a person to move it forward.")
        return _("Velho: {name}, {role}").format(name=card.velho_name, role=card.velho_role)

    def done_text(self, card: ThemeCard | None, lang: str) -> str:
        if card is None or not card.done_step:
            return ""
        return _("Done: {step} ({date})").format(
            step=card.done_step, date=format_date(card.done_date, lang)
        )

    def next_text(self, card: ThemeCard | None, lang: str) -> str:
        if card is None or not card.next_step:
            return ""
        return _("Next: {step} ({date})").format(
            step=card.next_step, date=format_date(card.next_date, lang)
        )

    def path_text(self, card: ThemeCard | None, lang: str) -> str:
        if card is None or not card.steps_total:
            return ""
        return _("Step {done} of {total} on a path planned until {date}").format(
            done=card.steps_done, total=card.steps_total, date=format_date(card.path_end_date, lang)
        )

    def update_text(self, card: ThemeCard | None, lang: str) -> str:
        if card is None or not card.update_text:
            return ""
        return _("What happened: {text}").format(text=card.update_text)

    def position_text(self, index: int, count: int, lang: str) -> str:
        if not count:
            return ""
        return _("Theme {n} of {count}").format(n=index + 1, count=count)


load_kv("attract")
