"""An idle kiosk rests: its main loop slows down while nobody is near and wakes on a touch.

Kivy's main loop turns ``maxfps`` (60) times a second whether or not anything changes: each turn
runs the clock, reads input and checks whether the window needs drawing (it draws only then).
:class:`LoopRest` lets it turn only ``rest_fps`` times a second while ``may_rest()`` holds (the
app: the attract screen is showing) and nothing happened for ``rest_after_s`` — no touch, no key,
no frame drawn. Between two turns it sleeps in steps of ``wake_check_s`` and asks SDL whether an
input event is waiting (``SDL_PumpEvents`` + ``SDL_HasEvents`` of the very library Kivy's window
uses), so a finger is read at most ``wake_check_s`` after it lands and the loop is back at full
speed from that turn on.

What a caller may rely on:

- :meth:`install` hooks Kivy's ``Clock.idle`` (the wait between two turns) and the window's input
  and flip events; :meth:`uninstall` undoes both. Nothing else of Kivy changes: clock events,
  input and drawing run as before, a resting loop only starts its turns later.
- Clock events fall due during a rest are run at most ``1 / rest_fps`` late (a card rotation, a
  status poll); nothing is redrawn unless it changed.
- Without an SDL library to ask (another window provider), :func:`sdl_input_waiting` is None
  and the loop never rests: a touch must never wait for a slow turn.
- ``now`` and ``sleep`` are injectable: tests drive the rest with a fake clock.
"""

from __future__ import annotations

import ctypes
import os
import re
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "LoopRest",
    "REST_AFTER_S",
    "REST_FPS",
    "WAKE_CHECK_S",
    "loaded_sdl",
    "sdl_input_waiting",
]

REST_FPS = 2.0  # turns a second while resting: a due clock event runs at most 0.5 s late
REST_AFTER_S = 3.0  # quiet seconds (no input, nothing drawn) before the loop rests
WAKE_CHECK_S = 0.02  # how often a resting loop asks SDL for input: the extra wait of a touch
SETTLE_S = 0.25  # full speed after a frame is drawn, so follow-up layout lands at once

_SDL_FIRSTEVENT = 0
_SDL_LASTEVENT = 0xFFFF
_SDL_NAME = re.compile(r"/libSDL2-2[.-][^/]*$")


def loaded_sdl() -> ctypes.CDLL | None:
    """The libSDL2 already mapped into this process (Kivy's own wheel copy or the system's)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split()[-1] for line in maps if _SDL_NAME.search(line.strip())}
    except OSError:
        return None
    for path in sorted(paths):
        if os.path.exists(path):
            try:
                return ctypes.CDLL(path)  # dlopen of a loaded library: the same instance
            except OSError:
                continue
    return None


def sdl_input_waiting() -> Callable[[], bool] | None:
    """A function telling whether SDL holds an event not yet read by Kivy, or None without SDL.

    Call it only after Kivy's window exists, and only on the thread that runs the window (SDL
    reads its input there).
    """
    sdl = loaded_sdl()
    if sdl is None:
        return None
    pump = sdl.SDL_PumpEvents
    pump.restype = None
    pump.argtypes = []
    has_events = sdl.SDL_HasEvents
    has_events.restype = ctypes.c_int
    has_events.argtypes = [ctypes.c_uint32, ctypes.c_uint32]

    def waiting() -> bool:
        pump()
        return bool(has_events(_SDL_FIRSTEVENT, _SDL_LASTEVENT))

    return waiting


class LoopRest:
    """Slows Kivy's main loop while ``may_rest()`` and nothing happens; see the module text."""

    def __init__(
        self,
        *,
        may_rest: Callable[[], bool],
        input_waiting: Callable[[], bool] | None,
        rest_fps: float = REST_FPS,
        rest_after_s: float = REST_AFTER_S,
        wake_check_s: float = WAKE_CHECK_S,
        settle_s: float = SETTLE_S,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._may_rest = may_rest
        self._input_waiting = input_waiting
        self.rest_period = 1.0 / rest_fps
        self.rest_after_s = rest_after_s
        self.wake_check_s = wake_check_s
        self.settle_s = settle_s
        self._now = now
        self._sleep = sleep
        self._awake_until = now() + rest_after_s
        self._last_turn = now()
        self.rested_turns = 0  # turns that began with a rest (benchmarks read it)
        self._inside = False
        self._clock: Any = None
        self._window: Any = None
        self._kivy_idle: Callable[[], float] | None = None

    # --- what the app and the window call

    def activity(self, *_args: Any) -> bool:
        """Something happened (touch, key): full speed for ``rest_after_s``. Never consumes."""
        self._awake_until = max(self._awake_until, self._now() + self.rest_after_s)
        return False

    def drawn(self, *_args: Any) -> None:
        """A frame was drawn: stay at full speed a moment, for what that frame set off."""
        self._awake_until = max(self._awake_until, self._now() + self.settle_s)

    @property
    def resting(self) -> bool:
        return (
            self._input_waiting is not None
            and self._now() >= self._awake_until
            and bool(self._may_rest())
        )

    def before_turn(self) -> None:
        """Wait before the loop's next turn: until the rest period is over or input waits."""
        if self._inside or not self.resting:
            return  # _inside: Kivy may run a whole turn from SDL's event filter (a resize)
        self._inside = True
        try:
            self._rest()
        finally:
            self._inside = False

    def _rest(self) -> None:
        self.rested_turns += 1
        deadline = self._last_turn + self.rest_period
        waiting = self._input_waiting
        assert waiting is not None  # resting implies it
        while True:
            if waiting():
                self.activity()  # Kivy reads it after this turn; the next turns run at once
                return
            remaining = deadline - self._now()
            if remaining <= 0:
                return
            self._sleep(min(remaining, self.wake_check_s))

    # --- hooking Kivy

    def install(self, clock: Any, window: Any) -> None:
        """Hook ``clock.idle`` (Kivy's wait between turns) and ``window``'s input and flips."""
        if self._clock is not None:
            return
        self._clock, self._window = clock, window
        self._kivy_idle = clock.idle

        def idle() -> float:
            self.before_turn()
            assert self._kivy_idle is not None
            current = self._kivy_idle()  # full-speed wait: already over after a rest
            self._last_turn = self._now()
            return current

        clock.idle = idle  # an instance attribute: ClockBase.tick calls self.idle()
        window.bind(
            on_touch_down=self.activity,
            on_touch_move=self.activity,
            on_touch_up=self.activity,
            on_key_down=self.activity,
            on_flip=self.drawn,
        )

    def uninstall(self) -> None:
        if self._clock is None:
            return
        del self._clock.idle  # Kivy's own method shows through again
        self._window.unbind(
            on_touch_down=self.activity,
            on_touch_move=self.activity,
            on_touch_up=self.activity,
            on_key_down=self.activity,
            on_flip=self.drawn,
        )
        self._clock = self._window = self._kivy_idle = None
