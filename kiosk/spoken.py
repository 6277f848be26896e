"""Numbers, dates and codes as a speech synthesiser should hear them, in fi, sv and en.

espeak-ng reads "27.11.2027" as "27 piste 11 piste 2027" and a short code as one word, so the
read-aloud scripts pass what they speak through here first. A caller may rely on this:

* :func:`number_words` and :func:`ordinal_words` write a whole number as words
  (``num2words``, which covers Finnish, Swedish and English);
* :func:`date_words` writes a date (a ``date`` or ISO ``YYYY-MM-DD``) as it is said:
  fi "kahdeskymmenesseitsemäs marraskuuta kaksituhatta kaksikymmentäseitsemän",
  sv "den tjugosjunde november tvåtusentjugosju", en "the twenty-seventh of November two
  thousand and twenty-seven" (month names from Babel's CLDR data);
* :func:`speakable` rewrites the dates written d.m.yyyy (and ISO dates) inside a free text,
  such as a theme's update, into words and leaves everything else as it is;
* :func:`spell` spells a code character by character ("K, seitsemän, Q, …"), a dash as the
  word for it, so that a visitor can write it down.

An unknown language raises ``ValueError``. Imports no Kivy.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["date_words", "number_words", "ordinal_words", "speakable", "spell"]

_LANGS = ("fi", "sv", "en")
_DMY = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# What a dash in a code is called; letters and digits are said one by one.
_DASH = {"fi": "viiva", "sv": "streck", "en": "dash"}


def _check(lang: str) -> str:
    if lang not in _LANGS:
        raise ValueError(f"no spoken form for language {lang!r}; use one of {', '.join(_LANGS)}")
    return lang


def number_words(n: int, lang: str) -> str:
    """``n`` as words: fi 27 → "kaksikymmentäseitsemän", sv "tjugosju", en "twenty-seven"."""
    from num2words import num2words

    return str(num2words(int(n), lang=_check(lang)))


def ordinal_words(n: int, lang: str) -> str:
    """``n`` as an ordinal: fi 27 → "kahdeskymmenesseitsemäs", sv "tjugosjunde", en
    "twenty-seventh"."""
    from num2words import num2words

    return str(num2words(int(n), lang=_check(lang), to="ordinal"))


def _month(value: date, lang: str) -> str:
    from babel.dates import format_date

    # CLDR's format month: Finnish in the partitive ("marraskuuta"), as a date is said.
    return str(format_date(value, format="MMMM", locale=lang))


def date_words(value: date | str, lang: str) -> str:
    """``value`` said as a date in ``lang`` (see the module docstring)."""
    _check(lang)
    if isinstance(value, str):
        value = date.fromisoformat(value)
    day = ordinal_words(value.day, lang)
    month = _month(value, lang)
    year = number_words(value.year, lang)
    if lang == "fi":
        return f"{day} {month} {year}"
    if lang == "sv":
        return f"den {day} {month} {year}"
    return f"the {day} of {month} {year}"


def _date_or_none(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def speakable(text: str, lang: str) -> str:
    """``text`` with its dates (d.m.yyyy or yyyy-mm-dd) written as words in ``lang``."""
    _check(lang)

    def dmy(match: re.Match[str]) -> str:
        found = _date_or_none(match[3], match[2], match[1])
        return match[0] if found is None else date_words(found, lang)

    def iso(match: re.Match[str]) -> str:
        found = _date_or_none(match[1], match[2], match[3])
        return match[0] if found is None else date_words(found, lang)

    return _ISO.sub(iso, _DMY.sub(dmy, text))


def spell(code: str, lang: str) -> str:
    """``code`` said one character at a time: letters as capitals, digits as words."""
    _check(lang)
    said = []
    for char in code:
        if char.isdigit():
            said.append(number_words(int(char), lang))
        elif char == "-":
            said.append(_DASH[lang])
        elif char.isalnum():
            said.append(char.upper())
    return ", ".join(said)
