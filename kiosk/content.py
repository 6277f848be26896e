"""What the kiosk shows about themes: the kiosk-config from the store, else a neutral start.

:func:`load_content` returns a validated ``sync.protocol.KioskConfig``: the copy the sync client
last stored in the local store when there is one; otherwise :data:`NEUTRAL_CONFIG` (feedback
only: no event, no themes, no stories, no people), or in demo mode the demo content of
:mod:`sync.demo` (invented themes and people, never on a production screen).
:func:`theme_card` turns one theme into plain strings and numbers for one language (where the
theme is on its dated path, its latest update, its recent mood), so screens stay free of
date arithmetic. Imports no Kivy.

:func:`first_frame_content` is for the cold start only: the same document as plain JSON behind
read-only attribute access (:class:`PlainContent`), without importing pydantic (~0.5 s on a
kiosk). It is not validated; the app swaps in :func:`load_content`'s result right after the
first frame. Only the sync client stores a kiosk-config, and it validates it before storing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.protocol import KioskConfig, ThemeInfo

__all__ = [
    "MOOD_WEEKS_SHOWN",
    "NEUTRAL_CONFIG",
    "PlainContent",
    "ThemeCard",
    "first_frame_content",
    "load_content",
    "theme_card",
]

MOOD_WEEKS_SHOWN = 6

# What a kiosk that has not yet received a kiosk-config shows: the feedback question (the rating
# screen's own wording, as no event names one) and nothing else a server would provide.
NEUTRAL_CONFIG: dict[str, Any] = {
    "generated_at": "",
    "public_base_url": "",
    "event": None,
    "events": [],
    "themes": [],
    "stories": [],
    "districts": [],
}


def _fallback(demo: bool) -> dict[str, Any]:
    if demo:
        from sync.demo import demo_kiosk_config

        return demo_kiosk_config()
    return json.loads(json.dumps(NEUTRAL_CONFIG))  # a copy nobody can change for the next caller


def load_content(store: Any | None = None, *, demo: bool = False) -> KioskConfig:
    """The store's kiosk-config when present and valid, else the neutral start (the demo
    content when ``demo``)."""
    from sync.protocol import KioskConfig  # lazy: pydantic is kept off the cold start

    if store is not None:
        doc, _etag = store.kiosk_config()
        if doc:
            try:
                return KioskConfig.model_validate(doc)
            except ValueError:
                pass  # a broken stored copy must not take the kiosk down; the fallback shows
    return KioskConfig.model_validate(_fallback(demo))


class PlainContent:
    """Read-only attribute access over a kiosk-config JSON object, as the screens read it.

    A missing field reads as ``None`` (lists as empty via :func:`theme_card`'s ``or ()``), and
    ``get(lang)`` on a localized text falls back to Finnish like ``sync.protocol.Localized``.
    """

    __slots__ = ("_doc",)

    def __init__(self, doc: dict[str, Any]):
        self._doc = doc

    def __getattr__(self, name: str) -> Any:
        return _plain(self._doc.get(name))

    def get(self, lang: str) -> str:
        return self._doc.get(lang) or self._doc.get("fi", "")

    def as_dict(self) -> dict[str, Any]:
        return dict(self._doc)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return PlainContent(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def first_frame_content(store: Any | None = None, *, demo: bool = False) -> PlainContent | None:
    """The document :func:`load_content` would most likely pick, unvalidated; ``None`` if unsure.

    ``None`` (the stored copy or the fallback is not a JSON object with a list of themes) tells the
    caller to validate at once instead.
    """
    doc = None
    if store is not None:
        doc, _etag = store.kiosk_config()
    if not doc:
        try:
            doc = _fallback(demo)
        except (OSError, ValueError):
            return None
    if not isinstance(doc, dict) or not isinstance(doc.get("themes", []), list):
        return None
    content = PlainContent(doc)
    try:  # every card the attract screen may show must build, else validate at once
        for theme in content.themes:
            theme_card(theme, "fi")
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return content


def _counts(week: Any) -> Any:
    counts = week.counts
    return counts.as_dict() if isinstance(counts, PlainContent) else counts


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
    velho_photo_url: str = ""  # staff's photo address ("" when none); see kiosk.velho_photos


def _step_is_done(step: Any, today: date) -> bool:
    return step.done or date.fromisoformat(step.date) < today


def theme_card(theme: ThemeInfo | PlainContent, lang: str, today: date | None = None) -> ThemeCard:
    today = today or date.today()
    steps = sorted(theme.path or (), key=lambda s: s.date)
    done = [s for s in steps if _step_is_done(s, today)]
    ahead = [s for s in steps if not _step_is_done(s, today)]
    updates = sorted(theme.updates or (), key=lambda u: u.date)
    weeks = sorted(theme.mood_weeks or (), key=lambda w: w.week)[-MOOD_WEEKS_SHOWN:]
    mood = tuple(tuple(int(_counts(w).get(str(k), 0)) for k in (1, 2, 3, 4)) for w in weeks)
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
        velho_photo_url=(theme.velho.photo_url or "") if theme.velho else "",
    )
