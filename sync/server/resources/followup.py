"""The public follow-up page ``/f/<token>``: the QR code's target, "you said — we did".

No login: the follow-up token (144 random bits) is the key. A caller may rely on:
- ``GET /f/<token>`` showing the visit's face, themes and story, each theme's velho, path (the
  current step marked) and status updates, and the coming events at the visit's kiosk (its own
  or for all kiosks); in fi/sv/en from ``?lang=``, then Accept-Language, then the language
  used at the kiosk. Headers: ``Referrer-Policy: no-referrer``, ``X-Robots-Tag: noindex``;
  nothing is loaded from a third party. What it reads comes from ``sync.server.db.follow_up``;
  this module renders it, memoising each theme's section on exactly what was read.
- An unknown token answering 404 after the same database work as a known one.
- ``POST /f/<token>/withdraw`` with the page's ``wt`` field (an HMAC bound to the token) first
  answers with a confirmation page; with ``confirm=yes`` as well it erases the story text for
  good: ``story`` and ``story_redacted`` become NULL, ``story_status`` ``withdrawn``, so exports
  and the kiosks' story wall no longer have it. A wrong ``wt`` is 403 and changes nothing.
- ``GET /f/<token>/events.ics`` (optionally ``?event=<id>``): those coming events as iCalendar.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from typing import NamedTuple

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from sync.server.db.engine import is_sqlite
from sync.server.db.follow_up import (
    STEP,
    UPCOMING_EVENTS,
    UPDATE,
    Row,
    erase_story,
    load_follow_up,
    visit_records,
)
from sync.server.domain.calendar_ics import events_ics
from sync.server.domain.i18n import LANGS, negotiate
from sync.server.domain.theme_path import current_step_index
from sync.server.resources.staff_render import PUBLIC_HEADERS, loc, render_fragment, render_page

__all__ = ["router", "withdraw_token"]

router = APIRouter()


def withdraw_token(secret: bytes, token: str) -> str:
    """The form value that proves a withdraw came from the page of ``token``."""
    return hmac.new(secret, b"withdraw:" + token.encode(), hashlib.sha256).hexdigest()[:32]


class _ThemeView(NamedTuple):
    """One theme as the page shows it: its anchor, its name in the page's language, its section."""

    id: str
    name: str
    html: Markup


_FRAGMENT_LIMIT = 512
_fragments: OrderedDict[tuple, _ThemeView] = OrderedDict()
_fragments_lock = threading.Lock()


def _theme_for_template(rows: tuple[tuple, ...], today) -> Row:
    """The theme with its steps (by date) and updates (newest first), from its rows as read."""
    theme_id, _, _, _, fi, sv, en, _, velho, role_fi, role_sv, role_en, contact, public = rows[0]
    theme = Row(
        id=theme_id,
        name_fi=fi,
        name_sv=sv,
        name_en=en,
        velho_name=velho,
        velho_role_fi=role_fi,
        velho_role_sv=role_sv,
        velho_role_en=role_en,
        velho_contact=contact,
        velho_contact_public=public,
        steps=[],
        updates=[],
    )
    for _, part, day, row_id, fi, sv, en, done, *_velho in rows[1:]:
        if part == STEP:
            theme["steps"].append(
                Row(
                    id=row_id, step_date=day, title_fi=fi, title_sv=sv, title_en=en, done=bool(done)
                )
            )
        else:
            theme["updates"].append(
                Row(id=row_id, update_date=day, text_fi=fi, text_sv=sv, text_en=en)
            )
    theme["updates"].reverse()
    theme["current_step"] = current_step_index(theme["steps"], today)
    return theme


def _theme_view(rows: tuple[tuple, ...], lang: str, visited_on, today) -> _ThemeView:
    """One theme's section. Many visitors share a theme, so its HTML is memoised on everything
    it shows: the theme's row, steps and updates exactly as just read from the database, the
    language, the day (which step is current may depend on it) and which updates are new since
    this visit. Same input, same HTML; the database stays the only truth, this only spares
    building and rendering it again."""
    news = tuple(row[2] >= visited_on for row in rows if row[1] == UPDATE)
    key = (lang, today, rows, news)
    with _fragments_lock:
        view = _fragments.get(key)
        if view is not None:
            _fragments.move_to_end(key)
            return view
    theme = _theme_for_template(rows, today)
    html = render_fragment("public/_theme.html", {"t": theme, "visited_on": visited_on}, lang=lang)
    view = _ThemeView(theme["id"], loc(theme, "name", lang), html)
    with _fragments_lock:
        _fragments[key] = view
        while len(_fragments) > _FRAGMENT_LIMIT:
            _fragments.popitem(last=False)
    return view


def _visit_summary(rows: list[Row]) -> Row:
    """The visit's face (its last: a visitor may go back and change it), story record and time,
    from its records (oldest first)."""
    rating = next((r["rating"] for r in reversed(rows) if r["kind"] == "rating"), None)
    story = next((r for r in rows if r["kind"] == "story"), None)
    return Row(
        rating=rating,
        story=story,
        visited_at=rows[0]["created_at"] if rows else None,
        event_id=rows[0]["event_id"] if rows else None,
        kiosk_lang=rows[0]["lang"] if rows else "fi",
    )


def _lang(request: Request, fallback: str) -> str:
    return negotiate(
        request.query_params.get("lang"), request.headers.get("accept-language"), fallback
    )


