"""The attract screen's timers redraw only what changed: an idle kiosk with one theme and one
story draws nothing when its card rotation or its content check comes round."""

from __future__ import annotations

import pytest


@pytest.fixture
def single_theme(fresh):
    app = fresh.app
    demo = app.content().model_dump(mode="json")
    one = dict(demo, themes=demo["themes"][:1], stories=demo["stories"][:1])
    app.store.put_kiosk_config(one, None)
    app.reload_content()
    fresh.screen("attract").refresh()
    try:
        yield fresh
    finally:
        app.store.put_kiosk_config(demo, None)
        app.reload_content()
        fresh.screen("attract").refresh()


def settled(kiosk) -> None:
    kiosk.pump(3)
    assert not kiosk.window.canvas.needs_redraw


def test_rotation_content_check_and_idle_reset_redraw_nothing_when_nothing_changed(single_theme):
    kiosk = single_theme
    settled(kiosk)
    kiosk.screen("attract").next_card()  # what the rotation timer calls
    kiosk.app._content_tick(2.0)  # what the content check timer calls
    kiosk.app.idle.idle_now()  # what idle_seconds without a touch does on the attract screen
    kiosk.pump(2, draw=False)
    assert not kiosk.window.canvas.needs_redraw


def test_a_rotation_to_another_theme_does_redraw(fresh):
    assert fresh.screen("attract").count > 1
    settled(fresh)
    fresh.screen("attract").next_card()
    fresh.pump(2, draw=False)
    assert fresh.window.canvas.needs_redraw


class _Resting:
    resting = True


def test_a_resting_kiosk_changes_its_card_six_times_less_often(fresh):
    """Nobody at the kiosk: a card every two minutes, not every 20 s (each change redraws the
    whole window); a touch wakes the loop and the usual pace returns."""
    from kiosk.screens.attract import RESTING_EVERY

    attract = fresh.screen("attract")
    assert attract.count > 1
    start = attract.index
    fresh.app._rest = _Resting()
    try:
        assert fresh.app.loop_resting
        for _ in range(RESTING_EVERY - 1):
            attract.next_card()
        assert attract.index == start
        attract.next_card()
        assert attract.index == start + 1
    finally:
        fresh.app._rest = None
    assert not fresh.app.loop_resting
    attract.next_card()
    assert attract.index == start + 2
