"""The kiosk's two colour palettes, "normal" and "high-contrast", and the WCAG contrast maths.

A caller may rely on this: every palette has the same named roles (:data:`ROLES`), each an RGBA
tuple of floats in 0..1 that Kivy takes as is (``color: app.palette.text``); every pair that
:func:`text_pairs` lists (a text colour on the background it is drawn on) has a contrast ratio of
at least :data:`MIN_TEXT_CONTRAST` (7:1, WCAG AAA) in both palettes, and every pair
:func:`graphic_pairs` lists (outlines, face features, the focus ring) at least
:data:`MIN_GRAPHIC_CONTRAST` (3:1, WCAG 1.4.11). Colour never carries meaning alone: each face has
a drawn expression and a text label, and a selected chip should also show a check mark.

Role meanings: ``background`` fills a screen, ``surface`` fills cards and the keyboard;
``text``/``muted_text`` are drawn on either; ``primary``, ``secondary``, ``selected`` and
``danger`` fill buttons whose label uses the matching ``on_*`` role; ``outline`` borders controls
and cards (a light button on a light screen still shows its edge); ``focus`` rings a focused or
pressed control; ``face_1`` .. ``face_4`` fill the four faces (1 very unhappy .. 4 very happy, as
``sync.protocol`` rates them), ``face_N_outline`` draws the face's outline, eyes and mouth, and
``face_N_label`` is the face's text label, readable both on the face and on the background.

Imports no Kivy: the UI tests and the staff pages can check colours without a window.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = [
    "HIGH_CONTRAST",
    "MIN_GRAPHIC_CONTRAST",
    "MIN_TEXT_CONTRAST",
    "NORMAL",
    "PALETTES",
    "Palette",
    "ROLES",
    "RGBA",
    "contrast_problems",
    "contrast_ratio",
    "get_palette",
    "graphic_pairs",
    "hex_to_rgba",
    "relative_luminance",
    "text_pairs",
]

RGBA = tuple[float, float, float, float]
MIN_TEXT_CONTRAST = 7.0
MIN_GRAPHIC_CONTRAST = 3.0
FACES = (1, 2, 3, 4)


def hex_to_rgba(value: str, alpha: float = 1.0) -> RGBA:
    """``"#1a2b3c"`` (or ``"1a2b3c"``) as an RGBA tuple of floats in 0..1."""
    digits = value.removeprefix("#")
    if len(digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise ValueError(f"colour {value!r} is not of the form #rrggbb")
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, float(alpha))


def relative_luminance(colour: RGBA | tuple[float, ...]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with channels in 0..1 (alpha ignored)."""

    def linear(channel: float) -> float:
        if not 0.0 <= channel <= 1.0:
            raise ValueError(f"colour channel {channel!r} is outside 0..1")
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: RGBA | tuple[float, ...], bg: RGBA | tuple[float, ...]) -> float:
    """WCAG contrast ratio (1..21) of two opaque colours; the order does not matter.

    Translucent colours are refused: their contrast depends on what is under them.
    """
    for name, colour in (("fg", fg), ("bg", bg)):
        if len(colour) == 4 and colour[3] < 1.0:
            raise ValueError(f"{name} colour {colour!r} is translucent; blend it first")
    lighter, darker = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Palette:
    """One palette: a name and an RGBA colour per role. Attribute access suits kv rules."""

    name: str
    background: RGBA
    surface: RGBA
    text: RGBA
    muted_text: RGBA
    primary: RGBA
    on_primary: RGBA
    secondary: RGBA
    on_secondary: RGBA
    selected: RGBA
    on_selected: RGBA
    focus: RGBA
    outline: RGBA
    danger: RGBA
    on_danger: RGBA
    face_1: RGBA
    face_1_outline: RGBA
    face_1_label: RGBA
    face_2: RGBA
    face_2_outline: RGBA
    face_2_label: RGBA
    face_3: RGBA
    face_3_outline: RGBA
    face_3_label: RGBA
    face_4: RGBA
    face_4_outline: RGBA
    face_4_label: RGBA

    def __getitem__(self, role: str) -> RGBA:
        if role not in ROLES:
            raise KeyError(f"no colour role {role!r}; roles are {', '.join(ROLES)}")
        return getattr(self, role)

    def face(self, rating: int) -> tuple[RGBA, RGBA, RGBA]:
        """``(fill, outline, label)`` of the face for rating 1..4."""
        if rating not in FACES:
            raise ValueError(f"rating {rating!r} has no face; ratings are 1, 2, 3 and 4")
        return (
            self[f"face_{rating}"],
            self[f"face_{rating}_outline"],
            self[f"face_{rating}_label"],
        )

    def as_dict(self) -> dict[str, RGBA]:
        return {role: self[role] for role in ROLES}


