"""Rendering of the server's HTML pages: one Jinja environment, gettext per request, headers.

Both the staff dashboard and the public follow-up page render through :func:`render_page`, which
installs the request language's catalogue, autoescapes everything (stories and names are
untrusted text) and adds the security headers the page kind needs. Static files (our own CSS,
no third-party resources) are served by :data:`static_router` under ``/static/``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from sync.server.domain.i18n import LANGS, translations
from sync.server.resources.staff_template_i18n import make_constant_gettext

__all__ = [
    "STATIC_DIR",
    "TEMPLATE_DIR",
    "loc",
    "render_fragment",
    "render_page",
    "static_router",
    "static_url",
]

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# Our pages load nothing from elsewhere; inline scripts are never needed.
_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_COMMON_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
STAFF_HEADERS = {**_COMMON_HEADERS, "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}
PUBLIC_HEADERS = {
    **_COMMON_HEADERS,
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    # The page is personal (its URL is the key); no shared cache may keep it.
    "Cache-Control": "private, no-store",
}


def loc(row: Mapping, field: str, lang: str) -> str:
    """``row[field_<lang>]``, falling back to Finnish when that translation is empty."""
    return row.get(f"{field}_{lang}") or row.get(f"{field}_fi") or ""


# Times are stored in UTC; people read them in the city's own time (Mikkeli by default).
DISPLAY_TIMEZONE = ZoneInfo(os.environ.get("KT_DISPLAY_TIMEZONE", "Europe/Helsinki"))


def _format_date(value: date | datetime | None, lang: str = "fi") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite hands back naive UTC
            value = value.replace(tzinfo=UTC)
        try:
            local = value.astimezone(DISPLAY_TIMEZONE)
        except (OverflowError, ValueError):
            # Rows stored before created_at was bounded may lie at the ends of the calendar,
            # where the local time does not exist; show them in UTC rather than fail the page.
            local = value.astimezone(UTC)
            return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local:%H:%M} UTC"
        return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local:%H:%M}"
    if lang == "en":
        return f"{value.day} {value:%b} {value.year:04d}"
    return f"{value.day}.{value.month}.{value.year}"


def _make_env(lang: str) -> Environment:
    catalog = translations(lang)
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html"], default=True),
        # Constant strings are translated while compiling (one environment per language), so
        # the follow-up page, the busiest page, renders without a gettext call per label.
        extensions=["jinja2.ext.i18n", make_constant_gettext(catalog.gettext)],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # install_gettext_callables is added to the Environment by jinja2.ext.i18n.
    env.install_gettext_callables(catalog.gettext, catalog.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = _format_date
    env.globals["loc"] = loc
    env.globals["LANGS"] = LANGS
    return env


_ENVS = {lang: _make_env(lang) for lang in LANGS}


def _static_hashes() -> dict[str, str]:
    # Cache-busting query strings, computed once per process from the files we ship.
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10]
        for p in STATIC_DIR.glob("*")
        if p.is_file()
    }


_STATIC_VERSIONS = _static_hashes()


def lang_url(request: Request, lang: str) -> str:
    """The current page in another language, keeping its other query parameters."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "done")]
    path = request.url.path
    if request.method != "GET":
        # A page shown in answer to a form (an error, a confirmation) links to the page the
        # form belongs to: /staff/themes/<id>/steps -> /staff/themes/<id>, /f/<t>/withdraw -> /f/<t>.
        parts = path.strip("/").split("/")
        keep = 3 if parts[:2] == ["staff", "themes"] else 2
        path = "/" + "/".join(parts[:keep])
    return path + "?" + urlencode([*params, ("lang", lang)])


def static_url(name: str) -> str:
    return f"/static/{name}?v={_STATIC_VERSIONS.get(name, '0')}"


for _env in _ENVS.values():
    _env.globals["static_url"] = static_url
    _env.globals["lang_url"] = lang_url


def render_fragment(template: str, context: Mapping, *, lang: str) -> Markup:
    """A piece of a page (already escaped HTML) in ``lang``, to be placed into a page."""
    env = _ENVS.get(lang) or _ENVS["fi"]
    return Markup(env.get_template(template).render({**context, "lang": lang}))


def render_page(
    request: Request,
    template: str,
    context: Mapping,
    *,
    lang: str,
    public: bool = False,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` in ``lang`` with the staff or the public security headers."""
    env = _ENVS.get(lang) or _ENVS["fi"]
    html = env.get_template(template).render({**context, "request": request, "lang": lang})
    all_headers = dict(PUBLIC_HEADERS if public else STAFF_HEADERS)
    all_headers["Content-Language"] = lang
    all_headers.update(headers or {})
    return HTMLResponse(html, status_code=status_code, headers=all_headers)


static_router = APIRouter()


@static_router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    """Our own CSS and images; names are looked up in the folder listing, never joined blindly."""
    if name not in _STATIC_VERSIONS:
        raise HTTPException(status_code=404, detail="no such static file")
    return FileResponse(
        STATIC_DIR / name,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
