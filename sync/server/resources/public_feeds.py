"""Feeds a resident can follow without giving an e-mail address.

A caller may rely on:
- ``GET /themes/<id>/feed.atom``: an Atom feed of an active theme's updates ("you said — we
  did"), newest first, in the page's language; for everyone (may be indexed).
- ``GET /f/<token>/feed.atom``: the updates of the themes a visit chose, one feed per follow-up
  token; private like the follow-up page (``X-Robots-Tag: noindex``, ``Referrer-Policy:
  no-referrer``, no shared caching). Unknown token 404, closed page 410. The feed carries no
  story, face or anything else of the visit: only the themes' public updates.
- ``GET /events.ics`` (``?site=<library>``): the coming events as iCalendar, served inline so a
  calendar can subscribe to it (``webcal://``).
Entry ids are stable (a tag URI per update), so a feed reader shows each update once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sync.server.db import public_themes
from sync.server.db.follow_up import load_follow_up
from sync.server.domain.calendar_ics import events_ics
from sync.server.domain.i18n import translations
from sync.server.resources.followup import _expired, _lang, _visit_summary
from sync.server.resources.public_themes import OPEN_HEADERS, page_lang
from sync.server.resources.rendering import PUBLIC_HEADERS, loc, render_page

__all__ = ["atom_feed", "router"]

router = APIRouter()

ATOM_TYPE = "application/atom+xml; charset=utf-8"
_SECURITY = {
    k: v for k, v in PUBLIC_HEADERS.items() if k != "X-Robots-Tag" and k != "Cache-Control"
}
FEED_ENTRIES = 50


def atom_feed(
    *,
    base: str,
    feed_id: str,
    title: str,
    link: str,
    self_link: str,
    lang: str,
    themes: Iterable[Mapping[str, Any]],
) -> bytes:
    """An Atom document with one entry per update of ``themes`` (newest first)."""
    from feedgen.feed import FeedGenerator

    items = []
    for t in themes:
        for u in t["updates"]:
            items.append((u["update_date"], u["id"], t, u))
    items.sort(key=lambda item: (item[0], item[1]), reverse=True)
    items = items[:FEED_ENTRIES]
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.link(href=link, rel="alternate")
    feed.link(href=self_link, rel="self")
    feed.language(lang)
    newest = max((i[0] for i in items), default=None)
    feed.updated(_at_noon(newest) if newest else datetime(2026, 1, 1, tzinfo=UTC))
    for day, update_id, t, u in reversed(items):  # feedgen prepends: add oldest first
        entry = feed.add_entry()
        entry.id(f"tag:kayttajatori,2026:update/{update_id}")
        name = loc(t, "name", lang)
        entry.title(f"{name}: {day.isoformat()}")
        entry.link(href=f"{base}/themes/{t['id']}?lang={lang}")
        entry.updated(_at_noon(day))
        entry.content(loc(u, "text", lang), type="text")
    return feed.atom_str(pretty=True)


def _at_noon(day) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def _base(request: Request) -> str:
    return request.app.state.settings.public_base_url.rstrip("/")


@router.get("/themes/{theme_id}/feed.atom", include_in_schema=False)
def theme_feed(theme_id: str, request: Request):
    lang = page_lang(request)
    with request.app.state.engine.connect() as conn:
        row = public_themes.theme(conn, theme_id[:64])
    if row is None:
        return render_page(
            request,
            "public/not_found.html",
            {"what": "theme"},
            lang=lang,
            public=True,
            status_code=404,
        )
    base = _base(request)
    gettext = translations(lang).gettext
    body = atom_feed(
        base=base,
        feed_id=f"tag:kayttajatori,2026:theme/{row['id']}",
        title=f"{loc(row, 'name', lang)} – {gettext('Käyttäjätori')}",
        link=f"{base}/themes/{row['id']}?lang={lang}",
        self_link=f"{base}/themes/{row['id']}/feed.atom?lang={lang}",
        lang=lang,
        themes=[row],
    )
    return Response(body, media_type=ATOM_TYPE, headers={**_SECURITY, **OPEN_HEADERS})


@router.get("/f/{token}/feed.atom", include_in_schema=False)
def follow_up_feed(token: str, request: Request):
    token = token[:64]
    today = datetime.now(UTC).date()
    with request.app.state.engine.connect() as conn:
        data = load_follow_up(conn, token, today)
    lang = _lang(request, _visit_summary(data["records"])["kiosk_lang"])
    if _expired(request, data):
        return render_page(
            request,
            "public/expired.html",
            {"months": request.app.state.settings.follow_up_months},
            lang=lang,
            public=True,
            status_code=410,
        )
    if not data["records"]:
        return render_page(
            request, "public/not_found.html", {}, lang=lang, public=True, status_code=404
        )
    base = _base(request)
    gettext = translations(lang).gettext
    body = atom_feed(
        base=base,
        feed_id=f"tag:kayttajatori,2026:follow-up/{token}",
        title=gettext("You said – we did"),
        link=f"{base}/f/{token}?lang={lang}",
        self_link=f"{base}/f/{token}/feed.atom?lang={lang}",
        lang=lang,
        themes=[t for t in data["themes"] if t.get("active", True)],
    )
    return Response(body, media_type=ATOM_TYPE, headers=dict(PUBLIC_HEADERS))


@router.get("/events.ics", include_in_schema=False)
def events_calendar(request: Request):
    lang = page_lang(request)
    today = datetime.now(request.app.state.pages.timezone).date()
    site = (request.query_params.get("site") or "").strip()[:200] or None
    with request.app.state.engine.connect() as conn:
        kiosk_ids = public_themes.site_kiosks(conn, site) if site else None
        if site and not kiosk_ids:
            return render_page(
                request,
                "public/not_found.html",
                {"what": "theme"},
                lang=lang,
                public=True,
                status_code=404,
            )
        events = public_themes.upcoming_events(conn, today, kiosk_ids=kiosk_ids, limit=50)
    body = events_ics(events, lang, url=f"{_base(request)}/themes?lang={lang}")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            **_SECURITY,
            **OPEN_HEADERS,
            "Content-Disposition": 'inline; filename="kayttajatori.ics"',
        },
    )
