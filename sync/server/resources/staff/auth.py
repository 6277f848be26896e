"""Staff sign-in: signed session cookie, CSRF tokens, argon2id passwords, login throttling.

A caller may rely on:
- :func:`require_staff_page` (a dependency) giving the signed-in :class:`StaffUser` or answering
  with a redirect to the login page; :func:`require_staff_api` answering 401 instead.
- :func:`check_csrf` refusing (403) a form whose ``csrf`` field does not match the session.
- The cookie (signed with ``app.state.session_secret``) carries a session token and the CSRF
  token; the session itself is a row of ``staff_sessions`` (:mod:`sync.server.db.sessions`), so
  logout, "sign out everywhere", a disabled account or a new password end it in every server
  process, and it ends after ``settings.staff_session_idle_minutes`` unused or 12 hours.
- Login attempts are counted and recorded in one transaction (:mod:`sync.server.db.login_attempts`):
  the tenth wrong password for one account from one address within a minute (or the 31st from
  one address) is answered 429 without checking the password; failures from other addresses
  only slow the account down. Every failed or throttled login is logged with address and time.
- Passwords are checked off the event loop (:mod:`sync.server.passwords`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from sync.server.db import audit, roles, sessions, sign_in
from sync.server.db import login_attempts as attempts
from sync.server.db.engine import write_connection
from sync.server.db.staff_users import sign_out_everywhere
from sync.server.domain.audit import Actor
from sync.server.domain.i18n import negotiate, translations
from sync.server.domain.roles import ADMIN, STAFF, Scope, allowed
from sync.server.input_guard import same_secret
from sync.server.passwords import verify_off_loop
from sync.server.resources.rendering import render_page
from sync.server.resources.staff.forms import FormError

__all__ = [
    "ACCOUNT_FAILURES_PER_MINUTE",
    "StaffForbidden",
    "ADDRESS_FAILURES_PER_MINUTE",
    "SESSION_COOKIE",
    "StaffUser",
    "check_csrf",
    "csrf_token",
    "require_staff_api",
    "require_staff_page",
    "router",
    "staff_lang",
]

SESSION_COOKIE = "kt_staff"
SESSION_MAX_AGE = int(sessions.SESSION_MAX_AGE.total_seconds())  # a working day
ACCOUNT_FAILURES_PER_MINUTE = attempts.PAIR_FAILURES_PER_WINDOW  # per account and address
ADDRESS_FAILURES_PER_MINUTE = attempts.ADDRESS_FAILURES_PER_WINDOW  # one address, many accounts

# For the operator: "failed staff login for 'name' from 203.0.113.5 at 2026-...".
log = logging.getLogger("kiosk_server.staff_auth")

router = APIRouter()


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: str = ADMIN
    sites: tuple[str, ...] = ()

    @property
    def scope(self) -> Scope:
        """The sites this account's queries may touch (every site for an admin)."""
        return Scope.of(self.role, self.sites)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class _LoginRedirect(HTTPException):
    pass


class StaffForbidden(HTTPException):
    """A signed-in account asked for a staff URL its role does not open: a 403 page with a
    plain sentence (``app`` renders it)."""

    def __init__(self, user: StaffUser | None = None) -> None:
        super().__init__(status_code=403, detail="Your account does not have access to this page.")
        self.user = user


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.session_secret, salt="staff-session")


def read_session(request: Request) -> dict:
    """The verified session dict, or {} when the cookie is missing, forged or expired."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer(request).loads(raw, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def _write_session(request: Request, response: Response, data: dict) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        _serializer(request).dumps(data),
        max_age=SESSION_MAX_AGE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _session_with_csrf(request: Request) -> tuple[dict, bool]:
    """The session, with a CSRF token added when it had none; True when it changed."""
    data = read_session(request)
    if data.get("csrf"):
        return data, False
    return {**data, "csrf": secrets.token_urlsafe(24)}, True


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session (set on the request by the page dependencies)."""
    return request.state.csrf


def staff_lang(request: Request) -> str:
    """Staff pages: ``?lang=``, the ``kt_lang`` cookie, Accept-Language, Finnish first."""
    query = request.query_params.get("lang")
    return negotiate(
        query or request.cookies.get("kt_lang"), request.headers.get("accept-language")
    )


def _idle(request: Request) -> timedelta:
    return timedelta(minutes=request.app.state.settings.staff_session_idle_minutes)


