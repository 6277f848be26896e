"""A whole visit by touch, on the real widget tree: face, two themes, a typed story, the QR."""

from __future__ import annotations

import time

from kiosk.qr import follow_up_url, qr_matrix
from tests.support.qr_reader import matrix_from_png

STORY = "Tori eläväksi myös talvella"


def test_full_visit_saves_three_records_of_one_visit_and_shows_its_qr(fresh):
    kiosk = fresh
    store = kiosk.app.store
    before = len(store.pending(10_000))

    kiosk.tap(kiosk.widget("attract", "feedback"))
    assert kiosk.current == "rating"
    kiosk.tap(kiosk.widget("rating", "face4"))
    assert kiosk.current == "themes"
    assert len(store.pending(10_000)) == before + 1  # the face is saved at once

    themes = kiosk.screen("themes")
    ids = [t.id for t in kiosk.app.content().themes]
    kiosk.tap(themes.chip(ids[0]))
    kiosk.tap(themes.chip(ids[3]))
    assert themes.chip(ids[0]).selected and themes.chip(ids[3]).selected
    kiosk.tap(kiosk.step_bar("next"))
    assert kiosk.current == "story"
    assert len(store.pending(10_000)) == before + 2

    kiosk.type_story(STORY)
    story = kiosk.screen("story")
    assert story.text == STORY
    assert STORY in story.shown_text
    assert kiosk.widget("story", "counter").text.startswith(f"{len(STORY)} / 2000")
    kiosk.send_story()
    assert kiosk.current == "thanks"

    new = store.pending(10_000)[before:]
    assert [r["kind"] for r in new] == ["rating", "themes", "story"]
    assert len({r["visit_id"] for r in new}) == 1
    assert len({r["follow_up_token"] for r in new}) == 1
    assert new[0]["rating"] == 4
    assert new[1]["theme_ids"] == [ids[0], ids[3]]
    assert new[2]["story"] == STORY
    assert all(r["lang"] == "fi" and r["flags"] == [] for r in new)

    token = new[0]["follow_up_token"]
    url = follow_up_url(kiosk.app.public_url(), token)
    qr = kiosk.widget("thanks", "qr")
    assert qr.url == url
    # The PNG is made on a worker thread, off the UI thread; on a busy machine it may arrive a
    # few frames after the screen. A visitor sees it appear; the test waits for it (bounded).
    deadline = time.monotonic() + 20
    while qr.png is None and time.monotonic() < deadline:
        kiosk.pump(1, draw=False)
    assert matrix_from_png(qr.png) == qr_matrix(url)
    assert qr.texture is not None and qr.texture.size[0] > 0
    # Without a camera: the short address and the visit's code, not the 60-character link.
    assert kiosk.widget("thanks", "short_url").text == "http://127.0.0.1:8765/k"
    assert kiosk.widget("thanks", "code").text == kiosk.app.recorder.current.short_code
    shown = " ".join(w.text for w in kiosk.widget("thanks", "themes_box").children)
    assert kiosk.app.content().themes[0].velho.name in shown

    # One way to finish: the bottom bar's last step says "Valmis"; the panel has no second one.
    assert "done" not in kiosk.screen("thanks").ids
    assert kiosk.step_bar("next").text == "Valmis"
    kiosk.tap(kiosk.step_bar("next"))
    assert kiosk.current == "attract"


def test_face_tapped_right_after_a_visit_is_saved_with_rapid_repeat(fresh):
    kiosk = fresh
    store = kiosk.app.store
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face1"))
    kiosk.tap(kiosk.widget("themes", "skip"))
    kiosk.tap(kiosk.widget("story", "skip"))
    assert kiosk.current == "thanks"
    kiosk.tap(kiosk.step_bar("next"))
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face1"))
    records = store.pending(10_000)
    assert records[-1]["flags"] == ["rapid_repeat"]
    assert records[-2]["flags"] == []
    assert records[-1]["visit_id"] != records[-2]["visit_id"]


def test_a_fourth_theme_is_refused_visibly(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face3"))
    themes = kiosk.screen("themes")
    ids = [t.id for t in kiosk.app.content().themes]
    for theme_id in ids:
        kiosk.tap(themes.chip(theme_id))
    assert themes.chosen == ids[:3]
    assert not themes.chip(ids[3]).selected
    assert kiosk.widget("themes", "hint").text == kiosk.app.tr._(
        "You have chosen three. Tap a chosen theme to remove it first."
    )


def test_story_only_visit_keeps_age_group_and_district(fresh):
    kiosk = fresh
    store = kiosk.app.store
    kiosk.tap(kiosk.widget("attract", "story"))
    assert kiosk.current == "story"
    kiosk.type_story("Åå 12!")
    kiosk.tap(kiosk.widget("story", "about"))
    story = kiosk.screen("story")
    age = next(c for c in story.ids.age_chips.children if c.value == "65-74")
    district = next(c for c in story.ids.district_chips.children if c.value == "keskusta")
    kiosk.tap(age)
    kiosk.tap(district)
    assert age.selected and district.selected
    kiosk.tap(kiosk.step_bar("next"))  # Continue: "Send the story?"
    kiosk.tap(kiosk.widget("story", "confirm_send"))
    record = store.pending(10_000)[-1]
    assert record["kind"] == "story" and record["story"] == "Åå 12!"
    assert record["age_group"] == "65-74" and record["district"] == "keskusta"
    assert kiosk.current == "thanks"


def test_backspace_and_the_limit(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "story"))
    story = kiosk.screen("story")
    kiosk.type_story("abc")
    kiosk.tap(kiosk.widget("story", "keyboard").key("<backspace>"))
    assert story.text == "ab"
    story.text = "x" * 1999
    kiosk.type_story("yz")
    assert len(story.text) == 2000 and story.text.endswith("y")
    kiosk.pump(2)
    label = kiosk.widget("story", "story_label")
    assert label.text.startswith("…") and label.text.endswith("y|")
    assert label.texture_size[1] <= kiosk.widget("story", "story_box").height


def test_staying_on_thanks_returns_to_attract_by_itself(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face2"))
    kiosk.tap(kiosk.widget("themes", "skip"))
    kiosk.tap(kiosk.widget("story", "skip"))
    assert kiosk.current == "thanks"
    # The thanks screen is under the idle guard: its own idle time, then "more time?".
    idle = kiosk.app.idle
    assert idle.seconds_left == kiosk.app.settings.timeouts.thanks_seconds >= 120
    idle.idle_now()  # what the clock runs after thanks_seconds, run now
    assert idle.prompting
    idle.expire()
    kiosk.pump(1, draw=False)
    assert kiosk.current == "attract"
    assert kiosk.app.recorder.current is None
