"""What the kiosk shows about themes: the kiosk-config from the store, else the bundled demo.

:func:`load_content` returns a validated ``sync.protocol.KioskConfig``: the copy the sync client
last stored in the local store when there is one, otherwise ``assets/demo/kiosk-config.json``.
:func:`theme_card` turns one theme into plain strings and numbers for one language (where the
theme is on its dated path, its latest update, its recent mood), so screens stay free of
date arithmetic. Imports no Kivy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sync.protocol import KioskConfig, ThemeInfo

__all__ = ["DEMO_CONFIG_PATH", "ThemeCard", "load_content", "theme_card", "MOOD_WEEKS_SHOWN"]

DEMO_CONFIG_PATH = Path(__file__).resolve().parent.parent / "assets" / "demo" / "kiosk-config.json"
MOOD_WEEKS_SHOWN = 6


def load_content(store: Any | None = None, demo_path: Path = DEMO_CONFIG_PATH) -> KioskConfig:
    """The store's kiosk-config when present and valid, else the demo content."""
    if store is not None:
        doc, _etag = store.kiosk_config()
        if doc:
            try:
                return KioskConfig.model_validate(doc)
            except ValueError:
                pass  # a broken stored copy must not take the kiosk down; the demo still shows
    return KioskConfig.model_validate(json.loads(demo_path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class ThemeCard:
    theme_id: str
    name: str
    velho_name: str
    velho_role: str
    done_step: str  # the latest finished step ("" when none)
    done_date: str
    next_step: str  # the next step ahead ("" when the path has ended)
    next_date: str
    steps_done: int
    steps_total: int
    path_end_date: str
    update_text: str
    update_date: str
    mood: tuple[tuple[int, int, int, int], ...]  # counts of faces 1..4, oldest week first


def _step_is_done(step: Any, today: date) -> bool:
    return step.done or date.fromisoformat(step.date) < today


def theme_card(theme: ThemeInfo, lang: str, today: date | None = None) -> ThemeCard:
    today = today or date.today()
    steps = sorted(theme.path, key=lambda s: s.date)
    done = [s for s in steps if _step_is_done(s, today)]
    ahead = [s for s in steps if not _step_is_done(s, today)]
    updates = sorted(theme.updates, key=lambda u: u.date)
    weeks = sorted(theme.mood_weeks, key=lambda w: w.week)[-MOOD_WEEKS_SHOWN:]
    mood = tuple(tuple(int(w.counts.get(str(k), 0)) for k in (1, 2, 3, 4)) for w in weeks)
    return ThemeCard(
        theme_id=theme.id,
        name=theme.name.get(lang),
        velho_name=theme.velho.name if theme.velho else "",
        velho_role=theme.velho.role.get(lang) if theme.velho else "",
        done_step=done[-1].title.get(lang) if done else "",
        done_date=done[-1].date if done else "",
        next_step=ahead[0].title.get(lang) if ahead else "",
        next_date=ahead[0].date if ahead else "",
        steps_done=len(done),
        steps_total=len(steps),
        path_end_date=steps[-1].date if steps else "",
        update_text=updates[-1].text.get(lang) if updates else "",
        update_date=updates[-1].date if updates else "",
        mood=mood,  # type: ignore[arg-type]
    )
