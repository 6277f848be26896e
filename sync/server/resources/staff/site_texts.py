"""Staff pages that edit public texts: the privacy notice (``/staff/privacy``) and the
accessibility statement (``/staff/accessibility``).

GET shows one text box per language with the saved text (empty: the built-in notice is shown
to the public); POST saves them and writes the change to the audit trail.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from sync.server.db import site_texts
from sync.server.domain.i18n import LANGS
from sync.server.resources.staff.audit import actor_of
from sync.server.resources.staff.auth import CsrfForm, PageUser, StaffUser, error_text, staff_page

__all__ = ["router"]

router = APIRouter()


def _page(
    request: Request,
    user: StaffUser,
    *,
    bodies=None,
    error: str = "",
    status_code=200,
    key: str = "privacy",
):
    if bodies is None:
        with request.app.state.engine.connect() as conn:
            bodies = {lang: site_texts.get(conn, key, lang) or "" for lang in LANGS}
    return staff_page(
        request,
        user,
        f"staff/{key}.html",
        {"bodies": bodies, "langs": LANGS, "error": error, "max_chars": site_texts.MAX_BODY_CHARS},
        active=key,
        status_code=status_code,
    )


@router.get("/staff/privacy", include_in_schema=False)
def privacy_page(request: Request, user: PageUser):
    return _page(request, user)


@router.post("/staff/privacy", include_in_schema=False)
def privacy_save(request: Request, user: PageUser, form: CsrfForm):
    bodies = {lang: str(form.get(f"body_{lang}", "")) for lang in LANGS}
    try:
        site_texts.put(
            request.app.state.engine,
            "privacy",
            bodies,
            actor_of(request, user),
            "privacy_notice_edit",
        )
    except ValueError as exc:
        return _page(request, user, bodies=bodies, error=error_text(request, exc), status_code=400)
    return RedirectResponse("/staff/privacy?done=saved", status_code=303)


@router.get("/staff/accessibility", include_in_schema=False)
def accessibility_page(request: Request, user: PageUser):
    return _page(request, user, key="accessibility")


@router.post("/staff/accessibility", include_in_schema=False)
def accessibility_save(request: Request, user: PageUser, form: CsrfForm):
    bodies = {lang: str(form.get(f"body_{lang}", "")) for lang in LANGS}
    try:
        site_texts.put(
            request.app.state.engine,
            "accessibility",
            bodies,
            actor_of(request, user),
            "accessibility_statement_edit",
        )
    except ValueError as exc:
        return _page(
            request,
            user,
            bodies=bodies,
            error=error_text(request, exc),
            status_code=400,
            key="accessibility",
        )
    return RedirectResponse("/staff/accessibility?done=saved", status_code=303)
