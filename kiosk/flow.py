"""Where a visitor goes next, and what each step saves: the kiosk's navigation in one place.

Screens call these methods from their buttons; :class:`VisitFlow` saves the step through the
:class:`kiosk.visit.VisitRecorder` *before* it changes screen, so a visitor who walks away
after any finished step has lost nothing. :meth:`VisitFlow.finish` ends the visit and clears
every screen, the language, text size and contrast, so the next visitor starts fresh; the idle
guard and the thank-you screen's timer both end there.

The bottom bar (:mod:`kiosk.widgets.stepbar`) calls :meth:`back`, :meth:`cancel` and
:meth:`go_on`. A visit follows one of two paths (:data:`FEEDBACK_PATH` from "Give feedback",
:data:`STORY_PATH` from "Tell a story"); :meth:`step` numbers the current screen on it. Going
back and tapping another face saves a new rating record (the server counts a visit's last);
the same face, or the same themes again, save nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from kivy.logger import Logger

from kiosk.content import ThemeCard, theme_card
from kiosk.qr import follow_up_url
from kiosk.visit import VisitRecorder

__all__ = ["FEEDBACK_PATH", "STORY_PATH", "VisitFlow", "VISITOR_SCREENS"]

VISITOR_SCREENS = ("attract", "rating", "themes", "story", "thanks")
FEEDBACK_PATH = ("rating", "themes", "story", "thanks")
STORY_PATH = ("story", "thanks")


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
        close_prompt: Callable[[], None] | None = None,
    ):
        self.manager = manager
        self.recorder = recorder
        self._content = content
        self._public_url = public_url
        self._language = language
        self._reset_look = reset_look
        self._on_step_saved = on_step_saved or (lambda: None)
        self._ensure_screen = ensure_screen or (lambda name: None)
        self._close_prompt = close_prompt or (lambda: None)
        self.last_error: str = ""
        self.path: tuple[str, ...] = FEEDBACK_PATH

    # --- navigation

    def show(self, name: str) -> None:
        self._ensure_screen(name)
        self.manager.current = name

    @property
    def current(self) -> str:
        return self.manager.current

    def start_feedback(self) -> None:
        self.path = FEEDBACK_PATH
        self.show("rating")

    def start_story(self) -> None:
        self.path = STORY_PATH
        self.show("story")

    def staff_corner(self) -> None:
        """The staff corner was held: staff mode, but only from the attract screen, so a hand
        resting on the corner never wipes a visit going on."""
        if self.current == "attract":
            self.open_staff()

    def step(self) -> tuple[int, int] | None:
        """(number, total) of the current screen on this visit's path; None off the path."""
        if self.current not in self.path:
            return None
        return self.path.index(self.current) + 1, len(self.path)

    # --- the bottom bar

    def back(self) -> None:
        """One step back on the path; from the first step, back to the start (visit ended)."""
        screen = self.manager.current_screen
        if getattr(screen, "go_back", lambda: False)():
            return  # the screen went back within itself (a panel)
        step = self.step()
        if step is None or step[0] == 1:
            self.finish()
        else:
            self.show(self.path[step[0] - 2])

    def cancel(self) -> None:
        """End the visit: what was saved stays saved, what was typed or chosen is cleared."""
        self.finish()

    def can_go_on(self) -> bool:
        screen = self.manager.current_screen
        return bool(getattr(screen, "can_go_on", lambda: True)())

    def go_on(self) -> None:
        """The current screen's way forward (its ``go_on``); a screen without one (the thanks
        screen, the last step) ends the visit."""
        if not self.can_go_on():
            return
        handler = getattr(self.manager.current_screen, "go_on", None)
        if handler is None:
            self.finish()
        else:
            handler()

    def rated(self) -> int | None:
        """The face this visit saved last, if any."""
        visit = self.recorder.current
        return None if visit is None else visit.rating

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
        if rating != self.rated():  # the same face again after going back is no new answer
            self._save(lambda: self.recorder.save_rating(rating, self._language()))
        self.show("themes")

    def choose_themes(self, theme_ids: Sequence[str]) -> None:
        visit = self.recorder.current
        unchanged = visit is not None and list(theme_ids) == visit.theme_ids
        if theme_ids and not unchanged:
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
        """End the visit; clear every screen and the visitor's settings; back to the start. An
        open "more time?" prompt closes: it belonged to the visit that just ended."""
        self._close_prompt()
        self.recorder.end()
        self.path = FEEDBACK_PATH
        for screen in self.manager.screens:
            screen.clear()
        self._reset_look()
        if show:
            self.show("attract")
