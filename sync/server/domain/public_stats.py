"""Counts the public may see: mood and participation per month, moderation per theme and month.

The rule of every public number (:data:`MIN_COUNT`): a breakdown is shown only for a group of at
least five visits (or stories); a smaller group shows as "fewer than 5" (None here), never as
its number. A caller may rely on:
- :func:`mood_by_month` giving one :class:`MonthMood` per month of the window (quiet months
  too), whose ``faces`` are None unless ``visits >= MIN_COUNT``; ``visits`` itself is None
  below the minimum as well.
- :func:`suppress` hiding every part below the minimum and, when exactly one part of a group
  with a shown total would be hidden, the next smallest part too (complementary suppression),
  so no hidden part follows from the total minus the shown parts.
- :func:`moderation_table` giving per month and theme the arrived/published/waiting/hidden/
  withdrawn counts after :func:`suppress`.
Only numbers leave this module; it sees no text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

__all__ = [
    "MIN_COUNT",
    "MODERATION_PARTS",
    "MonthMood",
    "ModerationRow",
    "month_key",
    "months_back",
    "mood_by_month",
    "moderation_table",
    "shown_count",
    "suppress",
]

MIN_COUNT = 5
FACES = (1, 2, 3, 4)
# How a story that arrived stands now; the parts add up to "arrived".
MODERATION_PARTS = ("published", "waiting", "hidden", "withdrawn")


def shown_count(n: int) -> int | None:
    """``n`` when it may be shown (0 or at least MIN_COUNT), else None ("fewer than 5")."""
    return n if n == 0 or n >= MIN_COUNT else None


def suppress(
    total: int, parts: Mapping[str, int]
) -> tuple[int | None, dict[str, int | None], frozenset[str]]:
    """The total and parts as shown (None where hidden), and which parts were hidden only to
    protect another (their value may be anything: a page must not call them "fewer than 5").

    A total below the minimum hides everything. Parts of 1-4 are hidden; when exactly one part
    is hidden, the smallest other non-zero part is hidden too, and when that leaves only zeros
    to hide, a zero (so "total minus the shown parts" never gives a hidden part alone)."""
    if total < MIN_COUNT:
        return None, dict.fromkeys(parts), frozenset()
    shown: dict[str, int | None] = {k: shown_count(v) for k, v in parts.items()}
    hidden = [k for k, v in shown.items() if v is None]
    extra: frozenset[str] = frozenset()
    if len(hidden) == 1:
        others = sorted(
            (k for k in parts if k not in hidden), key=lambda k: (parts[k] == 0, parts[k], k)
        )
        if others:
            shown[others[0]] = None
            extra = frozenset({others[0]})
    return total, shown, extra


def _local(moment: datetime, zone: tzinfo) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def month_key(moment: datetime, zone: tzinfo) -> date:
    """The first day of the month ``moment`` falls in, in ``zone``."""
    local = _local(moment, zone)
    return date(local.year, local.month, 1)


def months_back(today: date, count: int) -> list[date]:
    """The first days of the last ``count`` months, oldest first, this month last."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


@dataclass(frozen=True)
class MonthMood:
    """One month of a theme: visits (None: fewer than 5) and faces (None: not shown, when the
    month or one of its faces has fewer than 5 visits)."""

    month: date
    visits: int | None
    faces: dict[int, int] | None

    @property
    def hidden(self) -> bool:
        return self.visits is None


def mood_by_month(
    visits: Iterable[tuple[datetime, int | None]], months: Sequence[date], zone: tzinfo
) -> list[MonthMood]:
    """One entry per month in ``months`` from ``(time, last face)`` per visit."""
    per_month: dict[date, Counter] = {m: Counter() for m in months}
    totals: Counter = Counter()
    for when, rating in visits:
        key = month_key(when, zone)
        if key not in per_month:
            continue
        totals[key] += 1
        if rating in FACES:
            per_month[key][rating] += 1
    out = []
    for m in months:
        n = totals[m]
        shown = shown_count(n)
        faces = {f: per_month[m][f] for f in FACES} if shown else None
        # k = 5 for every published cell, not only the month's total: a face chosen by 1-4
        # visits that month is not shown, and then no face is (shares times the total would
        # give it away); the month still says how many took part.
        if faces and any(0 < count < MIN_COUNT for count in faces.values()):
            faces = None
        out.append(MonthMood(m, shown, faces))
    return out


@dataclass(frozen=True)
class ModerationRow:
    month: date
    theme_id: str  # "" for stories whose visit chose no theme
    arrived: int | None
    parts: dict[str, int | None]
    protecting: frozenset[str] = frozenset()  # hidden only so no other part can be worked out


def _part(status: str, ok: bool) -> str:
    if status == "withdrawn":
        return "withdrawn"
    if status == "hidden":
        return "hidden"
    if ok:
        return "published"
    return "waiting"  # not read yet, or approved but held back by the privacy gate


def moderation_table(
    rows: Iterable[tuple[datetime, str, bool, Sequence[str]]],
    zone: tzinfo,
    theme_order: Sequence[str],
) -> list[ModerationRow]:
    """Per month (newest first) and theme (in ``theme_order``, then others, then no theme):
    how many stories arrived and where they stand now, after :func:`suppress`. A story of a
    visit that chose two themes counts under both."""
    counts: dict[tuple[date, str], Counter] = {}
    for created_at, status, ok, theme_ids in rows:
        key_month = month_key(created_at, zone)
        for theme_id in list(theme_ids) or [""]:
            counts.setdefault((key_month, theme_id), Counter())[_part(status, ok)] += 1
    rank = {tid: i for i, tid in enumerate(theme_order)}
    ordered = sorted(
        counts,
        key=lambda k: (-k[0].toordinal(), k[1] == "", rank.get(k[1], len(rank)), k[1]),
    )
    out = []
    for month, theme_id in ordered:
        c = counts[(month, theme_id)]
        arrived, parts, protecting = suppress(sum(c.values()), {p: c[p] for p in MODERATION_PARTS})
        out.append(ModerationRow(month, theme_id, arrived, parts, protecting))
    return out
