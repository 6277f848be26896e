"""The server's one page renderer, for the staff dashboard and the public follow-up page alike.

``create_app`` builds one :class:`PageRenderer` and keeps it as ``app.state.pages``: a Jinja
environment per language (the language's gettext catalogue installed), the date filter in the
display time zone of the settings, and the cache-busting hashes of our static files, all made
once per app, never at import. :func:`render_page` renders a template with the renderer of the
request's app, autoescaping everything (stories and names are untrusted text) and adding the
security headers the page kind needs. Static files (our own CSS and images, no third-party
resources) are served by :mod:`sync.server.resources.static`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from sync.server.domain.i18n import LANGS, translations

__all__ = [
    "PUBLIC_HEADERS",
    "STAFF_HEADERS",
    "STATIC_DIR",
    "TEMPLATE_DIR",
    "FragmentCache",
    "PageRenderer",
    "lang_url",
    "loc",
    "render_page",
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
    """``row[field_<lang>]``, falling back to Finnish when that translation is empty (the
    Finnish value may also be the bare ``row[field]``, as an event's ``location`` is)."""
    return row.get(f"{field}_{lang}") or row.get(f"{field}_fi") or row.get(field) or ""


def clock(value: time | None, lang: str) -> str:
    """A time of day as people write it: ``18.30`` in Finnish and Swedish, ``18:30`` in English."""
    if value is None:
        return ""
    return value.strftime("%H:%M" if lang == "en" else "%H.%M")


def clock_value(value: object) -> str:
    """What an ``<input type=time>`` needs (``18:30``), from a time or the text a form sent."""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value or "")


def _static_hashes(static_dir: Path) -> dict[str, str]:
    # Cache-busting query strings, computed once per app from the files we ship.
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10]
        for p in static_dir.glob("*")
        if p.is_file()
    }


class PageRenderer:
    """Jinja environments (one per language), the date filter and the static files' hashes.

    Times are stored in UTC; people read them in ``display_timezone`` (the city's own time).
    """

    def __init__(
        self,
        display_timezone: str,
        *,
        template_dir: Path = TEMPLATE_DIR,
        static_dir: Path = STATIC_DIR,
    ):
        self.timezone = ZoneInfo(display_timezone)
        self.static_dir = static_dir
        self.static_versions = _static_hashes(static_dir)
        self._envs = {lang: self._environment(lang, template_dir) for lang in LANGS}

    def _environment(self, lang: str, template_dir: Path) -> Environment:
        catalog = translations(lang)
        env = Environment(
            loader=FileSystemLoader(str(template_dir)),
            autoescape=select_autoescape(["html"], default=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # install_gettext_callables is added to the Environment by jinja2.ext.i18n.
        env.install_gettext_callables(catalog.gettext, catalog.ngettext, newstyle=True)  # type: ignore[attr-defined]
        env.filters["date"] = self.format_date
        env.globals.update(
            loc=loc,
            clock=clock,
            clock_value=clock_value,
            LANGS=LANGS,
            static_url=self.static_url,
            lang_url=lang_url,
        )
        return env

    def format_date(self, value: date | datetime | None, lang: str = "fi") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            if value.tzinfo is None:  # SQLite hands back naive UTC
                value = value.replace(tzinfo=UTC)
            try:
                local = value.astimezone(self.timezone)
            except (OverflowError, ValueError):
                # Rows stored before created_at was bounded may lie at the ends of the calendar,
                # where the local time does not exist; show them in UTC rather than fail the page.
                local = value.astimezone(UTC)
                return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local:%H:%M} UTC"
            return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local:%H:%M}"
        if lang == "en":
            return f"{value.day} {value:%b} {value.year:04d}"
        return f"{value.day}.{value.month}.{value.year}"

    def static_url(self, name: str) -> str:
        return f"/static/{name}?v={self.static_versions.get(name, '0')}"

    def fragment(self, template: str, context: Mapping, *, lang: str) -> Markup:
        """A piece of a page (already escaped HTML) in ``lang``, to be placed into a page."""
        return Markup(self.render(template, context, lang=lang))

    def render(self, template: str, context: Mapping, *, lang: str) -> str:
        """``template`` rendered in ``lang`` (Finnish for a language we do not have)."""
        env = self._envs.get(lang) or self._envs["fi"]
        return env.get_template(template).render({**context, "lang": lang})

    def page(
        self,
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
        html = self.render(template, {**context, "request": request}, lang=lang)
        all_headers = dict(PUBLIC_HEADERS if public else STAFF_HEADERS)
        all_headers["Content-Language"] = lang
        all_headers.update(headers or {})
        return HTMLResponse(html, status_code=status_code, headers=all_headers)


class FragmentCache:
    """Rendered pieces of pages, by a key that holds everything the piece shows (at most
    ``limit``, least recently used first out; safe from several threads).

    Same key, same HTML: the database stays the only truth, the cache only spares rendering
    the same data again. ``create_app`` keeps one as ``app.state.fragments``.
    """

    def __init__(self, limit: int = 512):
        self.limit = limit
        self._pieces: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], Markup]) -> Markup:
        with self._lock:
            piece = self._pieces.get(key)
            if piece is not None:
                self._pieces.move_to_end(key)
                return piece
        piece = render()
        with self._lock:
            self._pieces[key] = piece
            while len(self._pieces) > self.limit:
                self._pieces.popitem(last=False)
        return piece


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
    """:meth:`PageRenderer.page` with the renderer of the request's app."""
    pages: PageRenderer = request.app.state.pages
    return pages.page(
        request,
        template,
        context,
        lang=lang,
        public=public,
        status_code=status_code,
        headers=headers,
    )
