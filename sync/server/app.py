"""Assemble the central server's ASGI app: routes, error mapping and shared state, explicitly.

A caller may rely on: ``create_app(settings)`` returning a FastAPI app whose shared state is all
built here, before the first request, and kept on ``app.state`` (Datasette style, no module
globals): ``settings``, ``engine`` (made from the settings unless one is given),
``looks_personal``, ``pages`` (the page renderer: Jinja environments and static-file hashes),
``fragments`` (rendered sections of the follow-up page),
``session_secret`` (read once), ``followup_limiter`` (see :mod:`sync.server.resources.followup`) and
``metrics_registry``; the kiosk API (batches, kiosk-config, enrollment), ``/healthz``,
``/metrics``, the staff pages and the public follow-up pages (see :data:`RESOURCES`). It does not
migrate the database: ``kiosk-server init``/``serve`` (or :func:`sync.server.db.migrate.upgrade`)
do. :data:`ERROR_STATUS` is the
one place where domain errors become HTTP status codes.
"""

from __future__ import annotations

import email.utils
from contextlib import asynccontextmanager

from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from sync.server import errors
from sync.server.db.engine import is_sqlite, make_engine
from sync.server.domain.moderation import looks_personal
from sync.server.input_guard import UnstorableTextGuard
from sync.server.resources import (
    batches,
    enrollment,
    followup,
    health,
    kiosk_config,
    metrics,
    open_data,
    printables,
    privacy,
    public_feeds,
    public_pages,
    public_themes,
    short_code,
    staff,
    static,
)
from sync.server.resources.rendering import FragmentCache, PageRenderer
from sync.server.settings import Settings

__all__ = ["ERROR_STATUS", "RESOURCES", "create_app", "create_app_from_env"]

ERROR_STATUS: dict[type[errors.DomainError], int] = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.InvalidInput: 422,
    errors.Unavailable: 503,
}

# One module per URL family, each exposing ``router``; those with middleware or mounts of their
# own also expose ``install(app)``, called after the error handlers are set.
RESOURCES = (
    health,
    batches,
    kiosk_config,
    enrollment,
    metrics,
    staff,
    followup,
    privacy,
    short_code,
    open_data,
    printables,
    static,
    public_themes,
    public_feeds,
    public_pages,
)

API_DESCRIPTION = """The central server of the Käyttäjätori kiosks.

Kiosks sign every request (headers `X-Kiosk-Id`, `X-Kiosk-Timestamp`, `X-Kiosk-Signature`:
lowercase hex HMAC-SHA256 with the kiosk's secret over
`METHOD\\nPATH\\nTIMESTAMP\\nhex(sha256(body))`). See docs/sync-protocol.md for the whole
protocol: enrolment, signing, idempotent batches, kiosk-config and USB batch files.
"""


def status_for(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 400


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    status = status_for(exc)
    headers = {}
    if status == 401:
        # The Date header (added to every answer by DateHeader) lets a kiosk whose clock is off
        # correct its offset.
        headers["WWW-Authenticate"] = 'KioskSignature realm="kiosk"'
    return JSONResponse(exc.body(), status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own request validation (the enrolment body), as our ErrorBody.

    Never echoes the input: FastAPI's default handler JSON-encodes it, and a body that is not
    UTF-8 made that a 500.
    """
    assert isinstance(exc, RequestValidationError)
    items = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())) or "request",
            "problem": str(error.get("msg", "is not valid")),
        }
        for error in exc.errors()[:20]
    ]
    return JSONResponse(
        {"error": "the request does not match the API description", "errors": items},
        status_code=422,
    )


class DateHeader:
    """ASGI middleware: a ``Date`` header on every answer that has none.

    Kiosks correct their clock from it (see docs/sync-protocol.md), so it must not depend on the
    HTTP server in front: ``serve`` runs uvicorn without its own Date header, and in-process
    clients see the same header.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"date" for name, _ in headers):
                    headers.append((b"date", email.utils.formatdate(usegmt=True).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_date)


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    owns_engine = engine is None
    engine = engine or make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="Käyttäjätori server",
        version="1",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        # KT_API_DOCS=false (production): no /docs, /redoc or /openapi.json at all.
        docs_url="/docs" if settings.api_docs else None,
        redoc_url="/redoc" if settings.api_docs else None,
        openapi_url="/openapi.json" if settings.api_docs else None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.looks_personal = looks_personal
    app.state.pages = PageRenderer(settings.display_timezone)
    app.state.fragments = FragmentCache()
    # The key file never changes while the server runs: read once, not on every request.
    app.state.session_secret = settings.session_secret()
    app.state.followup_limiter = CapacityLimiter(followup_threads(settings, engine))
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(UnstorableTextGuard)
    app.add_middleware(DateHeader)
    for module in RESOURCES:
        app.include_router(module.router)
        if hasattr(module, "install"):
            module.install(app)
    return app


def followup_threads(settings: Settings, engine: Engine) -> int:
    """How many follow-up pages one process builds at once (``settings.followup_threads``).

    The page is CPU work (a few queries and a render) under one GIL: forty threads doing it at
    once only fight over it; a few at a time finish sooner and answer in order. On SQLite the
    queries are CPU work too, so one thread does the pages: a second one only adds GIL hand-offs
    (measured: about a tenth more server CPU per page under load). On PostgreSQL a page also
    waits for network round trips, which a second thread fills with another page's work.
    """
    if settings.followup_threads > 0:
        return settings.followup_threads
    return 1 if is_sqlite(engine) else 2


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn workers: settings from ``KT_*`` variables (set by ``serve``)."""
    return create_app(Settings.load())
