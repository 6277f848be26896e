"""Staff Exports: the page with choices, and the streamed CSV / JSON Lines downloads.

``GET /staff/api/export?format=csv|jsonl&delimiter=comma|semicolon&event=&batch=&kiosk=``
answers 401 without a session. Columns: ``sync.server.domain.exports.COLUMNS`` and
``docs/exports.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from sync.server.domain.exports import COLUMNS, DELIMITERS, csv_chunks, export_row, jsonl_chunks
from sync.server.input_guard import attachment
from sync.server.resources import staff_plan_queries as plan
from sync.server.resources import staff_queries as q
from sync.server.resources.staff_auth import (
    ApiUser,
    PageUser,
    staff_page,
)

__all__ = ["router"]

router = APIRouter()


@router.get("/staff/exports", include_in_schema=False)
def exports_page(request: Request, user: PageUser):
    with request.app.state.engine.connect() as conn:
        events = plan.event_list(conn)
        kiosks = plan.kiosk_choices(conn)
    return staff_page(
        request,
        user,
        "staff/exports.html",
        {"events": events, "kiosks": kiosks, "columns": COLUMNS},
        active="exports",
    )


@router.get("/staff/api/export")
def export(request: Request, user: ApiUser):
    params = request.query_params
    fmt = params.get("format", "csv")
    delimiter = params.get("delimiter", "comma")
    if fmt not in ("csv", "jsonl"):
        raise HTTPException(status_code=400, detail="format must be csv or jsonl")
    if delimiter not in DELIMITERS:
        raise HTTPException(status_code=400, detail="delimiter must be comma or semicolon")
    filters = {
        "event_id": params.get("event") or None,
        "batch_id": params.get("batch") or None,
        "kiosk_id": params.get("kiosk") or None,
    }
    engine = request.app.state.engine

    def rows() -> Iterator[dict]:
        # The connection lives as long as the download; rows stream in chunks of 500.
        with engine.connect() as conn:
            for record in q.export_records(conn, **filters):
                yield export_row(record)

    chunks = csv_chunks(rows(), delimiter) if fmt == "csv" else jsonl_chunks(rows())
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    scope = "-".join(v for v in filters.values() if v) or "all"
    scope = scope[:80]
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return StreamingResponse(
        chunks,
        media_type=media,
        headers={
            "Content-Disposition": attachment(f"kayttajatori-{scope}-{stamp}.{fmt}"),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
