"""Staff Exports: the page with choices, and the streamed CSV / JSON Lines downloads.

``GET /staff/api/export?format=csv|jsonl&delimiter=comma|semicolon&event=&batch=&kiosk=``
answers 401 without a session. Columns: ``sync.server.domain.exports.COLUMNS`` and
``docs/exports.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from sync.server.db import audit
from sync.server.db import dashboard as q
from sync.server.db import plans as plan
from sync.server.db.exports import export_names, visit_record_groups
from sync.server.domain.exports import COLUMNS, DELIMITERS, csv_chunks, export_row, jsonl_chunks
from sync.server.domain.i18n import translations
from sync.server.domain.privacy_gate import assess, publishable
from sync.server.domain.visit_export import VISIT_COLUMNS, VisitNames, visit_row, xlsx_bytes
from sync.server.input_guard import attachment
from sync.server.resources.staff.audit import actor_of
from sync.server.resources.staff.auth import (
    ApiUser,
    PageUser,
    staff_lang,
    staff_page,
)

__all__ = ["router"]

router = APIRouter()


@router.get("/staff/exports", include_in_schema=False)
def exports_page(request: Request, user: PageUser):
    with request.app.state.engine.connect() as conn:
        events = plan.event_list(conn, scope=user.scope)
        kiosks = plan.kiosk_choices(conn, scope=user.scope)
    return staff_page(
        request,
        user,
        "staff/exports.html",
        {"events": events, "kiosks": kiosks, "columns": COLUMNS, "visit_columns": VISIT_COLUMNS},
        active="exports",
    )


@router.get("/staff/api/export")
def export(request: Request, user: ApiUser):
    """Records (``unit=record``, the default) or visits (``unit=visit``) as CSV, JSON Lines or
    an Excel workbook (``format=csv|jsonl|xlsx``). Story text is left out unless it passed
    moderation and the privacy gate, or ``story_text=all`` asks for every text."""
    params = request.query_params
    fmt = params.get("format", "csv")
    delimiter = params.get("delimiter", "comma")
    unit = params.get("unit", "record")
    story_text = params.get("story_text", "published")
    if fmt not in ("csv", "jsonl", "xlsx"):
        raise HTTPException(status_code=400, detail="format must be csv, jsonl or xlsx")
    if delimiter not in DELIMITERS:
        raise HTTPException(status_code=400, detail="delimiter must be comma or semicolon")
    if unit not in ("record", "visit"):
        raise HTTPException(status_code=400, detail="unit must be record or visit")
    if story_text not in ("published", "all"):
        raise HTTPException(status_code=400, detail="story_text must be published or all")
    include_unmoderated = story_text == "all"
    filters = {
        "event_id": params.get("event") or None,
        "batch_id": params.get("batch") or None,
        "kiosk_id": params.get("kiosk") or None,
    }
    engine = request.app.state.engine
    audit.record(
        engine,
        actor_of(request, user),
        "export",
        "visits" if unit == "visit" else "records",
        {"format": fmt}
        | {k: v for k, v in filters.items() if v}
        | ({"story_text": "all"} if include_unmoderated else {}),
    )
    lang = staff_lang(request)
    columns = VISIT_COLUMNS if unit == "visit" else COLUMNS

    def record_rows() -> Iterator[dict]:
        # The connection lives as long as the download; rows stream in chunks of 500.
        with engine.connect() as conn:
            for record in q.export_records(conn, **filters, scope=user.scope):
                row = export_row(record)
                if record["kind"] == "story" and not include_unmoderated:
                    privacy = assess(
                        row["story"],
                        dismissed_keys=record["dismissed"] or (),
                        manually_flagged=bool(record["manually_flagged"]),
                        override_reason=record["override_reason"],
                    )
                    if not publishable(record["story_status"], row["story"], privacy):
                        row["story"] = None
                yield row

    def visit_rows() -> Iterator[dict]:
        with engine.connect() as conn:
            names = VisitNames(
                gettext=translations(lang).gettext,
                timezone=request.app.state.pages.timezone,
                **export_names(conn, lang),
            )
            for visit_records, gates in visit_record_groups(conn, **filters, scope=user.scope):
                yield visit_row(
                    visit_records, names, include_unmoderated=include_unmoderated, gates=gates
                )

    rows = visit_rows() if unit == "visit" else record_rows()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    scope = ("-".join(v for v in filters.values() if v) or "all")[:80]
    headers = {
        "Content-Disposition": attachment(f"kayttajatori-{unit}s-{scope}-{stamp}.{fmt}"),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if fmt == "xlsx":
        return Response(
            xlsx_bytes(rows, columns, sheet="visits" if unit == "visit" else "records"),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=headers,
        )
    if fmt == "csv":
        chunks = csv_chunks(rows, delimiter, columns)
        media = "text/csv; charset=utf-8"
    else:
        chunks = jsonl_chunks(rows, columns)
        media = "application/x-ndjson; charset=utf-8"
    return StreamingResponse(chunks, media_type=media, headers=headers)
