"""The kiosk branches as one product: going back shows (and says) the face chosen, and
read-aloud says the bottom bar's step and buttons, through real touches."""

from __future__ import annotations

from kiosk.speech_scripts import screen_script


def test_back_on_the_faces_the_chosen_one_is_marked_and_said(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    rating = kiosk.screen("rating")
    assert rating.chosen == 0 and not rating.ids.face1.chosen
    assert rating.ids.face1.ids.chosen_mark.height == 0
    kiosk.tap(kiosk.widget("rating", "face1"))
    assert kiosk.current == "themes"
    kiosk.tap(kiosk.step_bar("back"))
    assert kiosk.current == "rating"
    assert rating.ids.face1.chosen and not rating.ids.face4.chosen
    assert rating.ids.face1.ids.chosen_mark.text == "Valintasi"
    assert rating.ids.face1.ids.chosen_mark.height > 0
    script = "\n".join(screen_script(rating))
    assert f"Valintasi nyt: {rating.ids.face1.text}." in script
    kiosk.tap(kiosk.widget("rating", "face4"))
    kiosk.tap(kiosk.step_bar("back"))
    assert rating.ids.face4.chosen and not rating.ids.face1.chosen
    kiosk.app.flow.finish()
    assert rating.chosen == 0  # the next visitor starts with nothing marked


def test_read_aloud_says_the_step_and_the_bottom_bar(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    script = screen_script(kiosk.screen("rating"))
    # Before a face: no way on yet, so Continue is not offered.
    assert (
        script[-1] == "Vaihe yksi, vaiheita on neljä. Ruudun alimmalla rivillä: Takaisin, Keskeytä."
    )
    kiosk.tap(kiosk.widget("rating", "face3"))
    assert screen_script(kiosk.screen("themes"))[-1] == (
        "Vaihe kaksi, vaiheita on neljä. Ruudun alimmalla rivillä: Takaisin, Keskeytä, Jatka."
    )
    kiosk.tap(kiosk.step_bar("next"))
    kiosk.tap(kiosk.widget("story", "skip"))
    assert kiosk.current == "thanks"
    assert screen_script(kiosk.screen("thanks"))[-1].endswith("Takaisin, Keskeytä, Valmis.")
    kiosk.tap(kiosk.step_bar("next"))
    assert kiosk.current == "attract"
    assert not [
        line for line in screen_script(kiosk.screen("attract")) if "alimmalla rivillä" in line
    ]


def test_a_trembling_double_tap_on_a_theme_keeps_it_chosen(fresh):
    """Two touches 80 ms apart on one chip are one tap (as on the keyboard); a second tap a
    moment later still takes the choice back."""
    from kivy.tests.common import UnitTestTouch

    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face3"))
    themes = kiosk.screen("themes")
    chip = list(reversed(themes.ids.chips.children))[1]
    kiosk.clock.advance(1.0)
    x, y = chip.to_window(*chip.center)
    for _ in range(2):
        kiosk.clock.advance(0.08)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        kiosk.pump(1, draw=False)
    assert themes.chosen == [chip.value] and chip.selected
    kiosk.tap(chip)  # a deliberate second tap, a second later
    assert themes.chosen == [] and not chip.selected
