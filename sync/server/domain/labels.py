"""Human names for the codes records carry: faces, age groups, districts.

A caller may rely on: every function taking the page's or export's ``gettext`` and returning
a name a person reads (never a raw code where a name exists); an unknown code coming back as
itself rather than failing, so an old record still renders.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["AGE_GROUP_LABELS", "FACE_LABELS", "age_group_label", "district_label", "face_label"]

Gettext = Callable[[str], str]

# English msgids; translated through the web catalogue where shown.
FACE_LABELS = {1: "Very unhappy", 2: "Unhappy", 3: "Happy", 4: "Very happy"}
AGE_GROUP_LABELS = {"under-18": "Under 18", "75+": "75 or over"}


def face_label(rating: int | None, gettext: Gettext) -> str:
    return gettext(FACE_LABELS[rating]) if rating in FACE_LABELS else ""


def age_group_label(code: str | None, gettext: Gettext) -> str:
    if not code:
        return ""
    if code in AGE_GROUP_LABELS:
        return gettext(AGE_GROUP_LABELS[code])
    return code.replace("-", "–")  # "18-29" -> "18–29"


def district_label(slug: str | None, names: dict[str, str] | None = None) -> str:
    """A district's name: from ``names`` when configured, else the slug as a place name
    ("kalevankangas" -> "Kalevankangas", "pikku-vesi" -> "Pikku vesi")."""
    if not slug:
        return ""
    if names and slug in names:
        return names[slug]
    return slug.replace("-", " ").replace("_", " ").capitalize()
