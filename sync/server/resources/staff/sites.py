"""The site field of theme and event forms: which sites an account may give a theme or event.

An admin may choose "region-wide" (empty: every site) or any site a kiosk has; a staff member
only their own sites (a region-wide theme or event is an admin's). The database refuses the
rest anyway (:meth:`sync.server.domain.roles.Scope.may_edit_site`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.server.db.roles import known_sites
from sync.server.resources.staff.auth import StaffUser
from sync.server.resources.staff.forms import text

__all__ = ["editable_sites", "site_value"]


def editable_sites(conn: Any, user: StaffUser) -> list[str]:
    """The sites the form offers (an admin also gets region-wide, shown as the empty choice)."""
    if user.is_admin:
        return known_sites(conn)
    return sorted(user.sites)


def site_value(form: Mapping) -> str | None:
    """The form's ``site``; empty is region-wide (None)."""
    return text(form, "site") or None
