"""``kiosk-server``: set up, run and look after the central server from the command line.

Each subcommand is a pair of small functions (``_add_<name>(parser)`` and ``_run_<name>(args)``)
listed in :data:`COMMANDS`, so another subcommand is one more entry. Every subcommand takes
the settings flags (``--data-dir``, ``--database-url``, ...; also ``KT_*`` variables). A caller
may rely on: exit status 0 on success, 1 with a one-line reason on stderr when the input or
the database state refuses the command, 2 for usage errors (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine, select

from sync.cli_language import localize_parser
from sync.demo import demo_config_bytes
from sync.protocol import (
    KioskConfig,
)
from sync.server import deploy_cli, purge_cli, report_cli, staff_cli
from sync.server.db.demo_seed import seed_demo_visits
from sync.server.db.engine import make_engine
from sync.server.db.kiosks import disable_kiosk
from sync.server.db.migrate import upgrade
from sync.server.db.seed import seed_from_config
from sync.server.db.staff_users import add_staff_user
from sync.server.db.tables import records
from sync.server.db.usb_import import USB_FILE_MAX_BYTES, import_batch_file
from sync.server.domain import exports
from sync.server.domain.audit import Actor
from sync.server.domain.i18n import cli_gettext as _
from sync.server.domain.roles import ADMIN, ROLES, check_role_sites
from sync.server.errors import DomainError, InvalidInput
from sync.server.settings import ENV_PREFIX, Settings, option_help
from sync.server.usb_keys import ensure_usb_key, rotate_usb_key, usb_private_keys, usb_public_key
from sync.version import release

__all__ = ["COMMANDS", "build_parser", "main"]
_SETTINGS_FLAGS = ("data_dir", "database_url", "public_base_url")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.load({name: getattr(args, name, None) for name in option_help()})


def _engine(args: argparse.Namespace) -> Engine:
    """The engine, with the schema brought up to date (cheap when it already is)."""
    engine = make_engine(_settings(args).resolved_database_url)
    upgrade(engine)
    return engine


def _print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, sort_keys=True))


# --- init


def _add_init(parser: argparse.ArgumentParser) -> None:
    del parser  # no options beyond the settings flags


def _run_init(args: argparse.Namespace) -> int:
    settings = _settings(args)
    upgrade(settings.resolved_database_url)
    print(_("Database ready: {url}").format(url=_redacted_url(settings.resolved_database_url)))
    ensure_usb_key(settings)
    print(_("USB batch key: {key}").format(key=usb_public_key(settings)))
    return 0


def _redacted_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --- serve


def _add_serve(parser: argparse.ArgumentParser) -> None:
    help_ = option_help()
    parser.add_argument("--host", help=help_["host"])
    parser.add_argument("--port", type=int, help=help_["port"])
    parser.add_argument("--workers", type=int, help=help_["workers"])


def _run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.access_log import log_config

    settings = _settings(args)
    upgrade(settings.resolved_database_url)
    settings.session_secret()  # create it once, before workers race for it
    ensure_usb_key(settings)  # the same for the USB batch key pair
    # Workers are separate processes: they read the same settings from KT_* variables.
    os.environ.update(settings.as_env())
    uvicorn.run(
        "sync.server.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="info",
        log_config=log_config(),  # visitors' follow-up tokens and short codes redacted
        date_header=False,  # the app sets Date itself (kiosks read it on a 401)
    )
    return 0


# --- enroll-kiosk / disable-kiosk


def _add_enroll_kiosk(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help=_("A name staff recognise the kiosk by."))
    parser.add_argument("--site", required=True, help=_("Where the kiosk stands."))
    parser.add_argument("--id", dest="kiosk_id", help=_("Kiosk id; default: made from NAME."))
    parser.add_argument("--json", action="store_true", help=_("Print kiosk_id and secret as JSON."))


def _add_disable_kiosk(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kiosk_id", metavar="KIOSK_ID")


def _run_disable_kiosk(args: argparse.Namespace) -> int:
    disable_kiosk(_engine(args), args.kiosk_id)
    print(
        _("Kiosk {id} is disabled; its requests are refused from now on.").format(id=args.kiosk_id)
    )
    return 0


# --- add-staff


def _add_add_staff(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("username", metavar="USERNAME")
    parser.add_argument(
        "--role",
        choices=ROLES,
        default=ADMIN,
        help=_(
            "admin: everything; staff: the sites given with --site; viewer: pictures only "
            "(default: admin)."
        ),
    )
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="SITE",
        help=_("A site (library) a staff account works for, as its kiosks name it; repeatable."),
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("Read the password from the first line of standard input (for scripts)."),
    )


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(_("Password: "))
    if first != getpass.getpass(_("Password again: ")):
        raise InvalidInput(_("the passwords differ; nothing was stored"))
    return first


def _run_add_staff(args: argparse.Namespace) -> int:
    try:  # before the password is asked: a wrong role and site list is a usage mistake
        check_role_sites(args.role, args.site)
    except ValueError as exc:
        raise InvalidInput(_(str(exc))) from None
    password = _read_password(args)
    add_staff_user(_engine(args), args.username, password, role=args.role, sites=args.site)
    print(_("Staff user {name} added.").format(name=args.username.strip()))
    return 0


# --- export


def _add_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--since", help=_("Only records created at or after this ISO time."))
    parser.add_argument("--event", help=_("Only records of this event id."))
    parser.add_argument(
        "--delimiter", choices=tuple(exports.DELIMITERS), default="comma", help=_("CSV only.")
    )


def _parse_since(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            _(
                "--since {value!r} is not an ISO time such as 2026-11-01 or 2026-11-01T12:00:00Z"
            ).format(value=text)
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _export_rows(engine: Engine, since: datetime | None, event: str | None) -> Iterator[dict]:
    query = select(records).order_by(records.c.created_at, records.c.id)
    if since is not None:
        query = query.where(records.c.created_at >= since)
    if event:
        query = query.where(records.c.event_id == event)
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=500).execute(query).mappings():
            yield exports.export_row(row)


def _run_export(args: argparse.Namespace) -> int:
    since = _parse_since(args.since) if args.since else None
    rows = _export_rows(_engine(args), since, args.event)
    chunks = (
        exports.csv_chunks(rows, args.delimiter)
        if args.format == "csv"
        else exports.jsonl_chunks(rows)
    )
    out = sys.stdout.buffer
    for chunk in chunks:
        out.write(chunk)
    out.flush()
    return 0


# --- import-batch


def _add_import_batch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=Path, help=_("A batch file from a USB stick."))


def _run_import_batch(args: argparse.Namespace) -> int:
    """Exit status 0 with the ack; 2 with one line naming the problem for any bad file. The
    checks are the web upload's (``sync.server.db.usb_import``), and both are audited."""
    settings = _settings(args)
    try:
        try:
            with args.file.open("rb") as handle:
                # At most one byte past the limit: enough to say "too large" without reading it all.
                data = handle.read(USB_FILE_MAX_BYTES + 1)
        except OSError as exc:
            raise InvalidInput(_("cannot read it: {error}").format(error=exc.strerror)) from None
        result = import_batch_file(
            _engine(args),
            data,
            actor=Actor("cli"),
            file_name=str(args.file),
            private_keys=usb_private_keys(settings),
            age_groups=settings.age_groups,
            districts=settings.districts,
        )
    except DomainError as exc:
        details = "; ".join(str(item) for item in exc.errors[:5])
        if len(exc.errors) > 5:
            details += "; ..."
        line = f"{exc.message}: {details}" if details else exc.message
        print(
            _("kiosk-server import-batch: {file}: {error}").format(
                file=args.file, error=" ".join(line.split())
            ),
            file=sys.stderr,
        )
        return 2
    _print_json(result.ack())
    return 0


