"""kiosk.rest: the main loop rests on the attract screen while nothing happens, wakes on input.

The rest's decisions run on a fake clock (no sleeps); the SDL hook is checked on the real
offscreen window with a real SDL event.
"""

from __future__ import annotations

import ctypes
import struct

import pytest

from kiosk.rest import LoopRest, loaded_sdl, sdl_input_waiting


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def make_rest(clock: FakeTime, *, attract=True, waiting=None, inputs=None) -> LoopRest:
    events = inputs if inputs is not None else []

    def input_waiting() -> bool:
        return bool(events) and events.pop(0)

    return LoopRest(
        may_rest=lambda: attract,
        input_waiting=waiting if waiting is not None else input_waiting,
        rest_fps=2.0,
        rest_after_s=3.0,
        wake_check_s=0.02,
        settle_s=0.25,
        now=clock.now,
        sleep=clock.sleep,
    )


def test_the_loop_runs_at_full_speed_until_nothing_happened_for_a_while():
    clock = FakeTime()
    rest = make_rest(clock)
    clock.t += 2.9
    rest.before_turn()
    assert clock.slept == [] and not rest.resting


def test_a_quiet_attract_screen_waits_a_rest_period_in_short_input_checks():
    clock = FakeTime()
    rest = make_rest(clock)
    clock.t += 3.0
    assert rest.resting
    rest._last_turn = clock.t  # the loop's last turn ended just now
    rest.before_turn()
    assert sum(clock.slept) == pytest.approx(0.5)  # 1 / rest_fps
    assert max(clock.slept) <= 0.02 + 1e-9  # input is looked for every wake_check_s
    assert rest.rested_turns == 1


def test_input_waiting_ends_the_rest_at_once_and_the_next_turns_run_at_full_speed():
    clock = FakeTime()
    rest = make_rest(clock, inputs=[False, False, True])
    clock.t += 3.0
    rest._last_turn = clock.t
    rest.before_turn()
    assert len(clock.slept) == 2  # woke at the third check, 40 ms into the rest
    assert not rest.resting
    clock.t += 2.9
    assert not rest.resting
    clock.t += 0.2
    assert rest.resting


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
    away = make_rest(clock, attract=False)
    no_sdl = LoopRest(may_rest=lambda: True, input_waiting=None, now=clock.now, sleep=clock.sleep)
    clock.t += 3600
    away.before_turn()
    no_sdl.before_turn()
    assert clock.slept == [] and not away.resting and not no_sdl.resting


def test_sdl_input_is_seen_before_kivy_reads_it_and_not_after(kiosk):
    waiting = sdl_input_waiting()
    assert waiting is not None, "Kivy's SDL library was not found in this process"
    kiosk.window.mainloop()  # what App.run does after each turn: read SDL's queue
    assert waiting() is False
    event = ctypes.create_string_buffer(56)  # an SDL_USEREVENT (0x8000): nothing Kivy acts on
    struct.pack_into("<I", event, 0, 0x8000)
    assert loaded_sdl().SDL_PushEvent(event) == 1
    assert waiting() is True
    kiosk.window.mainloop()
    assert waiting() is False


def test_rest_when_idle_hooks_kivys_clock_and_stopping_unhooks_it(kiosk):
    from kivy.clock import Clock

    app = kiosk.app
    rest = app.rest_when_idle()
    try:
        assert "idle" in vars(Clock)
        rest._awake_until = float("inf")  # frames here must not wait
        kiosk.pump(2)
    finally:
        rest.uninstall()
        app._rest = None
    assert "idle" not in vars(Clock)


def test_a_turn_run_from_inside_a_rest_does_not_rest_again():
    # SDL's event filter may run a whole Kivy turn while the rest pumps events (a resize).
    clock = FakeTime()
    nested: list[float] = []

    def waiting() -> bool:
        if not nested:
            nested.append(clock.t)
            rest.before_turn()  # the nested turn
            nested.append(clock.t)
        return False

    rest = make_rest(clock, waiting=waiting)
    clock.t += 3.0
    rest._last_turn = clock.t
    rest.before_turn()
    assert nested[0] == nested[1]  # the nested turn did not wait
    assert rest.rested_turns == 1
