"""kiosk.content: the neutral start, demo content in demo mode; a theme card says where the theme is."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kiosk.content import load_content, theme_card
from kiosk.store import LocalStore
from kiosk.widgets.mood import mean_face


def test_demo_content_has_four_themes_each_with_velho_and_a_year_of_path():
    content = load_content(demo=True)
    assert len(content.themes) == 4
    for theme in content.themes:
        assert theme.velho is not None
        assert len(theme.path) >= 3


def test_theme_card_splits_the_path_at_today():
    theme = load_content(demo=True).themes[0]
    steps = sorted(theme.path, key=lambda s: s.date)
    first_open = next(i for i, s in enumerate(steps) if not s.done)
    today = date.fromisoformat(steps[first_open].date)  # due today: not yet done
    card = theme_card(theme, "sv", today)
    assert card.next_step == steps[first_open].title.sv
    assert card.done_step == steps[first_open - 1].title.sv
    assert card.steps_done == first_open
    assert card.steps_total == len(steps)
    assert card.name == theme.name.sv
    assert card.path_end_date == steps[-1].date
    late = theme_card(theme, "fi", date(2100, 1, 1))
    assert late.next_step == "" and late.steps_done == len(steps)


def test_stored_kiosk_config_wins_and_a_broken_one_falls_back(tmp_path):
    demo = load_content(demo=True).model_dump()
    demo["themes"] = demo["themes"][:1]
    with LocalStore(tmp_path / "d") as store:
        store.put_kiosk_config(demo, "etag-1")
        assert len(load_content(store).themes) == 1
        store.put_kiosk_config({"themes": "nonsense"}, "etag-2")
        assert len(load_content(store, demo=True).themes) == 4
        assert load_content(store).themes == []  # outside demo mode: the neutral start


def test_mean_face_rounds_the_week():
    assert mean_face((0, 0, 0, 0)) is None
    assert mean_face((10, 0, 0, 0)) == 1
    assert mean_face((0, 0, 1, 1)) == 4  # 3.5 rounds up
    assert mean_face((1, 1, 1, 1)) == 3


def test_first_frame_content_builds_the_same_cards_as_the_validated_content(tmp_path):
    """The unvalidated copy used before the first frame must show what validation would."""
    from kiosk.content import first_frame_content

    validated = load_content(demo=True)
    plain = first_frame_content(demo=True)
    assert plain is not None
    for lang in ("fi", "sv", "en"):
        for day in (date(2026, 11, 28), date(2027, 6, 1)):
            for fast, checked in zip(plain.themes, validated.themes, strict=True):
                assert theme_card(fast, lang, day) == theme_card(checked, lang, day)


def test_first_frame_content_declines_a_document_it_cannot_trust(tmp_path):
    from kiosk.content import first_frame_content

    with LocalStore(tmp_path / "d") as store:
        store.put_kiosk_config({"themes": "nonsense"}, "etag")
        assert first_frame_content(store) is None
        store.put_kiosk_config({"themes": [{"id": "x"}]}, "etag")  # a card cannot be built
        assert first_frame_content(store) is None


def test_a_kiosk_without_a_kiosk_config_starts_neutral_not_with_the_demo(tmp_path):
    """Production, nothing from a server yet: feedback only, no themes, no invented people."""
    from kiosk.content import first_frame_content

    with LocalStore(tmp_path / "d") as store:
        content = load_content(store)
        assert content.themes == [] and content.stories == [] and content.event is None
        assert content.events == [] and content.districts == []
        plain = first_frame_content(store)
        assert plain is not None and plain.themes == [] and plain.event is None
        assert "(demo)" not in json.dumps(content.model_dump())
        # demo mode shows the packaged demo content (read with importlib.resources)
        assert len(load_content(store, demo=True).themes) == 4


def test_demo_mode_is_a_setting_and_a_run_option(tmp_path):
    from kiosk.cli import build_parser
    from kiosk.settings import SettingsError, parse_settings

    assert parse_settings({"kiosk_id": "k", "data_dir": "d"}).demo is False
    assert parse_settings({"kiosk_id": "k", "data_dir": "d", "demo": True}).demo is True
    with pytest.raises(SettingsError):
        parse_settings({"kiosk_id": "k", "data_dir": "d", "demo": "yes"})
    assert build_parser().parse_args(["run", "--config", "x", "--demo"]).demo is True
