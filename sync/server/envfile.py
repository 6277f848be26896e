"""Read an environment file the way systemd's ``EnvironmentFile=`` reads it, and run a command.

``kiosk-server.service`` gets its ``KT_*`` settings from ``/etc/kiosk-server/kiosk-server.env``
through systemd; ``kiosk-server-admin`` must see exactly the same values, so it does not
source the file with the shell (where ``$`` in a password expands, and quotes mean something
else). :func:`parse_env_file` follows systemd's parser (``parse_env_file_internal`` in
systemd's ``env-file.c``): ``#`` and ``;`` start comment lines; ``KEY=value`` with spaces around
key and value trimmed; no ``$`` expansion ever; single quotes keep everything; in double quotes
a backslash escapes only ``"`` ``\\`` `````` ``$`` and a newline; outside quotes a backslash
escapes any character and a backslash at the end of a line continues it; lines without ``=``
are ignored.

``python -m sync.server.envfile FILE COMMAND [ARG...]`` runs COMMAND with the file's variables
added to the environment (run as root: the file is mode 0600; COMMAND drops to the service
user). Stdlib only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["parse_env_file", "parse_env_text"]

_ESCAPED_IN_DOUBLE_QUOTES = '"\\`$'


def parse_env_text(text: str) -> dict[str, str]:
    """The assignments of an environment file's text, in systemd's reading."""
    result: dict[str, str] = {}
    state = "pre_key"
    key: list[str] = []
    value: list[str] = []
    key_end = value_end = 0  # lengths up to the last non-space character (trailing space trimmed)

    def emit() -> None:
        name = "".join(key[:key_end])
        if name:
            result[name] = "".join(value[:value_end])

    for c in text:
        if state == "pre_key":
            if c in "#;":
                state = "comment"
            elif not c.isspace():
                state, key, key_end = "key", [c], 1
        elif state == "key":
            if c == "\n":
                state = "pre_key"  # no '=': not an assignment
            elif c == "=":
                state, value, value_end = "pre_value", [], 0
            else:
                key.append(c)
                if not c.isspace():
                    key_end = len(key)
        elif state == "pre_value":
            if c == "\n":
                emit()
                state = "pre_key"
            elif c == "'":
                state = "single"
            elif c == '"':
                state = "double"
            elif c == "\\":
                state = "value_escape"
            elif not c.isspace():
                value.append(c)
                value_end = len(value)
                state = "value"
        elif state == "value":
            if c == "\n":
                emit()
                state = "pre_key"
            elif c == "\\":
                state = "value_escape"
            else:
                value.append(c)
                if not c.isspace():
                    value_end = len(value)
        elif state == "value_escape":
            state = "value"
            if c != "\n":  # backslash-newline continues the line
                value.append(c)
                value_end = len(value)
        elif state == "single":
            if c == "'":
                state = "pre_value"
            else:
                value.append(c)
                value_end = len(value)
        elif state == "double":
            if c == '"':
                state = "pre_value"
            elif c == "\\":
                state = "double_escape"
            else:
                value.append(c)
                value_end = len(value)
        elif state == "double_escape":
            state = "double"
            if c in _ESCAPED_IN_DOUBLE_QUOTES:
                value.append(c)
            elif c != "\n":
                value.extend(("\\", c))
            value_end = len(value)
        elif state == "comment":
            if c == "\\":
                state = "comment_escape"
            elif c == "\n":
                state = "pre_key"
        elif state == "comment_escape":
            state = "comment"
    if state in ("pre_value", "value", "value_escape", "single", "double", "double_escape"):
        emit()
    return result


def parse_env_file(path: str | Path) -> dict[str, str]:
    return parse_env_text(Path(path).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python -m sync.server.envfile FILE COMMAND [ARG...]", file=sys.stderr)
        return 2
    try:
        variables = parse_env_file(args[0])
    except OSError as exc:
        print(f"cannot read {args[0]}: {exc.strerror}", file=sys.stderr)
        return 1
    os.environ.update(variables)
    try:
        os.execvp(args[1], args[1:])
    except OSError as exc:
        print(f"cannot run {args[1]}: {exc.strerror}", file=sys.stderr)
        return 127
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
