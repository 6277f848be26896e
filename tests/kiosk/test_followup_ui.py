"""The follow-up for people without a smartphone, through the real widget tree: the short code
and address on the thanks screen, every chosen theme, the printed slip (a real python-escpos
file printer), a printer that is slow or missing, and idle that tells the truth."""

from __future__ import annotations

import threading
import time

from kivy.tests.common import UnitTestTouch

from kiosk.headless import all_widgets
from kiosk.slip.printer import SlipPrinter, open_printer, parse_connection
from sync.protocol import normalize_short_code
from tests.kiosk.test_staff_ui import hold

BASE = "http://127.0.0.1:8765"


def finish_a_visit_with_two_themes(kiosk):
    kiosk.tap(kiosk.widget("attract", "feedback"))
    kiosk.tap(kiosk.widget("rating", "face2"))
    themes = kiosk.screen("themes")
    chosen = [t.id for t in kiosk.app.content().themes[:2]]
    for theme_id in chosen:
        kiosk.tap(themes.chip(theme_id))
    kiosk.tap(kiosk.step_bar("next"))
    kiosk.tap(kiosk.widget("story", "skip"))
    assert kiosk.current == "thanks"
    kiosk.pump(2)
    return chosen


def labels(widget) -> list[str]:
    return [w.text for w in all_widgets(widget) if getattr(w, "text", "")]


def pump_until(kiosk, done, limit=600):
    """Advance frames until ``done()``; a bounded loop, no timing asserted."""
    for _ in range(limit):
        if done():
            return
        kiosk.pump(1, draw=False)
        time.sleep(0.01)
    raise AssertionError("the condition never came true")


def test_thanks_shows_code_short_address_and_every_theme(fresh):
    kiosk = fresh
    chosen = finish_a_visit_with_two_themes(kiosk)
    visit = kiosk.app.recorder.current
    records = kiosk.app.store.pending(10_000)[-2:]
    assert {r["short_code"] for r in records} == {visit.short_code}
    assert normalize_short_code(visit.short_code) == visit.short_code
    thanks = kiosk.screen("thanks")
    assert thanks.ids.code.text == visit.short_code
    assert thanks.ids.short_url.text == f"{BASE}/k"
    # The code is in large type: bigger than the title, and on one line.
    assert thanks.ids.code.font_size > kiosk.app.look.title
    assert "\n" not in thanks.ids.code.text and thanks.ids.code.texture_size[0] <= (
        thanks.ids.code.width
    )
    shown = labels(thanks.ids.themes_box)
    for theme_id in chosen:
        card = next(c for c in thanks.themes if c.theme_id == theme_id)
        assert card.name in shown
        assert any(card.velho_name in text for text in shown)
        if card.next_step:
            assert any(card.next_step in text for text in shown)
    # No printer configured: no print button to press.
    assert thanks.ids.print_slip.opacity == 0 and thanks.ids.print_slip.disabled


def test_print_slip_writes_the_code_and_keeps_the_screen(fresh, tmp_path):
    kiosk = fresh
    out = tmp_path / "slip.bin"
    kiosk.app.slip_printer = SlipPrinter(parse_connection(f"file:{out}"))
    thanks = kiosk.screen("thanks")
    thanks.can_print = True
    try:
        finish_a_visit_with_two_themes(kiosk)
        assert thanks.ids.print_slip.opacity == 1
        kiosk.tap(thanks.ids.print_slip)
        pump_until(kiosk, lambda: thanks.print_state == "done")
        data = out.read_bytes()
        assert thanks.code.encode() in data
        assert b"/k" in data
        assert thanks.ids.print_status.text == "Ota kuitti tulostimesta."
        assert kiosk.current == "thanks" and thanks.ids.code.text == thanks.code
    finally:
        kiosk.app.slip_printer = None
        thanks.can_print = False


def test_a_missing_printer_says_so_and_loses_nothing(fresh, tmp_path):
    kiosk = fresh
    missing = tmp_path / "no-such-dir" / "lp0"
    kiosk.app.slip_printer = SlipPrinter(parse_connection(f"file:{missing}"))
    thanks = kiosk.screen("thanks")
    thanks.can_print = True
    try:
        finish_a_visit_with_two_themes(kiosk)
        saved = kiosk.app.store.pending(10_000)
        kiosk.tap(thanks.ids.print_slip)
        pump_until(kiosk, lambda: thanks.print_state == "failed")
        assert "Kuittia ei voitu tulostaa" in thanks.ids.print_status.text
        assert thanks.ids.code.text == kiosk.app.recorder.current.short_code
        assert kiosk.app.store.pending(10_000) == saved
    finally:
        kiosk.app.slip_printer = None
        thanks.can_print = False


class SlowFile:
    """Opens a real python-escpos file printer whose writes wait until the test lets them go."""

    def __init__(self, path):
        self.path = path
        self.release = threading.Event()
        self.writing = threading.Event()

    def __call__(self, connection):
        device = open_printer(connection)
        raw = device._raw

        def slow_raw(msg):
            self.writing.set()
            self.release.wait(30)
            raw(msg)

        device._raw = slow_raw
        return device


