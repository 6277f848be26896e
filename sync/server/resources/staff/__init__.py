"""The staff dashboard's router: every /staff page and API.

``sync.server.app.create_app`` includes :data:`router`. The parts live in the modules
of this package, one per page family; this module only assembles them.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.resources.staff import (
    audit,
    auth,
    batch_import,
    exports,
    pages,
    pictures,
    site_texts,
    themes,
)

__all__ = ["router"]

router = APIRouter()
for part in (auth, pages, batch_import, themes, pictures, exports, audit, site_texts):
    router.include_router(part.router)