# --- rotate-usb-key


def _add_rotate_usb_key(parser: argparse.ArgumentParser) -> None:
    del parser


def _run_rotate_usb_key(args: argparse.Namespace) -> int:
    key = rotate_usb_key(_settings(args))
    print(_("New USB batch key: {key}").format(key=key))
    print(
        _(
            "Kiosks receive it with their next kiosk-config; older sticks still open with the "
            "old keys, kept in {path} (docs/deploy-server.md)."
        ).format(path=_settings(args).data_dir + "/usb-batch-key")
    )
    return 0


# --- seed-demo


def _add_seed_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--file",
        type=Path,
        default=None,
        help=_("Kiosk-config JSON to load (default: the demo)."),
    )
    parser.add_argument(
        "--demo-visits",
        action="store_true",
        help=_(
            "Also store six weeks of made-up visits from demo kiosks at two libraries (only for "
            "a demo: refused unless the public base URL is this machine)."
        ),
    )


def _refuse_unless_demo(settings: Settings) -> None:
    """Made-up visits never reach a server that visitors' phones reach."""
    host = urlsplit(settings.public_base_url).hostname or ""
    if not (host in ("localhost", "::1") or host.startswith("127.")):
        raise InvalidInput(
            _(
                "demo visits are refused: the public base URL {url} is not this machine, so this "
                "may be a real server"
            ).format(url=settings.public_base_url)
        )


