"""Read-aloud a blind visitor can use: each screen speaks its script, keys echo, speech stops.

The speaker is a :class:`kiosk.walkthrough.SpeechLog` (what would be said, in which language, how loud);
the real espeak-ng is exercised at the end, once, into a WAV file.
"""

from __future__ import annotations

import re
import wave

import pytest

from kiosk.i18n import _
from kiosk.read_aloud import DEFAULT_LEVEL, LEVELS, amplitude
from kiosk.speech import Speaker
from kiosk.speech_scripts import SCRIPTED_SCREENS, instruction, screen_script
from kiosk.walkthrough import SpeechLog

LANGS = ("fi", "sv", "en")


@pytest.fixture
def ears(fresh):
    """The fresh kiosk with a recording speaker and read-aloud switched on."""
    real = fresh.app.speaker
    recorder = SpeechLog()
    fresh.app.speaker = recorder
    fresh.tap(fresh.bar("read_aloud"))
    fresh.pump(2, draw=False)
    assert fresh.app.speech.on
    try:
        yield fresh, recorder
    finally:
        fresh.app.flow.finish()
        fresh.pump(1, draw=False)
        fresh.app.speaker = real


def go_to(kiosk, screen: str) -> None:
    """Walk the real visit up to ``screen`` with taps."""
    if screen == "attract":
        return
    kiosk.tap(kiosk.widget("attract", "feedback"))
    if screen == "rating":
        return
    kiosk.tap(kiosk.widget("rating", "face3"))
    if screen == "themes":
        return
    chips = list(reversed(kiosk.screen("themes").ids.chips.children))
    kiosk.tap(chips[0])
    kiosk.tap(chips[1])
    kiosk.tap(kiosk.step_bar("next"))
    if screen == "story":
        return
    kiosk.tap(kiosk.widget("story", "skip"))
    assert kiosk.current == "thanks"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("screen", SCRIPTED_SCREENS)
def test_every_screen_speaks_its_instruction_in_the_language_shown(ears, screen, lang):
    kiosk, speaker = ears
    kiosk.app.tr.lang = lang
    go_to(kiosk, screen)
    kiosk.pump(2, draw=False)
    assert kiosk.current == screen
    text, said_lang, _amp = speaker.said[-1]
    assert said_lang == lang
    wanted = instruction(screen)
    assert wanted in text
    assert not re.search(r"\d+\.\d+\.\d{4}", text), "a date would be read as digits and dots"
    if lang != "en":
        kiosk.app.tr.lang = "en"
        english = instruction(screen)
        kiosk.app.tr.lang = lang
        assert english != wanted, "the instruction is not translated"


def test_the_script_is_not_the_widget_tree(ears):
    kiosk, speaker = ears
    kiosk.app.tr.lang = "fi"
    go_to(kiosk, "story")
    kiosk.pump(2, draw=False)
    spoken = speaker.last()
    assert "1." not in spoken.split("\n") and "q." not in spoken.split("\n")  # no key names
    assert len(spoken.split("\n")) < 10
    assert "Kerro Mikkelistäsi" in spoken  # the purpose, which the old reading left out


def test_the_attract_screen_says_what_the_market_is_and_the_velho(ears):
    kiosk, speaker = ears
    kiosk.app.tr.lang = "fi"
    kiosk.app.speech.repeat()
    spoken = speaker.last()
    assert "Käyttäjätorilla" in spoken and "nimettömänä" in spoken
    card = kiosk.screen("attract").card
    assert card.velho_name in spoken or "ei ole vielä velhoa" in spoken


def test_choices_are_spoken_with_their_state(ears):
    kiosk, speaker = ears
    kiosk.app.tr.lang = "en"
    go_to(kiosk, "themes")
    kiosk.pump(2, draw=False)
    assert "not chosen" in speaker.last() and "Chosen: zero, at most three" in speaker.last()
    chip = list(reversed(kiosk.screen("themes").ids.chips.children))[1]
    kiosk.tap(chip)
    assert speaker.last() == f"Chosen: {chip.text}."
    assert f"{chip.text}, chosen" in "\n".join(screen_script(kiosk.screen("themes")))


def test_keys_echo_words_are_read_back_and_the_story_is_read(ears):
    kiosk, speaker = ears
    kiosk.app.tr.lang = "fi"
    go_to(kiosk, "story")
    kiosk.pump(1, draw=False)
    speaker.clear()
    kiosk.type_story("Hei, 2 ")
    assert speaker.texts() == ["iso H", "e", "i", "pilkku", "Hei,", "kaksi", "2"]
    kiosk.tap(kiosk.screen("story").ids.keyboard.key("<backspace>"))
    assert speaker.last() == "Pyyhitty: välilyönti.\n2."  # what went, and the word now
    kiosk.tap(kiosk.app.speech.bar.ids.read_story)
    assert speaker.last() == "Hei, 2"
    assert kiosk.screen("story").text == "Hei, 2"  # reading typed nothing
    kiosk.type_story(" 1.2.2027")
    kiosk.tap(kiosk.app.speech.bar.ids.read_story)
    assert speaker.last() == "Hei, 2 ensimmäinen helmikuuta kaksituhatta kaksikymmentäseitsemän"


