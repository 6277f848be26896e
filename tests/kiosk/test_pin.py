"""kiosk.pin: hashed PIN, five wrong tries lock it for five minutes, the lock survives restarts."""

from __future__ import annotations

import pytest

from kiosk.pin import PinGuard, hash_pin


class FakeClock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def pin_hash():
    return hash_pin("2468")


def test_hash_is_not_the_pin_and_verifies(pin_hash):
    assert "2468" not in pin_hash and pin_hash.startswith("$argon2")
    assert PinGuard(pin_hash).check("2468").ok
    assert not PinGuard(pin_hash).check("2469").ok


@pytest.mark.parametrize("bad", ["12a4", "123", "", "１２３４"])
def test_hash_pin_refuses_non_digit_or_short(bad):
    with pytest.raises(ValueError):
        hash_pin(bad)


def test_five_wrong_tries_lock_for_five_minutes_even_the_right_pin(pin_hash):
    clock = FakeClock()
    guard = PinGuard(pin_hash, clock=clock)
    for left in (4, 3, 2, 1):
        result = guard.check("0000")
        assert not result.ok and result.tries_left == left
    locked = guard.check("0000")
    assert not locked.ok and locked.locked_seconds == 300
    clock.now += 299
    assert not guard.check("2468").ok  # the right PIN is refused while locked
    assert guard.locked_for() == pytest.approx(1)
    clock.now += 2
    assert guard.check("2468").ok


def test_right_pin_resets_the_count(pin_hash):
    guard = PinGuard(pin_hash, clock=FakeClock())
    for _ in range(4):
        guard.check("1111")
    assert guard.check("2468").ok
    assert guard.check("1111").tries_left == 4


def test_lock_state_is_kept_outside_so_a_restart_keeps_it(pin_hash):
    state = {"v": (0, 0.0)}
    clock = FakeClock()

    def make():
        return PinGuard(
            pin_hash,
            clock=clock,
            load=lambda: state["v"],
            save=lambda f, u: state.__setitem__("v", (f, u)),
        )

    for _ in range(5):
        make().check("9999")
    assert make().locked_for() == 300
    assert not make().check("2468").ok


def test_no_hash_configured_never_opens():
    guard = PinGuard("")
    assert not guard.configured
    assert not guard.check("").ok and not guard.check("0000").ok
