"""Printables over HTTP: ``/themes/<id>/poster.pdf`` and ``/events/<id>/report.pdf``.

Both are public (they show only what staff approved and counts under the k = 5 rule) and are
built by :mod:`sync.server.printables` in a worker thread (WeasyPrint takes a while); fi/sv/en
from ``?lang=``, then Accept-Language. An unknown or inactive theme, or an unknown event, is 404.
"""

from __future__ import annotations

from datetime import datetime

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sync.server import printables
from sync.server.domain.i18n import negotiate
from sync.server.errors import NotFound

__all__ = ["router"]

router = APIRouter()

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=300",
    "Referrer-Policy": "no-referrer",
}


def _lang(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def _pdf(body: bytes, filename: str) -> Response:
    headers = {**_HEADERS, "Content-Disposition": f'inline; filename="{filename}"'}
    return Response(body, media_type="application/pdf", headers=headers)


@router.get("/themes/{theme_id}/poster.pdf", include_in_schema=False)
async def poster(request: Request, theme_id: str) -> Response:
    app = request.app
    lang = _lang(request)
    today = datetime.now(app.state.pages.timezone).date()
    body = await to_thread.run_sync(
        lambda: printables.poster_pdf(
            app.state.engine,
            app.state.pages,
            app.state.settings,
            theme_id[:64],
            lang=lang,
            today=today,
        )
    )
    if body is None:
        raise NotFound("no such theme")
    return _pdf(body, f"poster-{lang}.pdf")


@router.get("/events/{event_id}/report.pdf", include_in_schema=False)
async def report(request: Request, event_id: str) -> Response:
    app = request.app
    lang = _lang(request)
    today = datetime.now(app.state.pages.timezone).date()
    body = await to_thread.run_sync(
        lambda: printables.report_pdf(
            app.state.engine,
            app.state.pages,
            app.state.settings,
            event_id[:128],
            lang=lang,
            today=today,
        )
    )
    if body is None:
        raise NotFound("no such event")
    return _pdf(body, f"report-{lang}.pdf")
