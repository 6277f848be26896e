"""Which records count, in SQL: a visit's last answer of a kind replaces its earlier ones.

The rule itself (and its Python twin for rows already read) is in
:mod:`sync.server.domain.answers`; this module states the same order as a SQL condition.

A visitor may go back on the kiosk and tap another face (or choose other themes); the kiosk then
saves a new record and keeps the earlier one. Every record stays stored. A rating or themes
record is *superseded* when the same visit has a later record of the same kind (later by
``created_at``, then by ``id``, so two records made in the same instant still order one way);
stories are never superseded (each one is something the visitor told).

A caller may rely on this: :func:`counts` is a SQL condition on ``records`` (or an alias of it),
true for exactly one rating and one themes record per visit and for every other record; the
pictures, the mood counts in kiosk-config and the exports count only what it admits.
:func:`superseded` is its negation, for showing the flag. Computed, not stored: batches may arrive
in any order, and a stored flag would have to be rewritten when an older visit's later record
arrives.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, not_, or_, select
from sqlalchemy.sql import FromClause

from sync.server.db.tables import records
from sync.server.domain.answers import SUPERSEDING_KINDS

__all__ = ["SUPERSEDING_KINDS", "counts", "superseded"]


def superseded(table: FromClause = records) -> ColumnElement[bool]:
    """True for a rating or themes record that a later one of the same visit replaces."""
    later = records.alias("later_answer")
    c = table.c
    return and_(
        c.kind.in_(SUPERSEDING_KINDS),
        exists(
            select(later.c.id).where(
                later.c.visit_id == c.visit_id,
                later.c.kind == c.kind,
                or_(
                    later.c.created_at > c.created_at,
                    and_(later.c.created_at == c.created_at, later.c.id > c.id),
                ),
            )
        ),
    )


def counts(table: FromClause = records) -> ColumnElement[bool]:
    """True for every record that counts (the visit's last rating and themes, every story)."""
    return not_(superseded(table))