def _secret(request: Request) -> bytes:
    # The key file never changes while the server runs; reading it once per app spares the
    # busiest page two system calls (and building its path). Every process reads the same file,
    # so they agree.
    state = request.app.state
    secret = getattr(state, "followup_secret", None)
    if secret is None:
        secret = state.followup_secret = state.settings.session_secret()
    return secret


# The page is CPU work (a few queries and a render) under one GIL: forty threads doing it at once
# only fight over it; a few at a time finish sooner and answer in order. On SQLite the queries are
# CPU work too, so one thread does the pages: a second one only adds GIL hand-offs between the
# two (measured: about a tenth more server CPU per page under load). On PostgreSQL a page also
# waits for network round trips, which a second thread fills with another page's work.
# KT_FOLLOWUP_THREADS overrides both.
_THREADS_SETTING = os.environ.get("KT_FOLLOWUP_THREADS", "")


def _page_threads(engine) -> int:
    if _THREADS_SETTING:
        return max(1, int(_THREADS_SETTING))
    return 1 if is_sqlite(engine) else 2


def _page_limiter(request: Request) -> CapacityLimiter:
    # Made inside the running event loop, once per app (a limiter belongs to its loop).
    state = request.app.state
    limiter = getattr(state, "followup_limiter", None)
    if limiter is None:
        limiter = state.followup_limiter = CapacityLimiter(_page_threads(state.engine))
    return limiter


@router.get("/f/{token}", include_in_schema=False)
async def follow_up_endpoint(token: str, request: Request):
    return await to_thread.run_sync(follow_up_page, token, request, limiter=_page_limiter(request))


def follow_up_page(token: str, request: Request):
    """Build the follow-up page (called in a worker thread)."""
    today = datetime.now(UTC).date()
    token = token[:64]
    with request.app.state.engine.connect() as conn:
        data = load_follow_up(conn, token, today)
    # Computed for unknown tokens too, so both answers cost the same.
    proof = withdraw_token(_secret(request), token)
    visit = _visit_summary(data["records"])
    lang = _lang(request, visit["kiosk_lang"])
    if not data["records"]:
        return render_page(
            request, "public/not_found.html", {}, lang=lang, public=True, status_code=404
        )
    visited_on = visit["visited_at"].date() if visit["visited_at"] else today
    shown = [_theme_view(rows, lang, visited_on, today) for rows in data["themes"]]
    visit_event = next((e for e in data["events"] if e["id"] == visit["event_id"]), None)
    upcoming = [e for e in data["events"] if e["event_date"] >= today][:UPCOMING_EVENTS]
    return render_page(
        request,
        "public/followup.html",
        {
            "token": token,
            "visit": visit,
            "visited_on": visited_on,
            "visit_event": visit_event,
            "themes": shown,
            "upcoming": upcoming,
            "wt": proof,
            "withdrawn_now": request.query_params.get("withdrawn") == "1",
            "langs": LANGS,
        },
        lang=lang,
        public=True,
    )


@router.post("/f/{token}/withdraw", include_in_schema=False)
async def withdraw_story(token: str, request: Request):
    form = await request.form()
    token = token[:64]
    lang = _lang(request, "fi")
    given = form.get("wt", "")
    expected = withdraw_token(_secret(request), token)
    if not isinstance(given, str) or not hmac.compare_digest(given, expected):
        return render_page(
            request,
            "public/not_found.html",
            {"forbidden": True},
            lang=lang,
            public=True,
            status_code=403,
        )
    if form.get("confirm") != "yes":
        # Erasing cannot be undone: first show what will go and ask once more (WCAG 3.3.4).
        return await to_thread.run_sync(_confirm_page, token, request, lang, expected)
    erased = await to_thread.run_sync(erase_story, request.app.state.engine, token)
    if not erased:
        return render_page(
            request, "public/not_found.html", {}, lang=lang, public=True, status_code=404
        )
    return RedirectResponse(
        f"/f/{token}?lang={lang}&withdrawn=1", status_code=303, headers=dict(PUBLIC_HEADERS)
    )


def _confirm_page(token: str, request: Request, lang: str, proof: str):
    with request.app.state.engine.connect() as conn:
        rows = visit_records(conn, token)
    story = next((r for r in rows if r["kind"] == "story"), None)
    if story is None or story["story_status"] == "withdrawn":
        return RedirectResponse(
            f"/f/{token}?lang={lang}", status_code=303, headers=dict(PUBLIC_HEADERS)
        )
    return render_page(
        request,
        "public/withdraw_confirm.html",
        {"token": token, "wt": proof, "story": story},
        lang=lang,
        public=True,
    )


@router.get("/f/{token}/events.ics", include_in_schema=False)
def events_calendar(token: str, request: Request):
    today = datetime.now(UTC).date()
    token = token[:64]
    with request.app.state.engine.connect() as conn:
        data = load_follow_up(conn, token, today)
    lang = _lang(request, _visit_summary(data["records"])["kiosk_lang"])
    if not data["records"]:
        return render_page(
            request, "public/not_found.html", {}, lang=lang, public=True, status_code=404
        )
    chosen = request.query_params.get("event")
    upcoming = [
        e for e in data["events"] if e["event_date"] >= today and (not chosen or e["id"] == chosen)
    ]
    if not upcoming:
        return render_page(
            request, "public/not_found.html", {}, lang=lang, public=True, status_code=404
        )
    name = chosen or "kayttajatori"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]
    return Response(
        events_ics(upcoming, lang),
        media_type="text/calendar; charset=utf-8",
        headers={
            **PUBLIC_HEADERS,
            "Content-Disposition": f'attachment; filename="{safe}.ics"',
        },
    )
