"""Pictures and overview that answer staff's questions (issue 12, item 5): visits, not records;
a visit's face is its last answer; quick repeated answers left out unless asked for; mood per
theme side by side on the overview; every configured age group and district listed, the
missing ones named; human names and weeks as date ranges."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from sync.server.domain import stats
from sync.server.settings import Settings
from tests.staff.conftest import make_visit

DISTRICTS = ("keskusta", "kalevankangas", "rantakyla")


@pytest.fixture
def settings(db_url, tmp_path):
    return Settings.load(
        {
            "data_dir": str(tmp_path / "data"),
            "database_url": db_url,
            "districts": ",".join(DISTRICTS),
        },
        env={},
    )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def visits(kiosk, post_batch, demo_themes):
    """A changed mind (face 1, then 4), a quick repeat (face 2) and an unhappy youth visit."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    changed = make_visit(
        kiosk.kiosk_id,
        rating=1,
        theme_ids=("liikenne",),
        age_group="18-29",
        district="keskusta",
        created_at=_stamp(now),
    )
    again = dict(
        changed[0],
        id=str(uuid.uuid4()),
        rating=4,
        created_at=_stamp(now.replace(microsecond=0) + timedelta(seconds=30)),
    )
    quick = make_visit(kiosk.kiosk_id, rating=2, theme_ids=("liikenne",), created_at=_stamp(now))
    for record in quick:
        record["flags"] = ["rapid_repeat"]
    youth = make_visit(kiosk.kiosk_id, rating=1, theme_ids=("nuoret",), age_group="under-18")
    post_batch(kiosk, [*changed, again, *quick, *youth])
    return {"changed": changed, "quick": quick, "youth": youth}


def _row(html: str, name: str) -> str:
    return html.split(name)[1].split("</tr>")[0]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_overview_counts_visits_and_shows_mood_per_theme_and_who_is_missing(
    client, login, kiosk, visits
):
    login()
    [row] = client.get("/staff/api/overview").json()
    assert row["today"] == 3 and row["week"] == 3  # seven records, three visits
    page = client.get("/staff/?lang=en").text
    assert "Visits this week" in page and "Records this week" not in page
    mood = page.split('id="mood-h"')[1].split("</table>")[0]
    # liikenne: the changed mind counts once, as very happy; the quick repeat is left out.
    traffic = _row(mood, "Traffic and cycling")
    assert "100%" in traffic and "1 of 1" in traffic
    youth = _row(mood, "Youth")
    assert "0%" in youth and "0 of 1" in youth
    missing = page.split("Who is missing:")[1].split("</p>")[0]
    assert "Kalevankangas" in missing and "Rantakyla" in missing and "75 or over" in missing
    assert "Keskusta" not in missing and "18–29" not in missing and "Under 18" not in missing


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_pictures_count_last_faces_name_groups_and_weeks_and_switch_quick_repeats(
    client, login, kiosk, visits
):
    login()
    page = client.get("/staff/pictures?lang=en").text
    faces = re.search(r'alt="(Faces per week[^"]*)"', page).group(1)
    assert "Very unhappy 1" in faces and "Unhappy 0" in faces and "Very happy 1" in faces
    assert stats.week_label(stats.iso_week(date.today())) in faces
    assert "-W" not in page
    # Every configured district listed, the silent ones named and highlighted.
    district = re.search(r'alt="(Visits by district[^"]*)"', page).group(1)
    assert "Kalevankangas: 0" in district and "Rantakyla: 0" in district
    assert page.count('class="zero"') >= 2
    assert "Who is missing:" in page
    age = re.search(r'alt="(Visits by age group[^"]*)"', page).group(1)
    assert "Under 18: 1" in age and "18–29: 1" in age and "75 or over: 0" in age
    mood = re.search(r'alt="(Mood per theme[^"]*)"', page).group(1)
    assert "Traffic and cycling: Very unhappy 0" in mood

    with_quick = client.get("/staff/pictures?lang=en&rapid=1").text
    faces = re.search(r'alt="(Faces per week[^"]*)"', with_quick).group(1)
    assert "Unhappy 1" in faces
    assert 'id="rapid" name="rapid" value="1" checked' in with_quick
    assert "rapid=1" in with_quick.split('src="/staff/charts/faces.svg?')[1].split('"')[0]
    svg = client.get("/staff/charts/mood.svg?rapid=1")
    assert svg.status_code == 200 and b"<svg" in svg.content


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_today_and_this_week_begin_at_midnight_in_the_citys_time(engine, kiosk, post_batch):
    from zoneinfo import ZoneInfo

    from sync.server.db import dashboard

    moments = (
        "2026-11-17T22:30:00.000000Z",  # 00.30 on Wednesday 18 Nov in Helsinki: today
        "2026-11-17T21:30:00.000000Z",  # 23.30 on Tuesday: this week, not today
        "2026-11-15T22:30:00.000000Z",  # 00.30 on Monday 16 Nov: this week
        "2026-11-15T21:30:00.000000Z",  # 23.30 on Sunday: last week
    )
    post_batch(kiosk, [r for m in moments for r in make_visit(kiosk.kiosk_id, created_at=m)])
    now = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    with engine.connect() as conn:
        [row] = dashboard.kiosk_overview(conn, now, ZoneInfo("Europe/Helsinki"))
    assert (row["today"], row["week"]) == (1, 3)
