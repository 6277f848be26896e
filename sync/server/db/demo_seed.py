"""The demo's visits in the database: kiosks at two libraries, six weeks of visits stored
through the real ingest path, a few stories approved and one answered by a status update.

A caller may rely on: :func:`seed_demo_visits` refusing (``ValueError``) unless ``demo`` is
true — the caller's explicit word that this is no production server; enrolling the demo kiosks
when missing; storing :func:`~sync.server.domain.demo_visits.demo_batches` with
:func:`~sync.server.db.ingest.parse_batch` and :func:`~sync.server.db.ingest.store_batch`
(so the personal-data check flags what it flags in real life); doing nothing but answering
again when the demo kiosks already have batches (idempotent); and returning a follow-up token
whose page shows an approved story answered by a "you said – we did" update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from sync.protocol import canonical_json
from sync.server.db import plans
from sync.server.db.ingest import parse_batch, store_batch
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.story_moderation import moderate_story
from sync.server.db.tables import batches, kiosks, records, theme_update_stories
from sync.server.domain.audit import Actor
from sync.server.domain.demo_visits import DemoKiosk, demo_batches

__all__ = ["DEMO_KIOSKS", "DemoSeed", "seed_demo_visits"]

# (id, name, site, districts most of its visitors come from)
DEMO_KIOSKS = (
    ("demo-paakirjasto-lapset", "Pääkirjasto, lastenosasto", "Mikkelin pääkirjasto", ("keskusta",)),
    ("demo-paakirjasto-2krs", "Pääkirjasto, 2. kerros", "Mikkelin pääkirjasto", ("urpola",)),
    ("demo-ristiina", "Ristiinan kirjasto, aula", "Ristiinan kirjasto", ("ristiina",)),
)
APPROVED = 4  # stories approved for the story wall
_DEMO = Actor("demo")


@dataclass(frozen=True)
class DemoSeed:
    visits: int
    records: int
    stories: int
    flagged: int
    approved: int
    follow_up_token: str
    seeded_now: bool


def _counts(engine: Engine, kiosk_ids: Sequence[str]) -> dict[str, int]:
    mine = records.c.kiosk_id.in_(list(kiosk_ids))
    with engine.connect() as conn:
        return {
            "visits": conn.execute(
                select(func.count(func.distinct(records.c.visit_id))).where(mine)
            ).scalar_one(),
            "records": conn.execute(select(func.count()).where(mine)).scalar_one(),
            "stories": conn.execute(
                select(func.count()).where(mine, records.c.kind == "story")
            ).scalar_one(),
            "flagged": conn.execute(
                select(func.count()).where(mine, records.c.personal_data_suspected.is_(True))
            ).scalar_one(),
            "approved": conn.execute(
                select(func.count()).where(mine, records.c.story_status == "approved")
            ).scalar_one(),
        }


def _answered_token(engine: Engine, kiosk_ids: Sequence[str]) -> str:
    with engine.connect() as conn:
        row = conn.execute(
            select(records.c.follow_up_token)
            .join(theme_update_stories, theme_update_stories.c.record_id == records.c.id)
            .where(records.c.kiosk_id.in_(list(kiosk_ids)))
            .limit(1)
        ).first()
    return row[0] if row else ""


def seed_demo_visits(
    engine: Engine,
    *,
    demo: bool,
    event_id: str,
    theme_ids: Sequence[str],
    age_groups: Sequence[str],
    districts: Sequence[str],
    now: datetime | None = None,
    timezone: str = "Europe/Helsinki",
) -> DemoSeed:
    """Seed the demo's visits once; see the module's contract."""
    if not demo:
        raise ValueError("demo visits are only for a demo server; say so explicitly")
    ids = [k[0] for k in DEMO_KIOSKS]
    with engine.connect() as conn:
        known = {r[0] for r in conn.execute(select(kiosks.c.id).where(kiosks.c.id.in_(ids)))}
        seeded = conn.execute(
            select(batches.c.batch_id).where(batches.c.kiosk_id.in_(ids)).limit(1)
        ).first()
    for kiosk_id, name, site, _home in DEMO_KIOSKS:
        if kiosk_id not in known:
            enroll_kiosk(engine, name, site, kiosk_id=kiosk_id)
    if seeded is None:
        _store(engine, ids, event_id, theme_ids, age_groups, districts, now, timezone)
    return DemoSeed(
        **_counts(engine, ids),
        follow_up_token=_answered_token(engine, ids),
        seeded_now=seeded is None,
    )


def _store(
    engine: Engine,
    ids: Sequence[str],
    event_id: str,
    theme_ids: Sequence[str],
    age_groups: Sequence[str],
    districts: Sequence[str],
    now: datetime | None,
    timezone: str,
) -> None:
    planned = demo_batches(
        [DemoKiosk(k[0], k[2], k[3]) for k in DEMO_KIOSKS],
        event_id=event_id,
        theme_ids=theme_ids,
        age_groups=age_groups,
        districts=districts,
        now=now or datetime.now(UTC),
        timezone=timezone,
    )
    for kiosk_id, batch_id, received, batch_records in planned:
        body = canonical_json({"batch_id": batch_id, "records": batch_records})
        parsed = parse_batch(body, kiosk_id, age_groups=age_groups, districts=districts)
        store_batch(engine, parsed, kiosk_id, now=received)
    with engine.connect() as conn:
        clean = conn.execute(
            select(records.c.id, records.c.theme_ids, records.c.visit_id)
            .where(
                records.c.kiosk_id.in_(ids),
                records.c.kind == "story",
                records.c.personal_data_suspected.is_(False),
                # A visit some weeks back, so its page shows news "since your visit".
                records.c.created_at <= (now or datetime.now(UTC)) - timedelta(days=14),
            )
            .order_by(records.c.created_at.desc(), records.c.id)
            .limit(APPROVED)
        ).all()
        chosen = {
            r.visit_id: r.theme_ids
            for r in conn.execute(
                select(records.c.visit_id, records.c.theme_ids).where(
                    records.c.visit_id.in_([c.visit_id for c in clean]),
                    records.c.kind == "themes",
                )
            )
        }
    for story in clean:
        moderate_story(engine, story.id, "approve", _DEMO)
    if clean:
        story = clean[0]
        theme_id = (chosen.get(story.visit_id) or [theme_ids[0]])[0]
        plans.add_update(
            engine,
            theme_id,
            {
                "update_date": (now or datetime.now(UTC)).date(),
                "text_fi": "Kiitos palautteesta! Asia on otettu työlistalle, ja kerromme täällä, "
                "kun päätös on tehty.",
                "text_sv": "Tack för responsen! Frågan finns nu på arbetslistan, och vi berättar "
                "här när beslutet är fattat.",
                "text_en": "Thank you for the feedback! It is now on the work list, and we will "
                "tell you here when the decision is made.",
            },
            "demo",
            story_ids=[story.id],
            actor=_DEMO,
        )
