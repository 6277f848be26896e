"""Server-rendered bar charts (matplotlib, Agg) as SVG or PNG, each with a text alternative.

A :class:`BarChart` is plain data: translated title and labels, categories and one or more
series. :func:`render` draws it; :func:`describe` writes the sentence a screen reader gets, and
the table under each picture on the dashboard is the same data. Faces keep one colour and one
hatch pattern each, so the picture reads without colour vision too.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["FACE_COLOURS", "FACE_HATCHES", "BarChart", "Series", "describe", "render"]

# Very unhappy .. very happy: red, orange, light green, dark green (WCAG-contrasting on white).
FACE_COLOURS = ("#b3261e", "#d9822b", "#7aa63c", "#1d6b3a")
FACE_HATCHES = ("xx", "//", "..", "")
_BAR_COLOUR = "#1f5f99"
# matplotlib's pyplot state is global; one chart at a time per process keeps figures apart.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    colour: str = _BAR_COLOUR
    hatch: str = ""


@dataclass(frozen=True)
class BarChart:
    """What to draw. ``stacked`` stacks the series; ``horizontal`` suits long category names."""

    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    x_label: str = ""
    y_label: str = ""
    stacked: bool = False
    horizontal: bool = False
    empty_text: str = "No data yet"
    extra: dict = field(default_factory=dict)


def describe(chart: BarChart, total_word: str = "total") -> str:
    """A one-paragraph text alternative: the title, then each category with its values."""
    if not chart.categories:
        return f"{chart.title}: {chart.empty_text}."
    parts = []
    for i, category in enumerate(chart.categories):
        if len(chart.series) == 1:
            parts.append(f"{category}: {chart.series[0].values[i]}")
        else:
            values = ", ".join(f"{s.label} {s.values[i]}" for s in chart.series)
            total = sum(s.values[i] for s in chart.series)
            parts.append(f"{category}: {values} ({total_word} {total})")
    return f"{chart.title}. " + "; ".join(parts) + "."


def render(chart: BarChart, fmt: str = "svg") -> bytes:
    """The chart as ``svg`` (text kept as text) or ``png`` bytes."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"chart format must be svg or png, not {fmt!r}")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with (
        _LOCK,
        matplotlib.rc_context(
            {"svg.fonttype": "none", "font.family": "DejaVu Sans", "svg.hashsalt": "kayttajatori"}
        ),
    ):
        n = max(len(chart.categories), 1)
        if chart.horizontal:
            size = (6.4, max(2.5, 0.45 * n + 1.4))
        else:
            size = (max(6, min(14, 0.6 * n + 3)), 4.2)
        fig = Figure(figsize=size, dpi=100)
        ax = fig.add_subplot()
        _draw(ax, chart)
        fig.tight_layout()
        out = io.BytesIO()
        # bbox_inches="tight" keeps a legend placed under the axes inside the picture.
        fig.savefig(
            out,
            format=fmt,
            bbox_inches="tight",
            metadata={"Date": None} if fmt == "svg" else None,
        )
        return out.getvalue()


def _draw(ax, chart: BarChart) -> None:
    ax.set_title(chart.title, fontsize=13, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not chart.categories:
        ax.text(0.5, 0.5, chart.empty_text, ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    positions: list[float] = list(range(len(chart.categories)))
    bottoms = [0.0] * len(positions)
    count = len(chart.series)
    width = 0.8 if chart.stacked or count == 1 else 0.8 / count
    for index, series in enumerate(chart.series):
        offsets = positions
        if not chart.stacked and count > 1:
            offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
        kwargs = {
            "color": series.colour,
            "hatch": series.hatch or None,
            "edgecolor": "white",
            "label": series.label,
        }
        if chart.horizontal:
            ax.barh(offsets, series.values, height=width, left=bottoms, **kwargs)
        else:
            ax.bar(offsets, series.values, width=width, bottom=bottoms, **kwargs)
        if chart.stacked:
            bottoms = [b + v for b, v in zip(bottoms, series.values, strict=True)]
    if chart.horizontal:
        # Long names (a theme's) on two lines rather than squeezing the bars.
        ax.set_yticks(positions, ["\n".join(textwrap.wrap(c, 30)) or c for c in chart.categories])
        ax.invert_yaxis()
        ax.set_xlabel(chart.y_label)
        ax.xaxis.get_major_locator().set_params(integer=True)
    else:
        rotate = 45 if len(chart.categories) > 6 else 0
        ax.set_xticks(
            positions, chart.categories, rotation=rotate, ha="right" if rotate else "center"
        )
        ax.set_xlabel(chart.x_label)
        ax.set_ylabel(chart.y_label)
        ax.yaxis.get_major_locator().set_params(integer=True)
    if count > 1:
        # Beside the bars: under them it would cover the axis label or slanted category names.
        ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1))
