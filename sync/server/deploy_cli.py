"""The deployment subcommands of ``kiosk-server``: enrollment codes, backup and restore.

Registered in :data:`sync.server.cli.COMMANDS` as ``(name, summary, add, run)`` entries like the
others; each ``run_*`` returns the exit status and lets domain errors reach ``cli.main``, which
prints them as one line and exits 1. A caller may rely on ``enroll-kiosk --json`` printing one
JSON object with ``kiosk_id``, ``secret``, ``enrollment_code`` and ``code_expires_at``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from sync.server import backup as backups
from sync.server.db.engine import make_engine
from sync.server.db.enrollment import DEFAULT_HOURS, issue_code
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.migrate import upgrade
from sync.server.domain.i18n import cli_gettext as _
from sync.server.settings import Settings, option_help

__all__ = [
    "add_backup",
    "add_enrollment_code",
    "add_restore",
    "qr_text",
    "run_backup",
    "run_enroll_kiosk",
    "run_enrollment_code",
    "run_restore",
    "with_code_options",
]


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.load({name: getattr(args, name, None) for name in option_help()})


def _engine(settings: Settings) -> Engine:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    return engine


# --- enrollment codes


def _add_code_hours(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--code-hours",
        type=float,
        default=DEFAULT_HOURS,
        metavar="HOURS",
        help=_("How long the one-time enrollment code stays valid (default: %(default)s)."),
    )


def with_code_options(
    add_arguments: Callable[[argparse.ArgumentParser], None],
) -> Callable[[argparse.ArgumentParser], None]:
    """``add_arguments`` plus ``--code-hours`` (for ``enroll-kiosk``)."""

    def add(parser: argparse.ArgumentParser) -> None:
        add_arguments(parser)
        _add_code_hours(parser)

    return add


def qr_text(data: str) -> str:
    """``data`` as a QR code drawn with block characters, for a terminal."""
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()


def _print_code(code: str, expires: datetime, settings: Settings) -> None:
    print(
        _("Enrollment code (works once, until {time}): {code}").format(
            time=expires.strftime("%Y-%m-%d %H:%M UTC"), code=code
        )
    )
    drawing = qr_text(code)
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        drawing.encode(encoding)
    except UnicodeEncodeError:
        print(_("(This terminal cannot draw the QR code; type the code instead.)"))
    else:
        print(drawing, end="")
    print(_("On the terminal, run:"))
    print(f"  sudo kiosk setup --server {settings.public_base_url.rstrip('/')} --code {code}")


def run_enroll_kiosk(args: argparse.Namespace) -> int:
    settings = _settings(args)
    engine = _engine(settings)
    try:
        enrolled = enroll_kiosk(engine, args.name, args.site, kiosk_id=args.kiosk_id)
        code, expires = issue_code(engine, enrolled.kiosk_id, hours=args.code_hours)
    finally:
        engine.dispose()
    if args.json:
        document = {
            "kiosk_id": enrolled.kiosk_id,
            "secret": enrolled.secret,
            "enrollment_code": code,
            "code_expires_at": expires.isoformat(),
        }
        print(json.dumps(document, ensure_ascii=False, sort_keys=True))
        return 0
    print(_("kiosk_id = {id}").format(id=enrolled.kiosk_id))
    print(_("secret   = {secret}").format(secret=enrolled.secret))
    print(_("Put the secret in the kiosk's secret file, or use the enrollment code below."))
    _print_code(code, expires, settings)
    return 0


def add_enrollment_code(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kiosk_id", metavar="KIOSK_ID")
    _add_code_hours(parser)
    parser.add_argument("--json", action="store_true", help=_("Print the code as JSON."))


def run_enrollment_code(args: argparse.Namespace) -> int:
    settings = _settings(args)
    engine = _engine(settings)
    try:
        code, expires = issue_code(engine, args.kiosk_id, hours=args.code_hours)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps({"enrollment_code": code, "code_expires_at": expires.isoformat()}))
    else:
        _print_code(code, expires, settings)
    return 0


# --- backup / restore


def add_backup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dest", metavar="DEST", type=Path, help=_("A file to write, or a folder to write into.")
    )
    parser.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help=_("When DEST is a folder: afterwards delete all but the newest N backups there."),
    )


def run_backup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    written = backups.backup(settings.resolved_database_url, args.dest)
    print(_("Backup written: {path}").format(path=written))
    if args.keep is not None and Path(args.dest).is_dir():
        for path in backups.prune(Path(args.dest), args.keep):
            print(_("Old backup deleted: {path}").format(path=path))
    return 0


def add_restore(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", metavar="SRC", type=Path, help=_("A file written by backup."))
    parser.add_argument(
        "--force",
        action="store_true",
        help=_("Replace a database that already holds data (stop the server first)."),
    )


def run_restore(args: argparse.Namespace) -> int:
    settings = _settings(args)
    backups.restore(settings.resolved_database_url, args.src, force=args.force)
    print(_("Restored {path}; the database is at the newest schema.").format(path=args.src))
    return 0
