"""Staff Accounts (admins only): create an account, change its role and sites, set a new
password, disable it, sign it out everywhere.

``GET /staff/accounts`` lists every account with its role, sites and open sessions; each POST
(CSRF-checked) does one change, writes it to the audit trail with who and from where, and ends
the account's sessions where the change calls for it (a new role or password, disabling). The
role gate (:func:`sync.server.domain.roles.allowed`) keeps everyone but admins out.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from sync.server.db import roles
from sync.server.db import staff_users as accounts
from sync.server.domain.roles import ROLES
from sync.server.errors import Conflict, DomainError, NotFound
from sync.server.input_guard import RowId
from sync.server.resources.staff.audit import actor_of
from sync.server.resources.staff.auth import CsrfForm, PageUser, StaffUser, error_text, staff_page
from sync.server.resources.staff.forms import FormError, text

__all__ = ["router"]

router = APIRouter()


def _engine(request: Request):
    return request.app.state.engine


def _page(
    request: Request,
    user: StaffUser,
    *,
    error: str = "",
    form: dict | None = None,
    status_code: int = 200,
):
    with _engine(request).connect() as conn:
        rows = roles.account_list(conn)
        sites = roles.known_sites(conn)
    return staff_page(
        request,
        user,
        "staff/accounts.html",
        {
            "accounts": rows,
            "sites": sites,
            "roles": ROLES,
            "error": error,
            "form": form or {},
            "min_password": accounts.MIN_PASSWORD_LENGTH,
        },
        active="accounts",
        status_code=status_code,
    )


@router.get("/staff/accounts", include_in_schema=False)
def accounts_page(request: Request, user: PageUser):
    return _page(request, user)


def _sites(form: dict) -> list[str]:
    multi = form["_multi"]
    chosen = [str(s) for s in multi.getlist("sites")]
    extra = text(form, "new_site")  # a site no kiosk has yet (a library about to get one)
    return chosen + ([extra] if extra else [])


def _role(form: dict) -> str:
    role = str(form.get("role", ""))
    if role not in ROLES:
        raise FormError("role: choose admin, staff or viewer.")
    return role


def _password(form: dict) -> str:
    password = str(form.get("password", ""))[:1024]
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise FormError(
            "password: give at least %(count)s characters.", count=accounts.MIN_PASSWORD_LENGTH
        )
    return password


def _username(request: Request, user_id: int) -> str:
    with _engine(request).connect() as conn:
        for row in roles.account_list(conn):
            if row["id"] == user_id:
                return row["username"]
    raise HTTPException(status_code=404, detail="no such account")


def _refused(request: Request, user: StaffUser, exc: Exception, form: dict | None = None):
    return _page(request, user, error=error_text(request, exc), form=form, status_code=400)


@router.post("/staff/accounts", include_in_schema=False)
def create_account(request: Request, user: PageUser, form: CsrfForm):
    try:
        username = text(form, "username", required=True, max_length=100)
        role = _role(form)
        sites = _sites(form) if role == "staff" else []
        if role == "staff" and not sites:
            raise FormError("sites: a staff account needs at least one site.")
        accounts.add_staff_user(
            _engine(request),
            username,
            _password(form),
            role=role,
            sites=sites,
            actor=actor_of(request, user),
        )
    except (ValueError, DomainError) as exc:
        if isinstance(exc, Conflict):
            exc = FormError("username: that name is taken; choose another.")
        shown = {k: v for k, v in form.items() if k not in ("password", "_multi")}
        return _refused(request, user, exc, shown)
    return RedirectResponse("/staff/accounts?done=created", status_code=303)


@router.post("/staff/accounts/{user_id}/role", include_in_schema=False)
def change_role(user_id: RowId, request: Request, user: PageUser, form: CsrfForm):
    _username(request, user_id)
    try:
        role = _role(form)
        if user_id == user.id and role != "admin":
            raise FormError("role: you cannot take the admin role from your own account.")
        roles.set_role(
            _engine(request),
            user_id,
            role,
            _sites(form) if role == "staff" else [],
            actor_of(request, user),
        )
    except ValueError as exc:
        return _refused(request, user, exc)
    return RedirectResponse("/staff/accounts?done=changed", status_code=303)


@router.post("/staff/accounts/{user_id}/password", include_in_schema=False)
def reset_password(user_id: RowId, request: Request, user: PageUser, form: CsrfForm):
    name = _username(request, user_id)
    try:
        accounts.set_staff_password(
            _engine(request), name, _password(form), actor=actor_of(request, user)
        )
    except (ValueError, DomainError) as exc:
        return _refused(request, user, exc)
    return RedirectResponse("/staff/accounts?done=password", status_code=303)


@router.post("/staff/accounts/{user_id}/disable", include_in_schema=False)
def disable_account(user_id: RowId, request: Request, user: PageUser, form: CsrfForm):
    name = _username(request, user_id)
    if user_id == user.id:
        return _refused(request, user, FormError("You cannot disable your own account."))
    try:
        accounts.disable_staff_user(_engine(request), name, actor=actor_of(request, user))
    except NotFound:
        raise HTTPException(status_code=404, detail="no such account") from None
    return RedirectResponse("/staff/accounts?done=disabled", status_code=303)


@router.post("/staff/accounts/{user_id}/sign-out", include_in_schema=False)
def sign_out_account(user_id: RowId, request: Request, user: PageUser, form: CsrfForm):
    name = _username(request, user_id)
    accounts.sign_out_everywhere(_engine(request), user_id, actor_of(request, user), name)
    return RedirectResponse("/staff/accounts?done=signed-out", status_code=303)
