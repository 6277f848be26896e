"""Counting for the pictures: faces per ISO week, theme choices, participation by group.

Inputs are plain rows from the database; outputs are ordered lists ready for a chart and its
text alternative. Missing weeks between the first and last one are filled with zeros so a
quiet week shows as a gap in the picture instead of vanishing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

__all__ = ["NOT_GIVEN", "faces_by_week", "iso_week", "participation", "theme_counts"]

NOT_GIVEN = ""  # the key for visits that did not tell their age group or district
FACES = (1, 2, 3, 4)


def iso_week(moment: datetime | date) -> str:
    """``2026-W47`` for the ISO week of a date or datetime."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _monday(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def faces_by_week(rows: Iterable[tuple[datetime, int]]) -> list[tuple[str, dict[int, int]]]:
    """``[(week, {1: n, 2: n, 3: n, 4: n}), ...]`` from ``(created_at, rating)`` rows, weeks filled."""
    counts: dict[date, Counter] = {}
    for created_at, rating in rows:
        if rating in FACES:
            counts.setdefault(_monday(created_at), Counter())[rating] += 1
    if not counts:
        return []
    out = []
    monday, last = min(counts), max(counts)
    for _ in range(520):  # bounded: ten years of weeks at most
        week = counts.get(monday, Counter())
        out.append((iso_week(monday), {face: week.get(face, 0) for face in FACES}))
        if monday >= last:
            break
        monday += timedelta(days=7)
    return out


def theme_counts(
    rows: Iterable[tuple[str, int]], theme_order: Sequence[str]
) -> list[tuple[str, int]]:
    """``(theme_id, count)`` for every theme in ``theme_order`` (zeros kept), then unknown ids."""
    counts = dict(rows)
    out = [(tid, int(counts.pop(tid, 0))) for tid in theme_order]
    out.extend(sorted(((tid, int(n)) for tid, n in counts.items()), key=lambda p: -p[1]))
    return out


def participation(
    rows: Iterable[Mapping], field: str, groups: Sequence[str]
) -> list[tuple[str, int]]:
    """Distinct visits per value of ``field`` (``age_group`` or ``district``).

    Every group in ``groups`` is listed even at zero (the point is to see who is missing),
    then other values seen, then :data:`NOT_GIVEN` for visits that left the field empty. A visit
    counts once, with the first non-empty value among its records.
    """
    per_visit: dict[str, str] = {}
    for row in rows:
        value = row.get(field) or NOT_GIVEN
        if per_visit.get(row["visit_id"], NOT_GIVEN) == NOT_GIVEN:
            per_visit[row["visit_id"]] = value
    counts = Counter(per_visit.values())
    out = [(g, counts.pop(g, 0)) for g in groups]
    not_given = counts.pop(NOT_GIVEN, 0)
    out.extend(sorted(counts.items()))
    out.append((NOT_GIVEN, not_given))
    return out
