"""``kiosk walkthrough``: each persona's visit, played on the real app, ends as it should.

One run of every persona in a child process (Kivy's window is per process and the UI tests
already hold one), then each persona's outcome.json, pictures and speech log are checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from kiosk.walkthrough import BLIND_STORY, PERSONAS, SWEDISH_STORY, THUMB_WIDTH


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    out = tmp_path_factory.mktemp("walkthrough")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "walkthrough", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def outcome(out, name):
    return json.loads((out / name / "outcome.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
def test_every_step_has_a_picture_and_the_persona_a_sheet_and_a_speech_log(walked, persona):
    folder = walked / persona.name
    pictures = sorted(folder.glob("[0-9][0-9]-*.png"))
    assert [p.name[:2] for p in pictures] == [f"{i:02d}" for i in range(1, len(persona.steps) + 1)]
    with Image.open(folder / "sheet.png") as sheet:
        assert sheet.width > 4 * THUMB_WIDTH
    assert (folder / "spoken.txt").read_text(encoding="utf-8").startswith(f"# {persona.name}")
    assert outcome(walked, persona.name)["screens"][-1] == "attract"  # the kiosk starts over


def test_the_senior_at_x2_rates_picks_two_themes_and_hears_every_screen(walked):
    result = outcome(walked, "senior")
    records = result["records"]
    assert [r["kind"] for r in records] == ["rating", "themes"]
    assert len(records[1]["theme_ids"]) == 2
    spoken = "\n".join(result["spoken"])
    assert "Mitkä teemat ovat sinulle tärkeitä?" in spoken
    assert spoken.count("Teemaasi") == 2  # the thanks screen names both themes' velhos
    assert "Kun olet valmis, napauta Valmis." in spoken
    assert result["languages"] == ["fi"]


def test_the_blind_visitor_writes_two_sentences_by_ear(walked):
    result = outcome(walked, "blind")
    stories = [r for r in result["records"] if r["kind"] == "story"]
    assert [s["story"] for s in stories] == [BLIND_STORY]
    spoken = result["spoken"]
    assert "iso T" in spoken and "kaunis." in spoken  # a key echoed, a word read back
    assert BLIND_STORY in spoken  # "Lue tarinani" read the whole story
    assert "z" in spoken and "Pyyhitty: z.\nkiito." in spoken  # the typo heard, deleted, checked


def test_the_double_tapper_types_nothing_into_the_story_by_skipping(walked):
    result = outcome(walked, "double-tapper")
    assert [r["kind"] for r in result["records"]][:1] == ["rating"]
    assert not any(":" in text for text in result["story_seen"])
    assert not [r for r in result["records"] if r["kind"] == "story"]


def test_the_double_tapper_gets_one_letter_for_a_double_tap(walked):
    result = outcome(walked, "double-tapper")
    assert "aa" not in result["story_seen"] and "a" in result["story_seen"]


def test_the_one_who_changes_the_face_leaves_two_ratings_and_the_last_counts(walked):
    result = outcome(walked, "changes-face")
    records = result["records"]
    assert [r["kind"] for r in records] == ["rating", "rating", "themes"]
    assert len({r["visit_id"] for r in records}) == 1
    # Both stay stored; the server counts the visit's last (sync.server.domain.answers): by
    # created_at, and the happy face was saved after the unhappy one.
    assert [r["rating"] for r in records[:2]] == [1, 4]
    assert records[1]["created_at"] > records[0]["created_at"]
    assert result["screens"][:4] == ["rating", "themes", "rating", "themes"]
    assert result["face_marked"][2] == 1  # back on the faces: the one chosen is marked


def test_the_one_without_a_phone_gets_the_short_code_on_a_slip(walked):
    result = outcome(walked, "printer")
    codes = {r["short_code"] for r in result["records"]}
    assert len(codes) == 1
    slip = (walked / "printer" / "slip.bin").read_bytes()
    assert codes.pop().encode() in slip and b"/k" in slip


def test_the_idler_is_let_go_and_the_kiosk_starts_over_clean(walked):
    result = outcome(walked, "idler")
    assert [r["kind"] for r in result["records"]] == ["rating", "themes"]
    assert all(r["lang"] == "sv" for r in result["records"])
    assert result["screens"][-2:] == ["thanks", "attract"]
    assert result["story_seen"][-1] == ""


def test_the_swedish_senior_gets_swedish_place_names(walked):
    result = outcome(walked, "svenska")
    records = result["records"]
    assert [r["kind"] for r in records] == ["rating", "themes", "story"]
    assert all(r["lang"] == "sv" for r in records)
    story = records[2]
    assert story["story"] == SWEDISH_STORY
    assert story["district"] == "ristiina"  # the chip read "Kristina"
