"""``kiosk sync``: one full drain (``--once``) or a USB export (``--export FOLDER``) from a shell.

A caller may rely on this: :func:`add_parser` registers the ``sync`` subcommand on an argparse
subparsers object and sets ``func`` to :func:`run`, which returns the exit status. ``--once``
exits 0 only when nothing is left pending, 1 when records remain, 2 when the configuration is
wrong (the message names the option or key). Settings come from ``--config FILE`` (the kiosk's
TOML); ``--server``, ``--kiosk-id``, ``--secret-file`` and ``--data-dir`` override it and
suffice without one. ``python -m kiosk.sync_cli`` runs it stand-alone.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.sync_service import kiosk_gettext

__all__ = ["add_parser", "main", "run"]


def _(text: str) -> str:
    # Looked up per call, so importing this module never loads the catalogues (or Kivy).
    return kiosk_gettext()(text)


class _UsageError(ValueError):
    pass


@dataclass(frozen=True)
class _Target:
    kiosk_id: str
    data_dir: Path
    server_url: str
    secret: str
    usb_public_key: str = ""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sync",
        help=_("send pending records to the server now, or export them to a USB stick"),
        description=_(
            "Send the kiosk's pending records to the server (--once) or write them as signed "
            "batch files into a folder (--export)."
        ),
    )
    _add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help=_("one full drain, then exit"))
    parser.add_argument(
        "--export", metavar="FOLDER", help=_("write pending records as batch files into FOLDER")
    )
    parser.add_argument("--config", metavar="FILE", help=_("the kiosk's TOML config file"))
    parser.add_argument("--server", metavar="URL", help=_("server URL (overrides server.url)"))
    parser.add_argument("--kiosk-id", metavar="ID", help=_("kiosk id (overrides kiosk_id)"))
    parser.add_argument("--secret-file", metavar="FILE", help=_("file holding the kiosk's secret"))
    parser.add_argument("--data-dir", metavar="DIR", help=_("the local store's folder"))
    parser.add_argument(
        "--timeout", type=float, default=20.0, metavar="SECONDS", help=_("per-request timeout")
    )


def _read_secret(path: str) -> str:
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise _UsageError(f"--secret-file: cannot read {path}: {exc.strerror or exc}") from None
    if not secret:
        raise _UsageError(f"--secret-file: {path} is empty")
    return secret


def _target(args: argparse.Namespace, need_server: bool) -> _Target:
    kiosk_id, data_dir, server_url, secret = args.kiosk_id, args.data_dir, args.server, None
    usb_public_key = ""
    if args.config:
        from kiosk.settings import SettingsError, load_settings

        try:
            settings = load_settings(args.config)
            kiosk_id = kiosk_id or settings.kiosk_id
            data_dir = data_dir or str(settings.data_dir)
            server_url = server_url or settings.server_url
            usb_public_key = settings.usb_public_key
            if not args.secret_file:
                secret = settings.read_secret()
        except SettingsError as exc:
            raise _UsageError(f"{args.config}: {exc}") from None
    if args.secret_file:
        secret = _read_secret(args.secret_file)
    missing = [
        flag
        for flag, value in (
            ("--kiosk-id", kiosk_id),
            ("--data-dir", data_dir),
            ("--secret-file", secret),
            ("--server", server_url if need_server else "-"),
        )
        if not value
    ]
    if missing:
        raise _UsageError(
            _("missing {what} (give --config FILE or these options)").format(
                what=", ".join(missing)
            )
        )
    if need_server and not str(server_url).startswith(("http://", "https://")):
        raise _UsageError(f"--server: {server_url!r} must start with http:// or https://")
    return _Target(
        str(kiosk_id), Path(str(data_dir)), str(server_url or ""), str(secret), usb_public_key
    )


def run(args: argparse.Namespace) -> int:
    if not args.once and not args.export:
        print(_("kiosk sync: give --once, --export FOLDER or both"), file=sys.stderr)
        return 2
    try:
        target = _target(args, need_server=bool(args.once))
    except _UsageError as exc:
        print(f"kiosk sync: {exc}", file=sys.stderr)
        return 2
    from kiosk.store import LocalStore, StoreError

    try:
        store = LocalStore(target.data_dir)
    except StoreError as exc:  # most often: the kiosk app is running and holds the store
        print(
            _(
                "kiosk sync: cannot open the store: {error} (while the kiosk runs, use staff "
                "mode's Sync now instead)"
            ).format(error=exc),
            file=sys.stderr,
        )
        return 2
    try:
        status = 0
        if args.export:
            status = _export(store, target, args.export)
        if args.once and status == 0:
            status = _drain(store, target, args.timeout)
        return status
    finally:
        store.close()


def _export(store: Any, target: _Target, folder: str) -> int:
    from sync.usb import UsbExportError, export_pending

    try:
        report = export_pending(
            store,
            folder,
            target.kiosk_id,
            target.secret,
            translate=_,
            server_public_key=target.usb_public_key or None,
        )
    except UsbExportError as exc:
        print(f"kiosk sync --export: {exc}", file=sys.stderr)
        return 2
    for path in report.files:
        print(_("wrote {path}").format(path=path))
    print(
        _(
            "exported {records} record(s) in {files} file(s); they stay pending until the server "
            "acknowledges them"
        ).format(records=report.records, files=len(report.files))
    )
    return 0


def _drain(store: Any, target: _Target, timeout: float) -> int:
    from sync.batches import BatchOutcome
    from sync.client import SyncClient

    client = SyncClient(
        store, target.server_url, target.kiosk_id, target.secret, timeout=timeout, translate=_
    )

    def show(outcome: BatchOutcome) -> None:
        if outcome.problem is None:
            print(
                _(
                    "batch {batch}: sent {sent}, acknowledged {ack} "
                    "(new {accepted}, already on the server {duplicates})"
                ).format(
                    batch=outcome.batch_id,
                    sent=outcome.sent,
                    ack=outcome.acknowledged,
                    accepted=outcome.accepted,
                    duplicates=outcome.duplicates,
                )
            )
        else:
            print(
                _("batch {batch}: sent {sent}, not acknowledged: {why}").format(
                    batch=outcome.batch_id, sent=outcome.sent, why=outcome.problem.words(_)
                )
            )

    try:
        print(
            _("sending to {url} as {kiosk}: {n} pending").format(
                url=target.server_url, kiosk=target.kiosk_id, n=client.status().pending
            )
        )
        released = client.release_held()  # staff asked: refused records get one more try
        if released:
            print(_("sending again {n} record(s) the server refused before").format(n=released))
        report = client.drain_once(on_batch=show)
        config = client.pull_config()
    finally:
        client.close()
    if config is True:
        print(_("kiosk-config: updated"))
    elif config is False:
        print(_("kiosk-config: unchanged"))
    else:
        print(_("kiosk-config: not fetched: {why}").format(why=config.words(_)))
    print(
        _("sent {sent}, acknowledged {ack}, left pending {left}").format(
            sent=report.sent, ack=report.acknowledged, left=report.pending_left
        )
    )
    if report.held:
        print(
            _("kept on this kiosk, refused by the server: {n}").format(n=report.held),
            file=sys.stderr,
        )
    return 0 if report.pending_left == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk sync")
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
