"""Open data: visits and faces per theme and week, by age group and by district, k-anonymous.

Input is one :class:`Visit` per visit (its themes, its last face, its age group and district);
output is rows of the three published tables, already suppressed. Only numbers leave here.

The suppression rule (:data:`SUPPRESSION_RULE` states it for the data package):

- A *block* is one theme in one ISO week in one breakdown (faces, age groups or districts);
  its cells add up to the block's total, the number of visits that chose the theme that week.
- A block with no visits has no rows. A block with 1–4 visits is suppressed whole: every cell
  and its total, zeros too (a zero beside a hidden total would tell where the few came from).
- In a block of at least 5 visits the total and the zeros are published; every cell of 1–4
  visits is suppressed (primary), and then the smallest other non-zero cells too
  (complementary) until at least two cells are suppressed and together hold at least 5
  visits. Whatever else is published, a suppressed cell can then be anything from 0 to that
  sum: nobody can tell it from 0 or from 5 and more.
- A week's blocks are decided from that week's data only, and a week is published only once
  it is closed (:data:`GRACE_DAYS` after its end, for batches that travel by USB); records
  received later are left out, so a published week never changes and two releases cannot be
  subtracted from each other. No totals over weeks, themes or the region are published.

A visit counts once, with its last face (a visitor may go back and choose again); ratings
flagged ``rapid_repeat`` are not counted (see :func:`sync.server.db.open_data.visits`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "BREAKDOWNS",
    "CATEGORY_COLUMN",
    "GRACE_DAYS",
    "MIN_COUNT",
    "NOT_GIVEN",
    "SUPPRESSION_RULE",
    "Cell",
    "Visit",
    "block_rows",
    "categories",
    "datapackage",
    "last_closed_week",
    "suppress_block",
    "tables",
    "week_label",
    "week_start",
]

MIN_COUNT = 5
GRACE_DAYS = 14
NOT_GIVEN = "not_given"
FACE_CATEGORIES = ("1", "2", "3", "4", "none")
BREAKDOWNS = ("faces", "age_groups", "districts")
# The column naming the category of each table.
CATEGORY_COLUMN = {"faces": "face", "age_groups": "age_group", "districts": "district"}

SUPPRESSION_RULE = (
    "k-anonymity with k = 5, decided per block (one theme, one ISO week, one breakdown). "
    "A block of 1-4 visits is suppressed whole (every cell, zeros included). In a block of "
    "5 or more visits the total and zeros are published, every cell of 1-4 visits is "
    "suppressed and then the smallest other non-zero cells until at least two cells are "
    "suppressed and they hold at least 5 visits together, so no suppressed cell can be "
    "worked out from the total and the other cells. Suppressed cells have an empty count "
    "and suppressed = true. A week is published once, "
    f"{GRACE_DAYS} days after it ends, from the records received by then; it never changes "
    "afterwards. No totals over weeks, themes or the region are published."
)


@dataclass(frozen=True)
class Visit:
    """One visit as the open data sees it: when (the local date of its first record), the
    themes it chose, its last face (None: no face or only rapid repeats), age group and
    district (None: not given)."""

    day: date
    theme_ids: tuple[str, ...]
    rating: int | None
    age_group: str | None
    district: str | None


@dataclass(frozen=True)
class Cell:
    """One published cell: its count, or None with ``suppressed`` set."""

    category: str
    visits: int | None
    suppressed: bool


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """ISO week as ``2026-W48``."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def last_closed_week(today: date) -> date:
    """The Monday of the newest week that may be published on ``today``."""
    # The week of Monday m closes GRACE_DAYS after its Sunday: published from m + 7 + GRACE_DAYS.
    return week_start(today - timedelta(days=7 + GRACE_DAYS))


def suppress_block(counts: Mapping[str, int]) -> tuple[int | None, list[Cell]]:
    """The block's total as published and its cells in the given order (see module doc)."""
    total = sum(counts.values())
    if total < MIN_COUNT:
        return None, [Cell(k, None, True) for k in counts]
    hidden = {k for k, n in counts.items() if 0 < n < MIN_COUNT}
    if hidden:
        others = sorted(
            (k for k, n in counts.items() if n and k not in hidden), key=lambda k: counts[k]
        )
        for key in others:
            if len(hidden) >= 2 and sum(counts[k] for k in hidden) >= MIN_COUNT:
                break
            hidden.add(key)
    return total, [
        Cell(k, None, True) if k in hidden else Cell(k, n, False) for k, n in counts.items()
    ]


def block_rows(counts: Mapping[str, int]) -> list[Cell]:
    """The block's cells after suppression, with the total first as category ``all``."""
    total, cells = suppress_block(counts)
    return [Cell("all", total, total is None), *cells]


