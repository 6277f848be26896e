"""The staff dashboard's router: every /staff page and API, plus our static files.

``sync.server.app.create_app`` includes :data:`router`. The parts live in ``staff_*.py``
modules, one per page family; this module only assembles them.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.resources import (
    staff_audit,
    staff_auth,
    staff_exports,
    staff_pages,
    staff_pictures,
    staff_render,
    staff_site_texts,
    staff_themes,
)

__all__ = ["router"]

router = APIRouter()
for part in (
    staff_auth,
    staff_pages,
    staff_themes,
    staff_pictures,
    staff_exports,
    staff_audit,
    staff_site_texts,
):
    router.include_router(part.router)
router.include_router(staff_render.static_router)