def _run_seed_demo(args: argparse.Namespace) -> int:
    try:
        raw = demo_config_bytes() if args.file is None else args.file.read_bytes()
        config = KioskConfig.model_validate_json(raw)
    except OSError as exc:
        raise InvalidInput(
            _("cannot read {file}: {error}").format(file=args.file, error=exc.strerror)
        ) from None
    except ValueError as exc:
        raise InvalidInput(
            _("{file} is not kiosk-config JSON: {error}").format(file=args.file, error=exc)
        ) from None
    if args.demo_visits:
        _refuse_unless_demo(_settings(args))
    engine = _engine(args)
    result = seed_from_config(engine, config)
    print(
        _(
            "Seeded {themes} themes ({steps} new steps, {updates} new updates); active event: {event}"
        ).format(
            themes=result.themes,
            steps=result.steps_added,
            updates=result.updates_added,
            event=result.event_id,
        )
    )
    if args.demo_visits:
        _seed_demo_visits(args, engine, config, result.event_id)
    return 0


def _seed_demo_visits(args: argparse.Namespace, engine: Engine, config, event_id) -> None:
    settings = _settings(args)
    if event_id is None or not config.themes:
        raise InvalidInput(_("demo visits need an active event and themes in the demo content"))
    seeded = seed_demo_visits(
        engine,
        demo=True,
        event_id=event_id,
        theme_ids=[t.id for t in config.themes],
        age_groups=list(config.age_groups or settings.age_groups),
        districts=list(config.districts or settings.districts),
        timezone=settings.display_timezone,
    )
    print(
        _(
            "Demo visits: {visits} visits ({records} records, {stories} stories, {flagged} "
            "flagged for personal data, {approved} approved){note}"
        ).format(
            visits=seeded.visits,
            records=seeded.records,
            stories=seeded.stories,
            flagged=seeded.flagged,
            approved=seeded.approved,
            note="" if seeded.seeded_now else _(" — stored before, nothing added"),
        )
    )
    if seeded.follow_up_token:
        base = settings.public_base_url.rstrip("/")
        print(_("Try a follow-up page: {url}").format(url=f"{base}/f/{seeded.follow_up_token}"))


Command = tuple[
    str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]
]

