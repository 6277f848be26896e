"""kiosk.rest: the main loop rests on the attract screen while nothing happens, wakes on input.

The rest's decisions run on a fake clock (no sleeps). The waits are checked on real SDL: the
offscreen window of this process (events pushed from another thread, as the benchmark does),
and a kiosk in a child process on SDL's x11 driver under Xvfb, pressed through XTEST — the path
a finger takes on a kiosk (cage runs the app in Xwayland).
"""

from __future__ import annotations

import ctypes
import json
import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.rest import (
    LoopRest,
    _PollingWait,
    loaded_sdl,
    sdl_input_wait,
    sdl_video_driver,
)
from tests.support.xdisplay import virtual_display

ROOT = Path(__file__).resolve().parents[2]


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


class FakeWait:
    """Input arrives ``after`` seconds into a wait (None: never); the wait advances the clock."""

    def __init__(self, clock: FakeTime, after: float | None = None) -> None:
        self.clock, self.after = clock, after
        self.calls: list[float] = []

    def __call__(self, timeout: float) -> bool:
        self.calls.append(timeout)
        if self.after is not None and self.after <= timeout:
            self.clock.t += self.after
            return True
        self.clock.t += timeout
        return False


def make_rest(clock: FakeTime, wait=None, *, attract=True) -> LoopRest:
    return LoopRest(
        may_rest=lambda: attract,
        input_wait=wait if wait is not None else FakeWait(clock),
        rest_fps=2.0,
        rest_after_s=3.0,
        settle_s=0.25,
        now=clock.now,
    )


def test_the_loop_runs_at_full_speed_until_nothing_happened_for_a_while():
    clock = FakeTime()
    wait = FakeWait(clock)
    rest = make_rest(clock, wait)
    clock.t += 2.9
    rest.before_turn()
    assert wait.calls == [] and not rest.resting


def test_a_quiet_attract_screen_waits_for_input_once_for_the_rest_of_the_period():
    clock = FakeTime()
    wait = FakeWait(clock)
    rest = make_rest(clock, wait)
    clock.t += 3.0
    assert rest.resting
    rest._last_turn = clock.t - 0.1  # the loop's last turn ended 0.1 s ago
    rest.before_turn()
    assert wait.calls == [pytest.approx(0.4)]  # one wait, not a poll every few milliseconds
    assert rest.rested_turns == 1 and rest.woken_by_event == 0


def test_input_ends_the_rest_at_once_and_the_next_turns_run_at_full_speed():
    clock = FakeTime()
    wait = FakeWait(clock, after=0.04)
    rest = make_rest(clock, wait)
    clock.t += 3.0
    rest._last_turn = clock.t
    started = clock.t
    rest.before_turn()
    assert clock.t - started == pytest.approx(0.04)  # back 40 ms into the rest, not 500
    assert rest.woken_by_event == 1 and not rest.resting
    clock.t += 2.9
    assert not rest.resting
    clock.t += 0.2
    assert rest.resting


def test_a_turn_that_is_already_late_only_looks_for_input():
    clock = FakeTime()
    wait = FakeWait(clock)
    rest = make_rest(clock, wait)
    clock.t += 3.0
    rest._last_turn = clock.t - 2.0  # a slow turn: the rest period is long over
    rest.before_turn()
    assert wait.calls == [0.0]


def test_a_touch_or_a_drawn_frame_keeps_the_loop_awake():
    clock = FakeTime()
    rest = make_rest(clock)
    clock.t += 2.0
    assert rest.activity() is False  # never consumes the touch
    clock.t += 2.0
    assert not rest.resting
    clock.t += 1.0
    assert rest.resting
    rest.drawn()
    assert not rest.resting
    clock.t += 0.25
    assert rest.resting


def test_the_loop_never_rests_away_from_the_attract_screen_or_without_sdl():
    clock = FakeTime()
    wait = FakeWait(clock)
    away = make_rest(clock, wait, attract=False)
    no_sdl = LoopRest(may_rest=lambda: True, input_wait=None, now=clock.now)
    clock.t += 3600
    away.before_turn()
    no_sdl.before_turn()
    assert wait.calls == [] and not away.resting and not no_sdl.resting


