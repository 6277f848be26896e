"""One visitor's pass through the kiosk, and the records it leaves in the local store.

A :class:`VisitRecorder` hands out :class:`Visit` objects. Each finished step (a face tapped,
themes chosen, a story sent) becomes one record saved through the store at once, so a visitor
who walks away loses nothing already finished. The records of one visit share ``visit_id`` and
``follow_up_token`` and ``short_code`` (made here, offline). A face tapped within ``rapid_repeat_seconds`` of the previous visit's end is
saved with the flag ``rapid_repeat`` (not dropped), so staff can filter children playing.
Imports no Kivy; the clock is injectable for tests.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["RAPID_REPEAT_FLAG", "RecordSink", "Visit", "VisitRecorder"]

RAPID_REPEAT_FLAG = "rapid_repeat"


def new_follow_up_token() -> str:
    from sync.protocol import new_follow_up_token as make  # lazy: pydantic slows cold start

    return make()


def new_short_code() -> str:
    from sync.protocol import new_short_code as make

    return make()


def utc_now_iso() -> str:
    from sync.protocol import utc_now_iso as now

    return now()


class RecordSink(Protocol):
    def save(self, record: dict[str, Any]) -> str: ...


@dataclass
class Visit:
    """What one visitor has finished so far; cleared when the visit ends."""

    visit_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    follow_up_token: str = field(default_factory=new_follow_up_token)
    short_code: str = field(default_factory=new_short_code)
    rating: int | None = None
    theme_ids: list[str] = field(default_factory=list)
    story_saved: bool = False
    record_ids: list[str] = field(default_factory=list)
    rapid_repeat: bool = False

    @property
    def has_records(self) -> bool:
        return bool(self.record_ids)


class VisitRecorder:
    """Builds and saves the records of the current visit."""

    def __init__(
        self,
        store: RecordSink,
        kiosk_id: str,
        event_id: Callable[[], str],
        *,
        rapid_repeat_seconds: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._store = store
        self._kiosk_id = kiosk_id
        self._event_id = event_id
        self._rapid = rapid_repeat_seconds
        self._clock = clock
        self._last_end: float | None = None
        self.current: Visit | None = None

    def visit(self) -> Visit:
        """The current visit, started on first use."""
        if self.current is None:
            self.current = Visit()
        return self.current

    def end(self) -> None:
        """The visitor is done (thanks screen left, idle reset, or start-over)."""
        if self.current is not None and self.current.has_records:
            self._last_end = self._clock()
        self.current = None

    def reset_repeat_window(self) -> None:
        """The next face is not a quick repeat (after staff mode, or between test cases)."""
        self._last_end = None

    def _base(self, kind: str, lang: str) -> dict[str, Any]:
        visit = self.visit()
        return {
            "visit_id": visit.visit_id,
            "follow_up_token": visit.follow_up_token,
            "short_code": visit.short_code,
            "created_at": utc_now_iso(),
            "kiosk_id": self._kiosk_id,
            "event_id": self._event_id(),
            "kind": kind,
            "lang": lang,
            "flags": [RAPID_REPEAT_FLAG] if visit.rapid_repeat else [],
        }

    def save_rating(self, rating: int, lang: str) -> str:
        visit = self.visit()
        if not visit.has_records and self._last_end is not None:
            visit.rapid_repeat = self._clock() - self._last_end <= self._rapid
        record = self._base("rating", lang)
        record["rating"] = rating
        record_id = self._store.save(record)
        visit.rating = rating
        visit.record_ids.append(record_id)
        return record_id

    def save_themes(self, theme_ids: Sequence[str], lang: str) -> str:
        visit = self.visit()
        record = self._base("themes", lang)
        record["theme_ids"] = list(theme_ids)
        record_id = self._store.save(record)
        visit.theme_ids = list(theme_ids)
        visit.record_ids.append(record_id)
        return record_id

    def save_story(
        self, text: str, lang: str, age_group: str | None = None, district: str | None = None
    ) -> str:
        visit = self.visit()
        record = self._base("story", lang)
        record.update(
            story=text, theme_ids=list(visit.theme_ids), age_group=age_group, district=district
        )
        record_id = self._store.save(record)
        visit.story_saved = True
        visit.record_ids.append(record_id)
        return record_id
