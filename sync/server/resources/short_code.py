"""The short-code pages: ``/k``, where a visitor without a phone camera types the code from the
kiosk's screen or slip, and ``/k/<code>``, their follow-up page.

A caller may rely on:
- ``GET /k`` is a plain form in fi/sv/en (``?lang=``, then Accept-Language). ``GET /k?code=…``
  accepts lower case, spaces, dashes and the lookalikes O, I and L; a code in the right shape
  is redirected to its canonical ``/k/K7QM4-PX2RT``.
- ``GET /k/<code>`` shows the very page ``/f/<token>`` shows for the visit with that code,
  withdraw included. A code no visit has answers 404 with the form again; so does one in the
  wrong shape, with the same words: a miss tells nothing.
- Misses are counted per client address (:mod:`sync.server.db.short_codes`); past
  ``MAX_MISSES_PER_ADDRESS`` in a quarter hour every lookup from that address answers 429
  without looking, right codes too.
- A code that two visits drew (it can happen: 50 random bits) opens neither: the form asks the
  visitor to use the QR code or the link instead, so no visitor ever sees another's page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from sync.protocol import normalize_short_code
from sync.server.db.short_codes import (
    MAX_MISSES_PER_ADDRESS,
    recent_misses,
    record_miss,
    tokens_for_code,
)
from sync.server.domain.i18n import negotiate
from sync.server.resources.followup import follow_up_page
from sync.server.resources.rendering import PUBLIC_HEADERS, render_page

__all__ = ["router"]

router = APIRouter()

UNKNOWN, SHARED, THROTTLED = "unknown", "shared", "throttled"
_STATUS = {UNKNOWN: 404, SHARED: 404, THROTTLED: 429}


def _lang(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"), "fi")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _form(request: Request, problem: str = "", typed: str = ""):
    return render_page(
        request,
        "public/code_form.html",
        {"problem": problem, "typed": typed[:40]},
        lang=_lang(request),
        public=True,
        status_code=_STATUS.get(problem, 200),
    )


@router.get("/k", include_in_schema=False)
async def code_form(request: Request):
    typed = request.query_params.get("code")
    if typed is None:
        return _form(request)
    code = normalize_short_code(typed)
    if code is None:
        return await to_thread.run_sync(_lookup, typed, request)
    query = {"lang": request.query_params["lang"]} if "lang" in request.query_params else {}
    suffix = f"?{urlencode(query)}" if query else ""
    return RedirectResponse(f"/k/{code}{suffix}", status_code=303, headers=dict(PUBLIC_HEADERS))


@router.get("/k/{code}", include_in_schema=False)
async def code_page(code: str, request: Request):
    return await to_thread.run_sync(_lookup, code, request)


def _lookup(typed: str, request: Request):
    """The visit's page for a code, or the form saying why not (in a worker thread)."""
    engine = request.app.state.engine
    address = _address(request)
    code = normalize_short_code(typed)
    with engine.connect() as conn:
        if recent_misses(conn, address, datetime.now(UTC)) >= MAX_MISSES_PER_ADDRESS:
            return _form(request, THROTTLED, typed)
        tokens = tokens_for_code(conn, code) if code else []
    if len(tokens) == 1:
        return follow_up_page(tokens[0], request)
    if len(tokens) > 1:
        return _form(request, SHARED, typed)
    record_miss(engine, address)
    return _form(request, UNKNOWN, typed)
