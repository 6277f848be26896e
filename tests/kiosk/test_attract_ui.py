"""The attract screen says why to take part; its cards wait 20 s, turn by hand and pause."""

from __future__ import annotations

import pytest

from kiosk.screens.attract import ROTATE_SECONDS
from kiosk.speech_scripts import PURPOSE


def test_cards_change_no_faster_than_every_twenty_seconds():
    assert ROTATE_SECONDS >= 20  # WCAG 2.2.2


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_one_sentence_says_what_the_market_is_and_what_happens_to_the_answer(fresh, lang):
    fresh.app.tr.lang = lang
    fresh.pump(2, draw=False)
    shown = fresh.widget("attract", "purpose").text
    assert shown == fresh.app.tr._(PURPOSE)
    assert shown.count(".") == 1  # one sentence
    assert {"fi": "nimettömänä", "sv": "anonymt", "en": "anonymously"}[lang] in shown
    assert {"fi": "Käyttäjätori", "sv": "användartorget", "en": "user market"}[lang] in shown


def test_the_visitor_turns_the_cards_and_pauses_them(fresh):
    screen = fresh.screen("attract")
    screen.index = 0
    screen.refresh()
    first = screen.card.name
    fresh.tap(fresh.widget("attract", "next_card"))
    assert screen.card.name != first
    fresh.tap(fresh.widget("attract", "previous_card"))
    assert screen.card.name == first
    fresh.tap(fresh.widget("attract", "previous_card"))  # from the first to the last
    assert screen.index == screen.count - 1
    fresh.tap(fresh.widget("attract", "pause"))
    assert screen.paused
    screen.next_card()  # the timer's turn
    assert screen.index == screen.count - 1  # paused: nothing moved
    fresh.app.flow.finish()
    assert not screen.paused  # the next visitor sees the cards change again


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_velho_and_path_stay_on_the_card_at_every_text_size(fresh, scale):
    fresh.app.look.scale = scale
    fresh.pump(4)
    card = fresh.widget("attract", "card")
    for name in ("theme_name", "velho", "path"):
        widget = fresh.widget("attract", name)
        assert widget.parent is not None and widget.text, f"{name} left the card at x{scale}"
        assert widget.y >= card.y - 1 and widget.top <= card.top + 1, f"{name} overflows"
    assert fresh.widget("attract", "purpose").parent is not None


def test_the_card_being_read_aloud_does_not_change_under_the_listener(fresh):
    screen = fresh.screen("attract")
    fresh.app.speech.on = True
    try:
        index = screen.index
        screen.next_card()  # the 20-second timer
        assert screen.index == index
        assert fresh.bar("read_aloud").selected  # shown by its check mark too
    finally:
        fresh.app.flow.finish()
    screen.next_card()
    assert screen.index == (index + 1) % screen.count
