"""What a slip says: one :class:`Slip` per visit, and the blocks both renderers draw.

A caller may rely on :func:`slip_blocks` giving the slip top to bottom as :class:`SlipBlock`
items (a style and a text, or the ``qr`` block with the link), the same for the Pillow picture
and the printer, so the PNG reviewers look at is what the printer prints. Every text is in the
slip's own ``lang`` (the visitor's, given to :func:`build_slip`), never the kiosk's current
language: the printing thread may still be at work when the next visitor switches it. Dates are
d.m.yyyy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kiosk.content import ThemeCard
from kiosk.i18n import current_language, translations

__all__ = [
    "Slip",
    "SlipBlock",
    "SlipTheme",
    "build_slip",
    "demo_slip",
    "next_step_text",
    "numeric_date",
    "slip_blocks",
    "velho_text",
]

Style = Literal["title", "heading", "body", "small", "code", "qr", "rule"]


def numeric_date(value: date | str) -> str:
    """``2.12.2026``: how Finnish and Finland-Swedish write a date, used on the slip in every
    language so the paper reads the same whoever holds it."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day}.{value.month}.{value.year}"


def _in(lang: str | None):
    return translations(lang or current_language()).gettext


def velho_text(theme: ThemeCard, lang: str | None = None) -> str:
    """The theme's velho as one line (the theme's name is shown above it)."""
    _ = _in(lang)
    if not theme.velho_name:
        return _("This theme is still looking for its velho.")
    return _("Velho: {name}, {role}").format(name=theme.velho_name, role=theme.velho_role)


def next_step_text(theme: ThemeCard, lang: str | None = None) -> str:
    if not theme.next_step:
        return ""
    _ = _in(lang)
    return _("Next step: {step} ({date})").format(
        step=theme.next_step, date=numeric_date(theme.next_date)
    )


@dataclass(frozen=True)
class SlipTheme:
    name: str
    velho: str
    next_step: str


@dataclass(frozen=True)
class Slip:
    day: str  # d.m.yyyy
    themes: tuple[SlipTheme, ...]
    follow_up_url: str
    short_url: str
    code: str
    lang: str


@dataclass(frozen=True)
class SlipBlock:
    style: Style
    text: str = ""


def build_slip(
    themes: Sequence[ThemeCard],
    follow_up_url: str,
    short_url: str,
    code: str,
    lang: str,
    today: date | None = None,
) -> Slip:
    return Slip(
        day=numeric_date(today or date.today()),
        themes=tuple(
            SlipTheme(t.name, velho_text(t, lang), next_step_text(t, lang)) for t in themes
        ),
        follow_up_url=follow_up_url,
        short_url=short_url,
        code=code,
        lang=lang,
    )


def slip_blocks(slip: Slip) -> list[SlipBlock]:
    """The slip top to bottom, in the slip's language."""
    _ = _in(slip.lang)
    blocks = [
        SlipBlock("title", _("Käyttäjätori · My Mikkeli")),
        SlipBlock("small", slip.day),
        SlipBlock("body", _("Thank you! Your answers are saved.")),
        SlipBlock("rule"),
    ]
    if not slip.themes:
        blocks.append(SlipBlock("body", _("Your answers go to the people who develop Mikkeli.")))
    for theme in slip.themes:
        blocks.append(SlipBlock("heading", theme.name))
        blocks.append(SlipBlock("body", theme.velho))
        if theme.next_step:
            blocks.append(SlipBlock("body", theme.next_step))
    blocks += [
        SlipBlock("rule"),
        SlipBlock("body", _("See what happens next: scan the code with your phone.")),
        SlipBlock("qr", slip.follow_up_url),
        SlipBlock("body", _("Or open this address and type the code:")),
        SlipBlock("heading", slip.short_url),
        SlipBlock("code", slip.code),
        SlipBlock("rule"),
        SlipBlock(
            "small",
            _("Your answers are anonymous. Anyone with this code can see your page, so keep it."),
        ),
    ]
    return blocks


def demo_slip(lang: str, public_url: str = "https://kayttajatori.example.fi") -> Slip:
    """A slip from the bundled demo content with a fixed code, for previews and tests."""
    from kiosk.content import load_content, theme_card

    content = load_content()
    cards = [theme_card(t, lang, date(2026, 12, 2)) for t in content.themes[:2]]
    base = public_url.rstrip("/")
    return build_slip(
        cards,
        f"{base}/f/q3J9kT0vXyZ1aB2cD3eF4gH5",
        f"{base}/k",
        "K7QM4-PX2RT",
        lang,
        today=date(2026, 12, 2),
    )
