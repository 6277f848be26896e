"""Staff Themes page: names in fi/sv/en, the velho, the dated path and status updates.

The list shows each theme's warnings (no velho; a path reaching less than six months ahead).
One theme's page edits it: its fields, its path steps (add, edit, mark done, delete) and its
status updates (add, with the stories they answer; delete). A new theme is a draft until
published; publishing one with warnings, and deleting a step or an update, first shows a page
that asks (plain forms, no JavaScript). Every change bumps ``themes.updated_at`` and is written
to the audit trail with before and after.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from sync.protocol import LANGS
from sync.server.db import dashboard as q
from sync.server.db import plans as plan
from sync.server.db import theme_edits
from sync.server.domain.theme_path import (
    add_months,
    current_step_index,
    path_progress,
    theme_warnings,
)
from sync.server.input_guard import RowId
from sync.server.resources.staff.audit import actor_of
from sync.server.resources.staff.auth import (
    CsrfForm,
    PageUser,
    StaffForbidden,
    StaffUser,
    error_text,
    staff_page,
)
from sync.server.resources.staff.forms import FormError, checkbox, iso_date, slug, text
from sync.server.resources.staff.sites import editable_sites, site_value

__all__ = ["router"]

router = APIRouter()


def _themes_context(request: Request, user: StaffUser) -> dict:
    today = q.today_utc()
    with request.app.state.engine.connect() as conn:
        rows = plan.theme_list(conn, scope=user.scope)
        sites = editable_sites(conn, user)
    for theme in rows:
        theme["warnings"] = theme_warnings(theme, theme["steps"], today)
        theme["current_step"] = current_step_index(theme["steps"], today)
        theme["progress"] = path_progress(theme["steps"])
    return {"themes": rows, "today": today, "horizon": add_months(today, 6), "sites": sites}


def _page(request, user, *, error="", form=None, status_code=200, theme_id=None):
    context = _themes_context(request, user)
    template = "staff/themes.html"
    if theme_id is not None:
        theme = next((t for t in context["themes"] if t["id"] == theme_id), None)
        if theme is None:
            raise HTTPException(status_code=404, detail="no such theme")
        context["theme"] = theme
        with request.app.state.engine.connect() as conn:
            context["story_choices"] = theme_edits.story_choices(conn, theme_id)
            context["answered"] = theme_edits.answered_stories(
                conn, [u["id"] for u in theme["updates"]]
            )
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
    if "site" in form:  # absent: the theme keeps its site
        values["site"] = site_value(form)
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
    except PermissionError:
        raise StaffForbidden(user) from None
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


def _theme(request: Request, user: StaffUser, theme_id: str, *, edit: bool = False) -> dict:
    """The theme as the user's scope shows it (404 outside it); with ``edit``, 403 when the
    user may read but not change it (a region-wide theme for a site's staff)."""
    context = _themes_context(request, user)
    theme = next((t for t in context["themes"] if t["id"] == theme_id), None)
    if theme is None:
        raise HTTPException(status_code=404, detail="no such theme")
    if edit and not user.scope.may_edit_site(theme.get("site")):
        raise StaffForbidden(user)
    return theme


def _confirm(request: Request, user: StaffUser, context: dict):
    """The page that asks before a delete or a publish with warnings (a form, no script)."""
    return staff_page(request, user, "staff/confirm.html", context, active="themes")


@router.post("/staff/themes", include_in_schema=False)
def create_theme(request: Request, user: PageUser, form: CsrfForm):
    values: dict = {}

    def action():
        values.update(_theme_values(form, None))
        plan.save_theme(
            request.app.state.engine,
            values,
            create=True,
            actor=actor_of(request, user),
            scope=user.scope,
        )

    response = _run(request, user, form, None, action)
    if values and response.status_code == 303:
        # Straight to the new draft: its page says what is missing before it is published.
        return RedirectResponse(f"/staff/themes/{values['id']}?done=saved", status_code=303)
    return response


@router.post("/staff/themes/{theme_id}", include_in_schema=False)
def save_theme(theme_id: str, request: Request, user: PageUser, form: CsrfForm):
    def action():
        plan.save_theme(
            request.app.state.engine,
            _theme_values(form, theme_id),
            create=False,
            actor=actor_of(request, user),
            scope=user.scope,
        )

    return _run(request, user, form, theme_id, action)


@router.post("/staff/themes/{theme_id}/publish", include_in_schema=False)
def publish_theme(theme_id: str, request: Request, user: PageUser, form: CsrfForm):
    """Publish a draft. With warnings (no velho, a short path) the first post shows them and
    asks; only a post with ``confirm=yes`` from that page publishes."""
    theme = _theme(request, user, theme_id, edit=True)
    if theme["warnings"] and form.get("confirm") != "yes":
        return _confirm(
            request,
            user,
            {
                "kind": "publish",
                "theme": theme,
                "warnings": theme["warnings"],
                "action": f"/staff/themes/{theme_id}/publish",
                "fields": {},
            },
        )
    theme_edits.publish_theme(
        request.app.state.engine, theme_id, actor_of(request, user), theme["warnings"]
    )
    return RedirectResponse(f"/staff/themes/{theme_id}?done=published", status_code=303)


def _step_values(form: dict) -> dict:
    values: dict[str, object] = {
        "step_date": iso_date(form, "step_date"),
        "done": checkbox(form, "done"),
    }
    for lang in LANGS:
        values[f"title_{lang}"] = text(form, f"title_{lang}", required=lang == "fi", max_length=300)
    return values


@router.post("/staff/themes/{theme_id}/steps", include_in_schema=False)
def add_step(theme_id: str, request: Request, user: PageUser, form: CsrfForm):
    def action():
        plan.add_step(
            request.app.state.engine,
            theme_id,
            _step_values(form),
            actor_of(request, user),
            scope=user.scope,
        )

    return _run(request, user, form, theme_id, action)


def _step_page(request, user, theme_id, step_id, *, error="", form=None, status_code=200):
    theme = _theme(request, user, theme_id)
    step = next((s for s in theme["steps"] if s["id"] == step_id), None)
    if step is None:
        raise HTTPException(status_code=404, detail="no such step")
    return staff_page(
        request,
        user,
        "staff/step_edit.html",
        {
            "theme": theme,
            "step": step,
            # What the form shows: what was sent (after an error), else the step as stored.
            "v": dict(form) if form else step | {"step_date": step["step_date"].isoformat()},
            "error": error,
        },
        active="themes",
        status_code=status_code,
    )


@router.get("/staff/themes/{theme_id}/steps/{step_id}", include_in_schema=False)
def step_page(theme_id: str, step_id: RowId, request: Request, user: PageUser):
    return _step_page(request, user, theme_id, step_id)


@router.post("/staff/themes/{theme_id}/steps/{step_id}", include_in_schema=False)
def change_step(theme_id: str, step_id: RowId, request: Request, user: PageUser, form: CsrfForm):
    engine = request.app.state.engine
    actor = actor_of(request, user)
    what = form.get("action")
    if what == "delete" and form.get("confirm") != "yes":
        theme = _theme(request, user, theme_id)
        step = next((s for s in theme["steps"] if s["id"] == step_id), None)
        if step is None:
            raise HTTPException(status_code=404, detail="no such step")
        return _confirm(
            request,
            user,
            {
                "kind": "delete-step",
                "theme": theme,
                "step": step,
                "action": f"/staff/themes/{theme_id}/steps/{step_id}",
                "fields": {"action": "delete"},
            },
        )
    if what == "save":
        try:
            plan.edit_step(engine, theme_id, step_id, _step_values(form), actor, scope=user.scope)
        except LookupError:
            raise HTTPException(status_code=404, detail="no such step") from None
        except ValueError as exc:
            return _step_page(
                request,
                user,
                theme_id,
                step_id,
                error=error_text(request, exc),
                form=form,
                status_code=400,
            )
        return RedirectResponse(f"/staff/themes/{theme_id}?done=saved", status_code=303)

    def action():
        if what == "delete":
            plan.delete_step(engine, theme_id, step_id, actor, scope=user.scope)
        elif what in ("done", "undone"):
            plan.set_step_done(engine, theme_id, step_id, what == "done", actor, scope=user.scope)
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
        stories = [str(v) for v in form["_multi"].getlist("stories")][:500]
        plan.add_update(
            request.app.state.engine,
            theme_id,
            values,
            user.username,
            story_ids=stories,
            actor=actor_of(request, user),
            scope=user.scope,
        )

    return _run(request, user, form, theme_id, action)


@router.post("/staff/themes/{theme_id}/updates/{update_id}/delete", include_in_schema=False)
def delete_update(
    theme_id: str, update_id: RowId, request: Request, user: PageUser, form: CsrfForm
):
    if form.get("confirm") != "yes":
        theme = _theme(request, user, theme_id)
        news = next((u for u in theme["updates"] if u["id"] == update_id), None)
        if news is None:
            raise HTTPException(status_code=404, detail="no such update")
        return _confirm(
            request,
            user,
            {
                "kind": "delete-update",
                "theme": theme,
                "update": news,
                "action": f"/staff/themes/{theme_id}/updates/{update_id}/delete",
                "fields": {},
            },
        )
    return _run(
        request,
        user,
        form,
        theme_id,
        lambda: plan.delete_update(
            request.app.state.engine, theme_id, update_id, actor_of(request, user), scope=user.scope
        ),
    )
