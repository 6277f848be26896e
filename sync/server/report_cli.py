"""``kiosk-server report --event ID --out FILE.pdf [--lang fi|sv|en]``: the event report.

The same PDF as ``/events/<id>/report.pdf`` (:func:`sync.server.printables.report_pdf`), for a
käyttäjätori organiser who prints it without opening the web. Exit status 1 with a one-line
reason when the event is unknown or the file cannot be written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from sync.server.domain.i18n import LANGS
from sync.server.domain.i18n import cli_gettext as _
from sync.server.errors import InvalidInput, NotFound
from sync.server.settings import Settings

__all__ = ["add_report", "run_report"]


def add_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event", required=True, help=_("The id of the event."))
    parser.add_argument("--out", required=True, type=Path, help=_("The PDF file to write."))
    parser.add_argument(
        "--lang", choices=LANGS, default="fi", help=_("The language of the report.")
    )


def run_report(args: argparse.Namespace, settings: Settings, engine: Callable[[], Engine]) -> int:
    from sync.server import printables  # WeasyPrint loads only for this command
    from sync.server.resources.rendering import PageRenderer

    pages = PageRenderer(settings.display_timezone)
    today = datetime.now(pages.timezone).date()
    body = printables.report_pdf(engine(), pages, settings, args.event, lang=args.lang, today=today)
    if body is None:
        raise NotFound(_("no event {event}").format(event=args.event))
    try:
        args.out.write_bytes(body)
    except OSError as exc:
        raise InvalidInput(
            _("cannot write {file}: {error}").format(file=args.out, error=exc.strerror)
        ) from None
    print(_("Wrote {file}").format(file=args.out))
    return 0
