"""The public privacy notice ``/privacy`` (tietosuojaseloste / dataskyddsbeskrivning).

No login. fi/sv/en from ``?lang=``, then Accept-Language. Shows the text an admin saved for the
language (``/staff/privacy``) or the built-in notice, which quotes the server's retention
settings, so the notice and what ``kiosk-server purge`` does cannot disagree by default.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from sync.server.db import site_texts
from sync.server.domain.i18n import negotiate
from sync.server.domain.site_text import to_html
from sync.server.resources.rendering import render_page

__all__ = ["router"]

router = APIRouter()


@router.get("/privacy", include_in_schema=False)
def privacy_notice(request: Request):
    lang = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    with request.app.state.engine.connect() as conn:
        custom = site_texts.get(conn, "privacy", lang)
    settings = request.app.state.settings
    return render_page(
        request,
        "public/privacy.html",
        {
            "custom": to_html(custom) if custom else None,
            "story_months": settings.story_retention_months,
            "follow_up_months": settings.follow_up_months,
            "audit_years": max(1, round(settings.audit_retention_days / 365)),
        },
        lang=lang,
        public=True,
        # Unlike the follow-up page this page is for everyone: search engines may list it.
        headers={"X-Robots-Tag": "all", "Cache-Control": "public, max-age=300"},
    )
