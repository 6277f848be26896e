"""``GET /static/<name>``: our own CSS and images, the files the pages link with ``static_url``.

Names are looked up in the folder listing the app's :class:`~sync.server.resources.rendering.
PageRenderer` made at start, never joined blindly onto a path; each answer may be cached for a
day, as its URL carries the file's hash.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

__all__ = ["router"]

router = APIRouter()


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str, request: Request) -> FileResponse:
    pages = request.app.state.pages
    if name not in pages.static_versions:
        raise HTTPException(status_code=404, detail="no such static file")
    return FileResponse(
        pages.static_dir / name,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
