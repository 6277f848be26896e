"""The ``kiosk`` console script: ``run``, ``hash-pin``, ``screenshots`` and the others' commands.

Each subcommand is one small module-level function ``add_parser(subparsers)`` that registers its
parser and sets ``func`` (taking the parsed namespace, returning the exit status). To add one,
write such a function (here or in your own module) and list it in :data:`COMMANDS`; modules
named in :data:`PLUGIN_MODULES` are asked for their ``add_parser`` when they import (the sync
developer's ``kiosk.sync_cli``, the setup developer's ``kiosk.setup_cli``). Kivy is imported only
by the commands that open a window, after the window is configured.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.i18n import N_, set_language, translations
from kiosk.i18n import gettext as _
from sync.cli_language import cli_language, localize_parser
from sync.version import release

__all__ = ["COMMANDS", "PLUGIN_MODULES", "build_parser", "main"]

# argparse's own words, which sync.cli_language.localize_parser asks our catalogue for.
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
)


def _settings_or_exit(path: str):
    from kiosk.settings import SettingsError, load_settings

    try:
        return load_settings(path)
    except SettingsError as exc:
        print(
            _("kiosk: bad configuration in {path}: {problem}").format(path=path, problem=exc),
            file=sys.stderr,
        )
        raise SystemExit(2) from None


# --- kiosk run


def sync_service_for(settings, store):
    """The background sync service for this kiosk, or None when it can neither sync nor sign.

    A kiosk with a secret but no server URL still gets one: staff export the pending records
    to a USB stick as signed batch files, which is exactly the case without a network.
    """
    if not (settings.server_url or settings.secret or settings.secret_file):
        return None
    from kiosk.sync_service import SyncService

    return SyncService.from_settings(settings, store)


def _run(args: argparse.Namespace) -> int:
    settings = _settings_or_exit(args.config)
    if args.demo:
        settings = dataclasses.replace(settings, demo=True)
    from kiosk.kivy_setup import configure_kivy

    configure_kivy(fullscreen=settings.fullscreen and not args.windowed)
    from kiosk.store import LocalStore

    store = LocalStore(settings.data_dir)
    service = sync_service_for(settings, store)
    if service is not None:
        service.start()
    from kiosk.app import KioskApp

    app = KioskApp(settings, store=store, sync_service=service)
    app.handle_stop_signals()
    app.rest_when_idle()
    try:
        app.run()
    finally:
        store.close()
    return 0


def add_run(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help=_("start the full-screen kiosk"))
    parser.add_argument("--config", required=True, help=_("the kiosk's TOML configuration file"))
    parser.add_argument(
        "--windowed", action="store_true", help=_("a 1920x1080 window instead of full screen")
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="demo mode: the demo content until a server sends its own (never in production)",
    )
    parser.set_defaults(func=_run)


# --- kiosk check-config


def _check_config(args: argparse.Namespace) -> int:
    settings = _settings_or_exit(args.config)
    print(
        _("{path}: OK (kiosk {kiosk_id}, data in {data_dir})").format(
            path=args.config, kiosk_id=settings.kiosk_id, data_dir=settings.data_dir
        )
    )
    return 0


def add_check_config(subparsers: Any) -> None:
    parser = subparsers.add_parser("check-config", help=_("validate a configuration file"))
    parser.add_argument("--config", required=True, help=_("the kiosk's TOML configuration file"))
    parser.set_defaults(func=_check_config)


# --- kiosk hash-pin


def _hash_pin(args: argparse.Namespace) -> int:
    from kiosk.pin import hash_pin

    if args.stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass(_("New staff PIN (digits): "))
        if getpass.getpass(_("The same PIN again: ")) != pin:
            print(_("kiosk: the two PINs differ; nothing was printed"), file=sys.stderr)
            return 2
    try:
        print(hash_pin(pin))
    except ValueError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    return 0


def add_hash_pin(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hash-pin", help=_("print the hash of a staff PIN for [staff] pin_hash")
    )
    parser.add_argument("--stdin", action="store_true", help=_("read the PIN from standard input"))
    parser.set_defaults(func=_hash_pin)


# --- kiosk screenshots


def _screenshots(args: argparse.Namespace) -> int:
    from kiosk.screenshots import render_all

    paths = render_all(Path(args.outdir), langs=args.lang, screens=args.screen)
    # Rendering switched the kiosk's language screen by screen; the message is for the admin,
    # in the admin's language (the kiosk's own screens are closed by now: no switching back).
    message = translations(cli_language()).gettext("wrote {count} screenshots to {folder}")
    print(message.format(count=len(paths), folder=args.outdir))
    return 0


def add_screenshots(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "screenshots",
        help=_("render every screen in fi, sv, en at text x1 and x2, both palettes"),
    )
    parser.add_argument("outdir", help=_("the folder for the PNG files"))
    parser.add_argument("--lang", action="append", help=_("only this language (repeatable)"))
    parser.add_argument("--screen", action="append", help=_("only this screen (repeatable)"))
    parser.set_defaults(func=_screenshots)


COMMANDS: list[Callable[[Any], Any]] = [add_run, add_check_config, add_hash_pin, add_screenshots]
PLUGIN_MODULES = ("kiosk.sync_cli", "kiosk.setup_cli", "kiosk.slip.cli", "kiosk.walkthrough")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description=_("The Käyttäjätori kiosk."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {release()}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(subparsers)
    for name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_parser(subparsers)
    localize_parser(parser, _)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Help and messages in the admin's locale (fi, sv, else en), like kiosk-server's; the
    # screens' language comes from the kiosk's configuration when the app starts.
    set_language(cli_language())
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
