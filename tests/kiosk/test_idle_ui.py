"""Idle reset clears everything a visitor left; "more time" keeps it all."""

from __future__ import annotations

from kivy.uix.label import Label

from kiosk.headless import all_widgets
from kiosk.widgets import ChipButton

SECRET = "Salainen tarina"


def start_a_visit_with_input(kiosk):
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face2"))
    themes = kiosk.screen("themes")
    first = kiosk.app.content().themes[0].id
    kiosk.tap(themes.chip(first))
    kiosk.tap(kiosk.step_bar("next"))
    kiosk.type_story(SECRET)
    kiosk.tap(kiosk.widget("story", "about"))
    story = kiosk.screen("story")
    kiosk.tap(next(c for c in story.ids.age_chips.children if c.value == "18-29"))
    kiosk.tap(kiosk.bar("lang_sv"))
    kiosk.tap(kiosk.bar("text_size"))
    kiosk.tap(kiosk.bar("contrast"))
    assert story.text == SECRET and story.age_group == "18-29"
    assert kiosk.app.tr.lang == "sv" and kiosk.app.look.scale == 1.5
    assert kiosk.app.look.contrast == "high-contrast"


def test_more_time_keeps_every_input(fresh):
    kiosk = fresh
    start_a_visit_with_input(kiosk)
    visit = kiosk.app.recorder.current
    kiosk.app.idle.idle_now()
    kiosk.pump(2, draw=False)
    prompt = kiosk.app.idle.prompt
    assert kiosk.app.idle.prompting
    assert prompt.seconds_left == kiosk.app.settings.timeouts.more_time_seconds
    button = next(w for w in all_widgets(prompt) if getattr(w, "text", "") == "Ja, mer tid")
    assert button.height >= 72 * 1.5
    kiosk.tap(button)
    assert not kiosk.app.idle.prompting
    story = kiosk.screen("story")
    assert kiosk.current == "story" and story.text == SECRET and story.age_group == "18-29"
    assert kiosk.app.recorder.current is visit
    assert kiosk.app.tr.lang == "sv"


def test_idle_timeout_clears_all_input_and_returns_to_attract(fresh):
    kiosk = fresh
    start_a_visit_with_input(kiosk)
    records_before = len(kiosk.app.store.pending(10_000))
    kiosk.app.idle.idle_now()
    kiosk.pump(1, draw=False)
    assert kiosk.app.idle.prompting
    kiosk.app.idle.expire()
    kiosk.pump(2, draw=False)
    assert not kiosk.app.idle.prompting
    assert kiosk.current == "attract"
    assert kiosk.app.recorder.current is None
    # What was finished stays saved; what was not is gone everywhere.
    assert len(kiosk.app.store.pending(10_000)) == records_before
    story, themes = kiosk.screen("story"), kiosk.screen("themes")
    assert story.text == "" and story.shown_text == "" and story.age_group == ""
    assert story.panel == "write" and not kiosk.widget("story", "keyboard").shift
    assert themes.chosen == []
    assert kiosk.app.tr.lang == "fi" and kiosk.app.look.scale == 1.0
    assert kiosk.app.look.contrast == "normal"
    for screen in kiosk.manager.screens:
        for widget in all_widgets(screen):
            if isinstance(widget, Label):
                assert "Salainen" not in widget.text, f"{screen.name} keeps the story"
            if isinstance(widget, ChipButton) and widget.selected:
                # Only the default language and the staff's active event stay chosen.
                assert widget.parent in (
                    kiosk.root.ids.top_bar.__self__,
                    kiosk.screen("staff").ids.events.__self__,
                ), f"{screen.name} keeps {widget.text!r} chosen"


def test_the_prompt_counts_down_and_then_starts_over(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "story"))
    kiosk.type_story("abc")
    kiosk.app.idle.idle_now()
    prompt = kiosk.app.idle.prompt
    tick = kiosk.app.idle._tick_event
    assert tick is not None and tick.timeout == 1.0
    for _ in range(int(kiosk.app.settings.timeouts.more_time_seconds)):
        tick.get_callback()(1.0)  # one second of the countdown each
    kiosk.pump(1, draw=False)
    assert prompt.seconds_left == 0
    assert kiosk.current == "attract" and kiosk.screen("story").text == ""


def test_idle_on_the_attract_screen_resets_settings_without_a_prompt(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.bar("text_size"))
    kiosk.tap(kiosk.bar("text_size"))
    assert kiosk.app.look.scale == 2.0
    kiosk.app.idle.idle_now()
    kiosk.pump(1, draw=False)
    assert not kiosk.app.idle.prompting
    assert kiosk.app.look.scale == 1.0


def test_idle_time_comes_from_the_config(fresh):
    assert fresh.app.idle.idle_seconds == 60
    assert fresh.app.idle.more_time_seconds == 20


def test_finishing_the_visit_closes_an_open_more_time_prompt(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face3"))
    idle = kiosk.app.idle
    idle.idle_now()
    kiosk.pump(1, draw=False)
    assert idle.prompting
    kiosk.app.flow.finish()  # e.g. staff mode, or the visit ended from elsewhere
    kiosk.pump(1, draw=False)
    assert not idle.prompting and kiosk.current == "attract"
    assert idle.seconds_left > 0  # counting again, not stuck in the prompt's countdown
