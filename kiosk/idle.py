"""Idle handling: after a screen's idle time without a touch, ask "need more time?"; then start over.

:class:`IdleGuard` watches every touch on the window. Any touch anywhere, on any screen, starts
the idle time again; a touch while the prompt is open closes it and keeps everything as it was
(that touch is spent on the prompt, so it never presses what lies under it). When the visitor is
away from the attract screen and idle for ``seconds_for()`` (the current screen's idle time: the
thanks screen gives at least 120 s), a :class:`MoreTimePrompt` opens for ``more_time_seconds``,
says whether an unsent story would be lost (``story_at_risk()``) and calls ``on_prompt`` (the
app plays a short sound there); running out calls ``on_timeout`` (the flow's ``finish``: all
input cleared, attract screen). On the attract screen idleness just resets the visitor's
settings, with no prompt (there is nothing to lose). Call :meth:`touched` when the screen
changes, so each screen starts with its own idle time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from kivy.clock import Clock

from kiosk.widgets.moretime import MoreTimePrompt

__all__ = ["IdleGuard"]


class IdleGuard:
    def __init__(
        self,
        window,
        *,
        idle_seconds: float,
        more_time_seconds: float,
        needs_prompt: Callable[[], bool],
        on_timeout: Callable[[], None],
        seconds_for: Callable[[], float] | None = None,
        story_at_risk: Callable[[], bool] | None = None,
        on_prompt: Callable[[], None] | None = None,
    ):
        self.idle_seconds = idle_seconds
        self.more_time_seconds = more_time_seconds
        self._needs_prompt = needs_prompt
        self._on_timeout = on_timeout
        self._seconds_for = seconds_for or (lambda: self.idle_seconds)
        self._story_at_risk = story_at_risk or (lambda: False)
        self._on_prompt = on_prompt or (lambda: None)
        self.prompt = MoreTimePrompt()
        self.prompt.bind(on_more_time=lambda *_: self.touched())
        self._idle_event = Clock.schedule_once(self._idle, self._seconds_for())
        self._tick_event = None
        self._window = window
        window.bind(on_touch_down=self._on_touch)

    @property
    def prompting(self) -> bool:
        return self.prompt.parent is not None

    @property
    def seconds_left(self) -> float:
        """The idle time scheduled now (tests read it; -1 while the prompt counts down)."""
        return -1 if self.prompting else self._idle_event.timeout

    def _on_touch(self, *_args) -> bool:
        # Any touch keeps the visitor's input. One that lands while the prompt is open answers
        # the prompt and goes no further: it must not press "Done" or a key under the prompt.
        was_prompting = self.prompting
        self.touched()
        return was_prompting

    def touched(self) -> None:
        """Restart the idle time; close the prompt if it is open."""
        if self._tick_event is not None:
            self._tick_event.cancel()
            self._tick_event = None
        if self.prompting:
            self.prompt.dismiss(animation=False)
        self._idle_event.cancel()
        self._idle_event = Clock.schedule_once(self._idle, self._seconds_for())

    def _idle(self, _dt=None) -> None:
        if not self._needs_prompt():
            self._on_timeout()
            return
        self.prompt.seconds_left = self.more_time_seconds
        self.prompt.story_at_risk = bool(self._story_at_risk())
        self.prompt.open(animation=False)
        self._tick_event = Clock.schedule_interval(self._tick, 1.0)
        # A sound that cannot play must not keep the prompt from counting down.
        with contextlib.suppress(Exception):
            self._on_prompt()

    def _tick(self, _dt) -> None:
        self.prompt.seconds_left = max(0, self.prompt.seconds_left - 1)
        if self.prompt.seconds_left <= 0:
            self.expire()

    def expire(self) -> None:
        """Time is up: close the prompt and start over (tests call this to skip the wait)."""
        if self._tick_event is not None:
            self._tick_event.cancel()
            self._tick_event = None
        if self.prompting:
            self.prompt.dismiss(animation=False)
        self._on_timeout()
        self._idle_event.cancel()
        self._idle_event = Clock.schedule_once(self._idle, self._seconds_for())

    def idle_now(self) -> None:
        """Act as if the idle time passed (tests and benchmarks)."""
        self._idle_event.cancel()
        self._idle()

    def stop(self) -> None:
        self._idle_event.cancel()
        if self._tick_event is not None:
            self._tick_event.cancel()
        self._window.unbind(on_touch_down=self._on_touch)
