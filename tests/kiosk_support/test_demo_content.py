"""sync/demo/kiosk-config.json: valid KioskConfig, and the demo content the issue asks for."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from sync.protocol import AGE_GROUPS, LANGS, KioskConfig

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "sync" / "demo" / "kiosk-config.json"
SEED = sorted((REPO.parent / "shared" / "seed").glob("000_*.txt"))
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
PATH_START = date(2026, 11, 1)


@pytest.fixture(scope="module")
def config() -> KioskConfig:
    return KioskConfig.model_validate(json.loads(DEMO.read_text(encoding="utf-8")))


def localized_texts(model) -> list:
    """Every Localized inside a pydantic model, found by walking its fields."""
    from pydantic import BaseModel

    from sync.protocol import Localized

    found = []

    def walk(value):
        if isinstance(value, Localized):
            found.append(value)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(model)
    return found


def test_the_file_is_strict_json_of_the_protocol_shape():
    raw = json.loads(DEMO.read_text(encoding="utf-8"))
    # A round trip through the model gives the file back: no key anywhere is unknown to the
    # protocol (pydantic would drop it silently) and no value was coerced.
    assert KioskConfig.model_validate(raw).model_dump(mode="json") == raw


def test_every_text_is_in_finnish_swedish_and_english(config):
    texts = localized_texts(config)
    assert len(texts) >= 30
    for text in texts:
        for lang in LANGS:
            assert getattr(text, lang).strip(), (lang, text.fi)


def test_the_four_workshop_themes_named_as_in_the_seed(config):
    names = [t.name.fi for t in config.themes]
    assert names == [
        "Mikkeli-foorumi: elinvoimaa ja kilpailukykyä",
        "Mikkeli-foorumi: sosiaali- ja terveyspalvelut",
        "Käyttäjäyhteisöt voimavarana: konkarit",
        "Käyttäjäyhteisöt voimavarana: nuoret",
    ]
    assert [t.name.en for t in config.themes] == [
        "Mikkeli forum: vitality and competitiveness",
        "Mikkeli forum: social and health services",
        "User communities as a resource: seniors",
        "User communities as a resource: youth",
    ]
    if SEED:  # the seed lies beside the repository in the workplace, not in a clone
        seed = re.sub(r"\s+", " ", SEED[0].read_text(encoding="utf-8")).lower()
        for name in names:
            assert re.sub(r"\s+", " ", name).lower() in seed, name
    ids = [t.id for t in config.themes]
    assert len(set(ids)) == 4 and all(SLUG.match(i) for i in ids)


def test_each_theme_has_a_demo_velho(config):
    for theme in config.themes:
        assert theme.velho is not None, theme.id
        assert "(demo)" in theme.velho.name
        assert "demo" in theme.velho.role.fi and "demo" in theme.velho.role.en
        assert theme.velho.contact is None  # no made-up address a visitor might write to


def test_each_path_reaches_a_year_ahead_with_some_steps_done(config):
    generated = date.fromisoformat(config.generated_at[:10])
    for theme in config.themes:
        dates = [date.fromisoformat(step.date) for step in theme.path]
        assert 4 <= len(dates) <= 6, theme.id
        assert dates == sorted(dates), theme.id
        assert max(dates) >= PATH_START + timedelta(days=365), theme.id
        done = [s for s in theme.path if s.done]
        assert 1 <= len(done) < len(theme.path), theme.id
        for step in theme.path:  # done means in the past; the future is not done yet
            assert step.done == (date.fromisoformat(step.date) <= generated), (theme.id, step)


def test_status_updates_are_dated_and_few(config):
    generated = date.fromisoformat(config.generated_at[:10])
    for theme in config.themes:
        assert 1 <= len(theme.updates) <= 3, theme.id
        for update in theme.updates:
            assert date.fromisoformat(update.date) <= generated


def test_mood_weeks_are_the_last_eight_iso_weeks(config):
    generated = date.fromisoformat(config.generated_at[:10])
    expected = []
    for back in range(7, -1, -1):
        year, week, _ = (generated - timedelta(weeks=back)).isocalendar()
        expected.append(f"{year}-W{week:02d}")
    for theme in config.themes:
        assert [w.week for w in theme.mood_weeks] == expected, theme.id
        for week in theme.mood_weeks:
            assert set(week.counts) == {"1", "2", "3", "4"}
            assert all(isinstance(n, int) and n >= 0 for n in week.counts.values())
            assert sum(week.counts.values()) > 0


def test_the_active_event_and_the_kiosk_settings(config):
    event = config.event
    assert event is not None and event.name.fi == "Käyttäjätori"
    assert SLUG.match(event.id.lower())
    assert "kehittäminen" in event.question.fi.lower() and event.question.fi.endswith("?")
    assert event.question.sv.endswith("?") and event.question.en.endswith("?")
    date.fromisoformat(event.date)
    assert config.public_base_url == "http://127.0.0.1:8765"
    assert config.age_groups == list(AGE_GROUPS)
    assert len(config.districts) >= 3 and all(SLUG.match(d) for d in config.districts)
    assert len(set(config.districts)) == len(config.districts)


def test_stories_are_seed_statements_some_translated(config):
    stories = config.stories
    finnish = [s for s in stories if s.lang == "fi"]
    assert 6 <= len(finnish) <= 10
    assert {s.lang for s in stories} == {"fi", "sv", "en"}
    assert len({s.id for s in stories}) == len(stories)
    theme_ids = {t.id for t in config.themes}
    for story in stories:
        assert set(story.theme_ids) <= theme_ids, story.id
        assert 0 < len(story.text) <= 2000
    assert "Tori eläväksi myös talvella." in [s.text for s in finnish]
    if SEED:
        seed = re.sub(r"\s+", " ", SEED[0].read_text(encoding="utf-8")).lower()
        # Most statements are taken word for word (before the full stop) from the seed.
        verbatim = [s for s in finnish if s.text.split(".")[0].lower() in seed]
        assert len(verbatim) >= 4, [s.text for s in finnish]


def test_the_demo_is_described_in_its_readme():
    readme = (REPO / "sync" / "demo" / "README.md").read_text(encoding="utf-8")
    assert "demo/kiosk-config.json" in readme and "not real people" in readme
