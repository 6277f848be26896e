"""Story moderation helpers: spotting personal data and redacting a passage.

``looks_personal(text)`` is what the batch ingest calls to set ``personal_data_suspected`` on a
story; staff see those stories flagged in the moderation queue. It errs towards flagging: a
false flag costs a moderator a glance, a missed phone number costs a resident their privacy.
``redact(text, passage)`` replaces every occurrence of a passage with a visible marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["REDACTION_MARK", "Finding", "find_personal_data", "looks_personal", "redact"]

REDACTION_MARK = "[…]"

# E-mail: local@domain.tld, also with spaces around "@" or "(at)" that people type to dodge bots.
_EMAIL = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[\w.+-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[\w-]+\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*[\w-]+",
    re.IGNORECASE,
)
# Phone numbers: Finnish mobiles (040 123 4567, 050-1234567), landlines (015 194 111) and
# international (+358 40 123 4567). Seven or more digits with optional separators.
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d(?:[\s\-/().]{0,2}\d){6,14}(?![\w])")
# Street addresses: a street-like word followed by a house number, in Finnish and Swedish
# (Porrassalmenkatu 5, Maaherrankatu 12 B 3, Storgatan 4) and English (12 Baker Street).
_STREET_SUFFIXES = (
    "katu|tie|kuja|polku|raitti|väylä|vayla|kaari|rinne|ranta|aukio|tori|puistikko|"
    "gatan|gata|vägen|vagen|väg|vag|gränd|grand|stigen|torget|allén|allen"
)
_STREET_FI_SV = re.compile(
    rf"\b[A-ZÅÄÖa-zåäö][\wåäöÅÄÖ-]*(?:{_STREET_SUFFIXES})\s+\d{{1,4}}(?:\s?[A-Za-z])?\b",
    re.IGNORECASE,
)
_STREET_EN = re.compile(
    r"\b\d{1,4}\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s(?:Street|St|Road|Rd|Avenue|Ave|Lane|Way)\b"
)
# Finnish personal identity code (henkilötunnus): DDMMYY, century sign, 3 digits, check char.
_HETU = re.compile(r"\b\d{6}[-+AaBbCcDdEeFfXxYyWwVvUu]\d{3}[0-9A-Ya-y]\b")


@dataclass(frozen=True)
class Finding:
    """One suspected piece of personal data: its kind and where it sits in the text."""

    kind: str  # "email" | "phone" | "address" | "id-code"
    start: int
    end: int
    text: str


def _date_like(candidate: str) -> bool:
    # "14.4.2009" or "2026-11-28" are dates, not phone numbers; dates are common in stories.
    return bool(re.fullmatch(r"\d{1,4}[.\-/]\d{1,2}[.\-/]\d{1,4}", candidate.strip()))


def find_personal_data(text: str | None) -> list[Finding]:
    """Every suspected e-mail address, phone number, street address and identity code, in order."""
    if not text:
        return []
    found: list[Finding] = []
    for kind, pattern in (
        ("id-code", _HETU),
        ("email", _EMAIL),
        ("phone", _PHONE),
        ("address", _STREET_FI_SV),
        ("address", _STREET_EN),
    ):
        for match in pattern.finditer(text):
            if kind == "phone" and _date_like(match.group()):
                continue
            if any(f.start <= match.start() < f.end for f in found):
                continue  # already covered, e.g. the digits of an identity code
            found.append(Finding(kind, match.start(), match.end(), match.group()))
    return sorted(found, key=lambda f: f.start)


def looks_personal(text: str | None) -> bool:
    """True when the text seems to contain a phone number, e-mail, street address or ID code."""
    return bool(find_personal_data(text))


def redact(text: str, passage: str) -> str:
    """``text`` with every occurrence of ``passage`` replaced by :data:`REDACTION_MARK`.

    Raises ``ValueError`` naming the problem when the passage is empty or not in the text, so a
    moderator learns their selection did not match instead of publishing an unredacted story.
    """
    passage = passage.strip()
    if not passage:
        raise ValueError("the passage to redact is empty")
    if passage not in text:
        raise ValueError("the passage to redact does not occur in the story")
    return text.replace(passage, REDACTION_MARK)