COMMANDS: list[Command] = [
    ("init", _("Create or upgrade the database schema."), _add_init, _run_init),
    ("serve", _("Run the server (migrates first)."), _add_serve, _run_serve),
    (
        "enroll-kiosk",
        _("Enrol a kiosk; print its secret and a one-time enrollment code."),
        deploy_cli.with_code_options(_add_enroll_kiosk),
        deploy_cli.run_enroll_kiosk,
    ),
    (
        "disable-kiosk",
        _("Refuse a kiosk's requests from now on."),
        _add_disable_kiosk,
        _run_disable_kiosk,
    ),
    (
        "add-staff",
        _("Create a staff account (argon2id password hash)."),
        _add_add_staff,
        _run_add_staff,
    ),
    (
        "staff",
        _("Look after a staff account: disable NAME, reset-password NAME."),
        lambda parser: staff_cli.add_staff_commands(parser, _add_settings_flags),
        lambda args: staff_cli.run_staff(args, _engine, _read_password),
    ),
    ("export", _("Write records as CSV or JSON Lines to stdout."), _add_export, _run_export),
    (
        "import-batch",
        _("Ingest a signed batch file from a USB stick."),
        _add_import_batch,
        _run_import_batch,
    ),
    ("seed-demo", _("Load demo themes and event (idempotent)."), _add_seed_demo, _run_seed_demo),
    (
        "rotate-usb-key",
        _("Make a new key pair for sealed USB batch files; keep the old ones."),
        _add_rotate_usb_key,
        _run_rotate_usb_key,
    ),
    # Deployment area (issue 7): sync/server/deploy_cli.py.
    (
        "enrollment-code",
        _("Print a new one-time enrollment code for an enrolled kiosk."),
        deploy_cli.add_enrollment_code,
        deploy_cli.run_enrollment_code,
    ),
    ("backup", _("Back up the database to a file."), deploy_cli.add_backup, deploy_cli.run_backup),
    (
        "restore",
        _("Restore a backup into an empty database."),
        deploy_cli.add_restore,
        deploy_cli.run_restore,
    ),
    (
        "purge",
        _("Erase story texts, follow-up pages and audit entries past their retention."),
        purge_cli.add_purge,
        lambda args: purge_cli.run_purge(args, _settings(args), lambda: _engine(args)),
    ),
    (
        "report",
        _("Write the report of an event (a käyttäjätori) as a PDF file."),
        report_cli.add_report,
        lambda args: report_cli.run_report(args, _settings(args), lambda: _engine(args)),
    ),
]


def _add_settings_flags(parser: argparse.ArgumentParser, **kwargs) -> None:
    help_ = option_help()
    for name in _SETTINGS_FLAGS:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, help=_(help_[name]), **kwargs)


def _settings_epilog() -> str:
    """Every setting as its environment variable, for ``serve --help``."""
    lines = [_("Settings (environment variables; a flag above wins over its variable):")]
    for name, text in option_help().items():
        lines.append(f"  {ENV_PREFIX}{name.upper()}")
        lines.extend(
            textwrap.wrap(text, width=76, initial_indent="      ", subsequent_indent="      ")
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-server", description=_("The Käyttäjätori central server.")
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {release()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary, add_arguments, run in COMMANDS:
        if name == "serve":  # every setting, also those without a flag (KT_DISTRICTS, ...)
            command = sub.add_parser(
                name,
                help=summary,
                description=summary,
                epilog=_settings_epilog(),
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
        else:
            command = sub.add_parser(name, help=summary, description=summary)
        _add_settings_flags(command)
        add_arguments(command)
        command.set_defaults(run=run)
    localize_parser(parser, _)
    return parser


def _database_problem(args: argparse.Namespace, exc: Exception) -> str:
    """One line for a database that cannot be reached: which setting, which URL, why."""
    from sqlalchemy.engine import make_url

    settings = _settings(args)
    if settings.database_url:
        setting = "KT_DATABASE_URL (--database-url)"
        try:
            shown = make_url(settings.database_url).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL: say so without echoing a password
            shown = _("not a database URL")
    else:
        setting = "KT_DATA_DIR (--data-dir)"
        shown = settings.resolved_database_url
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return _(
        "kiosk-server {command}: cannot use the database of {setting} = {url}: {reason}"
    ).format(command=args.command, setting=setting, url=shown, reason=reason[0] if reason else "")


def _user() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (OperationalError, DBAPIError, ArgumentError, NoSuchModuleError) as exc:
        # A wrong password, host or URL is a setting to fix, not a crash to read: one line
        # (the service's journal would otherwise get a 100-line traceback per restart).
        print(_database_problem(args, exc), file=sys.stderr)
        return 1
    except OSError as exc:  # a folder or file the settings name that this user cannot use
        where = exc.filename if exc.filename is not None else ""
        if isinstance(exc, PermissionError):
            message = _("kiosk-server {command}: the user {user} may not use {where}: {error}")
        else:
            message = _("kiosk-server {command}: {where}: {error}")
        print(
            message.format(
                command=args.command, user=_user(), where=where, error=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return 1
    except DomainError as exc:
        print(
            _("kiosk-server {command}: {error}").format(command=args.command, error=exc.message),
            file=sys.stderr,
        )
        for item in exc.errors:
            print(f"  {item}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
