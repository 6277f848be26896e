"""kiosk.spoken: numbers, dates and codes as words in fi, sv and en."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.spoken import date_words, number_words, ordinal_words, speakable, spell


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fi", "kahdeskymmenesseitsemäs marraskuuta kaksituhatta kaksikymmentäseitsemän"),
        ("sv", "den tjugosjunde november tvåtusentjugosju"),
        ("en", "the twenty-seventh of November two thousand and twenty-seven"),
    ],
)
def test_a_date_is_said_as_words(lang, expected):
    assert date_words("2027-11-27", lang) == expected
    assert date_words(date(2027, 11, 27), lang) == expected


@pytest.mark.parametrize(
    ("n", "fi", "sv", "en"),
    [
        (0, "nolla", "noll", "zero"),
        (3, "kolme", "tre", "three"),
        (21, "kaksikymmentäyksi", "tjugoett", "twenty-one"),
        (2000, "kaksituhatta", "tvåtusen", "two thousand"),
    ],
)
def test_numbers_as_words(n, fi, sv, en):
    assert [number_words(n, lang) for lang in ("fi", "sv", "en")] == [fi, sv, en]


def test_ordinals_for_every_day_of_a_month_in_finnish():
    assert ordinal_words(1, "fi") == "ensimmäinen"
    assert ordinal_words(2, "fi") == "toinen"
    assert ordinal_words(31, "fi") == "kolmaskymmenesensimmäinen"
    assert ordinal_words(1, "sv") == "första" and ordinal_words(2, "en") == "second"


def test_dates_inside_a_text_become_words_and_the_rest_stays():
    said = speakable("Kokous 20.1.2027 klo 14.30, sitten 2027-03-05.", "fi")
    assert said == (
        "Kokous kahdeskymmenes tammikuuta kaksituhatta kaksikymmentäseitsemän klo 14.30, "
        "sitten viides maaliskuuta kaksituhatta kaksikymmentäseitsemän."
    )
    assert speakable("31.2.2027 is no date", "en") == "31.2.2027 is no date"


def test_a_code_is_spelled_one_character_at_a_time():
    assert spell("K7QM4-PX2RT", "fi") == "K, seitsemän, Q, M, neljä, viiva, P, X, kaksi, R, T"
    assert spell("k7", "en") == "K, seven"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="'no'"):
        date_words("2027-01-01", "no")
