"""``POST /api/v1/batches``: a kiosk delivers finished records, idempotently.

Parsing and storing live in :mod:`sync.server.db.ingest`; this resource checks the signature
(at the edge), hands over the exact signed bytes and answers 201 with the ack. Errors are
domain errors, mapped to status codes in :mod:`sync.server.app`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from sync.protocol import BATCH_MAX_RECORDS, BATCHES_PATH, BatchAck, Record
from sync.server.auth import UNAUTHORIZED_RESPONSE, SignedKiosk
from sync.server.db.ingest import parse_batch, store_batch
from sync.server.errors import ErrorBody

__all__ = ["BATCH_REQUEST_SCHEMA", "router"]

router = APIRouter(tags=["kiosk"])

EXAMPLE_BATCH = {
    "batch_id": "5b0c1c7e-2f0a-4d3e-9a51-0f6e7d2a9c11",
    "records": [
        {
            "id": "0a8f7c66-3d1b-4c5e-8f2a-9b7d6e5c4a31",
            "visit_id": "7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9",
            "created_at": "2026-11-14T10:00:00.000000Z",
            "kiosk_id": "mikkeli-main-1",
            "event_id": "kayttajatori-2026-11",
            "kind": "rating",
            "rating": 3,
            "lang": "fi",
            "follow_up_token": "q3J9kT0vXyZ1aB2cD3eF4gH5",
            "short_code": "K7QM4-PX2RT",
        }
    ],
}

# The body is documented here and parsed by ingest.parse_batch (not by FastAPI), so that bad
# JSON is a 400, a schema error names record and field, and the signature covers the raw bytes.
BATCH_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["batch_id", "records"],
    "additionalProperties": False,
    "properties": {
        "batch_id": {
            "type": "string",
            "format": "uuid",
            "description": "Chosen by the kiosk; resending the same batch is idempotent.",
        },
        "records": {
            "type": "array",
            "minItems": 1,
            "maxItems": BATCH_MAX_RECORDS,
            "items": Record.model_json_schema(),
        },
    },
    "example": EXAMPLE_BATCH,
}

_ERRORS = {
    400: "The body is not JSON, or X-Kiosk-Pending is not 1 to 9 ASCII digits.",
    409: "This batch_id was stored before with other records (or by another kiosk).",
    413: "More than 500 records or more than 1 MiB.",
    422: "A record breaks the schema (created_at from 2020-01-01T00:00:00Z to 24 hours past the "
    "server's clock; story at most 2000 characters after NFC; follow_up_token 22-64 characters), "
    "names another kiosk, or carries a follow_up_token that belongs to another visit (the first "
    "visit using a token owns it); errors name record and field. Nothing of the batch was stored.",
}


@router.post(
    BATCHES_PATH,
    status_code=201,
    response_model=BatchAck,
    summary="Deliver a batch of records (signed, idempotent)",
    description="Every record id is stored once: a stored id counts as a duplicate. The same "
    "batch_id with the same records again gets the same answer. A batch is stored all or "
    "nothing.",
    responses={
        401: UNAUTHORIZED_RESPONSE,
        **{code: {"model": ErrorBody, "description": text} for code, text in _ERRORS.items()},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BATCH_REQUEST_SCHEMA}},
        }
    },
)
async def post_batch(request: Request, signed: SignedKiosk) -> BatchAck:
    settings = request.app.state.settings
    engine = request.app.state.engine

    def ingest() -> BatchAck:
        parsed = parse_batch(
            signed.body,
            signed.kiosk.id,
            age_groups=settings.age_groups,
            districts=settings.districts,
        )
        result = store_batch(
            engine, parsed, signed.kiosk.id, looks_personal=request.app.state.looks_personal
        )
        return BatchAck(**result.ack())

    return await run_in_threadpool(ingest)