ROLES: tuple[str, ...] = tuple(f.name for f in fields(Palette) if f.name != "name")


def _palette(name: str, **colours: str) -> Palette:
    return Palette(name=name, **{role: hex_to_rgba(hex_) for role, hex_ in colours.items()})


# Near-black on white. The face fills are light tints (red .. green) so that the dark outline and
# label read on them; the tint is a hint only, the expression and the label carry the meaning.
NORMAL = _palette(
    "normal",
    background="#ffffff",
    surface="#f0f2f5",
    text="#111418",
    muted_text="#40464f",
    primary="#0b3d91",
    on_primary="#ffffff",
    secondary="#dfe6f2",
    on_secondary="#0a2a63",
    selected="#0f5132",
    on_selected="#ffffff",
    focus="#c25e00",
    outline="#40464f",
    danger="#9b1c1c",
    on_danger="#ffffff",
    face_1="#f6c9c4",
    face_1_outline="#111418",
    face_1_label="#111418",
    face_2="#fadcb4",
    face_2_outline="#111418",
    face_2_label="#111418",
    face_3="#dcebb8",
    face_3_outline="#111418",
    face_3_label="#111418",
    face_4="#b6e2c1",
    face_4_outline="#111418",
    face_4_label="#111418",
)

# Yellow and white on black. The faces are black discs drawn in yellow: in this palette the face
# colours are deliberately all alike, the expression and the label tell them apart.
HIGH_CONTRAST = _palette(
    "high-contrast",
    background="#000000",
    surface="#141414",
    text="#ffffff",
    muted_text="#ffff00",
    primary="#ffff00",
    on_primary="#000000",
    secondary="#000000",
    on_secondary="#ffffff",
    selected="#00e5ff",
    on_selected="#000000",
    focus="#ff66ff",
    outline="#ffffff",
    danger="#ff9e9e",
    on_danger="#000000",
    face_1="#000000",
    face_1_outline="#ffff00",
    face_1_label="#ffff00",
    face_2="#000000",
    face_2_outline="#ffff00",
    face_2_label="#ffff00",
    face_3="#000000",
    face_3_outline="#ffff00",
    face_3_label="#ffff00",
    face_4="#000000",
    face_4_outline="#ffff00",
    face_4_label="#ffff00",
)

PALETTES: dict[str, Palette] = {p.name: p for p in (NORMAL, HIGH_CONTRAST)}


def get_palette(name: str) -> Palette:
    """The palette called ``name``; a clear error names the known ones."""
    try:
        return PALETTES[name]
    except KeyError:
        raise ValueError(f"unknown palette {name!r}; choose one of {', '.join(PALETTES)}") from None


def text_pairs(palette: Palette | None = None) -> list[tuple[str, str]]:
    """Every ``(foreground role, background role)`` pair meant to carry text.

    The same in every palette (the argument is accepted so a caller can be explicit).
    """
    pairs = [
        ("text", "background"),
        ("text", "surface"),
        ("muted_text", "background"),
        ("muted_text", "surface"),
        ("on_primary", "primary"),
        ("on_secondary", "secondary"),
        ("on_selected", "selected"),
        ("on_danger", "danger"),
    ]
    for n in FACES:
        pairs += [(f"face_{n}_label", f"face_{n}"), (f"face_{n}_label", "background")]
    return pairs


def graphic_pairs(palette: Palette | None = None) -> list[tuple[str, str]]:
    """Non-text pairs that must be told apart (WCAG 1.4.11): outlines, face features, focus."""
    pairs = [
        ("focus", "background"),
        ("focus", "surface"),
        ("outline", "background"),
        ("outline", "surface"),
        ("outline", "secondary"),
        ("primary", "background"),
        ("selected", "background"),
        ("danger", "background"),
    ]
    for n in FACES:
        pairs += [(f"face_{n}_outline", f"face_{n}"), (f"face_{n}_outline", "background")]
    return pairs


def contrast_problems(palette: Palette) -> list[str]:
    """One sentence per pair of ``palette`` below its minimum; empty when all pass."""
    problems = []
    for pairs, minimum in (
        (text_pairs(palette), MIN_TEXT_CONTRAST),
        (graphic_pairs(palette), MIN_GRAPHIC_CONTRAST),
    ):
        for fg, bg in pairs:
            ratio = contrast_ratio(palette[fg], palette[bg])
            if ratio < minimum:
                problems.append(
                    f"{palette.name}: {fg} on {bg} has contrast {ratio:.2f}:1, needs {minimum}:1"
                )
    return problems
