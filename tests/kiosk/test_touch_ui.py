"""Touch that forgives (EN 301 549 §5.8), on the real widget tree with an injected clock.

The headless kiosk's clock is a ManualClock: ``tap(w)`` lets a person's pause pass first,
``tap(w, pause=0.1)`` is the second half of a double tap. Records are really saved.
"""

from __future__ import annotations

import pytest

from kiosk.touch import KEY_REPEAT_SECONDS, SETTLE_SECONDS


def to_story(kiosk):
    kiosk.tap(kiosk.widget("attract", "story"))
    assert kiosk.current == "story"
    return kiosk.screen("story")


def test_double_tap_on_skip_types_nothing_into_the_story(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face3"))
    skip = kiosk.widget("themes", "skip")
    kiosk.tap(skip)
    assert kiosk.current == "story"
    keyboard = kiosk.widget("story", "keyboard")
    # The ":" key is where "Ohita" was: the second tap of a double tap lands on it.
    colon = keyboard.key(":")
    kiosk.tap(colon, pause=0.12)
    assert kiosk.screen("story").text == ""
    kiosk.tap(colon)  # a tap once the screen has settled types as ever
    assert kiosk.screen("story").text == ":"


def test_the_guard_drops_exactly_the_first_half_second(fresh):
    kiosk = fresh
    story = to_story(kiosk)
    key = kiosk.widget("story", "keyboard").key("a")
    kiosk.tap(key, pause=SETTLE_SECONDS - 0.01)
    assert story.text == ""
    kiosk.app.flow.show("story")  # no change: still settled
    kiosk.tap(kiosk.widget("story", "keyboard").key("b"), pause=0.02)
    assert story.text == "b"


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_double_tap_on_a_face_picks_no_theme(fresh, scale):
    kiosk = fresh
    kiosk.app.look.scale = scale
    kiosk.tap(kiosk.widget("attract", "feedback"))
    face = kiosk.widget("rating", "face2")
    kiosk.tap(face)
    assert kiosk.current == "themes"
    kiosk.pump(2, draw=False)
    themes = kiosk.screen("themes")
    # Whatever lies under the face now: a tap there, 0.1 s later, changes nothing.
    kiosk.tap(face, pause=0.1)
    assert themes.chosen == []
    assert all(not c.selected for c in themes.ids.chips.children)
    assert kiosk.current == "themes"
    ratings = [r for r in kiosk.app.store.pending(10_000) if r["kind"] == "rating"]
    assert ratings[-1]["rating"] == 2


def test_two_quick_taps_on_a_key_give_one_letter(fresh):
    kiosk = fresh
    story = to_story(kiosk)
    a = kiosk.widget("story", "keyboard").key("a")
    kiosk.tap(a)
    kiosk.tap(a, pause=KEY_REPEAT_SECONDS - 0.05)
    assert story.text == "a"
    kiosk.tap(a, pause=KEY_REPEAT_SECONDS + 0.05)
    assert story.text == "aa"
    # Another key at once is a new letter, not a bounce.
    kiosk.tap(kiosk.widget("story", "keyboard").key("b"), pause=0.05)
    assert story.text == "aab"


def test_send_is_far_from_backspace_and_asks_first(fresh):
    kiosk = fresh
    story = to_story(kiosk)
    kiosk.type_story("Hyvä kirjasto")
    send = kiosk.widget("story", "send")
    backspace = kiosk.widget("story", "keyboard").key("<backspace>")
    sx, sy = send.to_window(*send.center)
    bx, by = backspace.to_window(*backspace.center)
    assert abs(sy - by) >= 3 * backspace.height  # not beside each other any more
    before = len(kiosk.app.store.pending(10_000))
    kiosk.tap(send)
    assert kiosk.current == "story" and story.panel == "confirm"
    assert kiosk.widget("story", "confirm_question").text == "Lähetetäänkö tarina?"
    assert kiosk.widget("story", "confirm_edit").text == "Muokkaa"
    assert kiosk.widget("story", "confirm_send").text == "Lähetä"
    assert len(kiosk.app.store.pending(10_000)) == before  # nothing sent yet
    kiosk.tap(kiosk.widget("story", "confirm_edit"))
    assert story.panel == "write" and story.text == "Hyvä kirjasto"
    kiosk.type_story("!")
    kiosk.send_story()
    assert kiosk.current == "thanks"
    record = kiosk.app.store.pending(10_000)[-1]
    assert record["kind"] == "story" and record["story"] == "Hyvä kirjasto!"


def test_arrows_move_the_caret_and_typing_and_backspace_work_there(fresh):
    kiosk = fresh
    story = to_story(kiosk)
    keyboard = kiosk.widget("story", "keyboard")
    kiosk.type_story("tori")
    for _ in range(2):
        kiosk.tap(keyboard.key("<left>"))
    assert story.caret == 2
    kiosk.tap(keyboard.key("<backspace>"))
    assert story.text == "tri" and story.caret == 1
    kiosk.type_story("o")
    assert story.text == "tori" and story.caret == 2
    kiosk.pump(2, draw=False)
    assert kiosk.widget("story", "story_label").text == "to|ri"
    kiosk.tap(keyboard.key("<right>"))
    kiosk.tap(keyboard.key("<right>"))
    kiosk.tap(keyboard.key("<right>"))  # stops at the end
    assert story.caret == 4


def test_tapping_the_story_places_the_caret(fresh):
    kiosk = fresh
    story = to_story(kiosk)
    kiosk.type_story("kirjasto on hyva paikka")
    kiosk.pump(2, draw=False)
    label = kiosk.widget("story", "story_label")
    from kivy.tests.common import UnitTestTouch

    def tap_at(x, y):
        kiosk.clock.advance(1.0)
        wx, wy = label.parent.to_window(x, y)
        touch = UnitTestTouch(wx, wy)
        touch.touch_down()
        touch.touch_up()
        kiosk.pump(2, draw=False)

    tap_at(label.x + 1, label.top - 2)  # before the first letter
    assert story.caret == 0
    kiosk.type_story("Uusi ")
    assert story.text == "Uusi kirjasto on hyva paikka"
    box = kiosk.widget("story", "story_box")
    tap_at(box.right - 30, box.y + 30)  # below the text: the end
    assert story.caret == len(story.text)
    # The middle of the first line is somewhere in the middle of the text.
    width = story._lines(story.text)[0].w
    tap_at(label.x + width / 2, label.top - 2)
    assert 3 < story.caret < len(story.text) - 3


def test_capital_letter_key_is_named_and_shows_its_state(fresh):
    kiosk = fresh
    story = to_story(kiosk)
    keyboard = kiosk.widget("story", "keyboard")
    shift = keyboard.key("<shift>")
    assert shift.text == "Iso kirjain"
    assert shift.role == "secondary" and keyboard.key("k").text == "k"
    kiosk.tap(shift)
    assert shift.role == "selected" and keyboard.key("k").text == "K"
    kiosk.tap(keyboard.key("k"))
    assert story.text == "K"
    assert shift.role == "secondary" and keyboard.key("k").text == "k"  # one letter only
    kiosk.tap(kiosk.bar("lang_sv"))
    assert shift.text == "Stor bokstav"
    kiosk.tap(kiosk.bar("lang_en"))
    assert shift.text == "Capital letter"


def test_double_tap_on_continue_takes_one_step(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face3"))
    kiosk.tap(kiosk.step_bar("next"))
    kiosk.tap(kiosk.step_bar("next"), pause=0.15)  # Continue is in the same place on the story
    assert kiosk.current == "story"
    kiosk.tap(kiosk.step_bar("back"))
    kiosk.tap(kiosk.step_bar("back"), pause=0.15)
    assert kiosk.current == "themes"
