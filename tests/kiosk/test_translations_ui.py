"""Every screen in every language is fully translated; a missing translation fails."""

from __future__ import annotations

import pytest
from kivy.uix.label import Label

from kiosk.i18n import translations
from kiosk.i18n_catalogs import extract_messages, missing_translations
from kiosk.screens import SCREEN_NAMES


def test_every_msgid_of_the_kiosk_has_a_translation_in_every_language():
    assert missing_translations() == {}


@pytest.fixture(scope="module")
def english_only():
    """msgids whose Finnish or Swedish text differs: seeing one of these in fi/sv is a miss."""
    catalogue = extract_messages()
    out = {}
    for lang in ("fi", "sv"):
        trans = translations(lang)
        out[lang] = {
            m.id
            for m in catalogue
            if m.id and isinstance(m.id, str) and trans.gettext(m.id) != m.id
        }
    return out


def shown_texts(kiosk, screen_name):
    from kiosk.headless import all_widgets

    texts = []
    for root in (kiosk.root.ids.top_bar, kiosk.screen(screen_name), kiosk.app.idle.prompt):
        texts += [w.text for w in all_widgets(root) if isinstance(w, Label) and w.text]
    return texts


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_no_screen_shows_english_text_in_finnish_or_swedish(fresh, lang, english_only):
    kiosk = fresh
    problems = []
    for name in SCREEN_NAMES:
        kiosk.app.flow.finish()
        kiosk.app.tr.lang = lang
        if name == "thanks":
            kiosk.app.recorder.visit().theme_ids = [kiosk.app.content().themes[0].id]
        kiosk.app.flow.show(name)
        if name == "staff":
            kiosk.screen("staff").unlocked = True
            kiosk.screen("staff").refresh()
        kiosk.pump(3, draw=False)
        for text in shown_texts(kiosk, name):
            if text in english_only[lang] or any(
                text.startswith(msgid.split("{")[0])
                and "{" in msgid
                and len(msgid.split("{")[0]) > 6
                for msgid in english_only[lang]
            ):
                problems.append(f"{name} in {lang}: {text!r} is English")
    kiosk.app.flow.finish()
    assert not problems, "\n".join(problems)


def test_an_untranslated_text_would_be_caught(fresh, english_only):
    kiosk = fresh
    kiosk.app.tr.lang = "fi"
    kiosk.app.flow.show("themes")
    kiosk.pump(2, draw=False)
    kiosk.widget("themes", "skip").text = "Skip"  # what a missing msgstr shows
    assert "Skip" in shown_texts(kiosk, "themes")
    assert "Skip" in english_only["fi"]
    kiosk.app.flow.finish()
    kiosk.app.tr.lang = "sv"  # the binding restores the translated text
    kiosk.pump(1, draw=False)
    assert kiosk.widget("themes", "skip").text == "Hoppa över"


def test_content_follows_a_language_change_on_the_spot(fresh):
    kiosk = fresh
    attract = kiosk.screen("attract")
    theme = kiosk.app.content().themes[attract.index]
    kiosk.tap(kiosk.bar("lang_sv"))
    assert kiosk.widget("attract", "theme_name").text == theme.name.sv
    kiosk.tap(kiosk.bar("lang_en"))
    assert kiosk.widget("attract", "theme_name").text == theme.name.en
    kiosk.tap(kiosk.widget("attract", "feedback"))
    assert kiosk.widget("rating", "question").text == kiosk.app.content().event.question.en
    kiosk.tap(kiosk.bar("lang_fi"))
    assert kiosk.widget("rating", "question").text == kiosk.app.content().event.question.fi
