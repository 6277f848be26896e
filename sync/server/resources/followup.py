"""The public follow-up page ``/f/<token>``: the QR code's target, "you said — we did".

No login: the follow-up token (144 random bits) is the key. A caller may rely on:
- ``GET /f/<token>`` showing the visit's face, themes and story, each theme's velho, path (the
  current step marked) and status updates, and the coming events at the visit's kiosk (its own
  or for all kiosks); in fi/sv/en from ``?lang=``, then Accept-Language, then the language
  used at the kiosk. Headers: ``Referrer-Policy: no-referrer``, ``X-Robots-Tag: noindex``;
  nothing is loaded from a third party. What it reads comes from ``sync.server.db.follow_up``;
  this module renders it with plain templates, each theme's section kept in
  ``app.state.fragments`` by everything it shows (many visitors share a theme). At most
  ``app.state.followup_limiter`` pages are built at once (see
  :func:`sync.server.app.followup_threads`).
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
from datetime import UTC, date, datetime
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from sync.server.db.follow_up import UPCOMING_EVENTS, erase_story, load_follow_up, visit_records
from sync.server.db.retention import follow_up_expired
from sync.server.domain.answers import last_answer
from sync.server.domain.calendar_ics import events_ics
from sync.server.domain.i18n import LANGS, negotiate
from sync.server.domain.privacy_gate import publishable
from sync.server.domain.theme_path import current_step_index, path_progress
from sync.server.input_guard import attachment, same_secret
from sync.server.resources.rendering import PUBLIC_HEADERS, render_page

__all__ = ["router", "withdraw_token"]

router = APIRouter()


def withdraw_token(secret: bytes, token: str) -> str:
    """The form value that proves a withdraw came from the page of ``token``."""
    return hmac.new(secret, b"withdraw:" + token.encode(), hashlib.sha256).hexdigest()[:32]


def _theme_section(
    request: Request, theme: dict[str, Any], lang: str, visited_on: date, today: date
) -> Markup:
    """One theme's section, from the cache when the same theme was shown alike before.

    The key is everything the section shows: the theme's row, steps and updates as just read,
    the language, the day and which updates are new since this visit."""
    news = tuple(update["update_date"] >= visited_on for update in theme["updates"])
    key = (
        lang,
        today,
        news,
        tuple(value for name, value in theme.items() if name not in ("steps", "updates")),
        tuple(tuple(step.values()) for step in theme["steps"]),
        tuple(tuple(update.values()) for update in theme["updates"]),
    )

    def render() -> Markup:
        context = {
            "t": {
                **theme,
                "current_step": current_step_index(theme["steps"], today),
                "progress": path_progress(theme["steps"]),
            },
            "visited_on": visited_on,
        }
        return request.app.state.pages.fragment("public/_theme.html", context, lang=lang)

    return request.app.state.fragments.get(key, render)


def _visit_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The visit's face (its last answer: a visitor may go back and choose again), story record
    and time, from its records (oldest first)."""
    rating = last_answer(rows, "rating")
    story = next((r for r in rows if r["kind"] == "story"), None)
    return {
        "rating": rating["rating"] if rating else None,
        "story": story,
        "visited_at": rows[0]["created_at"] if rows else None,
        "event_id": rows[0]["event_id"] if rows else None,
        "kiosk_lang": rows[0]["lang"] if rows else "fi",
    }


def _lang(request: Request, fallback: str) -> str:
    return negotiate(
        request.query_params.get("lang"), request.headers.get("accept-language"), fallback
    )


@router.get("/f/{token}", include_in_schema=False)
async def follow_up_endpoint(token: str, request: Request):
    limiter = request.app.state.followup_limiter
    return await to_thread.run_sync(follow_up_page, token, request, limiter=limiter)


def follow_up_page(token: str, request: Request):
    """Build the follow-up page (called in a worker thread)."""
    today = datetime.now(UTC).date()
    token = token[:64]
    with request.app.state.engine.connect() as conn:
        data = load_follow_up(conn, token, today)
    # Computed for unknown tokens too, so both answers cost the same.
    proof = withdraw_token(request.app.state.session_secret, token)
    visit = _visit_summary(data["records"])
    lang = _lang(request, visit["kiosk_lang"])
    if _expired(request, data):
        return _expired_page(request, lang)
    if not data["records"]:
        return render_page(
            request, "public/not_found.html", {}, lang=lang, public=True, status_code=404
        )
    visited_on = visit["visited_at"].date() if visit["visited_at"] else today
    sections = [_theme_section(request, t, lang, visited_on, today) for t in data["themes"]]
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
            "sections": sections,
            "upcoming": upcoming,
            "wt": proof,
            "withdrawn_now": request.query_params.get("withdrawn") == "1",
            "on_wall": bool(
                visit["story"]
                and data["story_privacy"]
                and publishable(
                    visit["story"]["story_status"],
                    visit["story"]["story_redacted"] or visit["story"]["story"],
                    data["story_privacy"],
                )
            ),
            "langs": LANGS,
        },
        lang=lang,
        public=True,
    )


def _expired(request: Request, data: dict[str, Any]) -> bool:
    """Past ``follow_up_months``: by its newest record, or already tombstoned by purge."""
    if data["expired"]:
        return True
    if not data["records"]:
        return False
    months = request.app.state.settings.follow_up_months
    return follow_up_expired(data["records"][-1]["created_at"], months, datetime.now(UTC))


def _expired_page(request: Request, lang: str):
    return render_page(
        request,
        "public/expired.html",
        {"months": request.app.state.settings.follow_up_months},
        lang=lang,
        public=True,
        status_code=410,
    )


@router.post("/f/{token}/withdraw", include_in_schema=False)
async def withdraw_story(token: str, request: Request):
    form = await request.form()
    token = token[:64]
    lang = _lang(request, "fi")
    given = form.get("wt", "")
    expected = withdraw_token(request.app.state.session_secret, token)
    if not same_secret(given, expected):
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
    if _expired(request, data):
        return _expired_page(request, lang)
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
    name = (chosen or "kayttajatori")[:80]
    return Response(
        events_ics(
            upcoming,
            lang,
            url=f"{request.app.state.settings.public_base_url.rstrip('/')}/f/{token}",
        ),
        media_type="text/calendar; charset=utf-8",
        headers={
            **PUBLIC_HEADERS,
            "Content-Disposition": attachment(f"{name}.ics"),
        },
    )
