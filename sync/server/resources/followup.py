"""The public follow-up page ``/f/<token>``: the QR code's target, "you said — we did".

No login: the follow-up token (144 random bits) is the key. A caller may rely on:
- ``GET /f/<token>`` showing the visit's face, themes and story, each theme's velho, path (the
  current step marked) and status updates, and the coming events at the visit's kiosk (its own
  or for all kiosks); in fi/sv/en from ``?lang=``, then Accept-Language, then the language
  used at the kiosk. Headers: ``Referrer-Policy:
  no-referrer``, ``X-Robots-Tag: noindex``; nothing is loaded from a third party.
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
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import and_, bindparam, exists, literal, or_, select, union_all, update

from sync.server.db.engine import write_connection
from sync.server.db.tables import (
    event_kiosks,
    events,
    records,
    theme_steps,
    theme_updates,
    themes,
)
from sync.server.domain.calendar_ics import events_ics
from sync.server.domain.i18n import LANGS, negotiate
from sync.server.domain.theme_path import current_step_index
from sync.server.resources.staff_render import PUBLIC_HEADERS, render_fragment, render_page

__all__ = ["router", "withdraw_token"]

router = APIRouter()
MAX_RECORDS = 20  # one visit has a handful of records; more means a misbehaving kiosk
UPCOMING_EVENTS = 5
_NO_THEME = "\x00"  # matches no theme id; keeps the query shape of an unknown token the same


def withdraw_token(secret: bytes, token: str) -> str:
    """The form value that proves a withdraw came from the page of ``token``."""
    return hmac.new(secret, b"withdraw:" + token.encode(), hashlib.sha256).hexdigest()[:32]


# Built once: executing a prepared statement skips SQLAlchemy's per-call construction work,
# which is most of the page's database cost on SQLite.
_RECORDS = (
    select(
        records.c.kind,
        records.c.rating,
        records.c.theme_ids,
        records.c.story,
        records.c.story_redacted,
        records.c.story_status,
        records.c.created_at,
        records.c.event_id,
        records.c.lang,
        records.c.kiosk_id,
    )
    .where(records.c.follow_up_token == bindparam("token"))
    .order_by(records.c.created_at)
    .limit(MAX_RECORDS)
)
_IDS: Any = bindparam("ids", expanding=True)
_THEMES = select(themes).where(themes.c.id.in_(_IDS))
# Steps and updates in one round trip: the same columns, told apart by "part".
_PARTS = union_all(
    select(
        theme_steps.c.theme_id,
        literal("step").label("part"),
        theme_steps.c.step_date.label("day"),
        theme_steps.c.id,
        theme_steps.c.title_fi.label("fi"),
        theme_steps.c.title_sv.label("sv"),
        theme_steps.c.title_en.label("en"),
        theme_steps.c.done,
    ).where(theme_steps.c.theme_id.in_(_IDS)),
    select(
        theme_updates.c.theme_id,
        literal("update"),
        theme_updates.c.update_date,
        theme_updates.c.id,
        theme_updates.c.text_fi,
        theme_updates.c.text_sv,
        theme_updates.c.text_en,
        literal(False),
    ).where(theme_updates.c.theme_id.in_(_IDS)),
)
# The visit's own event, and the coming ones at the visit's kiosk: events that list that kiosk
# or list none (for all kiosks). On a region's server, other libraries' events stay out.
_AT_KIOSK = or_(
    exists().where(
        event_kiosks.c.event_id == events.c.id, event_kiosks.c.kiosk_id == bindparam("kiosk")
    ),
    ~exists().where(event_kiosks.c.event_id == events.c.id),
)
_EVENTS = (
    select(events)
    .where(
        or_(
            and_(events.c.event_date >= bindparam("today"), _AT_KIOSK),
            events.c.id == bindparam("event"),
        )
    )
    .order_by(events.c.event_date)
    .limit(UPCOMING_EVENTS + 1)
)


class _Row(dict):
    """A row whose keys templates read as attributes without Jinja's exception-driven fallback
    from ``getattr`` to ``[]`` (that fallback was a visible share of the page's render time)."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _load(conn, token: str, today) -> dict:
    """Everything the page shows. Runs the same four queries whether or not the token exists."""
    rows = [_Row(r) for r in conn.execute(_RECORDS, {"token": token}).mappings()]
    theme_ids: list[str] = []
    for row in rows:
        for tid in row["theme_ids"] or []:
            if tid not in theme_ids:
                theme_ids.append(tid)
    wanted = {"ids": theme_ids or [_NO_THEME]}
    theme_rows = {
        r["id"]: _Row(r, steps=[], updates=[]) for r in conn.execute(_THEMES, wanted).mappings()
    }
    for part in conn.execute(_PARTS, wanted):
        theme = theme_rows[part.theme_id]
        if part.part == "step":
            theme["steps"].append(
                _Row(
                    id=part.id,
                    theme_id=part.theme_id,
                    step_date=part.day,
                    title_fi=part.fi,
                    title_sv=part.sv,
                    title_en=part.en,
                    done=bool(part.done),
                )
            )
        else:
            theme["updates"].append(
                _Row(
                    id=part.id,
                    theme_id=part.theme_id,
                    update_date=part.day,
                    text_fi=part.fi,
                    text_sv=part.sv,
                    text_en=part.en,
                )
            )
    for theme in theme_rows.values():
        theme["steps"].sort(key=lambda r: (r["step_date"], r["id"]))
        theme["updates"].sort(key=lambda r: (r["update_date"], r["id"]), reverse=True)
    visit_event = rows[0]["event_id"] if rows else _NO_THEME
    visit_kiosk = rows[0]["kiosk_id"] if rows else _NO_THEME
    event_rows = [
        _Row(r)
        for r in conn.execute(
            _EVENTS, {"today": today, "event": visit_event, "kiosk": visit_kiosk}
        ).mappings()
    ]
    return {
        "records": rows,
        "themes": [theme_rows[t] for t in theme_ids if t in theme_rows],
        "events": event_rows,
    }


_FRAGMENT_LIMIT = 512
_fragments: OrderedDict[tuple, Markup] = OrderedDict()
_fragments_lock = threading.Lock()


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _theme_html(theme: _Row, lang: str, visited_on) -> Markup:
    """One theme's section. Many visitors share a theme, so its HTML is memoised on everything
    it shows: the theme's row, steps and updates as just read from the database, the language,
    and which updates are new since this visit. Same input, same HTML; the database stays the
    only truth, this only spares rendering it again."""
    news = tuple(u["update_date"] >= visited_on for u in theme["updates"])
    key = (lang, _freeze(theme), news)
    with _fragments_lock:
        html = _fragments.get(key)
        if html is not None:
            _fragments.move_to_end(key)
            return html
    html = render_fragment("public/_theme.html", {"t": theme, "visited_on": visited_on}, lang=lang)
    with _fragments_lock:
        _fragments[key] = html
        while len(_fragments) > _FRAGMENT_LIMIT:
            _fragments.popitem(last=False)
    return html


def _visit_summary(rows: list[dict]) -> dict:
    """The visit's face, story record and time, from its records."""
    rating = next((r["rating"] for r in rows if r["kind"] == "rating"), None)
    story = next((r for r in rows if r["kind"] == "story"), None)
    return _Row(
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


_SECRETS: dict[str, bytes] = {}


def _secret(request: Request) -> bytes:
    # The key file never changes while the server runs; reading it once per process spares the
    # busiest page two system calls. Every process reads the same file, so they agree.
    settings = request.app.state.settings
    path = str(settings.session_secret_path)
    if path not in _SECRETS:
        _SECRETS[path] = settings.session_secret()
    return _SECRETS[path]


# The page is CPU work (a few queries and a render). Forty threads doing it at once only fight
# over the GIL; a few at a time finish sooner and answer in order.
PAGE_THREADS = max(1, int(os.environ.get("KT_FOLLOWUP_THREADS", "2")))


def _page_limiter(request: Request) -> CapacityLimiter:
    # Made inside the running event loop, once per app (a limiter belongs to its loop).
    limiter = getattr(request.app.state, "followup_limiter", None)
    if limiter is None:
        limiter = request.app.state.followup_limiter = CapacityLimiter(PAGE_THREADS)
    return limiter


@router.get("/f/{token}", include_in_schema=False)
async def follow_up_endpoint(token: str, request: Request):
    return await to_thread.run_sync(follow_up_page, token, request, limiter=_page_limiter(request))


def follow_up_page(token: str, request: Request):
    """Build the follow-up page (called in a worker thread)."""
    today = datetime.now(UTC).date()
    token = token[:64]
    with request.app.state.engine.connect() as conn:
        data = _load(conn, token, today)
    # Computed for unknown tokens too, so both answers cost the same.
    proof = withdraw_token(_secret(request), token)
    visit = _visit_summary(data["records"])
    lang = _lang(request, visit["kiosk_lang"])
    if not data["records"]:
        return render_page(
            request, "public/not_found.html", {}, lang=lang, public=True, status_code=404
        )
    visited_on = visit["visited_at"].date() if visit["visited_at"] else today
    for theme in data["themes"]:
        theme["current_step"] = current_step_index(theme["steps"], today)
        theme["html"] = _theme_html(theme, lang, visited_on)
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
            "themes": data["themes"],
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
    erased = await to_thread.run_sync(_erase_story, request.app.state.engine, token)
    if not erased:
        return render_page(
            request, "public/not_found.html", {}, lang=lang, public=True, status_code=404
        )
    return RedirectResponse(
        f"/f/{token}?lang={lang}&withdrawn=1", status_code=303, headers=dict(PUBLIC_HEADERS)
    )


def _erase_story(engine, token: str) -> bool:
    """Erase the visit's story text for good; False when the token has no story."""
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        result = conn.execute(
            update(records)
            .where(records.c.follow_up_token == token, records.c.kind == "story")
            .values(
                story=None,
                story_redacted=None,
                story_status="withdrawn",
                moderated_at=now,
                moderated_by="visitor",
            )
        )
    return result.rowcount > 0


def _confirm_page(token: str, request: Request, lang: str, proof: str):
    with request.app.state.engine.connect() as conn:
        rows = conn.execute(_RECORDS, {"token": token}).mappings().all()
    story = next((r for r in rows if r["kind"] == "story"), None)
    if story is None or story["story_status"] == "withdrawn":
        return RedirectResponse(
            f"/f/{token}?lang={lang}", status_code=303, headers=dict(PUBLIC_HEADERS)
        )
    return render_page(
        request,
        "public/withdraw_confirm.html",
        {"token": token, "wt": proof, "story": _Row(story)},
        lang=lang,
        public=True,
    )


@router.get("/f/{token}/events.ics", include_in_schema=False)
def events_calendar(token: str, request: Request):
    today = datetime.now(UTC).date()
    token = token[:64]
    with request.app.state.engine.connect() as conn:
        data = _load(conn, token, today)
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
