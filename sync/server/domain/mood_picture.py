"""The public mood picture of a theme: one column per month, the four faces stacked as shares.

Drawn as a small SVG string here rather than with matplotlib (:mod:`sync.server.domain.
charts`): it is inlined in the theme page, the lobby display and printables, costs well under a
millisecond, scales sharply on a television, and uses presentation attributes only (our CSP
forbids inline styles). Faces keep the colours and patterns of the staff charts, so the picture
reads without colour vision too. A month below the minimum count shows an empty column marked
"<5". :func:`mood_svg` takes the already suppressed months and the translated words; the text
alternative (:func:`mood_description`) says the same in a sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from sync.server.domain.charts import FACE_COLOURS
from sync.server.domain.public_stats import MonthMood

__all__ = ["mood_description", "mood_svg"]

_FACE_ORDER = (4, 3, 2, 1)  # happiest at the bottom
# Pattern overlays in white over each face's colour: cross, diagonal, dots, none.
_PATTERNS = {
    1: '<path d="M0,0L6,6M6,0L0,6" stroke="#fff" stroke-width="1.2"/>',
    2: '<path d="M0,6L6,0" stroke="#fff" stroke-width="1.2"/>',
    3: '<circle cx="3" cy="3" r="1.1" fill="#fff"/>',
    4: "",
}


def _defs(prefix: str) -> str:
    parts = []
    for face, pattern in _PATTERNS.items():
        colour = FACE_COLOURS[face - 1]
        parts.append(
            f'<pattern id="{prefix}-f{face}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{colour}"/>{pattern}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def mood_svg(
    months: Sequence[MonthMood],
    *,
    title: str,
    description: str,
    face_names: dict[int, str],
    fewer_text: str = "<5",
    ident: str = "mood",
    width: int = 640,
    extra_class: str = "",
) -> str:
    """An ``<svg role="img">`` with ``<title>`` and ``<desc>``; ``ident`` keeps ids unique
    when a page holds several pictures. ``width`` is that of the drawing in its own units
    (a narrow one, for phones, keeps the text larger once scaled down)."""
    left, top, bottom, right = 44, 14, 56, 10
    legend = _legend_rows(face_names, width - left - right)
    legend_h = 8 + 20 * len(legend)
    plot_h = 210
    height = top + plot_h + bottom + legend_h
    plot_w = width - left - right
    n = max(len(months), 1)
    slot = plot_w / n
    bar = min(40.0, slot * 0.7)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" class="mood-picture{extra_class}" '
        f'font-family="DejaVu Sans, sans-serif">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(description)}</desc>',
        _defs(ident),
    ]
    for pct in (0, 50, 100):
        y = top + plot_h * (1 - pct / 100)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#c8c8c8" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="#333">{pct} %</text>'
        )
    for i, month in enumerate(months):
        x = left + slot * i + (slot - bar) / 2
        cx = left + slot * i + slot / 2
        # Month number under each column, the year under the first one and under January:
        # twelve "10/2026" labels would not fit side by side.
        out.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 16}" font-size="12" text-anchor="middle" '
            f'fill="#333">{month.month.month}</text>'
        )
        if i == 0 or month.month.month == 1:
            out.append(
                f'<text x="{cx:.1f}" y="{top + plot_h + 30}" font-size="11" '
                f'text-anchor="middle" fill="#333">{month.month.year}</text>'
            )
        total = sum(month.faces.values()) if month.faces else 0
        if month.faces is None or total == 0:
            label = fewer_text if month.hidden else "–"
            out.append(
                f'<text x="{cx:.1f}" y="{top + plot_h - 6}" font-size="12" '
                f'text-anchor="middle" fill="#555">{escape(label)}</text>'
            )
            continue
        y = top + plot_h
        for face in _FACE_ORDER:
            h = plot_h * month.faces[face] / total
            if h <= 0:
                continue
            y -= h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="url(#{ident}-f{face})"/>'
            )
        out.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 46}" font-size="11" text-anchor="middle" '
            f'fill="#555">n={month.visits}</text>'
        )
    ly = top + plot_h + bottom
    for row in legend:
        lx = left
        for face in row:
            out.append(
                f'<rect x="{lx}" y="{ly}" width="14" height="14" fill="url(#{ident}-f{face})"/>'
                f'<text x="{lx + 19}" y="{ly + 12}" font-size="12" fill="#222">'
                f"{escape(face_names[face])}</text>"
            )
            lx += _legend_width(face_names[face])
        ly += 20
    out.append("</svg>")
    return "".join(out)


def _legend_width(name: str) -> int:
    return 19 + 8 * len(name) + 16  # swatch, text at about 8 units a letter, gap


def _legend_rows(face_names: dict[int, str], room: int) -> list[list[int]]:
    """The faces in legend rows that fit ``room`` units each."""
    rows: list[list[int]] = [[]]
    used = 0
    for face in (1, 2, 3, 4):
        need = _legend_width(face_names[face])
        if rows[-1] and used + need > room:
            rows.append([])
            used = 0
        rows[-1].append(face)
        used += need
    return rows


def mood_description(
    months: Sequence[MonthMood],
    month_names: Sequence[str],
    *,
    title: str,
    face_names: dict[int, str],
    gettext: Callable[[str], str],
) -> str:
    """The text alternative: per month the visits and how many chose each face."""
    parts = []
    for month, name in zip(months, month_names, strict=True):
        if month.hidden:
            parts.append(f"{name}: {gettext('fewer than 5 visits')}")
        elif not month.visits:
            parts.append(f"{name}: {gettext('no visits')}")
        elif month.faces is None:
            parts.append(
                f"{name}: {month.visits} {gettext('visits')} ({gettext('faces not shown')})"
            )
        else:
            faces = ", ".join(f"{face_names[f]} {month.faces[f]}" for f in (4, 3, 2, 1))
            parts.append(f"{name}: {month.visits} {gettext('visits')} ({faces})")
    return f"{title}. " + "; ".join(parts) + "."
