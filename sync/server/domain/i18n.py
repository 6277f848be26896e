"""Translations of the server's web pages (staff dashboard and follow-up page), via gettext.

Catalogues are gettext ``.po`` files under ``locale/<lang>/LC_MESSAGES/web.po`` beside this
module, with English message ids. They are compiled in memory on first use (babel), so no build
step is needed and a deployment cannot run stale ``.mo`` files. :func:`negotiate` picks a language
from ``?lang=``, then ``Accept-Language``, then a fallback.
"""

from __future__ import annotations

import functools
import gettext
import io
from importlib.resources import files
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from sync.protocol import LANGS

__all__ = ["LANGS", "LOCALE_DIR", "cli_gettext", "negotiate", "translations"]

LOCALE_DIR = Path(str(files("sync.server.domain").joinpath("locale")))  # package data


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue for ``lang`` (fi, sv or en); English and unknown languages pass ids through."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "web.po"
    if lang not in LANGS or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _accept_language(header: str | None) -> list[str]:
    """Language codes from an Accept-Language header, best first (q-values honoured)."""
    ranked = []
    for position, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(query_lang: str | None, accept_language: str | None, fallback: str = "fi") -> str:
    """``?lang=`` when it names fi/sv/en, else the best of Accept-Language, else ``fallback``."""
    if query_lang in LANGS:
        return query_lang
    for tag in _accept_language(accept_language):
        if tag in LANGS:
            return tag
    return fallback if fallback in LANGS else "fi"


def cli_gettext(msgid: str) -> str:
    """``msgid`` in the command line's language, the admin's locale (like the kiosk's CLI)."""
    from sync.cli_language import cli_language

    return translations(cli_language()).gettext(msgid)