def test_a_turn_run_from_inside_a_rest_does_not_rest_again():
    # SDL's event filter may run a whole Kivy turn while the wait pumps events (a resize).
    clock = FakeTime()
    nested: list[float] = []

    def wait(timeout: float) -> bool:
        nested.append(clock.t)
        rest.before_turn()  # the nested turn
        nested.append(clock.t)
        clock.t += timeout
        return False

    rest = make_rest(clock, wait)
    clock.t += 3.0
    rest._last_turn = clock.t
    rest.before_turn()
    assert nested[0] == nested[1]  # the nested turn did not wait
    assert rest.rested_turns == 1


# --- real SDL, this process's offscreen window


def _user_event() -> ctypes.Array:
    event = ctypes.create_string_buffer(56)  # an SDL_USEREVENT (0x8000): nothing Kivy acts on
    struct.pack_into("<I", event, 0, 0x8000)
    return event


def test_offscreen_a_wait_ends_when_another_thread_queues_an_event_and_leaves_it_queued(kiosk):
    sdl = loaded_sdl()
    assert sdl is not None, "Kivy's SDL library was not found in this process"
    assert sdl_video_driver(sdl) == "offscreen"
    wait = sdl_input_wait()
    assert wait is not None and wait.kind == "watched"
    try:
        kiosk.window.mainloop()  # what App.run does after each turn: read SDL's queue
        assert wait(0.05) is False  # nothing queued: the wait runs out
        pusher = threading.Timer(0.2, lambda: sdl.SDL_PushEvent(_user_event()))
        pusher.start()
        started = time.monotonic()
        assert wait(30.0) is True
        woke_after = time.monotonic() - started
        pusher.join()
        assert woke_after < 15.0  # woken by the event, not by the 30 s timeout
        polling = _PollingWait(sdl)
        assert polling.waiting() is True  # the wait left the event for Kivy
        kiosk.window.mainloop()
        assert polling.waiting() is False
    finally:
        wait.close()


def test_an_event_queued_before_the_wait_is_seen_at_once(kiosk):
    sdl = loaded_sdl()
    wait = sdl_input_wait()
    assert wait is not None
    try:
        kiosk.window.mainloop()
        assert sdl.SDL_PushEvent(_user_event()) == 1
        assert wait(30.0) is True
        kiosk.window.mainloop()
    finally:
        wait.close()


def test_the_polling_wait_asks_sdl_every_check_until_the_timeout(kiosk):
    clock = FakeTime()
    sdl = loaded_sdl()
    kiosk.window.mainloop()
    polling = _PollingWait(sdl, check_s=0.02, now=clock.now, sleep=clock.sleep)
    assert polling(0.1) is False
    assert sum(clock.slept) == pytest.approx(0.1) and max(clock.slept) <= 0.02 + 1e-9
    assert sdl.SDL_PushEvent(_user_event()) == 1
    assert polling(0.1) is True
    kiosk.window.mainloop()


def test_rest_when_idle_hooks_kivys_clock_and_stopping_unhooks_it(kiosk):
    from kivy.clock import Clock

    app = kiosk.app
    rest = app.rest_when_idle()
    try:
        assert "idle" in vars(Clock)
        assert rest.input_wait.kind == "watched"
        rest._awake_until = float("inf")  # frames here must not wait
        kiosk.pump(2)
    finally:
        rest.uninstall()
        app._rest = None
    assert "idle" not in vars(Clock)


# --- real SDL on x11 (what a kiosk runs), a child process under Xvfb


def test_on_x11_the_loop_sleeps_through_a_rest_and_a_real_click_wakes_it(tmp_path):
    with virtual_display() as display:
        env = dict(
            os.environ,
            DISPLAY=display,
            SDL_VIDEODRIVER="x11",
            KIVY_NO_ARGS="1",
            KIVY_NO_CONSOLELOG="1",
            KIVY_HOME=str(tmp_path / "kivy"),
        )
        done = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "kiosk" / "rest_on_x11.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["kind"] == "blocking"  # SDL sleeps on the X connection
    assert result["resting_at_start"] is True
    # Two turns a second while nobody is near (not 60): each turn waited the rest period out.
    assert result["quiet_turns"] <= result["quiet_seconds"] * 2 + 2
    assert result["quiet_rested_turns"] == result["quiet_turns"]
    assert result["quiet_woken"] == 0  # nothing woke it: no stray events
    assert result["resting_at_click"] is True
    assert result["woken_by_click"] >= 1  # the click ended the rest…
    assert result["screen_after_click"] == "rating"  # …and reached the button (not consumed)