def categories(configured: Sequence[str], seen: Iterable[str | None]) -> list[str]:
    out = list(configured)
    for value in sorted({v for v in seen if v}):
        if value not in out:
            out.append(value)
    return [*out, NOT_GIVEN]


def tables(
    visits: Sequence[Visit],
    *,
    theme_ids: Sequence[str],
    age_groups: Sequence[str],
    districts: Sequence[str],
    last_week: date | None = None,
) -> dict[str, list[dict[str, object]]]:
    """The three tables as rows ``{week, theme_id, <category column>, visits, suppressed}``,
    weeks up to ``last_week`` (a Monday) only; themes in ``theme_ids`` order, then others."""
    ages = categories(age_groups, (v.age_group for v in visits))
    places = categories(districts, (v.district for v in visits))
    blocks: dict[tuple[date, str], list[Visit]] = {}
    for visit in visits:
        monday = week_start(visit.day)
        if last_week is not None and monday > last_week:
            continue
        for theme_id in visit.theme_ids:
            blocks.setdefault((monday, theme_id), []).append(visit)
    rank = {t: i for i, t in enumerate(theme_ids)}
    out: dict[str, list[dict[str, object]]] = {name: [] for name in BREAKDOWNS}
    for monday, theme_id in sorted(blocks, key=lambda k: (k[0], rank.get(k[1], len(rank)), k[1])):
        chosen = blocks[(monday, theme_id)]
        faces = Counter(str(v.rating) if v.rating in (1, 2, 3, 4) else "none" for v in chosen)
        age = Counter(v.age_group or NOT_GIVEN for v in chosen)
        place = Counter(v.district or NOT_GIVEN for v in chosen)
        for name, column, names, counter in (
            ("faces", "face", FACE_CATEGORIES, faces),
            ("age_groups", "age_group", ages, age),
            ("districts", "district", places, place),
        ):
            for cell in block_rows({c: counter[c] for c in names}):
                out[name].append(
                    {
                        "week": week_label(monday),
                        "theme_id": theme_id,
                        column: cell.category,
                        "visits": cell.visits,
                        "suppressed": cell.suppressed,
                    }
                )
    return out


_CATEGORY_FIELDS = {
    "faces": {
        "name": "face",
        "type": "string",
        "description": "The face the visit chose last: 1 very unhappy, 2 unhappy, 3 happy, "
        "4 very happy, none (no face); all is the block's total.",
    },
    "age_groups": {
        "name": "age_group",
        "type": "string",
        "description": "The age group the visitor chose at the kiosk; not_given when none; "
        "all is the block's total.",
    },
    "districts": {
        "name": "district",
        "type": "string",
        "description": "The district (neighbourhood) the visitor chose at the kiosk; not_given "
        "when none; all is the block's total.",
    },
}
_TITLES = {
    "faces": "Visits and faces per theme and week",
    "age_groups": "Visits per theme, week and age group",
    "districts": "Visits per theme, week and district",
}


def datapackage(base_url: str, *, created: str) -> dict[str, object]:
    """The Frictionless Data Package descriptor (data dictionary included), for CKAN."""
    resources = []
    for name in BREAKDOWNS:
        fields = [
            {
                "name": "week",
                "type": "string",
                "description": "ISO 8601 week (year-Wnn) of the visit, in the library's time zone.",
                "constraints": {"required": True, "pattern": r"\d{4}-W\d{2}"},
            },
            {
                "name": "theme_id",
                "type": "string",
                "description": "The theme the visit chose (a visit may choose several and then "
                "counts under each).",
                "constraints": {"required": True},
            },
            {**_CATEGORY_FIELDS[name], "constraints": {"required": True}},
            {
                "name": "visits",
                "type": "integer",
                "description": "Number of visits; empty when suppressed (see suppressed).",
                "constraints": {"minimum": 0},
            },
            {
                "name": "suppressed",
                "type": "boolean",
                "description": "true when the count is withheld by the suppression rule.",
                "constraints": {"required": True},
            },
        ]
        resources.append(
            {
                "name": name.replace("_", "-"),
                "title": _TITLES[name],
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": fields,
                    "missingValues": [""],
                    "primaryKey": ["week", "theme_id", _CATEGORY_FIELDS[name]["name"]],
                },
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "kayttajatori-visits",
        "title": "Käyttäjätori: visits and faces per theme",
        "description": "Aggregated answers of the Käyttäjätori library kiosks: per theme and "
        "ISO week, how many visits chose the theme, the face they chose, their age group and "
        "district. No story text, no single visit. Suppression rule: " + SUPPRESSION_RULE,
        "homepage": base_url.rstrip("/") + "/open-data/",
        "version": "1.0.0",
        "created": created,
        "keywords": ["library", "participation", "feedback", "käyttäjätori"],
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "suppression": {"k": MIN_COUNT, "grace_days": GRACE_DAYS, "rule": SUPPRESSION_RULE},
        "resources": resources,
    }