def test_the_thanks_screen_names_every_theme_and_spells_the_short_code(ears):
    kiosk, speaker = ears
    kiosk.app.tr.lang = "sv"
    go_to(kiosk, "story")
    visit = kiosk.app.recorder.current
    visit.short_code = "K7QM4-PX2RT"  # as kiosk-followup's visits carry it
    kiosk.tap(kiosk.widget("story", "skip"))
    kiosk.pump(2, draw=False)
    spoken = speaker.last()
    assert "K, sju, Q, M, fyra, streck, P, X, två, R, T" in spoken
    assert "adressen 127.0.0.1:8765/k." in spoken  # where to type it
    assert spoken.count("Ditt tema") == len(visit.theme_ids) == 2
    assert "Nästa steg" in spoken


def test_speech_stops_at_once_on_reset_and_language_change(ears):
    kiosk, speaker = ears
    go_to(kiosk, "rating")
    kiosk.pump(2, draw=False)
    stops = speaker.stops
    kiosk.app.tr.lang = "sv"
    assert speaker.stops == stops + 1  # before the next frame
    kiosk.pump(2, draw=False)
    assert speaker.said[-1][1] == "sv"
    stops = speaker.stops
    kiosk.app.flow.finish()  # the idle reset and "Done" both end here
    assert speaker.stops > stops
    said = len(speaker.said)
    kiosk.pump(3, draw=False)
    assert not kiosk.app.speech.on and len(speaker.said) == said  # silent for the next visitor
    assert kiosk.app.speech.bar.parent is None


def test_repeat_and_the_volume_on_screen(ears):
    kiosk, speaker = ears
    bar = kiosk.app.speech.bar
    kiosk.tap(bar.ids.repeat)
    assert instruction("attract") in speaker.last()
    start = speaker.said[-1][2]
    assert start == amplitude(DEFAULT_LEVEL, kiosk.app.settings.speech_max_volume)
    kiosk.tap(bar.ids.louder)
    kiosk.tap(bar.ids.louder)
    assert kiosk.app.speech.level == LEVELS and bar.ids.louder.disabled
    assert speaker.said[-1][2] == kiosk.app.settings.speech_max_volume  # never above the limit
    for _i in range(LEVELS):
        kiosk.tap(bar.ids.quieter)
    assert speaker.said[-1][2] < start and bar.ids.quieter.disabled
    kiosk.tap(bar.ids.stop)
    stops = speaker.stops
    kiosk.tap(kiosk.bar("read_aloud"))  # off again
    assert speaker.stops > stops and not kiosk.app.speech.on


def test_a_real_espeak_ng_speaks_the_thanks_script_into_a_wav(ears, tmp_path):
    if not Speaker().available:
        pytest.fail("espeak-ng is missing: make system-deps installs it")
    kiosk, _speaker = ears
    kiosk.app.tr.lang = "fi"
    go_to(kiosk, "thanks")
    lines = screen_script(kiosk.screen("thanks"))
    assert _("Thank you!") == lines[0]
    path = Speaker().synthesize_wav(lines, "fi", tmp_path / "thanks-fi.wav")
    with wave.open(str(path)) as wav:
        assert wav.getnframes() / wav.getframerate() > 5.0  # velhos, steps, dates in words


def test_the_more_time_prompt_is_read_when_it_opens(ears):
    kiosk, speaker = ears
    kiosk.app.tr.lang = "fi"
    go_to(kiosk, "rating")
    kiosk.pump(2, draw=False)
    prompt = kiosk.app.idle.prompt
    try:
        prompt.open()
        kiosk.pump(3, draw=False)
        spoken = speaker.last()
        assert spoken.startswith("Tarvitsetko lisää aikaa?")
        assert "Kyllä, lisää aikaa" in spoken
    finally:
        prompt.dismiss()
        kiosk.pump(2, draw=False)


def test_send_s_question_is_read_aloud_with_the_story(ears):
    """A blind visitor taps Send: they hear the question, their story and both answers, as a
    sighted one sees them on the confirm panel."""
    kiosk, said = ears
    go_to(kiosk, "story")
    kiosk.type_story("Tori on kaunis")
    said.clear()
    kiosk.tap(kiosk.widget("story", "send"))
    kiosk.pump(2, draw=False)
    heard = "\n".join(said.texts())
    assert "Lähetetäänkö tarina?" in heard
    assert "Tarinasi: Tori on kaunis" in heard
    assert "Lähetä napauttamalla Lähetä. Jos haluat vielä muokata, napauta Muokkaa." in heard
    said.clear()
    kiosk.tap(kiosk.widget("story", "confirm_edit"))
    kiosk.pump(2, draw=False)
    assert "Minun Mikkelini" in "\n".join(said.texts())  # back to writing: read again
