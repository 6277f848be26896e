"""``POST /api/v1/enroll``: a terminal trades a one-time enrollment code for its credentials.

Unsigned by design (the terminal has no secret yet); the code is the proof. A caller may rely on:
201 with ``{kiosk_id, secret, server_url, public_url}`` exactly once per code; 404 for an
unknown code, 409 for a used or expired one, 403 for a disabled kiosk, 422 for text that is not
a code, each with a message saying what to do; 429 with ``Retry-After`` once an address has
failed :data:`~sync.server.db.enrollment.MAX_FAILURES_PER_ADDRESS` times within the window.
``server_url`` is the base URL this request reached (behind a proxy, as the proxy forwarded it);
``public_url`` is the server's ``public_base_url`` setting.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from sync.protocol import FieldError
from sync.server.auth import read_body
from sync.server.db.enrollment import (
    FAILURE_WINDOW,
    MAX_FAILURES_PER_ADDRESS,
    recent_failures,
    record_failure,
    redeem_code,
)
from sync.server.errors import BadRequest, DomainError, ErrorBody, InvalidInput
from sync.server.resources import metrics
from sync.server.usb_keys import usb_public_key

__all__ = ["ENROLL_PATH", "EnrollRequest", "EnrollResponse", "router"]

ENROLL_PATH = "/api/v1/enroll"
ENROLL_BODY_MAX_BYTES = 4096

router = APIRouter(tags=["kiosk"])


class EnrollRequest(BaseModel):
    code: str = Field(
        max_length=100,
        description="The one-time code printed by `kiosk-server enroll-kiosk` "
        "(case, spaces and dashes do not matter).",
        examples=["7KQ2-M9XD-4HTB-ZP6W-RC3N"],
    )


class EnrollResponse(BaseModel):
    kiosk_id: str
    secret: str = Field(description="The kiosk's signing secret (base64url). Shown only once.")
    server_url: str = Field(description="The base URL this request reached.")
    usb_public_key: str = Field(
        default="",
        description="The server's public key that USB batch files are sealed to (base64).",
    )
    public_url: str = Field(description="Base of follow-up links a visitor's phone can reach.")


def _enroll_request(body: bytes) -> EnrollRequest:
    try:
        document = json.loads(body)
    except RecursionError:
        raise BadRequest("the body is not valid JSON: it is nested too deeply") from None
    except ValueError as exc:  # UnicodeDecodeError too
        raise BadRequest(f"the body is not valid JSON: {exc}") from None
    try:
        return EnrollRequest.model_validate(document)
    except ValidationError as exc:
        raise InvalidInput(
            'the body must be {"code": "<the enrollment code>"}',
            [
                FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
                for e in exc.errors()[:5]
            ],
        ) from None


_ERRORS = {
    400: "The body is not JSON.",
    403: "The kiosk of this code is disabled.",
    404: "No such code (mistyped, or replaced by a newer code).",
    409: "The code was used already or has expired.",
    422: "The text is not an enrollment code.",
    413: "A body over 4 KiB.",
    429: "Too many failed codes from this address; wait and try again.",
}


@router.post(
    ENROLL_PATH,
    status_code=201,
    response_model=EnrollResponse,
    summary="Trade a one-time enrollment code for the kiosk's credentials",
    responses={code: {"model": ErrorBody, "description": text} for code, text in _ERRORS.items()},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": EnrollRequest.model_json_schema()}},
        }
    },
)
async def enroll(request: Request):
    # Parsed here, not by FastAPI, so that every refusal is our ErrorBody (400 or 422).
    body = _enroll_request(await read_body(request, ENROLL_BODY_MAX_BYTES))
    engine = request.app.state.engine
    address = request.client.host if request.client else "unknown"
    now = datetime.now(UTC)

    def failures() -> int:
        with engine.connect() as conn:
            return recent_failures(conn, address, now)

    if await run_in_threadpool(failures) >= MAX_FAILURES_PER_ADDRESS:
        metrics.count_rejected("enroll", "throttled")
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        return JSONResponse(
            {
                "error": f"too many wrong enrollment codes from this address; wait {minutes} "
                "minutes and check the code",
                "errors": [],
            },
            status_code=429,
            headers={"Retry-After": str(int(FAILURE_WINDOW.total_seconds()))},
        )
    try:
        credentials = await run_in_threadpool(redeem_code, engine, body.code, now)
    except DomainError:
        await run_in_threadpool(record_failure, engine, address, now)
        raise
    return EnrollResponse(
        kiosk_id=credentials.kiosk_id,
        secret=credentials.secret,
        server_url=str(request.base_url).rstrip("/"),
        usb_public_key=usb_public_key(request.app.state.settings),
        public_url=request.app.state.settings.public_base_url.rstrip("/"),
    )
