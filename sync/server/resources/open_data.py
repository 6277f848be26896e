"""Open data ``/open-data/``: k-anonymous aggregates as CSV and JSON with a Data Package.

A caller may rely on:
- ``GET /open-data/`` an index page in fi/sv/en (``?lang=``) linking every file and stating
  the suppression rule;
- ``GET /open-data/datapackage.json`` the Frictionless Data Package descriptor (CC BY 4.0,
  every column described), whose resources are the CSV files beside it;
- ``GET /open-data/<table>.csv`` and ``.json`` for ``faces``, ``age_groups`` and
  ``districts`` (rows as in :func:`sync.server.domain.open_data.tables`), closed weeks only.
Everything published is counted by :mod:`sync.server.db.open_data` and suppressed by
:mod:`sync.server.domain.open_data`; no story text, token or single visit is ever read here.
Anyone may fetch and cache these (``Access-Control-Allow-Origin: *``): they are public.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sync.server.db.open_data import visits
from sync.server.db.public_themes import active_themes
from sync.server.domain.i18n import negotiate
from sync.server.domain.open_data import (
    BREAKDOWNS,
    CATEGORY_COLUMN,
    GRACE_DAYS,
    MIN_COUNT,
    datapackage,
    last_closed_week,
    tables,
    week_label,
)
from sync.server.errors import NotFound
from sync.server.resources.rendering import render_page

__all__ = ["open_data_tables", "router"]

router = APIRouter()

_HEADERS = {
    "Cache-Control": "public, max-age=3600",
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
}


def open_data_tables(app, today=None) -> tuple[str, dict[str, list[dict[str, object]]]]:
    """``(last published week, tables)`` as of ``today`` (the local date by default)."""
    settings = app.state.settings
    zone = app.state.pages.timezone
    today = today or datetime.now(zone).date()
    last = last_closed_week(today)

    def cutoff(monday):
        closes = monday + timedelta(days=7 + GRACE_DAYS)
        return datetime.combine(closes, datetime.min.time(), tzinfo=zone).astimezone(UTC)

    until = datetime.combine(last + timedelta(days=7), datetime.min.time(), tzinfo=zone)
    with app.state.engine.connect() as conn:
        found = visits(conn, zone, until=until, received_by=cutoff)
        theme_ids = [t["id"] for t in active_themes(conn)]
    return week_label(last), tables(
        found,
        theme_ids=theme_ids,
        age_groups=settings.age_groups,
        districts=settings.districts,
        last_week=last,
    )


def _csv(rows: list[dict[str, object]]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: ("true" if v else "false") if isinstance(v, bool) else ("" if v is None else v)
                for k, v in row.items()
            }
        )
    return out.getvalue()


def _header_only(name: str) -> str:
    return f"week,theme_id,{CATEGORY_COLUMN[name]},visits,suppressed\n"


@router.get("/open-data/datapackage.json", include_in_schema=False)
def package(request: Request) -> Response:
    base = str(request.app.state.settings.public_base_url or request.base_url)
    body = datapackage(base, created=datetime.now(UTC).replace(microsecond=0).isoformat())
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers=_HEADERS,
    )


@router.get("/open-data/{name}.csv", include_in_schema=False)
def table_csv(request: Request, name: str) -> Response:
    if name not in BREAKDOWNS:
        raise NotFound("no such table")
    _, found = open_data_tables(request.app)
    body = _csv(found[name]) or _header_only(name)
    return Response(body, media_type="text/csv; charset=utf-8", headers=_HEADERS)


@router.get("/open-data/{name}.json", include_in_schema=False)
def table_json(request: Request, name: str) -> Response:
    if name not in BREAKDOWNS:
        raise NotFound("no such table")
    last, found = open_data_tables(request.app)
    body = {"last_week": last, "min_count": MIN_COUNT, "rows": found[name]}
    return Response(
        json.dumps(body, ensure_ascii=False), media_type="application/json", headers=_HEADERS
    )


@router.get("/open-data/", include_in_schema=False)
def index(request: Request):
    lang = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    return render_page(
        request,
        "public/open_data.html",
        {"tables": BREAKDOWNS, "min_count": MIN_COUNT, "grace_days": GRACE_DAYS},
        lang=lang,
        public=True,
        headers={"X-Robots-Tag": "all", "Cache-Control": "public, max-age=300"},
    )
