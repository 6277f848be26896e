"""Orientation: the same bottom bar on every step of a visit, a step counter, a way back."""

from __future__ import annotations

import pytest


def bar_places(kiosk):
    return {
        name: tuple(round(v) for v in kiosk.step_bar(name).to_window(*kiosk.step_bar(name).pos))
        for name in ("back", "cancel", "next")
    }


def test_the_bar_is_in_the_same_place_on_every_step_and_counts_them(fresh):
    kiosk = fresh
    assert kiosk.root.ids.step_bar.height == 0  # folded away on the attract screen
    kiosk.tap(kiosk.widget("attract", "feedback"))
    places, steps = [], []
    for screen in ("rating", "themes", "story", "thanks"):
        assert kiosk.current == screen
        kiosk.pump(2)
        places.append(bar_places(kiosk))
        steps.append(kiosk.step_bar("step").text)
        if screen == "rating":
            kiosk.tap(kiosk.widget("rating", "face3"))
        elif screen == "themes":
            kiosk.tap(kiosk.step_bar("next"))
        elif screen == "story":
            kiosk.tap(kiosk.step_bar("next"))  # nothing written: on to the thanks
    assert all(p == places[0] for p in places)
    assert steps == ["Vaihe 1/4", "Vaihe 2/4", "Vaihe 3/4", "Vaihe 4/4"]
    assert kiosk.step_bar("back").text == "Takaisin"
    assert kiosk.step_bar("cancel").text == "Keskeytä"
    assert kiosk.step_bar("next").text == "Valmis"  # the last step finishes
    kiosk.tap(kiosk.step_bar("next"))  # on the last step: the visit ends
    assert kiosk.current == "attract"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("sv", ("Tillbaka", "Avbryt", "Fortsätt", "Steg 1/2")),
        ("en", ("Back", "Cancel", "Continue", "Step 1 of 2")),
    ],
)
def test_the_bar_speaks_each_language(fresh, lang, words):
    kiosk = fresh
    kiosk.tap(kiosk.bar(f"lang_{lang}"))
    kiosk.tap(kiosk.widget("attract", "story"))  # a story-only visit has two steps
    shown = tuple(kiosk.step_bar(n).text for n in ("back", "cancel", "next", "step"))
    assert shown == words


def test_going_back_and_choosing_another_face_saves_a_new_rating(fresh):
    kiosk = fresh
    store = kiosk.app.store
    before = len(store.pending(10_000))
    kiosk.tap(kiosk.widget("attract", "feedback"))
    assert kiosk.step_bar("next").disabled  # no face yet: tapping one is the way on
    kiosk.tap(kiosk.widget("rating", "face1"))
    kiosk.tap(kiosk.step_bar("back"))
    assert kiosk.current == "rating"
    assert not kiosk.step_bar("next").disabled
    kiosk.tap(kiosk.widget("rating", "face4"))
    assert kiosk.current == "themes"
    kiosk.tap(kiosk.step_bar("back"))
    kiosk.tap(kiosk.widget("rating", "face4"))  # the same face again: nothing new
    kiosk.tap(kiosk.step_bar("back"))
    kiosk.tap(kiosk.step_bar("next"))  # Continue keeps the saved face
    assert kiosk.current == "themes"
    new = store.pending(10_000)[before:]
    assert [(r["kind"], r["rating"]) for r in new] == [("rating", 1), ("rating", 4)]
    assert new[0]["visit_id"] == new[1]["visit_id"]
    assert new[0]["created_at"] <= new[1]["created_at"]


def test_back_from_the_first_step_returns_to_the_start(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.step_bar("back"))
    assert kiosk.current == "attract" and kiosk.app.recorder.current is None


def test_back_from_the_question_returns_to_writing_first(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "story"))
    kiosk.type_story("abc")
    kiosk.tap(kiosk.step_bar("next"))  # Continue with a story: it asks first
    story = kiosk.screen("story")
    assert story.panel == "confirm"
    kiosk.tap(kiosk.step_bar("back"))
    assert kiosk.current == "story" and story.panel == "write" and story.text == "abc"
    kiosk.tap(kiosk.step_bar("next"))
    kiosk.tap(kiosk.step_bar("next"))  # Continue on the question sends
    assert kiosk.current == "thanks"
    assert kiosk.app.store.pending(10_000)[-1]["story"] == "abc"


def test_cancel_keeps_what_was_saved_and_clears_what_was_typed(fresh):
    kiosk = fresh
    store = kiosk.app.store
    before = len(store.pending(10_000))
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face2"))
    themes = kiosk.screen("themes")
    first = kiosk.app.content().themes[0].id
    kiosk.tap(themes.chip(first))
    kiosk.tap(kiosk.step_bar("next"))
    kiosk.type_story("Salaisuus")
    kiosk.tap(kiosk.step_bar("cancel"))
    assert kiosk.current == "attract"
    assert kiosk.app.recorder.current is None
    assert kiosk.screen("story").text == "" and themes.chosen == []
    new = store.pending(10_000)[before:]
    assert [r["kind"] for r in new] == ["rating", "themes"]
    assert all("Salaisuus" not in str(r) for r in new)
