"""The public theme pages ``/themes``, ``/themes/<id>`` and the lobby display ``/wall``.

No login; fi/sv/en from ``?lang=``, then Accept-Language. A caller may rely on:
- only active themes being shown; a velho's contact only when public; story text only from
  :func:`sync.server.db.story_privacy.publishable_stories`; mood and participation only as
  counts of at least five visits ("fewer than 5" otherwise), see
  :mod:`sync.server.domain.public_stats`.
- ``?site=<library>`` narrowing stories and events to that library's kiosks (an unknown
  library is a 404); the mood picture stays region-wide.
- ``/themes`` and ``/themes/<id>`` being for everyone (search engines may list them, shared
  caches may keep them a minute); ``/wall`` is a screen, not a page to find: not indexed.
- every answer carrying the follow-up page's security headers: our CSP (no third-party loads,
  no inline script), ``Referrer-Policy: no-referrer``, ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from markupsafe import Markup

from sync.server.db import public_themes
from sync.server.domain.i18n import negotiate, translations
from sync.server.domain.labels import FACE_LABELS
from sync.server.domain.mood_picture import mood_description, mood_svg
from sync.server.domain.public_stats import shown_count
from sync.server.domain.theme_path import current_step_index
from sync.server.resources.public_cache import PageCache
from sync.server.resources.rendering import PUBLIC_HEADERS, render_page

__all__ = ["OPEN_HEADERS", "WALL_HEADERS", "install", "page_lang", "picture_of", "router"]

router = APIRouter()

# Pages for everyone: search engines may list them; a shared cache may keep them a minute.
OPEN_HEADERS = {"X-Robots-Tag": "all", "Cache-Control": "public, max-age=60"}
# The lobby display fetches itself every few minutes (so its script may connect to us, and
# only to us) and must get the newest view each time.
WALL_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": PUBLIC_HEADERS["Content-Security-Policy"] + "; connect-src 'self'",
}
WALL_STORIES = 2
PHONE_MONTHS = 6
WALL_STEPS = 4
WALL_ROTATE_SECONDS = 20
WALL_REFRESH_SECONDS = 300


def install(app: FastAPI) -> None:
    """Give the app its cache of the pages everyone sees alike (see ``public_cache``)."""
    app.state.public_cache = PageCache()


def _cached(request: Request, lang: str, render):
    key = (request.url.path, request.url.query, lang)
    return request.app.state.public_cache.get_or_render(key, render)


def page_lang(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def _site(request: Request, conn) -> tuple[str | None, list[str] | None, bool]:
    """``(site, its kiosk ids, known)``; no ``?site=``: ``(None, None, True)``."""
    site = (request.query_params.get("site") or "").strip()[:200]
    if not site:
        return None, None, True
    kiosk_ids = public_themes.site_kiosks(conn, site)
    return site, kiosk_ids, bool(kiosk_ids)


def picture_of(view: dict[str, Any], lang: str, ident: str) -> dict[str, Any]:
    """The mood picture of a theme view: inline SVG, its text alternative, the table rows."""
    gettext = translations(lang).gettext
    names = [f"{m.month.month}/{m.month.year}" for m in view["mood"]]
    faces = {f: gettext(label) for f, label in FACE_LABELS.items()}
    title = gettext("Mood month by month")
    description = mood_description(
        view["mood"], names, title=title, face_names=faces, gettext=gettext
    )
    svg = mood_svg(
        view["mood"],
        title=title,
        description=description,
        face_names=faces,
        ident=ident,
    )
    # Phones get the last six months drawn narrow, so the text stays readable once scaled.
    recent = view["mood"][-PHONE_MONTHS:]
    small = mood_svg(
        recent,
        title=title,
        description=mood_description(
            recent, names[-PHONE_MONTHS:], title=title, face_names=faces, gettext=gettext
        ),
        face_names=faces,
        ident=ident + "-s",
        width=360,
        extra_class=" narrow",
    )
    return {
        "svg": Markup(svg),  # noqa: S704 - built from numbers and escaped names only
        "svg_small": Markup(small),  # noqa: S704 - likewise
        "description": description,
        "rows": list(zip(names, view["mood"], strict=True)),
        "faces": faces,
    }


def _now_local(request: Request) -> datetime:
    return datetime.now(request.app.state.pages.timezone)


@router.get("/themes", include_in_schema=False)
def themes_page(request: Request):
    lang = page_lang(request)
    return _cached(request, lang, lambda: _themes_page(request, lang))


def _themes_page(request: Request, lang: str):
    today = _now_local(request).date()
    with request.app.state.engine.connect() as conn:
        site, kiosk_ids, known = _site(request, conn)
        if not known:
            return _no_such(request, lang)
        themes = public_themes.active_themes(conn)
        counts = public_themes.theme_visit_counts(conn, kiosk_ids=kiosk_ids)
        events = public_themes.upcoming_events(conn, today, kiosk_ids=kiosk_ids)
        libraries = public_themes.sites(conn)
    for t in themes:
        t["current_step"] = current_step_index(t["steps"], today)
        t["visits"] = shown_count(counts.get(t["id"], 0))
    return render_page(
        request,
        "public/themes.html",
        {
            "themes": themes,
            "events": events,
            "site": site,
            "sites": libraries,
            "site_query": _site_query(site, lang),
            "webcal": _webcal(request, site),
        },
        lang=lang,
        public=True,
        headers=OPEN_HEADERS,
    )


def _site_query(site: str | None, lang: str) -> str:
    return urlencode([*([("site", site)] if site else []), ("lang", lang)])


def _webcal(request: Request, site: str | None) -> str:
    base = request.app.state.settings.public_base_url.rstrip("/")
    scheme, _, rest = base.partition("://")
    query = "?" + urlencode({"site": site}) if site else ""
    return f"webcal://{rest or scheme}/events.ics{query}"


def _no_such(request: Request, lang: str):
    return render_page(
        request,
        "public/not_found.html",
        {"what": "theme"},
        lang=lang,
        public=True,
        status_code=404,
    )


@router.get("/themes/{theme_id}", include_in_schema=False)
def theme_page(theme_id: str, request: Request):
    lang = page_lang(request)
    return _cached(request, lang, lambda: _theme_page(theme_id, request, lang))


def _theme_page(theme_id: str, request: Request, lang: str):
    today = _now_local(request).date()
    zone = request.app.state.pages.timezone
    with request.app.state.engine.connect() as conn:
        site, kiosk_ids, known = _site(request, conn)
        row = public_themes.theme(conn, theme_id[:64]) if known else None
        if row is None:
            return _no_such(request, lang)
        view = public_themes.theme_view(conn, row, today=today, zone=zone, kiosk_ids=kiosk_ids)
    return render_page(
        request,
        "public/theme.html",
        {
            "t": view,
            "picture": picture_of(view, lang, "mood"),
            "site": site,
            "site_query": _site_query(site, lang),
        },
        lang=lang,
        public=True,
        headers=OPEN_HEADERS,
    )


def _path_window(view: dict[str, Any]) -> dict[str, Any]:
    """The view with at most :data:`WALL_STEPS` steps: the last one done, the current one and
    the next ones (a screen has no room to scroll)."""
    current = view["current_step"]
    steps = view["steps"]
    if len(steps) <= WALL_STEPS:
        return view
    start = len(steps) - WALL_STEPS if current is None else max(0, current - 1)
    start = min(start, len(steps) - WALL_STEPS)
    return {
        **view,
        "steps": steps[start : start + WALL_STEPS],
        "current_step": None if current is None else current - start,
    }


@functools.lru_cache(maxsize=64)
def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG (black modules on the page's white)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # Sized by the page's CSS, not in millimetres; hidden from screen readers (the URL is text).
    svg = svg.replace("<svg ", '<svg class="qr" aria-hidden="true" focusable="false" ', 1)
    for attr in ('width="', 'height="'):
        start = svg.find(attr)
        if start != -1 and start < svg.find(">"):
            end = svg.find('"', start + len(attr))
            svg = svg[:start] + svg[end + 2 :]
    return Markup(svg)  # noqa: S704 - made by qrcode from our own URL


@router.get("/wall", include_in_schema=False)
def wall_page(request: Request):
    lang = page_lang(request)
    return _cached(request, lang, lambda: _wall_page(request, lang))


def _wall_page(request: Request, lang: str):
    now = _now_local(request)
    today = now.date()
    zone = request.app.state.pages.timezone
    with request.app.state.engine.connect() as conn:
        site, kiosk_ids, known = _site(request, conn)
        if not known:
            return _no_such(request, lang)
        views = [
            public_themes.theme_view(
                conn, t, today=today, zone=zone, kiosk_ids=kiosk_ids, stories=WALL_STORIES
            )
            for t in public_themes.active_themes(conn)
        ]
        events = public_themes.upcoming_events(conn, today, kiosk_ids=kiosk_ids, limit=1)
    slides = [
        {"t": _path_window(v), "picture": picture_of(v, lang, f"mood-{i}")}
        for i, v in enumerate(views)
    ]
    base = request.app.state.settings.public_base_url.rstrip("/")
    themes_url = f"{base}/themes?{_site_query(site, lang)}"
    return render_page(
        request,
        "public/wall.html",
        {
            "slides": slides,
            "event": events[0] if events else None,
            "site": site,
            "qr": qr_svg(themes_url),
            "themes_url": themes_url,
            "updated": now,
            "updated_iso": datetime.now(UTC).isoformat(timespec="seconds"),
            "rotate_seconds": WALL_ROTATE_SECONDS,
            "refresh_seconds": WALL_REFRESH_SECONDS,
        },
        lang=lang,
        public=True,
        headers=WALL_HEADERS,
    )
