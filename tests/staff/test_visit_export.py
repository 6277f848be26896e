"""The per-visit export a librarian opens in a spreadsheet: one row per visit, the last face,
names beside codes, local time beside UTC, and only publishable story text by default."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from sync.server.domain.exports import COLUMNS
from sync.server.domain.i18n import translations
from sync.server.domain.visit_export import VISIT_COLUMNS
from tests.staff.conftest import make_visit


@pytest.fixture
def three_visits(kiosk, post_batch, demo_themes):
    """A visitor who changed their face, a flagged pending story, an approved clean story."""
    changed = make_visit(
        kiosk.kiosk_id,
        rating=1,
        theme_ids=("liikenne", "nuoret"),
        created_at="2026-11-14T10:00:00.000000Z",
        age_group="75+",
        district="kalevankangas",
    )
    second_rating = dict(changed[0], id="0" * 8 + "-0000-4000-8000-" + "0" * 12, rating=4)
    second_rating["created_at"] = "2026-11-14T10:00:20.000000Z"
    flagged = make_visit(
        kiosk.kiosk_id,
        story="Soita minulle 040 123 4567",
        created_at="2026-11-14T11:00:00.000000Z",
    )
    clean = make_visit(
        kiosk.kiosk_id,
        story='=HYPERLINK("http://x") torilla on kivaa',
        created_at="2026-11-14T12:00:00.000000Z",
        lang="sv",
    )
    post_batch(kiosk, [*changed, second_rating, *flagged, *clean])
    return changed, flagged, clean


def _csv(client, **params):
    response = client.get("/staff/api/export", params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_one_row_per_visit_with_names_and_the_last_face(client, login, three_visits):
    token = login()
    changed, flagged, clean = three_visits
    client.post(
        f"/staff/stories/{clean[-1]['id']}",
        data={"csrf": token, "action": "approve"},
        follow_redirects=False,
    )
    rows = _csv(client, unit="visit")
    assert list(rows[0]) == list(VISIT_COLUMNS)
    assert [r["visit_id"] for r in rows] == [v[0]["visit_id"] for v in three_visits]
    first = rows[0]
    assert (first["rating"], first["face"], first["ratings_given"]) == (
        "4",
        translations("fi").gettext("Very happy"),
        "2",
    )
    assert first["time_utc"] == "2026-11-14T10:00:00Z"
    assert first["time_local"] == "2026-11-14 12:00:00"  # Helsinki, winter time
    assert first["themes"] == "Liikenne ja pyöräily Nuoret"
    assert first["theme_ids"] == "liikenne nuoret"
    assert (first["age_group"], first["age_group_name"]) == ("75+", "75 tai yli")
    assert (first["district"], first["district_name"]) == ("kalevankangas", "Kalevankangas")
    assert first["kiosk"] == "Pääkirjasto 1" and first["site"] == "Pääkirjasto"
    assert first["event"] == "Käyttäjätori marraskuu"
    # The flagged, unmoderated story: its status, never its text, by default.
    assert rows[1]["story_status"] == "pending" and rows[1]["story"] == ""
    # The approved one, with the formula neutralised as in every CSV.
    assert rows[2]["story"].startswith("'=HYPERLINK")
    everything = _csv(client, unit="visit", story_text="all")
    assert everything[1]["story"] == "Soita minulle 040 123 4567"
    for row in everything:
        assert not any(row[c] for c in ("follow_up_token", "short_code") if c in row)
    assert "follow_up_token" not in VISIT_COLUMNS


def test_the_record_export_also_leaves_out_unmoderated_text(client, login, three_visits):
    login()
    _, flagged, _ = three_visits
    rows = _csv(client)
    assert list(rows[0]) == list(COLUMNS)
    story = next(r for r in rows if r["record_id"] == flagged[-1]["id"])
    assert story["story"] == "" and story["story_status"] == "pending"
    story = next(r for r in _csv(client, story_text="all") if r["record_id"] == flagged[-1]["id"])
    assert story["story"] == "Soita minulle 040 123 4567"


def test_xlsx_per_visit_has_real_times_and_keeps_formulas_as_text(client, login, three_visits):
    login()
    response = client.get(
        "/staff/api/export", params={"format": "xlsx", "unit": "visit", "story_text": "all"}
    )
    assert response.status_code == 200
    assert 'filename="kayttajatori-visits-all-' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(VISIT_COLUMNS)
    assert len(values) == 4
    local = values[1][VISIT_COLUMNS.index("time_local")]
    assert local == datetime(2026, 11, 14, 12, 0, 0)
    story_cell = sheet.cell(row=4, column=VISIT_COLUMNS.index("story") + 1)
    assert story_cell.data_type == "s" and story_cell.value.startswith("=HYPERLINK")


def test_jsonl_per_visit_and_bad_parameters(client, login, three_visits):
    login()
    lines = client.get("/staff/api/export", params={"format": "jsonl", "unit": "visit"}).text
    rows = [json.loads(line) for line in lines.splitlines()]
    assert [r["ratings_given"] for r in rows] == [2, 1, 1]
    assert rows[0]["themes"] == ["Liikenne ja pyöräily", "Nuoret"]
    for bad in ({"unit": "day"}, {"format": "pdf"}, {"story_text": "some"}):
        response = client.get("/staff/api/export", params=bad)
        assert response.status_code == 400
        assert next(iter(bad)) in response.json()["detail"]


def test_exports_are_filtered_by_event(client, login, three_visits):
    login()
    assert _csv(client, unit="visit", event="no-such-event") == []
    assert len(_csv(client, unit="visit", event="kayttajatori-2026-11")) == 3


def test_the_export_page_offers_visits_and_xlsx(client, login):
    login()
    page = client.get("/staff/exports?lang=en").text
    assert 'name="unit" value="visit" checked' in page
    assert 'value="xlsx" checked' in page
    assert "Only texts approved for the story wall" in page
