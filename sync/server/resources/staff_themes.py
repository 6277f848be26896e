"""Staff Themes page: names in fi/sv/en, the velho, the dated path and status updates.

The list shows each theme's warnings (no velho; a path reaching less than six months ahead).
One theme's page edits it: its fields, its path steps (add, mark done, delete) and its status
updates (add, delete). Every change bumps ``themes.updated_at``.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from sync.server.domain.theme_path import add_months, current_step_index, theme_warnings
from sync.server.resources import staff_plan_queries as plan
from sync.server.resources import staff_queries as q
from sync.server.resources.staff_auth import (
    CsrfForm,
    PageUser,
    error_text,
    staff_page,
)
from sync.server.resources.staff_forms import FormError, checkbox, iso_date, slug, text

__all__ = ["router"]

router = APIRouter()
LANGS = ("fi", "sv", "en")


def _themes_context(request: Request) -> dict:
    today = q.today_utc()
    with request.app.state.engine.connect() as conn:
        rows = plan.theme_list(conn)
    for theme in rows:
        theme["warnings"] = theme_warnings(theme, theme["steps"], today)
        theme["current_step"] = current_step_index(theme["steps"], today)
    return {"themes": rows, "today": today, "horizon": add_months(today, 6)}


def _page(request, user, *, error="", form=None, status_code=200, theme_id=None):
    context = _themes_context(request)
    template = "staff/themes.html"
    if theme_id is not None:
        theme = next((t for t in context["themes"] if t["id"] == theme_id), None)
        if theme is None:
            raise HTTPException(status_code=404, detail="no such theme")
        context["theme"] = theme
        template = "staff/theme.html"
    context.update(error=error, form=form or {})
    return staff_page(request, user, template, context, active="themes", status_code=status_code)


@router.get("/staff/themes", include_in_schema=False)
def themes_page(request: Request, user: PageUser):
    return _page(request, user)


@router.get("/staff/themes/{theme_id}", include_in_schema=False)
def theme_page(theme_id: str, request: Request, user: PageUser):
    return _page(request, user, theme_id=theme_id)


def _photo_url(form: dict) -> str | None:
    """The velho's photo address: empty, or http(s):// without spaces (kiosks fetch it)."""
    value = text(form, "velho_photo_url", max_length=500)
    if value and (not value.startswith(("https://", "http://")) or any(c.isspace() for c in value)):
        raise FormError(
            "%(field)s must be an address starting with https://.", field="velho_photo_url"
        )
    return value or None


def _theme_values(form: dict, theme_id: str | None) -> dict:
    values: dict[str, object] = {"id": theme_id or slug(form, "id")}
    for lang in LANGS:
        values[f"name_{lang}"] = text(form, f"name_{lang}", required=lang == "fi")
        values[f"velho_role_{lang}"] = text(form, f"velho_role_{lang}") or None
    values["velho_name"] = text(form, "velho_name") or None
    values["velho_contact"] = text(form, "velho_contact") or None
    values["velho_contact_public"] = checkbox(form, "velho_contact_public")
    values["velho_photo_url"] = _photo_url(form)
    values["active"] = checkbox(form, "active") if theme_id else True
    try:
        values["sort_order"] = int(text(form, "sort_order", max_length=6) or 0)
    except ValueError:
        raise FormError("%(field)s must be a whole number.", field="sort_order") from None
    return values


def _run(request, user, form, theme_id, action):
    """Run ``action()``; on a wrong field re-render the page with the error (status 400)."""
    try:
        action()
    except LookupError:
        raise HTTPException(status_code=404, detail="no such theme") from None
    except ValueError as exc:
        return _page(
            request,
            user,
            error=error_text(request, exc),
            form=form,
            status_code=400,
            theme_id=theme_id,
        )
    target = f"/staff/themes/{theme_id}" if theme_id else "/staff/themes"
    return RedirectResponse(f"{target}?done=saved", status_code=303)


@router.post("/staff/themes", include_in_schema=False)
def create_theme(request: Request, user: PageUser, form: CsrfForm):
    def action():
        plan.save_theme(request.app.state.engine, _theme_values(form, None), create=True)

    return _run(request, user, form, None, action)


@router.post("/staff/themes/{theme_id}", include_in_schema=False)
def save_theme(theme_id: str, request: Request, user: PageUser, form: CsrfForm):
    def action():
        plan.save_theme(request.app.state.engine, _theme_values(form, theme_id), create=False)

    return _run(request, user, form, theme_id, action)


@router.post("/staff/themes/{theme_id}/steps", include_in_schema=False)
def add_step(theme_id: str, request: Request, user: PageUser, form: CsrfForm):
    def action():
        values = {"step_date": iso_date(form, "step_date"), "done": checkbox(form, "done")}
        for lang in LANGS:
            values[f"title_{lang}"] = text(
                form, f"title_{lang}", required=lang == "fi", max_length=300
            )
        plan.add_step(request.app.state.engine, theme_id, values)

    return _run(request, user, form, theme_id, action)


@router.post("/staff/themes/{theme_id}/steps/{step_id}", include_in_schema=False)
def change_step(theme_id: str, step_id: int, request: Request, user: PageUser, form: CsrfForm):
    engine = request.app.state.engine

    def action():
        what = form.get("action")
        if what == "delete":
            plan.delete_step(engine, theme_id, step_id)
        elif what in ("done", "undone"):
            plan.set_step_done(engine, theme_id, step_id, what == "done")
        else:
            raise ValueError("unknown step action")

    return _run(request, user, form, theme_id, action)


@router.post("/staff/themes/{theme_id}/updates", include_in_schema=False)
def add_update(theme_id: str, request: Request, user: PageUser, form: CsrfForm):
    def action():
        values = {"update_date": iso_date(form, "update_date")}
        for lang in LANGS:
            values[f"text_{lang}"] = text(
                form, f"text_{lang}", required=lang == "fi", max_length=4000
            )
        plan.add_update(request.app.state.engine, theme_id, values, user.username)

    return _run(request, user, form, theme_id, action)


@router.post("/staff/themes/{theme_id}/updates/{update_id}/delete", include_in_schema=False)
def delete_update(theme_id: str, update_id: int, request: Request, user: PageUser, form: CsrfForm):
    return _run(
        request,
        user,
        form,
        theme_id,
        lambda: plan.delete_update(request.app.state.engine, theme_id, update_id),
    )
