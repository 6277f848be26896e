"""Place names as each language writes them: Mikkeli is S:t Michel in Swedish.

District slugs in the content are Finnish place names (``ristiina``, ``keskusta``). Swedish uses
the municipality's official Swedish names where one exists (the glossary's list: S:t Michel,
Kristina, Centrum); names without one stay Finnish (Haukivuori, Otava, Kalevankangas). English
uses the Finnish names. :func:`place_name` answers a slug's name for a language. Imports no Kivy.
"""

from __future__ import annotations

__all__ = ["SWEDISH_NAMES", "place_name"]

SWEDISH_NAMES = {
    "mikkeli": "S:t Michel",
    "ristiina": "Kristina",
    "keskusta": "Centrum",
}


def place_name(slug: str, lang: str) -> str:
    """``slug``'s name in ``lang``: capitalised, hyphens and underscores as spaces."""
    if lang == "sv" and slug in SWEDISH_NAMES:
        return SWEDISH_NAMES[slug]
    return slug.replace("-", " ").replace("_", " ").capitalize()
