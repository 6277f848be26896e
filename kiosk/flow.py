"""Where a visitor goes next, and what each step saves: the kiosk's navigation in one place.

Screens call these methods from their buttons; :class:`VisitFlow` saves the step through the
:class:`kiosk.visit.VisitRecorder` *before* it changes screen, so a visitor who walks away
after any finished step has lost nothing. :meth:`VisitFlow.finish` ends the visit and clears
every screen, the language, text size and contrast, so the next visitor starts fresh; the idle
guard and the thank-you screen's timer both end there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from kivy.logger import Logger

from kiosk.content import ThemeCard, theme_card
from kiosk.qr import follow_up_url
from kiosk.visit import VisitRecorder

__all__ = ["VisitFlow", "VISITOR_SCREENS"]

VISITOR_SCREENS = ("attract", "rating", "themes", "story", "thanks")


class VisitFlow:
    def __init__(
        self,
        manager: Any,
        recorder: VisitRecorder,
        content: Callable[[], Any],
        *,
        public_url: Callable[[], str],
        language: Callable[[], str],
        reset_look: Callable[[], None],
        on_step_saved: Callable[[], None] | None = None,
        ensure_screen: Callable[[str], Any] | None = None,
    ):
        self.manager = manager
        self.recorder = recorder
        self._content = content
        self._public_url = public_url
        self._language = language
        self._reset_look = reset_look
        self._on_step_saved = on_step_saved or (lambda: None)
        self._ensure_screen = ensure_screen or (lambda name: None)
        self.last_error: str = ""

    # --- navigation

    def show(self, name: str) -> None:
        self._ensure_screen(name)
        self.manager.current = name

    @property
    def current(self) -> str:
        return self.manager.current

    def start_feedback(self) -> None:
        self.show("rating")

    def start_story(self) -> None:
        self.show("story")

    def staff_corner(self) -> None:
        """The staff corner was held: staff mode, but only from the attract screen, so a hand
        resting on the corner never wipes a visit going on."""
        if self.current == "attract":
            self.open_staff()

    def open_staff(self) -> None:
        self.finish(show=False)
        self.show("staff")

    # --- saving steps

    def _save(self, action: Callable[[], str]) -> bool:
        try:
            action()
        except Exception as exc:  # a store failure must not strand the visitor on a screen
            self.last_error = str(exc)
            Logger.error(f"Kiosk: could not save a step: {exc}")
            return False
        self._on_step_saved()
        return True

    def rate(self, rating: int) -> None:
        self._save(lambda: self.recorder.save_rating(rating, self._language()))
        self.show("themes")

    def choose_themes(self, theme_ids: Sequence[str]) -> None:
        if theme_ids:
            self._save(lambda: self.recorder.save_themes(list(theme_ids), self._language()))
        self.show("story")

    def submit_story(self, text: str, age_group: str | None, district: str | None) -> None:
        if text.strip():
            self._save(
                lambda: self.recorder.save_story(text, self._language(), age_group, district)
            )
        self.after_story()

    def after_story(self) -> None:
        """Thank a visitor who left something; one who left nothing goes back to the start."""
        visit = self.recorder.current
        if visit is not None and visit.has_records:
            self.show("thanks")
        else:
            self.finish()

    # --- what the thank-you screen shows

    def follow_up(self) -> str:
        visit = self.recorder.visit()
        try:
            return follow_up_url(self._public_url(), visit.follow_up_token)
        except ValueError as exc:
            Logger.error(f"Kiosk: no follow-up link: {exc}")
            return ""

    def short_address(self) -> str:
        """``<public_base_url>/k``, where a visitor types the short code; "" without a base."""
        base = self._public_url().strip().rstrip("/")
        return f"{base}/k" if base.startswith(("http://", "https://")) else ""

    def short_code(self) -> str:
        return self.recorder.visit().short_code

    def chosen_themes(self) -> list[ThemeCard]:
        """Every theme the visitor chose, in their order, for the thanks screen and the slip."""
        visit = self.recorder.current
        if visit is None or not visit.theme_ids:
            return []
        by_id = {theme.id: theme for theme in self._content().themes}
        today = date.today()
        return [
            theme_card(by_id[tid], self._language(), today)
            for tid in visit.theme_ids
            if tid in by_id
        ]

    def chosen_theme(self) -> ThemeCard | None:
        visit = self.recorder.current
        if visit is None or not visit.theme_ids:
            return None
        for theme in self._content().themes:
            if theme.id == visit.theme_ids[0]:
                return theme_card(theme, self._language(), date.today())
        return None

    # --- ending a visit

    def finish(self, show: bool = True) -> None:
        """End the visit; clear every screen and the visitor's settings; back to the start."""
        self.recorder.end()
        for screen in self.manager.screens:
            screen.clear()
        self._reset_look()
        if show:
            self.show("attract")
