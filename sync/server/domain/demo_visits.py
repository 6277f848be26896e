"""Six weeks of plausible kiosk visits for the demo, generated without randomness between runs.

A caller may rely on: :func:`demo_batches` returning the same batches (ids, records, tokens)
for the same arguments, every time — so storing them twice stores nothing new; records in the
protocol's shape, as a kiosk sends them (a face, the chosen themes, sometimes a story; now and
then a changed face or a quick repeat flagged ``rapid_repeat``); every age group used; every
district but the last one used (the silent one, so "who is missing" shows something); stories
in Finnish, Swedish and English, a few carrying a phone number or an e-mail address.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["DEMO_DAYS", "DemoKiosk", "demo_batches"]

DEMO_DAYS = 42  # six weeks
_NAMESPACE = uuid.UUID("6f1c8a52-3c1e-4d2b-9a57-2f0d6c1b7e10")
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

STORIES = {
    "fi": (
        "Kirjaston lukusali on paras paikka opiskella, kiitos hiljaisesta tilasta.",
        "Toivoisin lisää penkkejä Hallituskadulle, kävely on vanhalle raskasta.",
        "Pyörätie Kalevankankaalle on talvella huonosti aurattu.",
        "Nuorille tarvitaan iltaisin paikka, jossa saa olla ilman rahaa.",
        "Terveysasemalle on vaikea saada aikaa puhelimella.",
        "Torin tapahtumat ovat tuoneet elämää keskustaan, lisää näitä!",
        "Soittakaa minulle, niin kerron lisää: 040 123 4567",
        "Bussivuoroja Otavaan on liian vähän viikonloppuisin.",
    ),
    "sv": (
        "Biblioteket är mitt vardagsrum, tack för de långa öppettiderna.",
        "Fler sittplatser vid torget skulle hjälpa oss äldre.",
        "Skriv till mig på anna.svensson@example.fi så berättar jag mer.",
    ),
    "en": (
        "As a newcomer the library helped me find a Finnish course.",
        "The cycle path by the lake is lovely, please light it in winter.",
        "Call me on +358 40 765 4321 about the youth space idea.",
    ),
}


@dataclass(frozen=True)
class DemoKiosk:
    kiosk_id: str
    site: str
    home_districts: tuple[str, ...]  # where most of its visitors live


def _token(rng: random.Random) -> str:
    return "".join(rng.choice(_TOKEN_CHARS) for _ in range(24))


def _id(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _visit(
    rng: random.Random,
    kiosk: DemoKiosk,
    key: str,
    when: datetime,
    event_id: str,
    theme_ids: Sequence[str],
    age_groups: Sequence[str],
    districts: Sequence[str],
    story_turn: int,
) -> list[dict]:
    lang = rng.choices(("fi", "sv", "en"), (80, 12, 8))[0]
    live_in = kiosk.home_districts if rng.random() < 0.6 else districts
    base = {
        "visit_id": _id(key, "visit"),
        "created_at": _stamp(when),
        "kiosk_id": kiosk.kiosk_id,
        "event_id": event_id,
        "lang": lang,
        "follow_up_token": _token(rng),
        "age_group": rng.choice(age_groups) if rng.random() < 0.85 else None,
        "district": rng.choice(live_in) if live_in and rng.random() < 0.8 else None,
        "flags": ["rapid_repeat"] if rng.random() < 0.04 else [],
    }
    chosen = rng.sample(list(theme_ids), k=min(len(theme_ids), rng.choice((1, 1, 2))))
    # Moods differ by theme, so the overview's mood per theme has something to say.
    lean = {tid: i % 3 for i, tid in enumerate(theme_ids)}[chosen[0]]
    face = rng.choices((1, 2, 3, 4), ((1, 2, 4, 4), (2, 3, 3, 2), (3, 3, 2, 1))[lean])[0]
    records = [dict(base, id=_id(key, "rating"), kind="rating", rating=face)]
    if rng.random() < 0.05:  # went back and changed the face
        later = dict(base, created_at=_stamp(when + timedelta(seconds=25)))
        records.append(dict(later, id=_id(key, "rating2"), kind="rating", rating=min(4, face + 1)))
    records.append(dict(base, id=_id(key, "themes"), kind="themes", theme_ids=chosen))
    if story_turn >= 0:
        texts = STORIES[lang]
        records.append(
            dict(base, id=_id(key, "story"), kind="story", story=texts[story_turn % len(texts)])
        )
    return records


def demo_batches(
    kiosks: Sequence[DemoKiosk],
    *,
    event_id: str,
    theme_ids: Sequence[str],
    age_groups: Sequence[str],
    districts: Sequence[str],
    now: datetime,
    timezone: str = "Europe/Helsinki",
    seed: int = 2026,
) -> list[tuple[str, str, datetime, list[dict]]]:
    """``(kiosk_id, batch_id, received_at, records)`` — one batch per kiosk and open day, for
    the six weeks up to ``now`` (nothing later: today's visits stop at ``now``)."""
    rng = random.Random(seed)
    zone = ZoneInfo(timezone)
    last_day = now.astimezone(zone).date()
    used = list(districts[:-1]) if len(districts) > 1 else list(districts)
    out = []
    story_turn = 0
    for offset in range(DEMO_DAYS - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        if day.weekday() == 6:  # libraries closed on Sundays
            continue
        for kiosk in kiosks:
            home = tuple(d for d in kiosk.home_districts if d in used) or tuple(used)
            local = DemoKiosk(kiosk.kiosk_id, kiosk.site, home)
            count = rng.randint(2, 6) if day.weekday() < 5 else rng.randint(1, 3)
            records: list[dict] = []
            for n in range(count):
                when = datetime.combine(day, time(rng.randint(10, 18), rng.randint(0, 59)), zone)
                if when > now:
                    continue
                with_story = rng.random() < 0.18
                records.extend(
                    _visit(
                        rng,
                        local,
                        f"{kiosk.kiosk_id}/{day}/{n}",
                        when,
                        event_id,
                        theme_ids,
                        age_groups,
                        used,
                        story_turn if with_story else -1,
                    )
                )
                story_turn += 1 if with_story else 0
            if not records:
                continue
            received = min(datetime.combine(day, time(20, 0), zone), now)
            out.append((kiosk.kiosk_id, _id(kiosk.kiosk_id, day, "batch"), received, records))
    return out
