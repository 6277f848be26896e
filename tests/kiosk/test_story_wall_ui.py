"""The attract screen's story wall: stories staff approved, in the visitor's language first."""

from __future__ import annotations

from kiosk.screens.attract import WALL_STORY_CHARS, shorten, wall_stories


def show_attract(kiosk, lang):
    kiosk.app.tr.lang = lang
    screen = kiosk.screen("attract")
    screen.refresh()
    kiosk.pump(3)
    return screen


def test_the_wall_shows_an_approved_story_in_the_visitors_language(fresh):
    kiosk = fresh
    stories = kiosk.app.content().stories
    assert {s.lang for s in stories} >= {"fi", "sv"}
    try:
        for lang in ("fi", "sv"):
            screen = show_attract(kiosk, lang)
            shown = screen.ids.wall_story.text
            told = [s.text for s in stories if s.lang == lang]
            assert any(text in shown for text in told), (lang, shown)
            assert screen.ids.story_heading.text == kiosk.app.tr._("My Mikkeli")
            assert screen.ids.story_wall.parent is not None  # room for it at text size x1
        # The wall turns with the cards, to the next story in the same language.
        first = screen.ids.wall_story.text
        screen.next_card()
        kiosk.pump(2)
        if len([s for s in stories if s.lang == "sv"]) > 1:
            assert screen.ids.wall_story.text != first
    finally:
        kiosk.app.tr.lang = kiosk.app.settings.language


def test_without_approved_stories_the_wall_is_empty(fresh):
    kiosk = fresh
    demo = kiosk.app.content().model_dump(mode="json")
    try:
        kiosk.app.store.put_kiosk_config(demo | {"stories": []}, None)
        kiosk.app.reload_content()
        screen = show_attract(kiosk, "fi")
        assert screen.story is None
        assert screen.ids.wall_story.text == "" and screen.ids.story_heading.text == ""
    finally:
        kiosk.app.store.put_kiosk_config(demo, None)
        kiosk.app.reload_content()
        kiosk.screen("attract").refresh()


def test_stories_in_the_language_first_else_all():
    class Story:
        def __init__(self, lang, text):
            self.lang, self.text = lang, text

    fi, sv = Story("fi", "Tori"), Story("sv", "Torget")
    assert wall_stories([fi, sv], "sv") == [sv]
    assert wall_stories([fi, sv], "en") == [fi, sv]  # none in English: all of them
    assert wall_stories(None, "fi") == []


def test_a_long_story_is_cut_at_a_word():
    long = "Kirjasto on olohuone. " * 40
    cut = shorten(long)
    assert len(cut) <= WALL_STORY_CHARS + 1 and cut.endswith("…")
    assert long.startswith(cut[:-1]) and not cut[:-1].endswith(" ")
    assert shorten("Lyhyt  tarina\n") == "Lyhyt tarina"
