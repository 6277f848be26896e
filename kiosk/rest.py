"""An idle kiosk rests: its main loop slows down while nobody is near and wakes on a touch.

Kivy's main loop turns ``maxfps`` (60) times a second whether or not anything changes: each turn
runs the clock, reads input and checks whether the window needs drawing (it draws only then).
:class:`LoopRest` lets it turn only ``rest_fps`` times a second while ``may_rest()`` holds (the
app: the attract screen is showing) and nothing happened for ``rest_after_s`` — no touch, no key,
no frame drawn. Between two turns it *waits for input* (:func:`sdl_input_wait`), so a finger ends
the rest at once and the loop is back at full speed from that turn on.

How the wait learns of a finger depends on SDL's video driver (what a kiosk runs is ``x11``:
cage starts the app in Xwayland):

- ``x11`` (and ``wayland``, ``windows``, ``cocoa`` with an SDL built for them): SDL's own
  ``SDL_WaitEventTimeout`` sleeps in the kernel on the display connection until input arrives or
  the rest period is over — one wake-up a rest, however long. ``SDL_PushEvent`` from another
  thread wakes it too (SDL sends the window a wake-up message).
- ``offscreen`` and ``dummy`` (tests, benchmarks, screenshots): there is no input device; events
  enter SDL's queue only through ``SDL_PushEvent``. An SDL event watch sees each one as it is
  queued and wakes the wait.
- Any other driver (``KMSDRM`` reads evdev itself while pumping): the wait asks SDL every
  ``wake_check_s`` (``SDL_PumpEvents`` + ``SDL_HasEvents``) — more wake-ups, the same latency.

What a caller may rely on:

- :meth:`LoopRest.install` hooks Kivy's ``Clock.idle`` (the wait between two turns) and the
  window's input and flip events; :meth:`LoopRest.uninstall` undoes both. Nothing else of Kivy
  changes: clock events, input and drawing run as before, a resting loop only starts its turns
  later.
- A wait never takes an event out of SDL's queue: Kivy reads it on the turn that follows.
- Clock events that fall due during a rest run at most ``1 / rest_fps`` late (a card rotation, a
  status poll); nothing is redrawn unless it changed.
- Without an SDL library to ask (another window provider), :func:`sdl_input_wait` is None and
  the loop never rests: a touch must never wait for a slow turn.
- ``now`` is injectable, and the wait is a plain ``(seconds) -> bool``: tests drive the rest with
  a fake clock.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "InputWait",
    "LoopRest",
    "REST_AFTER_S",
    "REST_FPS",
    "WAKE_CHECK_S",
    "loaded_sdl",
    "sdl_input_wait",
    "sdl_video_driver",
]

REST_FPS = 2.0  # turns a second while resting: a due clock event runs at most 0.5 s late
REST_AFTER_S = 3.0  # quiet seconds (no input, nothing drawn) before the loop rests
WAKE_CHECK_S = 0.02  # polling drivers only: how often a resting loop asks SDL for input
SETTLE_S = 0.25  # full speed after a frame is drawn, so follow-up layout lands at once

# Drivers whose SDL_WaitEventTimeout blocks on the display connection (SDL >= 2.0.16).
BLOCKING_DRIVERS = frozenset({"x11", "wayland", "windows", "cocoa"})
# Drivers with no input device: only SDL_PushEvent puts events in the queue.
PUSH_ONLY_DRIVERS = frozenset({"offscreen", "dummy"})

_SDL_FIRSTEVENT = 0
_SDL_LASTEVENT = 0xFFFF
_SDL_NAME = re.compile(r"/libSDL2-2[.-][^/]*$")
# int (*SDL_EventFilter)(void *userdata, SDL_Event *event); a watch's return value is ignored.
_SDL_EVENT_FILTER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


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


def sdl_video_driver(sdl: ctypes.CDLL) -> str:
    """The video driver SDL runs on (``x11``, ``offscreen``…), lower case; "" before a window."""
    current = sdl.SDL_GetCurrentVideoDriver
    current.restype = ctypes.c_char_p
    current.argtypes = []
    name = current()
    return name.decode("ascii", "replace").lower() if name else ""


class InputWait:
    """Waits until SDL holds an input event not yet read by Kivy, or ``timeout`` seconds passed.

    Calling it returns True when an event waits (it stays in SDL's queue for Kivy). Call it only
    after Kivy's window exists, and only on the thread that runs the window (SDL reads its input
    there). ``kind`` names how it waits (``blocking``, ``watched``, ``polling``; see the module
    text); :meth:`close` releases what it holds in SDL.
    """

    kind = ""

    def __call__(self, timeout: float) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        """Nothing to release by default."""


class _BlockingWait(InputWait):
    """SDL_WaitEventTimeout(NULL, ms): sleeps on the display connection, leaves the event queued."""

    kind = "blocking"

    def __init__(self, sdl: ctypes.CDLL) -> None:
        self._wait = sdl.SDL_WaitEventTimeout
        self._wait.restype = ctypes.c_int
        self._wait.argtypes = [ctypes.c_void_p, ctypes.c_int]

    def __call__(self, timeout: float) -> bool:
        # ctypes releases the GIL for the call: the sync worker runs while the loop sleeps.
        return bool(self._wait(None, max(1, math.ceil(timeout * 1000))))


class _PollingWait(InputWait):
    """Asks SDL (pump + has-events) every ``check_s`` until the timeout: for other drivers."""

    kind = "polling"

    def __init__(
        self,
        sdl: ctypes.CDLL,
        check_s: float = WAKE_CHECK_S,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._pump = sdl.SDL_PumpEvents
        self._pump.restype = None
        self._pump.argtypes = []
        self._has_events = sdl.SDL_HasEvents
        self._has_events.restype = ctypes.c_int
        self._has_events.argtypes = [ctypes.c_uint32, ctypes.c_uint32]
        self._check_s, self._now, self._sleep = check_s, now, sleep

    def waiting(self) -> bool:
        self._pump()
        return bool(self._has_events(_SDL_FIRSTEVENT, _SDL_LASTEVENT))

    def __call__(self, timeout: float) -> bool:
        deadline = self._now() + timeout
        while True:
            if self.waiting():
                return True
            remaining = deadline - self._now()
            if remaining <= 0:
                return False
            self._sleep(min(remaining, self._check_s))


class _WatchedWait(_PollingWait):
    """An SDL event watch wakes the wait when any thread queues an event (offscreen, dummy)."""

    kind = "watched"

    def __init__(self, sdl: ctypes.CDLL) -> None:
        super().__init__(sdl)
        self._queued = threading.Event()
        self._callback = _SDL_EVENT_FILTER(self._on_queued)  # kept: SDL holds a raw pointer
        self._del_watch = sdl.SDL_DelEventWatch
        self._del_watch.restype = None
        self._del_watch.argtypes = [_SDL_EVENT_FILTER, ctypes.c_void_p]
        add_watch = sdl.SDL_AddEventWatch
        add_watch.restype = None
        add_watch.argtypes = [_SDL_EVENT_FILTER, ctypes.c_void_p]
        add_watch(self._callback, None)
        self._watching = True

    def _on_queued(self, _userdata: Any, _event: Any) -> int:
        self._queued.set()  # runs on the thread that queued the event
        return 1

    def __call__(self, timeout: float) -> bool:
        self._queued.clear()
        if self.waiting():  # queued before the clear: seen here; after it: the flag is set
            return True
        return self._queued.wait(timeout)

    def close(self) -> None:
        if self._watching:
            self._watching = False
            self._del_watch(self._callback, None)


def sdl_input_wait(check_s: float = WAKE_CHECK_S) -> InputWait | None:
    """The way to wait for input on the SDL driver this process runs on, or None without SDL.

    Call it after Kivy's window exists (SDL's video driver is chosen then).
    """
    sdl = loaded_sdl()
    if sdl is None:
        return None
    driver = sdl_video_driver(sdl)
    if driver in BLOCKING_DRIVERS:
        return _BlockingWait(sdl)
    if driver in PUSH_ONLY_DRIVERS:
        return _WatchedWait(sdl)
    return _PollingWait(sdl, check_s)


class LoopRest:
    """Slows Kivy's main loop while ``may_rest()`` and nothing happens; see the module text."""

    def __init__(
        self,
        *,
        may_rest: Callable[[], bool],
        input_wait: Callable[[float], bool] | None,
        rest_fps: float = REST_FPS,
        rest_after_s: float = REST_AFTER_S,
        settle_s: float = SETTLE_S,
        now: Callable[[], float] = time.monotonic,
    ):
        self._may_rest = may_rest
        self._input_wait = input_wait
        self.rest_period = 1.0 / rest_fps
        self.rest_after_s = rest_after_s
        self.settle_s = settle_s
        self._now = now
        self._awake_until = now() + rest_after_s
        self._last_turn = now()
        self.rested_turns = 0  # turns that began with a rest (benchmarks and tests read them)
        self.woken_by_event = 0  # rests an SDL event ended early (a touch, a key, a window event)
        self._inside = False
        self._clock: Any = None
        self._window: Any = None
        self._kivy_idle: Callable[[], float] | None = None

    @property
    def input_wait(self) -> Callable[[float], bool] | None:
        return self._input_wait

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
            self._input_wait is not None
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
        wait = self._input_wait
        assert wait is not None  # resting implies it
        remaining = self._last_turn + self.rest_period - self._now()
        if wait(max(remaining, 0.0)):
            self.woken_by_event += 1
            self.activity()  # Kivy reads it after this turn; the next turns run at once

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
        close = getattr(self._input_wait, "close", None)
        if close is not None:
            close()
