"""The language of the command-line tools (``kiosk``, ``kiosk-server``): the admin's locale.

A caller may rely on this: :func:`cli_language` reads the standard locale variables in POSIX
order (``LANGUAGE``'s first entry, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``) and answers ``"fi"``
for a Finnish locale, ``"sv"`` for a Swedish one (``sv_FI`` included) and ``"en"`` for anything
else (``C``, ``POSIX``, unset). Both tools print their help and messages in that one language, so
one terminal never shows two. :func:`localize_parser` puts argparse's own words (usage, section
titles, ``--help``) and those of every subcommand's parser into it. Standard library only.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping

__all__ = ["CLI_LANGUAGES", "cli_language", "localize_parser"]

CLI_LANGUAGES = ("fi", "sv", "en")
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    for name in _LOCALE_VARIABLES:
        value = env.get(name, "").split(":")[0].strip()
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in CLI_LANGUAGES else "en"
    return "en"


def localize_parser(parser: argparse.ArgumentParser, gettext: Callable[[str], str]) -> None:
    """argparse's own words in ``parser`` and its subcommands' parsers through ``gettext``.

    The msgids are ``"usage: "``, ``"positional arguments"``, ``"options"`` and ``"show this help
    message and exit"``; each tool's catalogue translates them.
    """
    usage = gettext("usage: ")

    class Formatter(parser.formatter_class):  # type: ignore[name-defined]
        def add_usage(self, usage_text, actions, groups, prefix=None):  # noqa: ANN001
            return super().add_usage(
                usage_text, actions, groups, usage if prefix is None else prefix
            )

    pending = [parser]
    while pending:
        current = pending.pop()
        current.formatter_class = Formatter
        # argparse keeps its two default groups and the --help action in these attributes.
        current._positionals.title = gettext("positional arguments")
        current._optionals.title = gettext("options")
        for action in current._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = gettext("show this help message and exit")
            if isinstance(action, argparse._SubParsersAction):
                pending.extend(action.choices.values())
