"""Counting for the pictures: faces per ISO week, theme choices, participation by group, and
the mood of each theme.

Inputs are plain rows from the database; outputs are ordered lists ready for a chart and its
text alternative. Missing weeks between the first and last one are filled with zeros so a
quiet week shows as a gap in the picture instead of vanishing. Faces are counted per visit,
not per record: a visit's face is its LAST rating (a visitor may go back and change it), and
ratings flagged ``rapid_repeat`` (a face tapped right after the previous visit, often a child
playing) are left out unless asked for (:func:`visit_faces`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from sync.server.domain.answers import answer_order

__all__ = [
    "HAPPY",
    "NOT_GIVEN",
    "RAPID_REPEAT",
    "faces_by_week",
    "iso_week",
    "missing",
    "mood_by_theme",
    "participation",
    "theme_counts",
    "visit_faces",
    "week_label",
]

NOT_GIVEN = ""  # the key for visits that did not tell their age group or district
FACES = (1, 2, 3, 4)
HAPPY = (3, 4)  # the two happy faces
# The flag a kiosk sets on a face tapped within seconds of the previous visit (kiosk/visit.py).
RAPID_REPEAT = "rapid_repeat"


def iso_week(moment: datetime | date) -> str:
    """``2026-W47`` for the ISO week of a date or datetime."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def week_label(week: str) -> str:
    """``2026-W47`` as the dates people read: ``16.–22.11.2026`` (``30.11.–6.12.2026`` across
    months, ``28.12.2026–3.1.2027`` across years). Anything else comes back as it was."""
    try:
        year, number = week.split("-W")
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return week
    sunday = monday + timedelta(days=6)
    end = f"{sunday.day}.{sunday.month}.{sunday.year}"
    if monday.year != sunday.year:
        return f"{monday.day}.{monday.month}.{monday.year}–{end}"
    if monday.month != sunday.month:
        return f"{monday.day}.{monday.month}.–{end}"
    return f"{monday.day}.–{end}"


def visit_faces(
    rows: Iterable[Mapping], include_rapid: bool = False
) -> dict[str, tuple[datetime, int]]:
    """Visit id -> ``(created_at, rating)`` of the visit's last rating.

    ``rows`` are rating records with ``visit_id``, ``created_at``, ``id``, ``rating`` and
    ``flags``; "last" is :func:`sync.server.domain.answers.answer_order` (creation time, then
    record id), the order :mod:`sync.server.db.superseded` uses in SQL. Ratings flagged
    :data:`RAPID_REPEAT` are left out unless ``include_rapid``.
    """
    last: dict[str, tuple[tuple[datetime, str], datetime, int]] = {}
    for row in rows:
        if row["rating"] not in FACES:
            continue
        if not include_rapid and RAPID_REPEAT in (row.get("flags") or ()):
            continue
        order = answer_order(row)
        seen = last.get(row["visit_id"])
        if seen is None or order > seen[0]:
            last[row["visit_id"]] = (order, row["created_at"], row["rating"])
    return {visit: (when, rating) for visit, (_order, when, rating) in last.items()}


def mood_by_theme(
    faces: Mapping[str, tuple[datetime, int]],
    choices: Iterable[tuple[str, str]],
    theme_order: Sequence[str],
) -> list[dict]:
    """For every theme in ``theme_order`` (zeros kept): ``visits`` with a face, ``happy`` (the
    two happy faces), ``share`` of happy ones (0..1, None without visits) and ``faces``
    ``{1: n, .., 4: n}``. ``choices`` are ``(visit_id, theme_id)`` pairs; a visit counts once
    per theme it chose, with its last face."""
    per_theme: dict[str, set[str]] = {tid: set() for tid in theme_order}
    for visit_id, theme_id in choices:
        if theme_id in per_theme and visit_id in faces:
            per_theme[theme_id].add(visit_id)
    out = []
    for tid in theme_order:
        counts = Counter(faces[v][1] for v in per_theme[tid])
        visits = sum(counts.values())
        happy = sum(counts[f] for f in HAPPY)
        out.append(
            {
                "theme_id": tid,
                "visits": visits,
                "happy": happy,
                "share": happy / visits if visits else None,
                "faces": {f: counts.get(f, 0) for f in FACES},
            }
        )
    return out


def missing(part: Sequence[tuple[str, int]], groups: Sequence[str]) -> list[str]:
    """The configured ``groups`` with no visit in ``part`` (a :func:`participation` result)."""
    counts = dict(part)
    return [g for g in groups if not counts.get(g)]


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
