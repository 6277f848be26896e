"""Staff Pictures page and its chart files: faces per week, mood per theme, theme choices, who
took part.

Each chart is built once from the database (:func:`build_charts`) and then either described on
the page (the text alternative and a data table) or drawn as SVG/PNG by
``/staff/charts/<name>.<svg|png>`` with the same ``theme``, ``event`` and ``rapid`` filters.
Faces are counted per visit (its last answer); quick repeated answers (``rapid_repeat``) are
left out unless ``rapid=1``. Age groups and districts list every configured one, and the ones
without visits are named as "who is missing".
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from sync.protocol import AGE_GROUPS
from sync.server.db import dashboard as q
from sync.server.db import plans as plan
from sync.server.domain import stats
from sync.server.domain.charts import FACE_COLOURS, FACE_HATCHES, BarChart, Series, describe, render
from sync.server.domain.i18n import translations
from sync.server.domain.labels import FACE_LABELS, age_group_label, district_label
from sync.server.domain.roles import EVERYTHING, Scope
from sync.server.resources.rendering import loc
from sync.server.resources.staff.auth import (
    ApiUser,
    PageUser,
    staff_lang,
    staff_page,
)

__all__ = ["CHART_NAMES", "build_charts", "router"]

router = APIRouter()
CHART_NAMES = ("faces", "mood", "themes", "age", "district")


def _filters(
    request: Request, theme_ids: set[str], event_ids: set[str]
) -> tuple[str | None, str | None]:
    theme = request.query_params.get("theme") or None
    event = request.query_params.get("event") or None
    return (theme if theme in theme_ids else None, event if event in event_ids else None)


def _face_series(_, values_of) -> list[Series]:
    """The four faces as series (colour and pattern each), values from ``values_of(face)``."""
    return [
        Series(_(FACE_LABELS[f]), values_of(f), FACE_COLOURS[f - 1], FACE_HATCHES[f - 1])
        for f in stats.FACES
    ]


def build_charts(request: Request, lang: str, site_scope: Scope = EVERYTHING) -> dict:
    """The charts for the request's filters, plus the filter choices for the page; only
    visits at kiosks of ``site_scope``'s sites."""
    _ = translations(lang).gettext
    settings = request.app.state.settings
    include_rapid = request.query_params.get("rapid") == "1"
    with request.app.state.engine.connect() as conn:
        theme_rows = plan.theme_list(conn, scope=site_scope)
        event_rows = plan.event_list(conn, scope=site_scope)
        theme_id, event_id = _filters(
            request, {t["id"] for t in theme_rows}, {e["id"] for e in event_rows}
        )
        rows = q.chart_rows(conn, theme_id, event_id, scope=site_scope)
    names = {t["id"]: loc(t, "name", lang) for t in theme_rows}
    scope = []
    if theme_id:
        scope.append(names[theme_id])
    if event_id:
        scope.append(loc(next(e for e in event_rows if e["id"] == event_id), "name", lang))
    suffix = f" ({', '.join(scope)})" if scope else ""
    no_data = _("No data yet")
    faces = stats.visit_faces(rows["ratings"], include_rapid)
    # Weeks as the city lives them: a Sunday evening visit belongs to that Sunday's week.
    zone = ZoneInfo(settings.display_timezone)
    weeks = stats.faces_by_week((when.astimezone(zone), face) for when, face in faces.values())
    charts = {
        "faces": BarChart(
            _("Faces per week") + suffix,
            [stats.week_label(w) for w, _c in weeks],
            _face_series(_, lambda f: [c[f] for _w, c in weeks]),
            x_label=_("Week"),
            y_label=_("Visits"),
            stacked=True,
            empty_text=no_data,
        ),
    }
    mood = stats.mood_by_theme(faces, rows["choices"], [t["id"] for t in theme_rows])
    charts["mood"] = BarChart(
        _("Mood per theme") + (f" ({scope[-1]})" if event_id else ""),
        [names.get(m["theme_id"], m["theme_id"]) for m in mood],
        _face_series(_, lambda f: [m["faces"][f] for m in mood]),
        y_label=_("Visits"),
        stacked=True,
        horizontal=True,
        empty_text=no_data,
    )
    if not any(m["visits"] for m in mood):
        charts["mood"] = BarChart(charts["mood"].title, [], [], empty_text=no_data)
    counts = stats.theme_counts(rows["theme_counts"], [t["id"] for t in theme_rows])
    charts["themes"] = BarChart(
        _("How often each theme was chosen") + (f" ({scope[-1]})" if event_id else ""),
        [names.get(tid, tid) for tid, _n in counts],
        [Series(_("Choices"), [n for _t, n in counts])],
        y_label=_("Choices"),
        horizontal=True,
        empty_text=no_data,
    )
    not_given = _("Not given")
    missing = {}
    for name, field, groups, title, label in (
        (
            "age",
            "age_group",
            settings.age_groups or AGE_GROUPS,
            _("Visits by age group"),
            lambda code: age_group_label(code, _),
        ),
        (
            "district",
            "district",
            settings.districts,
            _("Visits by district"),
            lambda code: district_label(code),
        ),
    ):
        part = stats.participation(rows["people"], field, groups)
        missing[name] = [label(g) for g in stats.missing(part, groups)]
        if not rows["people"]:
            part = []
        charts[name] = BarChart(
            title + suffix,
            [label(g) if g else not_given for g, _n in part],
            [Series(_("Visits"), [n for _g, n in part], "#5b3f8c")],
            y_label=_("Visits"),
            horizontal=True,
            empty_text=no_data,
        )
    return {
        "charts": charts,
        "themes": theme_rows,
        "events": event_rows,
        "theme_id": theme_id,
        "event_id": event_id,
        "rapid": include_rapid,
        "missing": missing,
        "total_word": _("total"),
    }


@router.get("/staff/pictures", include_in_schema=False)
def pictures_page(request: Request, user: PageUser):
    lang = staff_lang(request)
    data = build_charts(request, lang, user.scope)
    data["descriptions"] = {
        name: describe(chart, data["total_word"]) for name, chart in data["charts"].items()
    }
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("theme", data["theme_id"]),
            ("event", data["event_id"]),
            ("rapid", "1" if data["rapid"] else ""),
        )
        if v
    )
    data["query"] = query
    return staff_page(request, user, "staff/pictures.html", data, active="pictures")


@router.get("/staff/charts/{name}.{fmt}")
def chart_file(name: str, fmt: str, request: Request, user: ApiUser):
    """One chart as ``svg`` or ``png`` (downloadable), filtered by ``?theme=`` and ``?event=``."""
    if name not in CHART_NAMES or fmt not in ("svg", "png"):
        raise HTTPException(status_code=404, detail="no such chart")
    data = build_charts(request, staff_lang(request), user.scope)
    body = render(data["charts"][name], fmt)
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    filename = "-".join(p for p in (name, data["theme_id"], data["event_id"]) if p)
    return Response(
        body,
        media_type=media,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="{filename}.{fmt}"',
            # An SVG opened on its own must not run anything, whatever text it carries.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
