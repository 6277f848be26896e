"""Staff sign-in: signed session cookie, CSRF tokens, argon2id passwords, login throttling.

A caller may rely on:
- :func:`require_staff_page` (a dependency) giving the signed-in :class:`StaffUser` or answering
  with a redirect to the login page; :func:`require_staff_api` answering 401 instead.
- :func:`check_csrf` refusing (403) a form whose ``csrf`` field does not match the session.
- Session state lives only in the cookie (signed with ``settings.session_secret()``), and login
  attempts in the ``login_attempts`` table, so any number of server processes agree.
- The tenth wrong password for one account within a minute (or the 31st from one address) is
  answered 429 without checking the password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, func, insert, select

from sync.server.db.engine import write_connection
from sync.server.db.tables import login_attempts, staff_users
from sync.server.domain.i18n import negotiate, translations
from sync.server.input_guard import same_secret
from sync.server.resources.staff_forms import FormError
from sync.server.resources.staff_render import render_page

__all__ = [
    "ACCOUNT_FAILURES_PER_MINUTE",
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
SESSION_MAX_AGE = 12 * 3600  # a working day; then sign in again
ACCOUNT_FAILURES_PER_MINUTE = 9  # the tenth wrong password in a minute is throttled
ADDRESS_FAILURES_PER_MINUTE = 30  # one address trying many accounts
THROTTLE_WINDOW = timedelta(minutes=1)

_hasher = PasswordHasher()
# Verified against for unknown usernames, so "no such user" costs what "wrong password" costs.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

router = APIRouter()


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.session_secret(), salt="staff-session")


def _password_mark(password_hash: str) -> str:
    # Bound into the session so a changed password ends every session made with the old one.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


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


def _current_user(request: Request) -> StaffUser | None:
    data = read_session(request)
    if not data.get("uid"):
        return None
    with request.app.state.engine.connect() as conn:
        row = conn.execute(
            select(staff_users.c.id, staff_users.c.username, staff_users.c.password_hash).where(
                staff_users.c.id == data["uid"], staff_users.c.disabled_at.is_(None)
            )
        ).first()
    if row is None or not same_secret(data.get("pw", ""), _password_mark(row.password_hash)):
        return None
    request.state.csrf = data["csrf"]
    return StaffUser(row.id, row.username)


class _LoginRedirect(HTTPException):
    pass


def require_staff_page(request: Request) -> StaffUser:
    """Dependency for HTML pages: the signed-in user, or a 303 to the login page."""
    user = _current_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise _LoginRedirect(
            status_code=303, headers={"Location": f"/staff/login?next={quote(target, safe='')}"}
        )
    return user


def require_staff_api(request: Request) -> StaffUser:
    """Dependency for JSON/CSV/chart endpoints: the signed-in user, or 401."""
    user = _current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="sign in to the staff pages first")
    return user


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
            "error": error,
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


def _recent_failures(conn, column, value: str, since: datetime) -> int:
    return conn.execute(
        select(func.count())
        .select_from(login_attempts)
        .where(
            and_(
                column == value,
                login_attempts.c.attempted_at >= since,
                login_attempts.c.succeeded.is_(False),
            )
        )
    ).scalar_one()


@router.post("/staff/login", include_in_schema=False)
async def login_submit(request: Request, form: CsrfForm):
    username = str(form.get("username", "")).strip()[:100]
    password = str(form.get("password", ""))[:1024]
    address = (request.client.host if request.client else "unknown")[:64]
    now = datetime.now(UTC)
    engine = request.app.state.engine
    with engine.connect() as conn:
        since = now - THROTTLE_WINDOW
        throttled = (
            _recent_failures(conn, login_attempts.c.username, username.lower(), since)
            >= ACCOUNT_FAILURES_PER_MINUTE
            or _recent_failures(conn, login_attempts.c.address, address, since)
            >= ADDRESS_FAILURES_PER_MINUTE
        )
        row = (
            None
            if throttled
            else conn.execute(
                select(staff_users.c.id, staff_users.c.password_hash).where(
                    staff_users.c.username == username, staff_users.c.disabled_at.is_(None)
                )
            ).first()
        )
    if throttled:
        return _login_page(request, error="throttled", status_code=429, username=username)
    ok = _verify(row.password_hash if row else _DUMMY_HASH, password) and row is not None
    with write_connection(engine) as conn:
        conn.execute(
            insert(login_attempts).values(
                username=username.lower(), address=address, attempted_at=now, succeeded=ok
            )
        )
    if not ok or row is None:
        return _login_page(request, error="wrong", status_code=401, username=username)
    response = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    # A fresh CSRF token at sign-in: a token seen before login is worth nothing after it.
    _write_session(
        request,
        response,
        {"uid": row.id, "pw": _password_mark(row.password_hash), "csrf": secrets.token_urlsafe(24)},
    )
    return response


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@router.post("/staff/logout", include_in_schema=False)
async def logout(request: Request, form: CsrfForm):
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


def error_text(request: Request, exc: Exception) -> str:
    """A form or rule error as a sentence in the staff member's language."""
    gettext = translations(staff_lang(request)).gettext
    if isinstance(exc, FormError):
        return gettext(exc.message) % exc.variables
    return gettext(str(exc))


# Dependency aliases for route signatures (FastAPI's Annotated style).
PageUser = Annotated[StaffUser, Depends(require_staff_page)]
ApiUser = Annotated[StaffUser, Depends(require_staff_api)]
CsrfForm = Annotated[dict, Depends(check_csrf)]
