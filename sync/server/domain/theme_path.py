"""A theme's path and its warnings: which step is current, and what staff should fix.

The seminar's rules: every theme needs a velho, and its path should be described a year ahead,
at least half a year. :func:`theme_warnings` returns warning codes (``"no-velho"``,
``"path-short"``) that the templates translate; :func:`current_step_index` tells which step a
visitor is "at now".
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date

__all__ = [
    "MIN_PATH_MONTHS",
    "add_months",
    "current_step_index",
    "path_horizon",
    "path_progress",
    "theme_warnings",
]

MIN_PATH_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def path_horizon(steps: Sequence[Mapping]) -> date | None:
    """The date of the path's last step, or None when the path is empty."""
    dates = [s["step_date"] for s in steps]
    return max(dates) if dates else None


def theme_warnings(theme: Mapping, steps: Sequence[Mapping], today: date) -> list[str]:
    """Warning codes for one theme: ``no-velho`` and/or ``path-short``.

    ``path-short`` means the last dated step is less than six months after ``today`` (an empty
    path counts as short): residents cannot orient themselves by it.
    """
    warnings = []
    if not (theme.get("velho_name") or "").strip():
        warnings.append("no-velho")
    horizon = path_horizon(steps)
    if horizon is None or horizon < add_months(today, MIN_PATH_MONTHS):
        warnings.append("path-short")
    return warnings


def current_step_index(steps: Sequence[Mapping], today: date) -> int | None:
    """Index of the step a visitor is at: the first one not done, in date order.

    When every step is done the path has ended and there is no current step (None). Steps must
    be sorted by date; ``today`` is accepted for callers that want to grow the rule later (a
    late step stays current until staff mark it done, which is what visitors should see).
    """
    del today  # the rule is "first not done"; see the docstring
    for index, step in enumerate(steps):
        if not step.get("done"):
            return index
    return None


def path_progress(steps: Sequence[Mapping]) -> dict[str, int | None]:
    """How far along its path a theme is: ``done`` and ``total`` steps, and ``current`` — the
    1-based number of the step it is at ("step 2 of 5"), None when the path is empty or done."""
    index = current_step_index(steps, date.min)
    return {
        "done": sum(1 for s in steps if s.get("done")),
        "total": len(steps),
        "current": None if index is None else index + 1,
    }
