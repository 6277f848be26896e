"""kiosk.palette: every text pair reaches 7:1 and every graphic pair 3:1, in both palettes."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.palette import (
    HIGH_CONTRAST,
    MIN_GRAPHIC_CONTRAST,
    MIN_TEXT_CONTRAST,
    NORMAL,
    PALETTES,
    ROLES,
    contrast_problems,
    contrast_ratio,
    get_palette,
    graphic_pairs,
    hex_to_rgba,
    text_pairs,
)

BLACK = (0.0, 0.0, 0.0, 1.0)
WHITE = (1.0, 1.0, 1.0, 1.0)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, BLACK) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    # #777777 on white is the textbook "just fails AA" grey: 4.48:1.
    assert contrast_ratio(hex_to_rgba("#777777"), WHITE) == pytest.approx(4.48, abs=0.01)
    # Pure red on white: 4.00:1.
    assert contrast_ratio(hex_to_rgba("#ff0000"), WHITE) == pytest.approx(4.0, abs=0.01)


def test_contrast_ratio_refuses_translucent_colours():
    with pytest.raises(ValueError, match="translucent"):
        contrast_ratio((0, 0, 0, 0.5), WHITE)


def test_hex_to_rgba_names_a_bad_colour():
    assert hex_to_rgba("#ff8000") == pytest.approx((1.0, 128 / 255, 0.0, 1.0))
    with pytest.raises(ValueError, match="'#ff80'"):
        hex_to_rgba("#ff80")


@pytest.mark.parametrize("palette", list(PALETTES.values()), ids=list(PALETTES))
def test_every_text_pair_reaches_seven_to_one(palette):
    ratios = {pair: contrast_ratio(palette[pair[0]], palette[pair[1]]) for pair in text_pairs()}
    low = {pair: round(r, 2) for pair, r in ratios.items() if r < MIN_TEXT_CONTRAST}
    assert low == {}
    assert contrast_problems(palette) == []


@pytest.mark.parametrize("palette", list(PALETTES.values()), ids=list(PALETTES))
def test_every_graphic_pair_reaches_three_to_one(palette):
    for fg, bg in graphic_pairs(palette):
        assert contrast_ratio(palette[fg], palette[bg]) >= MIN_GRAPHIC_CONTRAST, (fg, bg)


def test_text_pairs_cover_every_role_that_carries_text():
    foregrounds = {fg for fg, _ in text_pairs()}
    backgrounds = {bg for _, bg in text_pairs()}
    assert {"text", "muted_text"} <= foregrounds
    assert {r for r in ROLES if r.startswith("on_")} <= foregrounds
    assert {f"face_{n}_label" for n in (1, 2, 3, 4)} <= foregrounds
    # every filled control role is checked with its on_ role
    for role in ("primary", "secondary", "selected", "danger"):
        assert (f"on_{role}", role) in text_pairs()
    assert {"background", "surface"} <= backgrounds
    assert (foregrounds | backgrounds) <= set(ROLES)


def test_a_palette_below_the_floor_is_reported_by_name():
    faded = dataclasses.replace(NORMAL, name="faded", muted_text=hex_to_rgba("#9aa0a6"))
    problems = contrast_problems(faded)
    assert problems and all("muted_text" in p for p in problems)
    assert any("muted_text on background" in p and "needs 7.0:1" in p for p in problems)


def test_palettes_share_roles_and_hold_opaque_kivy_colours():
    assert set(PALETTES) == {"normal", "high-contrast"}
    for palette in PALETTES.values():
        assert tuple(palette.as_dict()) == ROLES
        for role, colour in palette.as_dict().items():
            assert len(colour) == 4, role
            assert all(0.0 <= c <= 1.0 for c in colour), role
            assert colour[3] == 1.0, role


def test_high_contrast_is_light_on_black_and_normal_dark_on_white():
    assert NORMAL.background == WHITE
    assert HIGH_CONTRAST.background == BLACK
    assert contrast_ratio(NORMAL.text, NORMAL.background) > 15
    assert contrast_ratio(HIGH_CONTRAST.text, HIGH_CONTRAST.background) > 15


def test_faces_and_lookup_errors():
    fill, outline, label = NORMAL.face(1)
    assert (fill, outline, label) == (NORMAL.face_1, NORMAL.face_1_outline, NORMAL.face_1_label)
    assert len({NORMAL.face(n)[0] for n in (1, 2, 3, 4)}) == 4  # tints differ in the normal one
    with pytest.raises(ValueError, match="rating 5"):
        NORMAL.face(5)
    with pytest.raises(KeyError, match="'accent'"):
        NORMAL["accent"]
    assert get_palette("high-contrast") is HIGH_CONTRAST
    with pytest.raises(ValueError, match="'dark'.*normal, high-contrast"):
        get_palette("dark")
