"""``kiosk-server staff disable NAME``, ``kiosk-server staff reset-password NAME`` and
``kiosk-server staff role NAME --role admin|staff|viewer [--site SITE ...]``.

Each is written to the audit trail (as ``cli``) and ends every session of the account at once (on every server process: sessions live in the
database). A caller may rely on the exit statuses of :mod:`sync.server.cli`: 0 done, 1 with one
line on stderr (an unknown name, a password too short, passwords that differ), 2 usage.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from gettext import gettext as _

from sync.server.db.staff_users import disable_staff_user, set_staff_password, set_staff_role
from sync.server.domain.roles import ROLES

__all__ = ["add_staff_commands", "run_staff"]


def add_staff_commands(
    parser: argparse.ArgumentParser, add_settings_flags: Callable[..., None]
) -> None:
    sub = parser.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    disable = sub.add_parser(
        "disable",
        help=_("Refuse the account's sign-ins and end its sessions."),
        description=_("Refuse the account's sign-ins and end its sessions."),
    )
    disable.add_argument("username", metavar="NAME")
    reset = sub.add_parser(
        "reset-password",
        help=_("Set a new password for the account and end its sessions."),
        description=_("Set a new password for the account and end its sessions."),
    )
    reset.add_argument("username", metavar="NAME")
    reset.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("Read the password from the first line of standard input (for scripts)."),
    )
    role = sub.add_parser(
        "role",
        help=_("Give the account another role (and sites) and end its sessions."),
        description=_("Give the account another role (and sites) and end its sessions."),
    )
    role.add_argument("username", metavar="NAME")
    role.add_argument(
        "--role",
        choices=ROLES,
        required=True,
        help=_("admin: everything; staff: the sites given with --site; viewer: pictures only."),
    )
    role.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="SITE",
        help=_("A site (library) a staff account works for, as its kiosks name it; repeatable."),
    )
    for child in (disable, reset, role):
        # The settings flags may come after the action too; SUPPRESS keeps the parent's value.
        add_settings_flags(child, default=argparse.SUPPRESS)


def run_staff(
    args: argparse.Namespace,
    engine_of: Callable,
    read_password: Callable[[argparse.Namespace], str],
) -> int:
    if args.staff_command == "disable":
        ended = disable_staff_user(engine_of(args), args.username)
        print(
            _("Staff user {name} is disabled; {count} session(s) ended.").format(
                name=args.username.strip(), count=ended
            )
        )
        return 0
    if args.staff_command == "role":
        set_staff_role(engine_of(args), args.username, args.role, args.site)
        print(
            _("Staff user {name} is now {role}; their sessions ended.").format(
                name=args.username.strip(), role=args.role
            )
        )
        return 0
    password = read_password(args)
    ended = set_staff_password(engine_of(args), args.username, password)
    print(
        _("New password stored for {name}; {count} session(s) ended.").format(
            name=args.username.strip(), count=ended
        )
    )
    return 0
