"""Idle handling: after ``idle_seconds`` without a touch, ask "need more time?"; then start over.

:class:`IdleGuard` watches every touch on the window (it never consumes one). When the visitor
is away from the attract screen and idle for ``idle_seconds``, a :class:`MoreTimePrompt` opens
for ``more_time_seconds``; its button keeps everything as it was, and running out calls
``on_timeout`` (the flow's ``finish``: all input cleared, attract screen). On the attract screen
idleness just resets the visitor's settings, with no prompt (there is nothing to lose).
"""

from __future__ import annotations

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
    ):
        self.idle_seconds = idle_seconds
        self.more_time_seconds = more_time_seconds
        self._needs_prompt = needs_prompt
        self._on_timeout = on_timeout
        self.prompt = MoreTimePrompt()
        self.prompt.bind(on_more_time=lambda *_: self.touched())
        self._idle_event = Clock.schedule_once(self._idle, idle_seconds)
        self._tick_event = None
        self._window = window
        window.bind(on_touch_down=self._on_touch)

    @property
    def prompting(self) -> bool:
        return self.prompt.parent is not None

    def _on_touch(self, *_args) -> bool:
        # Touches inside the prompt count too: they keep the visitor's input.
        if not self.prompting:
            self.touched()
        return False

    def touched(self) -> None:
        """Restart the idle time; close the prompt if it is open."""
        if self._tick_event is not None:
            self._tick_event.cancel()
            self._tick_event = None
        if self.prompting:
            self.prompt.dismiss(animation=False)
        self._idle_event.cancel()
        self._idle_event = Clock.schedule_once(self._idle, self.idle_seconds)

    def _idle(self, _dt=None) -> None:
        if not self._needs_prompt():
            self._on_timeout()
            return
        self.prompt.seconds_left = self.more_time_seconds
        self.prompt.open(animation=False)
        self._tick_event = Clock.schedule_interval(self._tick, 1.0)

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
        self._idle_event = Clock.schedule_once(self._idle, self.idle_seconds)

    def idle_now(self) -> None:
        """Act as if ``idle_seconds`` passed (tests and benchmarks)."""
        self._idle_event.cancel()
        self._idle()

    def stop(self) -> None:
        self._idle_event.cancel()
        if self._tick_event is not None:
            self._tick_event.cancel()
        self._window.unbind(on_touch_down=self._on_touch)