def test_a_slow_printer_never_blocks_the_screen_or_the_visit(fresh, tmp_path):
    kiosk = fresh
    out = tmp_path / "slow.bin"
    slow = SlowFile(out)
    kiosk.app.slip_printer = SlipPrinter(
        parse_connection(f"file:{out}"), slow_after=0.05, opener=slow
    )
    thanks = kiosk.screen("thanks")
    thanks.can_print = True
    try:
        finish_a_visit_with_two_themes(kiosk)
        saved = kiosk.app.store.pending(10_000)
        kiosk.tap(thanks.ids.print_slip)
        assert slow.writing.wait(10)
        pump_until(kiosk, lambda: thanks.print_state == "slow")
        assert "Tulostin on hidas" in thanks.ids.print_status.text
        assert thanks.ids.print_slip.disabled  # one slip at a time
        # The printer is stuck mid-slip, yet the screen answers: "Done" ends the visit.
        kiosk.tap(kiosk.step_bar("next"))
        assert kiosk.current == "attract" and kiosk.app.recorder.current is None
        assert kiosk.app.store.pending(10_000) == saved
        slow.release.set()
        pump_until(kiosk, lambda: not kiosk.app.slip_printer.busy)
        kiosk.pump(2, draw=False)
        assert thanks.print_state == ""  # the late result belongs to no one on screen
    finally:
        slow.release.set()
        kiosk.app.slip_printer = None
        thanks.can_print = False


def test_thanks_waits_at_least_120_s_and_any_touch_extends(fresh):
    kiosk = fresh
    finish_a_visit_with_two_themes(kiosk)
    idle = kiosk.app.idle
    assert idle.seconds_left >= 120
    before = idle._idle_event
    thanks = kiosk.screen("thanks")
    # A touch on plain text (no button) restarts the idle time.
    title = next(w for w in all_widgets(thanks) if getattr(w, "text", "") == "Kiitos!")
    kiosk.tap(title)
    assert idle._idle_event is not before and idle.seconds_left >= 120
    assert kiosk.current == "thanks"
    # The prompt comes before it starts over; a touch anywhere (here: over "Valmis") answers it
    # and does not press what is under it.
    idle.idle_now()
    kiosk.pump(1, draw=False)
    assert idle.prompting
    kiosk.tap(kiosk.step_bar("next"))
    assert not idle.prompting
    assert kiosk.current == "thanks" and kiosk.app.recorder.current is not None
    idle.idle_now()
    idle.expire()
    kiosk.pump(1, draw=False)
    assert kiosk.current == "attract"


def test_the_prompt_warns_about_an_unsent_story_and_chimes(fresh):
    kiosk = fresh
    prompt = kiosk.app.idle.prompt
    kiosk.tap(kiosk.widget("attract", "feedback"))
    plays = kiosk.app.chime.plays
    kiosk.app.idle.idle_now()
    kiosk.pump(1, draw=False)
    assert not prompt.story_at_risk
    assert "tarinasi häviää" not in " ".join(labels(prompt))
    assert kiosk.app.chime.plays == plays + 1
    kiosk.app.idle.touched()
    kiosk.app.flow.finish()
    kiosk.tap(kiosk.widget("attract", "story"))
    kiosk.type_story("kesken")
    kiosk.app.idle.idle_now()
    kiosk.pump(2, draw=False)
    assert prompt.story_at_risk
    assert any("tarinasi häviää" in text for text in labels(prompt))
    assert kiosk.app.chime.plays == plays + 2
    x, y = kiosk.window.width / 2, 20  # a touch far from the prompt's button
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    kiosk.pump(1, draw=False)
    assert not kiosk.app.idle.prompting and kiosk.screen("story").text == "kesken"


def test_staff_corner_works_only_on_the_attract_screen(fresh):
    kiosk = fresh
    corner = kiosk.bar("staff_corner")
    kiosk.tap(kiosk.widget("attract", "story"))
    kiosk.type_story("ei saa kadota")
    hold(kiosk, corner, corner.hold_seconds + 0.3)
    assert kiosk.current == "story" and kiosk.screen("story").text == "ei saa kadota"


def test_faces_answer_the_question(fresh):
    kiosk = fresh
    kiosk.tap(kiosk.widget("attract", "feedback"))
    rating = kiosk.screen("rating")
    texts = [rating.ids[f"face{i}"].text for i in (1, 2, 3, 4)]
    assert texts == ["Erittäin huonosti", "Melko huonosti", "Melko hyvin", "Erittäin hyvin"]
    kiosk.tap(kiosk.bar("lang_sv"))
    assert rating.ids.face1.text == "Mycket dåligt" and rating.ids.face4.text == "Mycket bra"
    kiosk.tap(kiosk.bar("lang_en"))
    assert rating.ids.face2.text == "Quite poorly" and rating.ids.face3.text == "Quite well"


def test_an_events_own_answers_replace_the_defaults(fresh):
    kiosk = fresh
    app = kiosk.app
    demo = app.content().model_dump(mode="json")
    answers = [
        {"fi": "Ei lainkaan", "sv": "Inte alls", "en": "Not at all"},
        {"fi": "Vähän", "sv": "Lite", "en": "A little"},
        {"fi": "Aika paljon", "sv": "Ganska mycket", "en": "Quite a lot"},
        {"fi": "Todella paljon", "sv": "Väldigt mycket", "en": "A great deal"},
    ]
    event_id = demo["event"]["id"]
    changed = dict(
        demo,
        event=dict(demo["event"], answers=answers),
        events=[dict(e, answers=answers) if e["id"] == event_id else e for e in demo["events"]],
    )
    try:
        app.store.put_kiosk_config(changed, None)
        app.reload_content()
        kiosk.tap(kiosk.widget("attract", "feedback"))
        rating = kiosk.screen("rating")
        assert [rating.ids[f"face{i}"].text for i in (1, 2, 3, 4)] == [a["fi"] for a in answers]
        kiosk.tap(kiosk.bar("lang_sv"))
        assert rating.ids.face1.text == "Inte alls" and rating.ids.face4.text == "Väldigt mycket"
    finally:
        app.store.put_kiosk_config(demo, None)
        app.reload_content()
