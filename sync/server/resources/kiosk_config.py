"""``GET /api/v1/kiosk-config``: what a kiosk shows that staff keep current on the server.

Signed like every kiosk request. Answers with a weak ``ETag``; a request whose
``If-None-Match`` matches gets 304 with no body, so kiosks can poll cheaply.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from sync.protocol import KioskConfig
from sync.server.auth import UNAUTHORIZED_RESPONSE, SignedKiosk
from sync.server.db.kiosk_config import build_kiosk_config, config_etag
from sync.server.errors import ErrorBody
from sync.server.usb_keys import usb_public_key

__all__ = ["KIOSK_CONFIG_PATH", "router"]

KIOSK_CONFIG_PATH = "/api/v1/kiosk-config"

router = APIRouter(tags=["kiosk"])


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


@router.get(
    KIOSK_CONFIG_PATH,
    response_model=KioskConfig,
    summary="Themes, active event, story wall and mood counts for kiosks (signed)",
    responses={
        200: {
            "headers": {
                "ETag": {
                    "description": "Weak validator of the content.",
                    "schema": {"type": "string"},
                }
            }
        },
        304: {"description": "Unchanged since the ETag given in If-None-Match."},
        400: {"model": ErrorBody, "description": "X-Kiosk-Pending is not 1 to 9 ASCII digits."},
        401: UNAUTHORIZED_RESPONSE,
        413: {"model": ErrorBody, "description": "A body over 1 MiB (a GET has none)."},
    },
)
async def get_kiosk_config(
    request: Request,
    signed: SignedKiosk,
    if_none_match: Annotated[str | None, Header(description="An ETag from before.")] = None,
):
    settings = request.app.state.settings
    engine = request.app.state.engine

    def build() -> KioskConfig:
        with engine.connect() as conn:
            return build_kiosk_config(
                conn,
                kiosk_id=signed.kiosk.id,
                public_base_url=settings.public_base_url,
                age_groups=list(settings.age_groups),
                districts=list(settings.districts),
                mood_weeks=settings.mood_weeks,
                latest_updates=settings.latest_updates,
                wall_stories=settings.wall_stories,
            ).model_copy(update={"usb_public_key": usb_public_key(settings)})

    config = await run_in_threadpool(build)
    etag = config_etag(config)
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(
        content=config.model_dump_json(),
        media_type="application/json",
        headers={"ETag": etag, "Cache-Control": "no-cache"},
    )
