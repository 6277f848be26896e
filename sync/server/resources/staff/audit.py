"""Staff Audit trail: who did what, when and from where — the page and its export.

``GET /staff/audit`` lists entries newest first with filters (``actor``, ``action``, ``since``,
``until`` as dates, ``page``); ``GET /staff/api/audit?format=csv|jsonl`` downloads the same
selection. Reading the trail is itself an export and is written to the trail.
:func:`actor_of` is how every staff route names who acted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from sync.server.db import audit
from sync.server.domain.audit import ACTIONS, Actor
from sync.server.domain.exports import csv_chunks, jsonl_chunks
from sync.server.domain.i18n import translations
from sync.server.resources.staff.auth import ApiUser, PageUser, StaffUser, staff_lang, staff_page

__all__ = ["AUDIT_COLUMNS", "actor_of", "router"]

router = APIRouter()

PAGE_SIZE = 100
MAX_PAGE = 100_000
AUDIT_COLUMNS = ("at_utc", "actor", "address", "action", "target", "details")


def actor_of(request: Request, user: StaffUser) -> Actor:
    """The signed-in staff member and the address the request came from."""
    return Actor(user.username, (request.client.host if request.client else "")[:64])


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filter(request: Request) -> tuple[audit.AuditFilter, dict[str, str]]:
    """The filter from the query string, and the values to show back in the form. A value
    that is not a date or not a known action is ignored, not an error: a filter form never
    fails."""
    params = request.query_params
    since = _date(params.get("since"))
    until = _date(params.get("until"))
    action = params.get("action", "")
    action = action if action in ACTIONS else ""
    where = audit.AuditFilter(
        actor=params.get("actor", "")[:100].strip(),
        action=action,
        since=datetime.combine(since, time.min, UTC) if since else None,
        until=datetime.combine(until, time.min, UTC) + timedelta(days=1) if until else None,
    )
    shown = {
        "actor": where.actor,
        "action": action,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    return where, shown


def _page(value: str | None) -> int:
    try:
        page = int(value or "0")
    except ValueError:
        return 0
    return page if 0 <= page <= MAX_PAGE else 0


@router.get("/staff/audit", include_in_schema=False)
def audit_page(request: Request, user: PageUser):
    where, shown = _filter(request)
    page = _page(request.query_params.get("page"))
    with request.app.state.engine.connect() as conn:
        rows = list(audit.entries(conn, where, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE))
    gettext = translations(staff_lang(request)).gettext
    query = urlencode({k: v for k, v in shown.items() if v})
    return staff_page(
        request,
        user,
        "staff/audit.html",
        {
            "entries": rows[:PAGE_SIZE],
            "more": len(rows) > PAGE_SIZE,
            "page": page,
            "shown": shown,
            "actions": {code: gettext(label) for code, label in ACTIONS.items()},
            "query": query,
        },
        active="audit",
    )


def _export_row(entry: Mapping[str, Any]) -> dict:
    return {
        "at_utc": entry["at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "actor": entry["actor"],
        "address": entry["address"],
        "action": entry["action"],
        "target": entry["target"],
        "details": entry["details"],
    }


@router.get("/staff/api/audit")
def audit_export(request: Request, user: ApiUser):
    """The audit trail as CSV (UTF-8 with BOM) or JSON Lines, with the page's filters."""
    fmt = request.query_params.get("format", "csv")
    if fmt not in ("csv", "jsonl"):
        raise HTTPException(status_code=400, detail="format must be csv or jsonl")
    where, shown = _filter(request)
    engine = request.app.state.engine
    audit.record(
        engine,
        actor_of(request, user),
        "export",
        "audit",
        {"format": fmt, **{k: v for k, v in shown.items() if v}},
    )

    def rows() -> Iterator[dict]:
        with engine.connect() as conn:
            for entry in audit.entries(conn, where, limit=None):
                row = _export_row(entry)
                if fmt == "csv":
                    row["details"] = _details_text(row["details"])
                yield row

    chunks = (
        csv_chunks(rows(), "comma", AUDIT_COLUMNS)
        if fmt == "csv"
        else jsonl_chunks(rows(), AUDIT_COLUMNS)
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return StreamingResponse(
        chunks,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="kayttajatori-audit-{stamp}.{fmt}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _details_text(details: object) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True)
