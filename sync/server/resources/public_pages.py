"""Pages the law and trust ask for: ``/accessibility`` and ``/moderation``.

No login; fi/sv/en from ``?lang=``, then Accept-Language; for everyone (may be indexed).
A caller may rely on:
- ``/accessibility`` (saavutettavuusseloste / tillgänglighetsutlåtande, as the Act on the
  Provision of Digital Services 306/2019 requires) showing the text an admin saved for the
  language (``/staff/accessibility``) or the built-in statement: compliance status, known gaps,
  the feedback channel and the enforcement body (Traficom's digital accessibility supervision).
- ``/moderation`` showing, per month and theme of the last 12 months, how many stories arrived,
  were published, wait, were hidden or withdrawn: counts only, each at least 5 or shown as
  "fewer than 5" (with complementary suppression, see :mod:`sync.server.domain.public_stats`).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request

from sync.server.db import public_themes, site_texts
from sync.server.domain.public_stats import (
    MIN_COUNT,
    MODERATION_PARTS,
    moderation_table,
    months_back,
)
from sync.server.domain.site_text import to_html
from sync.server.resources.public_themes import OPEN_HEADERS, page_lang
from sync.server.resources.rendering import render_page

__all__ = ["ACCESSIBILITY_REVIEWED", "router"]

router = APIRouter()

# When the built-in statement was last checked against the pages (WCAG 2.2 AA, axe-core and
# manual keyboard and screen-reader checks); the statement quotes it.
ACCESSIBILITY_REVIEWED = "2026-12-02"
MODERATION_MONTHS = 12
OTHER = "-other"  # not a theme id (ids are slugs)


@router.get("/accessibility", include_in_schema=False)
def accessibility_statement(request: Request):
    lang = page_lang(request)
    with request.app.state.engine.connect() as conn:
        custom = site_texts.get(conn, "accessibility", lang)
    return render_page(
        request,
        "public/accessibility.html",
        {
            "custom": to_html(custom) if custom else None,
            "reviewed": datetime.fromisoformat(ACCESSIBILITY_REVIEWED).date(),
        },
        lang=lang,
        public=True,
        headers=OPEN_HEADERS,
    )


@router.get("/moderation", include_in_schema=False)
def moderation_in_the_open(request: Request):
    lang = page_lang(request)
    zone = request.app.state.pages.timezone
    today = datetime.now(zone).date()
    first = months_back(today, MODERATION_MONTHS)[0]
    since = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    with request.app.state.engine.connect() as conn:
        themes = public_themes.active_themes(conn)
        rows = public_themes.moderation_rows(conn, since)
    names = {t["id"]: t for t in themes}
    # Stories of themes no longer active count together under "other themes", never by the
    # old theme's id or name.
    rows = [
        (when, status, ok, list(dict.fromkeys(t if t in names else OTHER for t in ids)))
        for when, status, ok, ids in rows
    ]
    table = moderation_table(rows, zone, [*names, OTHER])
    return render_page(
        request,
        "public/moderation.html",
        {
            "table": table,
            "themes": names,
            "parts": MODERATION_PARTS,
            "min_count": MIN_COUNT,
            "other": OTHER,
        },
        lang=lang,
        public=True,
        headers=OPEN_HEADERS,
    )
