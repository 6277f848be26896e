"""``kiosk-server purge``: erase what is past its retention (``sync.server.db.retention``).

A dry run by default: it prints what would go. ``--apply`` erases it and writes the counts to
the audit trail. The shipped systemd timer runs ``purge --apply`` daily. Retention comes from
the settings (``KT_STORY_RETENTION_MONTHS``, ``KT_FOLLOW_UP_MONTHS``,
``KT_AUDIT_RETENTION_DAYS``), which the privacy notice at ``/privacy`` quotes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from gettext import gettext as _

from sqlalchemy import Engine

from sync.server.db.retention import PurgeReport, RetentionPolicy, purge
from sync.server.settings import Settings

__all__ = ["add_purge", "policy_of", "run_purge"]


def policy_of(settings: Settings) -> RetentionPolicy:
    return RetentionPolicy(
        story_months=settings.story_retention_months,
        follow_up_months=settings.follow_up_months,
        audit_days=settings.audit_retention_days,
    )


def add_purge(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--apply",
        action="store_true",
        help=_("Erase for real; without it, only show what would be erased."),
    )


def run_purge(
    args: argparse.Namespace,
    settings: Settings,
    engine: Callable[[], Engine],
) -> int:
    try:
        policy = policy_of(settings)
    except ValueError as exc:
        raise SystemExit(f"kiosk-server purge: {exc}") from None
    report: PurgeReport = purge(engine(), policy, apply=args.apply)
    print(json.dumps(report.as_dict(), sort_keys=True))
    if not args.apply:
        print(_("Dry run: nothing was erased. Run with --apply to erase."))
    return 0
