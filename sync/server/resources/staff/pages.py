"""Staff pages: Overview, Batches (list, one batch), Stories (moderation queue) and Events.

Every route depends on :func:`require_staff_page` (HTML) or :func:`require_staff_api` (JSON),
and every POST on :func:`check_csrf`. Themes, Pictures and Exports live in their own modules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sync.protocol import LANGS
from sync.server.db import dashboard as q
from sync.server.db import plans as plan
from sync.server.domain import stats
from sync.server.domain.i18n import translations
from sync.server.domain.labels import age_group_label, district_label
from sync.server.domain.privacy_gate import MIN_REASON_CHARS
from sync.server.domain.theme_path import theme_warnings
from sync.server.resources.staff.audit import actor_of
from sync.server.resources.staff.auth import (
    ApiUser,
    CsrfForm,
    PageUser,
    StaffForbidden,
    StaffUser,
    error_text,
    staff_lang,
    staff_page,
)
from sync.server.resources.staff.event_answers import answer_fields, answer_labels
from sync.server.resources.staff.forms import (
    FormError,
    checkbox,
    clock_time,
    iso_date,
    slug,
    text,
)
from sync.server.resources.staff.sites import editable_sites, site_value

__all__ = ["router"]

router = APIRouter()


def _engine(request: Request):
    return request.app.state.engine


# Long lists (batches, stories) show PAGE_SIZE rows a page; one row more is read to know
# whether a next page exists. MAX_PAGE keeps the SQL offset far inside a 32-bit integer.
PAGE_SIZE = 100
MAX_PAGE = 1_000_000


def _page_number(value: object) -> int:
    """A ``page`` parameter as a page index; anything but a number 0..MAX_PAGE is page 0."""
    try:
        page = int(str(value))
    except ValueError:
        return 0
    return page if 0 <= page <= MAX_PAGE else 0


@router.get("/staff", include_in_schema=False)
@router.get("/staff/", include_in_schema=False)
def overview(request: Request, user: PageUser):
    now = datetime.now(UTC)
    settings = request.app.state.settings
    since = now - timedelta(weeks=settings.mood_weeks)
    with _engine(request).connect() as conn:
        kiosk_rows = q.kiosk_overview(
            conn, now, ZoneInfo(settings.display_timezone), scope=user.scope
        )
        stories = q.story_counts(conn, scope=user.scope)
        theme_rows = plan.theme_list(conn, include_inactive=False, scope=user.scope)
        recent = q.mood_rows(conn, since, scope=user.scope)
    warnings = [(t, code) for t in theme_rows for code in theme_warnings(t, t["steps"], now.date())]
    # Mood per theme side by side, per visit (its last answer), quick repeats left out.
    mood = stats.mood_by_theme(
        stats.visit_faces(recent["ratings"]), recent["choices"], [t["id"] for t in theme_rows]
    )
    names = {t["id"]: t for t in theme_rows}
    gettext = translations(staff_lang(request)).gettext
    missing = [
        age_group_label(g, gettext)
        for g in stats.missing(
            stats.participation(recent["people"], "age_group", settings.age_groups),
            settings.age_groups,
        )
    ] + [
        district_label(d)
        for d in stats.missing(
            stats.participation(recent["people"], "district", settings.districts),
            settings.districts,
        )
    ]
    sites: dict[str, list] = {}
    for row in kiosk_rows:
        sites.setdefault(row["site"], []).append(row)
    return staff_page(
        request,
        user,
        "staff/overview.html",
        {
            "sites": sites,
            "stories": stories,
            "theme_warnings": warnings,
            "now": now,
            "mood": [m | {"theme": names[m["theme_id"]]} for m in mood],
            "mood_weeks": settings.mood_weeks,
            "missing": missing,
        },
        active="overview",
    )


@router.get("/staff/api/overview")
def overview_json(request: Request, user: ApiUser):
    """Per kiosk: last batch, visits (not records) today and this week, whether it has been
    silent > 24 h."""
    with _engine(request).connect() as conn:
        zone = ZoneInfo(request.app.state.settings.display_timezone)
        rows = q.kiosk_overview(conn, datetime.now(UTC), zone, scope=user.scope)
    keep = ("id", "name", "site", "today", "week", "silent", "reported_pending")
    return [
        {k: r[k] for k in keep}
        | {
            "last_batch_at": r["last_batch_at"].isoformat() if r["last_batch_at"] else None,
            "last_seen_at": r["last_seen_at"].isoformat() if r["last_seen_at"] else None,
        }
        for r in rows
    ]


@router.get("/staff/batches", include_in_schema=False)
def batches_page(request: Request, user: PageUser):
    return batches_response(request, user)


def batches_response(
    request: Request, user: StaffUser, extra: dict | None = None, status_code: int = 200
):
    """The Batches page; ``extra`` adds to its context (the USB import's result or error)."""
    kiosk_id = request.query_params.get("kiosk") or None
    page = _page_number(request.query_params.get("page", "0"))
    with _engine(request).connect() as conn:
        rows = q.batch_list(
            conn, kiosk_id, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE, scope=user.scope
        )
        kiosks = plan.kiosk_choices(conn, scope=user.scope)
    return staff_page(
        request,
        user,
        "staff/batches.html",
        {
            "batches": rows[:PAGE_SIZE],
            "more": len(rows) > PAGE_SIZE,
            "page": page,
            "kiosks": kiosks,
            "kiosk_id": kiosk_id,
            **(extra or {}),
        },
        active="batches",
        status_code=status_code,
    )


@router.get("/staff/batches/{batch_id}", include_in_schema=False)
def batch_page(batch_id: str, request: Request, user: PageUser):
    with _engine(request).connect() as conn:
        batch, rows = q.batch_detail(conn, batch_id, scope=user.scope)
    if batch is None:
        raise HTTPException(status_code=404, detail="no such batch")
    return staff_page(
        request, user, "staff/batch.html", {"batch": batch, "records": rows}, active="batches"
    )


# --- stories


def _stories_page(
    request: Request,
    user: StaffUser,
    *,
    error: str = "",
    status_code: int = 200,
    error_story: str = "",
):
    status = request.query_params.get("status", q.PENDING)
    if status not in q.STORY_STATUSES:
        status = q.PENDING
    page = _page_number(request.query_params.get("page", "0"))
    with _engine(request).connect() as conn:
        rows = q.story_queue(
            conn, status, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE, scope=user.scope
        )
        counts = q.story_counts(conn, scope=user.scope)
    return staff_page(
        request,
        user,
        "staff/stories.html",
        {
            "stories": rows[:PAGE_SIZE],
            "more": len(rows) > PAGE_SIZE,
            "page": page,
            "status": status,
            "counts": counts,
            # An error about one story is shown on its card, where the moderator is looking.
            "error": "" if error_story else error,
            "story_error": error,
            "error_story": error_story,
            "min_reason": MIN_REASON_CHARS,
            "statuses": q.STORY_STATUSES,
        },
        active="stories",
        status_code=status_code,
    )


@router.get("/staff/stories", include_in_schema=False)
def stories_page(request: Request, user: PageUser):
    return _stories_page(request, user)


@router.post("/staff/stories/{record_id}", include_in_schema=False)
def moderate(
    record_id: str,
    request: Request,
    user: PageUser,
    form: CsrfForm,
):
    action = str(form.get("action", ""))
    try:
        q.moderate_story(
            _engine(request),
            record_id,
            action,
            actor_of(request, user),
            passage=str(form.get("passage", "")),
            finding=str(form.get("finding", "")),
            reason=str(form.get("reason", "")),
            scope=user.scope,
        )
    except LookupError:
        raise HTTPException(status_code=404, detail="no such story") from None
    except ValueError as exc:
        return _stories_page(
            request, user, error=error_text(request, exc), status_code=400, error_story=record_id
        )
    back = str(form.get("back_status", q.PENDING))
    back = back if back in q.STORY_STATUSES else q.PENDING
    # Back to the page the story was moderated on; page 0 keeps the plain URL.
    back_page = _page_number(form.get("back_page", "0"))
    page_param = f"&page={back_page}" if back_page else ""
    return RedirectResponse(
        f"/staff/stories?status={back}{page_param}&done={action}", status_code=303
    )


@router.get("/staff/api/stories")
def stories_json(request: Request, user: ApiUser, response: Response):
    """The moderation queue as JSON: id, text, status and the personal-data findings.

    ``status`` picks the queue (pending, approved, hidden, withdrawn; anything else is pending).
    The answer is one page of at most 100 stories, flagged ones first, then oldest first;
    ``page`` (0, the default, is the first page) picks which; anything but a whole number from
    0 to 1000000 is page 0. When a further page exists the response has a
    ``Link: <...>; rel="next"`` header; a page with fewer than 100 stories (possibly none) is
    the last.
    """
    status = request.query_params.get("status", q.PENDING)
    status = status if status in q.STORY_STATUSES else q.PENDING
    page = _page_number(request.query_params.get("page", "0"))
    with _engine(request).connect() as conn:
        rows = q.story_queue(
            conn, status, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE, scope=user.scope
        )
    if len(rows) > PAGE_SIZE:
        response.headers["Link"] = (
            f'</staff/api/stories?status={status}&page={page + 1}>; rel="next"'
        )
    return [
        {
            "id": r["id"],
            "story": r["story_redacted"] or r["story"],
            "status": r["story_status"] or q.PENDING,
            "personal_data_suspected": bool(r["personal_data_suspected"]),
            "findings": [f.kind for f in r["findings"]],
            "manually_flagged": r["privacy"].manually_flagged,
            "published_despite_findings": bool(r["privacy"].override_reason),
        }
        for r in rows[:PAGE_SIZE]
    ]


# --- events


def _events_page(
    request: Request,
    user: StaffUser,
    *,
    error: str = "",
    form: dict | None = None,
    status_code: int = 200,
    edit_id: str | None = None,
):
    with _engine(request).connect() as conn:
        rows = plan.event_list(conn, scope=user.scope)
        kiosks = plan.kiosk_choices(conn, scope=user.scope)
        sites = editable_sites(conn, user)
    editing = next((e for e in rows if e["id"] == edit_id), None)
    if editing is not None:
        editing = editing | answer_fields(editing)
    ended_ids = set(request.query_params.get("ended", "").split(",")) - {""}
    ended = [e for e in rows if e["id"] in ended_ids]
    return staff_page(
        request,
        user,
        "staff/events.html",
        {
            "events": rows,
            "kiosks": kiosks,
            "error": error,
            "form": form or {},
            "editing": editing,
            "ended": ended,
            "sites": sites,
        },
        active="events",
        status_code=status_code,
    )


@router.get("/staff/events", include_in_schema=False)
def events_page(request: Request, user: PageUser):
    return _events_page(request, user, edit_id=request.query_params.get("edit"))


def _event_values(form: dict) -> dict:
    values = {"id": slug(form, "id", event_id=True), "event_date": iso_date(form, "event_date")}
    for lang in LANGS:
        values[f"name_{lang}"] = text(form, f"name_{lang}", required=lang == "fi")
        values[f"question_{lang}"] = text(
            form, f"question_{lang}", required=lang == "fi", max_length=300
        )
    values["location"] = text(form, "location")
    values["location_sv"] = text(form, "location_sv")
    values["location_en"] = text(form, "location_en")
    starts, ends = clock_time(form, "start_time"), clock_time(form, "end_time")
    if ends and not starts:
        raise FormError("start_time: give the start time too, or leave both times empty.")
    if starts and ends and ends <= starts:
        raise FormError("end_time: the event must end after it starts.")
    values["start_time"], values["end_time"] = starts, ends
    values["answer_labels"] = answer_labels(form)
    if "site" in form:  # absent: the event keeps its site
        values["site"] = site_value(form)
    return values


@router.post("/staff/events", include_in_schema=False)
def save_event(
    request: Request,
    user: PageUser,
    form: CsrfForm,
):
    create = not checkbox(form, "existing")
    try:
        values = _event_values(form)
        kiosk_ids = [str(k) for k in form["_multi"].getlist("kiosks")]
        plan.save_event(_engine(request), values, kiosk_ids, create=create, scope=user.scope)
    except PermissionError:
        raise StaffForbidden(user) from None
    except (ValueError, LookupError) as exc:  # FormError is a ValueError
        return _events_page(
            request,
            user,
            error=error_text(request, exc),
            form=form,
            status_code=400,
            edit_id=None if create else form.get("id"),
        )
    return RedirectResponse("/staff/events?done=saved", status_code=303)


@router.post("/staff/events/{event_id}/activate", include_in_schema=False)
def activate_event(
    event_id: str,
    request: Request,
    user: PageUser,
    form: CsrfForm,
):
    try:
        ended = plan.activate_event(_engine(request), event_id, scope=user.scope)
    except LookupError:
        raise HTTPException(status_code=404, detail="no such event") from None
    except PermissionError:
        raise StaffForbidden(user) from None
    # Say which events this ended: at a region's server they may be another library's.
    query = urlencode(
        {"done": "activated", "ended": ",".join(ended)} if ended else {"done": "activated"}
    )
    return RedirectResponse(f"/staff/events?{query}", status_code=303)
