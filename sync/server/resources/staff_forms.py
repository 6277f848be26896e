"""Reading staff form fields: trimmed text with length limits, ISO dates, slugs, checkboxes.

Each reader raises :class:`FormError` naming the field and the problem (an English gettext
message id with ``%(field)s``-style variables), so the page can show it translated next to the
form and nothing is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

__all__ = ["FormError", "checkbox", "iso_date", "slug", "text"]

EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)
_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")


class FormError(ValueError):
    """A form field was wrong; ``message`` is a gettext id, ``variables`` fill it in."""

    def __init__(self, message: str, **variables: object):
        super().__init__(message % variables if variables else message)
        self.message = message
        self.variables = variables


def text(form: Mapping, name: str, *, required: bool = False, max_length: int = 200) -> str:
    value = form.get(name, "")
    # Normalised before measuring: the limit is on the text as stored.
    value = unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""
    if required and not value:
        raise FormError("%(field)s is required.", field=name)
    if len(value) > max_length:
        raise FormError("%(field)s is longer than %(max)s characters.", field=name, max=max_length)
    return value


def iso_date(form: Mapping, name: str) -> date:
    value = text(form, name, required=True, max_length=10)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise FormError("%(field)s must be a date such as 2026-11-28.", field=name) from None
    # Bounded: a typo such as 9999-12-31 would otherwise break every page that counts from it
    # (the calendar download adds a day to an event's date).
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise FormError("%(field)s must be a date between 2000 and 2099.", field=name)
    return day


def slug(form: Mapping, name: str, *, event_id: bool = False) -> str:
    value = text(form, name, required=True, max_length=128 if event_id else 64)
    if not (_ID_RE if event_id else _SLUG_RE).fullmatch(value):
        raise FormError(
            "%(field)s may hold only lowercase letters, digits, '-' and '_'.", field=name
        )
    return value


def checkbox(form: Mapping, name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "yes")
