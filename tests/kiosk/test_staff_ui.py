"""Staff mode: long press plus PIN, lockout after five wrong tries; a visitor cannot exit."""

from __future__ import annotations

import time

import pytest
from kivy.tests.common import UnitTestTouch


def hold(kiosk, widget, seconds):
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        kiosk.pump(1, draw=False)
    touch.touch_up()
    kiosk.pump(1, draw=False)


def enter_pin(kiosk, pin):
    keypad = kiosk.widget("staff", "keypad")
    keys = {k.text: k for k in keypad.children}
    for digit in pin:
        kiosk.tap(keys[digit], frames=1)
    kiosk.tap(kiosk.widget("staff", "pin_ok"), frames=1)


def test_short_press_does_nothing_long_press_asks_for_the_pin(fresh):
    kiosk = fresh
    corner = kiosk.bar("staff_corner")
    assert corner.hold_seconds >= 3
    assert corner.x <= 16 and corner.top >= kiosk.window.height - 16  # top-left corner
    assert corner.width >= 72 and corner.height >= 72
    kiosk.tap(corner)
    hold(kiosk, corner, 1.0)
    assert kiosk.current == "attract"
    hold(kiosk, corner, corner.hold_seconds + 0.3)
    assert kiosk.current == "staff"
    staff = kiosk.screen("staff")
    assert not staff.unlocked and staff.ids.pin_panel.parent is not None


def open_staff(kiosk):
    kiosk.app.flow.open_staff()
    kiosk.pump(1, draw=False)
    assert kiosk.current == "staff"
    return kiosk.screen("staff")


def test_right_pin_opens_the_panel_with_counts(fresh, staff_pin):
    kiosk = fresh
    staff = open_staff(kiosk)
    enter_pin(kiosk, staff_pin)
    assert staff.unlocked
    pending = kiosk.app.store.counts()["pending"]
    assert any(str(pending) in line for line in staff.status_lines)
    assert kiosk.widget("staff", "sync_now").disabled  # no sync service injected
    kiosk.tap(kiosk.widget("staff", "close"))
    assert kiosk.current == "attract" and not staff.unlocked


def test_five_wrong_pins_lock_out_even_the_right_one(fresh, staff_pin):
    kiosk = fresh
    staff = open_staff(kiosk)
    for left in (4, 3, 2, 1):
        enter_pin(kiosk, "1111")
        assert staff.message.endswith(str(left))
        assert staff.pin == ""
    enter_pin(kiosk, "1111")
    assert "5 min" in staff.message
    enter_pin(kiosk, staff_pin)
    assert not staff.unlocked
    assert "min" in staff.message
    lock = kiosk.app.store.get_meta("staff_pin_lock")
    assert lock[1] - time.time() == pytest.approx(300, abs=10)  # kept in the store


def test_a_visitor_cannot_close_the_window(fresh):
    kiosk = fresh
    window = kiosk.window
    assert window.dispatch("on_request_close") is True  # refused
    assert window.dispatch("on_keyboard", 27, 0, "", []) is True  # Escape swallowed
    from kivy.config import Config

    assert Config.get("kivy", "exit_on_escape") == "0"
    assert Config.get("graphics", "show_cursor") == "0"
    assert "disable_multitouch" in Config.get("input", "mouse")
    assert kiosk.exits.calls == 0
    assert kiosk.app.root.parent is window  # still running


def test_staff_exit_is_the_only_way_out(fresh, staff_pin):
    kiosk = fresh
    staff = open_staff(kiosk)
    enter_pin(kiosk, staff_pin)
    kiosk.tap(kiosk.widget("staff", "exit"))
    assert kiosk.exits.calls == 1
    assert kiosk.window.dispatch("on_request_close") is not True  # now allowed
    kiosk.app.allow_close = False  # the session goes on for the other tests
    staff.close()


COMING_EVENT = "kayttajatori-2027-02"  # in the demo content's events, after the active one


def event_chip(staff, event_id):
    chips = {chip.value: chip for chip in staff.ids.events.children}
    return chips[event_id]


def test_staff_switch_to_a_coming_event_asks_its_question_and_goes_into_new_records(
    fresh, staff_pin
):
    kiosk = fresh
    staff = open_staff(kiosk)
    enter_pin(kiosk, staff_pin)
    server_event = kiosk.app.content().event
    coming = next(e for e in kiosk.app.content().events if e.id == COMING_EVENT)
    assert set(dict(kiosk.app.events.known())) == {server_event.id, COMING_EVENT}
    chip = event_chip(staff, COMING_EVENT)
    assert chip.text.startswith(coming.name.fi)  # staff see names and dates, not ids
    assert event_chip(staff, server_event.id).selected and not chip.selected
    kiosk.tap(chip)
    assert kiosk.app.events.current_id() == COMING_EVENT
    assert event_chip(staff, COMING_EVENT).selected
    assert any(coming.name.fi in line for line in staff.status_lines)
    staff.close()
    kiosk.pump(1, draw=False)
    kiosk.tap(kiosk.widget("attract", "feedback"))
    assert kiosk.screen("rating").question == coming.question.fi
    kiosk.tap(kiosk.widget("rating", "face3"))
    assert kiosk.app.flow.last_error == ""
    assert kiosk.current == "themes"
    assert kiosk.app.store.pending(10_000)[-1]["event_id"] == COMING_EVENT
    kiosk.app.flow.finish()
    # Switching back to the server's event clears the choice.
    staff = open_staff(kiosk)
    enter_pin(kiosk, staff_pin)
    kiosk.tap(event_chip(staff, server_event.id))
    assert kiosk.app.store.get_meta("active_event") is None
    assert kiosk.app.events.current_id() == server_event.id
    staff.close()


def test_a_new_active_event_on_the_server_overrides_the_kiosks_own_choice(fresh):
    kiosk = fresh
    demo = kiosk.app.content().model_dump(mode="json")
    kiosk.app.events.choose(COMING_EVENT)
    assert kiosk.app.events.current_id() == COMING_EVENT
    try:
        # The same server event again (a config pull that changed nothing): the choice holds.
        kiosk.app.store.put_kiosk_config(demo, None)
        kiosk.app.reload_content()
        assert kiosk.app.events.current_id() == COMING_EVENT
        # Staff on the server make another event active: the kiosk follows the server.
        evening = dict(demo["event"], id="iltatori-2027-03", date="2027-03-10")
        evening["question"] = {"fi": "Mitä illalla?", "sv": "", "en": ""}
        kiosk.app.store.put_kiosk_config(demo | {"event": evening}, None)
        kiosk.app.reload_content()
        assert kiosk.app.events.current_id() == "iltatori-2027-03"
        kiosk.tap(kiosk.widget("attract", "feedback"))
        assert kiosk.screen("rating").question == "Mitä illalla?"
        kiosk.tap(kiosk.widget("rating", "face2"))
        assert kiosk.app.store.pending(10_000)[-1]["event_id"] == "iltatori-2027-03"
    finally:
        kiosk.app.flow.finish()
        kiosk.app.store.put_kiosk_config(demo, None)  # the demo content again, as before
        kiosk.app.reload_content()
        kiosk.app.store.set_meta("active_event", None)
