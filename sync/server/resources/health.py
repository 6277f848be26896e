"""``GET /healthz``: 200 when the database answers, 503 when it does not; with the release.

For load balancers and monitoring; unauthenticated and cheap (one ``SELECT 1``). ``HEAD`` gives
the same status without a body (``curl -I``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from sync.server.db.engine import ping
from sync.server.errors import Unavailable
from sync.version import release

__all__ = ["Health", "router"]

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str
    version: str


@router.get(
    "/healthz",
    response_model=Health,
    summary="Is the server up and does its database answer?",
    responses={503: {"model": Health, "description": "The database does not answer."}},
)
async def healthz(request: Request):
    engine = request.app.state.engine
    try:
        await run_in_threadpool(ping, engine)
    except Unavailable:
        return JSONResponse(
            {"status": "unavailable", "database": engine.dialect.name, "version": release()},
            status_code=503,
        )
    return Health(status="ok", database=engine.dialect.name, version=release())


@router.head("/healthz", include_in_schema=False)
async def healthz_head(request: Request):
    """``curl -I``: the status of :func:`healthz`; the server sends no body for ``HEAD``."""
    return await healthz(request)
