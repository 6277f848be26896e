"""``kiosk print-slip --demo --printer file:PATH``: print the demo slip, or write its ESC/POS bytes.

``--printer`` takes the same connection text as ``[printer] connection`` in the kiosk's TOML;
``--config`` reads it from there instead. ``file:PATH`` writes the bytes a printer would get
into PATH, for a preview or a test without paper. Exit status 0 when printed, 1 when the
printer failed (the reason on standard error), 2 for a wrong connection text.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_parser"]


def _print_slip(args: argparse.Namespace) -> int:
    from kiosk.slip import demo_slip
    from kiosk.slip.printer import open_printer, parse_connection, write_slip

    if args.printer:
        try:
            connection = parse_connection(args.printer, args.profile or "")
        except ValueError as exc:
            print(f"kiosk: --printer {exc}", file=sys.stderr)
            return 2
    elif args.config:
        from kiosk.cli import _settings_or_exit

        connection = _settings_or_exit(args.config).printer
        if connection is None:
            print(f"kiosk: {args.config} has no [printer] connection", file=sys.stderr)
            return 2
    else:
        print("kiosk: give --printer or --config", file=sys.stderr)
        return 2
    slip = demo_slip(args.lang)
    try:
        device = open_printer(connection)
        try:
            write_slip(device, slip)
        finally:
            device.close()
    except Exception as exc:  # the printer's own errors are many; name it and stop
        print(f"kiosk: the slip was not printed on {connection}: {exc}", file=sys.stderr)
        return 1
    print(f"printed the demo slip on {connection}")
    return 0


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "print-slip", help="print the demo slip (or write its ESC/POS bytes with file:PATH)"
    )
    parser.add_argument("--demo", action="store_true", required=True, help="the demo slip")
    parser.add_argument(
        "--printer", help="usb:VID:PID, serial:DEV[:BAUD], network:HOST[:PORT], file:PATH"
    )
    parser.add_argument("--profile", help="python-escpos printer profile, e.g. TM-T88V")
    parser.add_argument("--config", help="take [printer] from this kiosk TOML instead")
    parser.add_argument("--lang", choices=("fi", "sv", "en"), default="fi")
    parser.set_defaults(func=_print_slip)
