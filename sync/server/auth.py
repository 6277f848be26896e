"""Kiosk request signatures, checked at the edge of every kiosk resource.

The scheme is ``sync.protocol``'s: headers ``X-Kiosk-Id``, ``X-Kiosk-Timestamp`` (Unix
seconds) and ``X-Kiosk-Signature`` (hex HMAC-SHA256 with the kiosk's secret over method, path,
timestamp and the body's SHA-256). A caller may rely on: :func:`check_signature` raising
:class:`~sync.server.errors.Unauthorized` with a specific reason for a missing header, unknown
or disabled kiosk, stale timestamp or bad signature, and returning the kiosk otherwise;
:func:`signed_kiosk` (a FastAPI dependency) also reading the body once, at most
``BATCH_MAX_BYTES`` of it, and recording ``last_seen_at`` and ``X-Kiosk-Pending`` (only when
``X-Kiosk-Signature-V2`` signs it: :mod:`sync.signed_pending`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from gettext import gettext as _
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from sync.protocol import BATCH_MAX_BYTES, ID_RE, verify_signature
from sync.server.db.engine import write_connection
from sync.server.db.kiosks import KioskRow, get_kiosk, touch_kiosk
from sync.server.errors import BadRequest, ErrorBody, PayloadTooLarge, Unauthorized
from sync.server.input_guard import ascii_digits
from sync.signed_pending import parse_pending, verify_pending_signature

__all__ = [
    "UNAUTHORIZED_RESPONSE",
    "SignedKiosk",
    "SignedRequest",
    "check_signature",
    "read_body",
    "signed_kiosk",
]


# Unix seconds: twelve digits reach the year 33658; a pending count fits in nine.
TIMESTAMP_MAX_DIGITS = 12
PENDING_MAX_DIGITS = 9

# How resources document their 401 in OpenAPI.
UNAUTHORIZED_RESPONSE = {
    "model": ErrorBody,
    "description": "Missing, unknown, disabled, stale or bad signature; the error says which.",
    "headers": {
        "Date": {
            "description": "The server's clock; a kiosk corrects its offset from it.",
            "schema": {"type": "string"},
        },
        "WWW-Authenticate": {"schema": {"type": "string"}},
    },
}


@dataclass(frozen=True)
class SignedRequest:
    """What a resource gets from :func:`signed_kiosk`: the kiosk and the exact body it signed."""

    kiosk: KioskRow
    body: bytes


def check_signature(
    engine: Engine,
    *,
    kiosk_id: str | None,
    timestamp: str | int | None,
    signature: str | None,
    method: str,
    path: str,
    body: bytes,
    now: datetime,
    max_skew_seconds: int | None,
) -> KioskRow:
    """The signing kiosk, or :class:`Unauthorized`. ``max_skew_seconds=None`` skips the clock
    rule (USB batch files travel for days)."""
    missing = [
        name
        for name, value in (
            ("X-Kiosk-Id", kiosk_id),
            ("X-Kiosk-Timestamp", timestamp),
            ("X-Kiosk-Signature", signature),
        )
        if value in (None, "")
    ]
    if missing:
        raise Unauthorized(
            _("missing {headers}: kiosk requests must be signed").format(headers=", ".join(missing))
        )
    ts = timestamp if isinstance(timestamp, int) else ascii_digits(timestamp, TIMESTAMP_MAX_DIGITS)
    if ts is None:
        raise Unauthorized(_("X-Kiosk-Timestamp must be Unix seconds as a whole number"))
    kiosk = None
    if ID_RE.fullmatch(str(kiosk_id)):  # anything else cannot be enrolled: spare the database
        with engine.connect() as conn:
            kiosk = get_kiosk(conn, str(kiosk_id))
    if kiosk is None:
        raise Unauthorized(
            _("unknown kiosk {id!r}: enroll it with kiosk-server enroll-kiosk").format(id=kiosk_id)
        )
    if kiosk.disabled_at is not None:
        raise Unauthorized(_("kiosk {id!r} is disabled").format(id=kiosk_id))
    if max_skew_seconds is not None:
        skew = int(now.timestamp()) - ts
        if abs(skew) > max_skew_seconds:
            message = (
                _("X-Kiosk-Timestamp is {seconds} s behind the server's clock")
                if skew > 0
                else _("X-Kiosk-Timestamp is {seconds} s ahead of the server's clock")
            )
            raise Unauthorized(
                message.format(seconds=abs(skew))
                + _(
                    " (limit {limit} s); correct the offset with the Date header of this answer"
                ).format(limit=max_skew_seconds)
            )
    if not verify_signature(kiosk.secret, method, path, ts, body, str(signature)):
        raise Unauthorized(_("X-Kiosk-Signature does not match this request and kiosk secret"))
    return kiosk


async def read_body(request: Request, limit: int = BATCH_MAX_BYTES) -> bytes:
    """The request body, or :class:`PayloadTooLarge` as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    size_declared = ascii_digits(declared, 19)
    if size_declared is not None and size_declared > limit:
        raise PayloadTooLarge(
            _("the body is {size} bytes; the limit is {limit} bytes").format(
                size=declared, limit=limit
            )
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                _("the body is over the limit of {limit} bytes").format(limit=limit)
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _pending(value: str | None) -> int | None:
    """The X-Kiosk-Pending count (None when absent), or BadRequest for anything but 1..9 ASCII
    digits: a kiosk sends ``str(int)``, so anything else is not a kiosk's."""
    if value is None:
        return None
    pending = ascii_digits(value, PENDING_MAX_DIGITS)
    if pending is None:
        raise BadRequest(
            _("X-Kiosk-Pending must be a whole number of at most {digits} digits").format(
                digits=PENDING_MAX_DIGITS
            )
        )
    return pending


async def signed_kiosk(
    request: Request,
    x_kiosk_id: Annotated[str | None, Header(description="The kiosk's enrolled id.")] = None,
    x_kiosk_timestamp: Annotated[
        str | None, Header(description="Unix seconds; within 300 s of the server's clock.")
    ] = None,
    x_kiosk_signature: Annotated[
        str | None,
        Header(
            description="Lowercase hex HMAC-SHA256 with the kiosk's secret over "
            "METHOD\\nPATH\\nTIMESTAMP\\nhex(sha256(body))."
        ),
    ] = None,
    x_kiosk_pending: Annotated[
        str | None,
        Header(
            description="Records the kiosk still holds unsent: 1 to 9 ASCII digits; recorded "
            "when X-Kiosk-Signature-V2 signs it.",
            # Documented, not enforced by FastAPI: _pending answers a malformed value with 400.
            json_schema_extra={"pattern": "^[0-9]{1,9}$"},
        ),
    ] = None,
    x_kiosk_signature_v2: Annotated[
        str | None,
        Header(
            description="Lowercase hex HMAC-SHA256 over the X-Kiosk-Signature message + "
            "'\\npending=' + X-Kiosk-Pending (docs/sync-protocol.md)."
        ),
    ] = None,
) -> SignedRequest:
    """FastAPI dependency for kiosk resources."""
    body = await read_body(request)
    _pending(x_kiosk_pending)  # a malformed header is a 400 before any work; V2 signs the value
    engine: Engine = request.app.state.engine
    settings = request.app.state.settings
    now = datetime.now(UTC)

    def check_and_touch() -> KioskRow:
        kiosk = check_signature(
            engine,
            kiosk_id=x_kiosk_id,
            timestamp=x_kiosk_timestamp,
            signature=x_kiosk_signature,
            method=request.method,
            path=request.url.path,
            body=body,
            now=now,
            max_skew_seconds=settings.signature_max_skew_seconds,
        )
        pending = None
        if x_kiosk_signature_v2 is not None:
            if not verify_pending_signature(
                kiosk.secret,
                request.method,
                request.url.path,
                str(x_kiosk_timestamp),
                body,
                x_kiosk_pending or "",
                x_kiosk_signature_v2,
            ):
                raise Unauthorized(
                    _("X-Kiosk-Signature-V2 does not match this request and X-Kiosk-Pending")
                )
            pending = parse_pending(x_kiosk_pending)
        with write_connection(engine) as conn:
            touch_kiosk(conn, kiosk.id, pending, now)
        return kiosk

    return SignedRequest(await run_in_threadpool(check_and_touch), body)


# What a kiosk resource declares: ``signed: SignedKiosk``.
SignedKiosk = Annotated[SignedRequest, Depends(signed_kiosk)]
