"""What the event report says of one theme: mood and participation since the previous event.

Built from :class:`~sync.server.domain.open_data.Visit` rows with the same block rule as the
open data (:func:`~sync.server.domain.open_data.suppress_block`): no count of 1–4 is shown
(None: "fewer than 5"), a lone small group is hidden with a second one so nothing follows by
subtraction, and who is missing (configured groups with no visit) is told only when the theme
had at least 5 visits. Only numbers leave this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sync.server.domain.open_data import Cell, Visit, categories, suppress_block

__all__ = ["ThemeSummary", "theme_summary"]


@dataclass(frozen=True)
class ThemeSummary:
    visits: int | None  # None: 1-4
    faces: list[Cell]  # categories "4", "3", "2", "1", "none"
    age_groups: list[Cell]
    districts: list[Cell]
    missing_age_groups: list[str]
    missing_districts: list[str]


def _block(counter: Counter, categories: Sequence[str]) -> list[Cell]:
    _, cells = suppress_block({c: counter[c] for c in categories})
    return cells


def theme_summary(
    visits: Sequence[Visit],
    theme_id: str,
    *,
    age_groups: Sequence[str],
    districts: Sequence[str],
) -> ThemeSummary:
    chosen = [v for v in visits if theme_id in v.theme_ids]
    total, _ = suppress_block({"all": len(chosen)})
    faces = Counter(str(v.rating) if v.rating in (1, 2, 3, 4) else "none" for v in chosen)
    ages = categories(age_groups, (v.age_group for v in chosen))
    age = Counter(v.age_group or ages[-1] for v in chosen)
    places = categories(districts, (v.district for v in chosen))
    place = Counter(v.district or places[-1] for v in chosen)
    shown = total is not None
    return ThemeSummary(
        visits=total if chosen else 0,
        faces=_block(faces, ("4", "3", "2", "1", "none")),
        age_groups=_block(age, ages),
        districts=_block(place, places),
        missing_age_groups=[a for a in age_groups if shown and not age[a]],
        missing_districts=[d for d in districts if shown and not place[d]],
    )
