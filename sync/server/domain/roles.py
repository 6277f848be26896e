"""Roles and sites: who may see and change what on the staff web.

A site is the ``site`` text of a kiosk (``kiosks.site``): a library. A caller may rely on:

- :data:`ROLES`: ``admin`` (everything, region-wide), ``staff`` (the kiosks, stories, batches,
  exports and pictures of their sites; themes and events of their sites, and region-wide ones
  read-only) and ``viewer`` (the pictures only).
- :class:`Scope` (:meth:`Scope.of` a role and its sites) being what every staff query takes: ``sites`` None means every site (an
  admin), otherwise the set of sites (possibly empty) whose rows may be read or changed.
  :data:`EVERYTHING` is the default of queries, so callers outside the staff web keep working.
- :func:`allowed` deciding, from the role and the route's path template, whether a staff URL is
  open to the account at all; it is checked before any handler runs.

Themes and events are region-wide (``site`` NULL) or belong to one site. Region-wide ones are
created and changed by admins only; staff of a site create and change their site's ones and see
region-wide ones without changing them (:meth:`Scope.may_edit_site`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ADMIN",
    "ADMIN_ONLY",
    "EVERYTHING",
    "ROLES",
    "STAFF",
    "VIEWER",
    "VIEWER_ROUTES",
    "Scope",
    "allowed",
    "check_role_sites",
]

ADMIN = "admin"
STAFF = "staff"
VIEWER = "viewer"
ROLES = (ADMIN, STAFF, VIEWER)

# Route path templates (as FastAPI spells them) open to every signed-in account.
ANYONE = frozenset({"/staff/login", "/staff/logout", "/staff/logout-everywhere"})
# A viewer sees the pictures and nothing else.
VIEWER_ROUTES = ANYONE | {"/staff/pictures", "/staff/charts/{name}.{fmt}"}
# Region-wide matters: the audit trail, the privacy notice, the accessibility statement, the
# accounts.
ADMIN_ONLY_PREFIXES = (
    "/staff/audit",
    "/staff/api/audit",
    "/staff/privacy",
    "/staff/accessibility",
    "/staff/accounts",
)
ADMIN_ONLY = ADMIN_ONLY_PREFIXES


@dataclass(frozen=True)
class Scope:
    """The sites an account's queries may touch; ``sites`` None is every site."""

    sites: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        return self.sites is None

    def covers(self, site: str | None) -> bool:
        """Whether a row of ``site`` may be read (None: a region-wide theme or event)."""
        if self.sites is None or site is None:
            return True
        return site in self.sites

    def covers_site(self, site: str) -> bool:
        """Whether a kiosk (and its batches, records, stories) of ``site`` may be read."""
        return self.sites is None or site in self.sites

    def may_edit_site(self, site: str | None) -> bool:
        """Whether a theme or event of ``site`` may be created or changed: region-wide (None)
        ones by admins only."""
        if self.sites is None:
            return True
        return site is not None and site in self.sites

    @classmethod
    def of(cls, role: str, sites: Iterable[str]) -> Scope:
        if role == ADMIN:
            return EVERYTHING
        if role == STAFF:
            return cls(frozenset(sites))
        # A viewer reads the region's pictures (aggregates, no text); allowed() keeps them
        # off every other route.
        return EVERYTHING


EVERYTHING = Scope(None)


def allowed(role: str, route_path: str) -> bool:
    """Whether an account of ``role`` may use the staff route ``route_path`` at all."""
    if route_path in ANYONE:
        return True
    if role == ADMIN:
        return True
    if role == VIEWER:
        return route_path in VIEWER_ROUTES
    if role == STAFF:
        return not route_path.startswith(ADMIN_ONLY_PREFIXES)
    return False


def check_role_sites(role: str, sites: Iterable[str]) -> list[str]:
    """The cleaned site list for ``role``; ValueError (an English msgid) when they do not fit."""
    if role not in ROLES:
        raise ValueError("the role must be admin, staff or viewer")
    cleaned = sorted({s.strip() for s in sites if s.strip()})
    if any(len(s) > 200 for s in cleaned):
        raise ValueError("a site name needs 1 to 200 characters")
    if role == STAFF and not cleaned:
        raise ValueError("a staff account needs at least one site")
    if role != STAFF and cleaned:
        raise ValueError("only a staff account has sites; admins and viewers see every site")
    return cleaned
