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
    assert script[-1] == "Vaihe yksi, vaiheita on neljä. Ruudun alareunassa: Takaisin, Keskeytä."
    kiosk.tap(kiosk.widget("rating", "face3"))
    assert screen_script(kiosk.screen("themes"))[-1] == (
        "Vaihe kaksi, vaiheita on neljä. Ruudun alareunassa: Takaisin, Keskeytä, Jatka."
    )
    kiosk.tap(kiosk.step_bar("next"))
    kiosk.tap(kiosk.widget("story", "skip"))
    assert kiosk.current == "thanks"
    assert screen_script(kiosk.screen("thanks"))[-1].endswith("Takaisin, Keskeytä, Valmis.")
    kiosk.tap(kiosk.step_bar("next"))
    assert kiosk.current == "attract"
    assert not [line for line in screen_script(kiosk.screen("attract")) if "alareunassa" in line]
