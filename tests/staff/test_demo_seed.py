"""The demo's visits (issue 12, item 11): six weeks at several kiosks of both libraries, every
age group and all districts but one, stories in three languages — some flagged for personal
data, some approved — stored through the real ingest path, once, and only when asked for as a
demo; the follow-up page it points to shows a story answered by an update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sync.protocol import AGE_GROUPS
from sync.server.db.demo_seed import DEMO_KIOSKS, seed_demo_visits
from sync.server.db.tables import batches, kiosks, records

DISTRICTS = ("keskusta", "kalevankangas", "launiala", "urpola", "ristiina", "haukivuori")


def _seed(engine, now, demo=True):
    return seed_demo_visits(
        engine,
        demo=demo,
        event_id="kayttajatori-2026-11",
        theme_ids=["liikenne", "nuoret"],
        age_groups=AGE_GROUPS,
        districts=DISTRICTS,
        now=now,
    )


def test_demo_visits_need_the_explicit_demo_word(engine):
    with pytest.raises(ValueError, match="only for a demo"):
        _seed(engine, datetime.now(UTC), demo=False)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(kiosks)).scalar_one() == 0


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_six_weeks_of_plausible_visits_stored_once_through_ingest(
    client,
    engine,
    demo_themes,
):
    now = datetime.now(UTC)
    first = _seed(engine, now)
    assert first.seeded_now and first.visits > 300 and first.approved == 4
    assert first.flagged >= 3 and first.stories > first.flagged
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                records.c.kiosk_id,
                records.c.created_at,
                records.c.age_group,
                records.c.district,
                records.c.lang,
                records.c.kind,
            )
        ).all()
        sites = set(conn.execute(select(kiosks.c.site)).scalars())
        sources = set(conn.execute(select(batches.c.source)).scalars())
    assert {r.kiosk_id for r in rows} == {k[0] for k in DEMO_KIOSKS}
    assert sites == {"Mikkelin pääkirjasto", "Ristiinan kirjasto"} and sources == {"network"}
    times = [r.created_at.replace(tzinfo=UTC) for r in rows]
    assert now - timedelta(days=42) <= min(times) < now - timedelta(days=35)
    assert max(times) <= now
    assert {r.age_group for r in rows} - {None} == set(AGE_GROUPS)
    assert {r.district for r in rows} - {None} == set(DISTRICTS[:-1])  # one district silent
    assert {r.lang for r in rows if r.kind == "story"} == {"fi", "sv", "en"}

    again = _seed(engine, now + timedelta(days=3))
    assert not again.seeded_now and again.records == first.records
    assert again.follow_up_token == first.follow_up_token

    page = client.get(f"/f/{first.follow_up_token}?lang=en").text
    assert "Your story was taken into account in this update." in page
    assert "Your story is on the story wall" in page
