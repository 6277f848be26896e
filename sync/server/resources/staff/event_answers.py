"""An event's four answer labels in the staff event form: read from the form, shown back in it.

The labels stand under the kiosk's four faces, worst (1) to best (4), and are set together with
the question so that they answer it ("Miten hyvin …?" – "Erittäin huonosti … Erittäin hyvin").
All empty means the kiosk's own defaults. Stored as ``events.answer_labels``: a list of four
``{"fi", "sv", "en"}`` objects, or NULL.
"""

from __future__ import annotations

from collections.abc import Mapping

from sync.protocol import LANGS, RATINGS
from sync.server.resources.staff.forms import FormError, text

__all__ = ["ANSWER_MAX_CHARS", "answer_fields", "answer_labels"]

ANSWER_MAX_CHARS = 60


def _name(rating: int, lang: str) -> str:
    return f"answer_{rating}_{lang}"


def answer_labels(form: Mapping) -> list[dict[str, str]] | None:
    """The labels from the form, or None when every field is empty (the kiosk's defaults).

    Raises :class:`FormError` when some but not all four Finnish labels are given.
    """
    labels = [
        {lang: text(form, _name(r, lang), max_length=ANSWER_MAX_CHARS) for lang in LANGS}
        for r in RATINGS
    ]
    if not any(value for label in labels for value in label.values()):
        return None
    missing = [r for r, label in zip(RATINGS, labels, strict=True) if not label["fi"]]
    if missing:
        raise FormError(
            "%(field)s: give all four answers in Finnish, or leave every answer empty"
            " for the default answers.",
            field=_name(missing[0], "fi"),
        )
    return labels


def answer_fields(event: Mapping) -> dict[str, str]:
    """The form fields ``answer_<n>_<lang>`` of a stored event, to fill the edit form."""
    out: dict[str, str] = {}
    for rating, label in zip(RATINGS, event.get("answer_labels") or [], strict=False):
        for lang in LANGS:
            out[_name(rating, lang)] = (label or {}).get(lang, "")
    return out