def _current_user(request: Request) -> StaffUser | None:
    data = read_session(request)
    token = data.get("sid")
    if not isinstance(token, str) or not token or not data.get("csrf"):
        return None
    engine = request.app.state.engine
    now = datetime.now(UTC)
    with engine.connect() as conn:
        found = sessions.session_user(conn, token, now=now, idle=_idle(request))
        sites = roles.account_sites(conn, found.user_id) if found and found.role == STAFF else []
    if found is None:
        return None
    if now - found.last_seen_at >= sessions.TOUCH_EVERY:
        with write_connection(engine) as conn:
            sessions.touch(conn, token, now=now)
    request.state.csrf = data["csrf"]
    request.state.session_token = token
    return StaffUser(found.user_id, found.username, found.role, tuple(sites))


def _check_role(request: Request, user: StaffUser) -> StaffUser:
    """The route's path template decides (domain.roles.allowed): a viewer sees the pictures,
    a staff member everything but the admin pages."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    if not allowed(user.role, path):
        if path in ("/staff", "/staff/"):  # where sign-in lands: a viewer's page is Pictures
            raise _LoginRedirect(status_code=303, headers={"Location": "/staff/pictures"})
        raise StaffForbidden(user)
    return user


def require_staff_page(request: Request) -> StaffUser:
    """Dependency for HTML pages: the signed-in user, or a 303 to the login page."""
    user = _current_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise _LoginRedirect(
            status_code=303, headers={"Location": f"/staff/login?next={quote(target, safe='')}"}
        )
    return _check_role(request, user)


def require_staff_api(request: Request) -> StaffUser:
    """Dependency for JSON/CSV/chart endpoints: the signed-in user, or 401."""
    user = _current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="sign in to the staff pages first")
    return _check_role(request, user)


def _same_origin(request: Request) -> bool:
    # SameSite=Strict already keeps the cookie off cross-site posts; Origin is a second lock.
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:  # "http://[" is no origin at all
        return False
    return netloc == request.headers.get("host", "")


async def check_csrf(request: Request) -> dict:
    """Dependency for POST forms: the parsed form, or 403 when its ``csrf`` field is wrong."""
    form = await request.form()
    expected = read_session(request).get("csrf", "")
    given = form.get("csrf", "")
    if not expected or not same_secret(given, expected) or not _same_origin(request):
        raise HTTPException(
            status_code=403, detail="the form's security token is missing or stale; reload the page"
        )
    return {k: v for k, v in form.multi_items()} | {"_multi": form}


def _safe_next(target: str | None) -> str:
    # Only our own staff pages: never an absolute URL or a scheme-relative //host.
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return "/staff/"


def _login_page(request: Request, *, error: str = "", status_code: int = 200, username: str = ""):
    data, changed = _session_with_csrf(request)
    response = render_page(
        request,
        "staff/login.html",
        {
            "csrf": data["csrf"],
            "login_error": error,  # a code; base.html would print a bare "error" as it is
            "username": username,
            "next": _safe_next(request.query_params.get("next")),
        },
        lang=staff_lang(request),
        status_code=status_code,
        headers={"Retry-After": "60"} if status_code == 429 else None,
    )
    if changed:
        _write_session(request, response, data)
    return response


@router.get("/staff/login", include_in_schema=False)
def login_form(request: Request):
    return _login_page(request)


def _account(engine, username: str) -> sign_in.Account | None:
    with engine.connect() as conn:
        return sign_in.account_by_name(conn, username)


@router.post("/staff/login", include_in_schema=False)
async def login_submit(request: Request, form: CsrfForm):
    username = str(form.get("username", "")).strip()[:100]
    password = str(form.get("password", ""))[:1024]
    address = (request.client.host if request.client else "unknown")[:64]
    now = datetime.now(UTC)
    engine = request.app.state.engine
    verdict = await run_in_threadpool(attempts.reserve_attempt, engine, username, address, now=now)
    if verdict.attempt_id is None:
        log.warning(
            "throttled staff login for %r from %s at %s", username, address, now.isoformat()
        )
        await run_in_threadpool(
            audit.record,
            engine,
            Actor(username or "?", address),
            "login_failed",
            username,
            {"reason": "throttled"},
        )
        return _login_page(request, error="throttled", status_code=429, username=username)
    if verdict.delay_seconds:
        # Failures for this account from elsewhere: slower, never locked.
        await asyncio.sleep(verdict.delay_seconds)
    row = await run_in_threadpool(_account, engine, username)
    if not await verify_off_loop(row.password_hash if row else None, password) or row is None:
        log.warning("failed staff login for %r from %s at %s", username, address, now.isoformat())
        await run_in_threadpool(
            audit.record,
            engine,
            Actor(username or "?", address),
            "login_failed",
            username,
            {"reason": "wrong"},
        )
        return _login_page(request, error="wrong", status_code=401, username=username)
    token = await run_in_threadpool(sessions.open_session, engine, verdict.attempt_id, row.id)
    await run_in_threadpool(audit.record, engine, Actor(row.username, address), "login", "")
    response = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    # A fresh CSRF token at sign-in: a token seen before login is worth nothing after it.
    _write_session(request, response, {"sid": token, "csrf": secrets.token_urlsafe(24)})
    return response


def _address(request: Request) -> str:
    return (request.client.host if request.client else "")[:64]


def _revoke(engine, token: str, address: str) -> None:
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        found = sessions.session_user(conn, token, now=now, idle=sessions.SESSION_MAX_AGE)
        if sessions.revoke(conn, token, now=now) and found is not None:
            audit.append(conn, Actor(found.username, address), "logout", "", now=now)


@router.post("/staff/logout", include_in_schema=False)
async def logout(request: Request, form: CsrfForm):
    """End this session on the server too: a copy of the cookie is worth nothing after it."""
    token = read_session(request).get("sid")
    if isinstance(token, str) and token:
        await run_in_threadpool(_revoke, request.app.state.engine, token, _address(request))
    return _signed_out(request)


@router.post("/staff/logout-everywhere", include_in_schema=False)
async def logout_everywhere(request: Request, form: CsrfForm):
    """Sign out everywhere: every session of the signed-in account, on every device."""
    user = await run_in_threadpool(_current_user, request)
    if user is not None:
        actor = Actor(user.username, _address(request))
        await run_in_threadpool(
            sign_out_everywhere, request.app.state.engine, user.id, actor, user.username
        )
    return _signed_out(request)


def _signed_out(request: Request) -> Response:
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def staff_page(
    request: Request,
    user: StaffUser,
    template: str,
    context: dict,
    *,
    active: str,
    status_code: int = 200,
):
    """Render a signed-in staff page: navigation, CSRF token, user, chosen language."""
    lang = staff_lang(request)
    response = render_page(
        request,
        template,
        {**context, "user": user, "csrf": csrf_token(request), "active": active},
        lang=lang,
        status_code=status_code,
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie(
            "kt_lang",
            lang,
            max_age=365 * 86400,
            samesite="strict",
            httponly=True,
            secure=request.url.scheme == "https",
        )
    return response


# What a form field is called on the page, for error sentences ("Name in Finnish is required."
# rather than "name_fi is required."). English msgids, translated with the rest.
FIELD_LABELS = {
    "id": "Id",
    "event_date": "Date",
    "start_time": "Starts at",
    "end_time": "Ends at",
    "location": "Place in Finnish",
    "location_sv": "Place in Swedish",
    "location_en": "Place in English",
    "name_fi": "Name in Finnish",
    "name_sv": "Name in Swedish",
    "name_en": "Name in English",
    "question_fi": "Question in Finnish",
    "question_sv": "Question in Swedish",
    "question_en": "Question in English",
    "title_fi": "Step in Finnish",
    "title_sv": "Step in Swedish",
    "title_en": "Step in English",
    "text_fi": "Update in Finnish",
    "text_sv": "Update in Swedish",
    "text_en": "Update in English",
    "step_date": "Date of the step",
    "update_date": "Date of the update",
    "velho_name": "Velho's name",
    "velho_role_fi": "Velho's role in Finnish",
    "velho_role_sv": "Velho's role in Swedish",
    "velho_role_en": "Velho's role in English",
    "velho_contact": "Velho's contact",
    "sort_order": "Order",
    "username": "Username",
    "site": "Library",
}


def error_text(request: Request, exc: Exception) -> str:
    """A form or rule error as a sentence in the staff member's language, naming the field as
    the page does."""
    gettext = translations(staff_lang(request)).gettext
    if isinstance(exc, FormError):
        variables = dict(exc.variables)
        field = variables.get("field")
        if isinstance(field, str) and field in FIELD_LABELS:
            variables["field"] = gettext(FIELD_LABELS[field])
        return gettext(exc.message) % variables
    return gettext(str(exc))


# Dependency aliases for route signatures (FastAPI's Annotated style).
PageUser = Annotated[StaffUser, Depends(require_staff_page)]
ApiUser = Annotated[StaffUser, Depends(require_staff_api)]
CsrfForm = Annotated[dict, Depends(check_csrf)]
