"""The staff dashboard's router: every /staff page and API.

``sync.server.app.create_app`` includes :data:`router` and calls :func:`install`. The parts live
in the modules of this package, one per page family; this module only assembles them.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from sync.server.resources.staff import (
    accounts,
    audit,
    auth,
    batch_import,
    exports,
    pages,
    pictures,
    site_texts,
    themes,
)

__all__ = ["install", "router"]

router = APIRouter()
for part in (auth, pages, batch_import, themes, pictures, exports, audit, site_texts, accounts):
    router.include_router(part.router)


async def _forbidden(request: Request, exc: Exception) -> Response:
    """A role that does not open the URL: a page with one plain sentence (JSON for the API)."""
    assert isinstance(exc, auth.StaffForbidden)
    if request.url.path.startswith(("/staff/api/", "/staff/charts/")) or exc.user is None:
        return JSONResponse({"detail": exc.detail}, status_code=403)
    return auth.staff_page(
        request, exc.user, "staff/forbidden.html", {}, active="", status_code=403
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(auth.StaffForbidden, _forbidden)
