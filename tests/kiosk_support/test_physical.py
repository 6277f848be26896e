"""kiosk.physical: a dp keeps its physical size; the config names the screen's diagonal."""

from __future__ import annotations

import pytest

from kiosk.look import BODY_SP, TARGET_DP
from kiosk.physical import (
    REFERENCE_PPI,
    TARGET_MM,
    TEXT_MM,
    density_for,
    mm,
    ppi,
    supported,
)
from kiosk.settings import SettingsError, parse_settings


@pytest.mark.parametrize(
    ("diagonal", "size"),
    [(15.6, (1920, 1080)), (21.5, (1920, 1080)), (27, (2560, 1440)), (15.6, (3840, 2160))],
)
def test_a_target_and_body_text_have_the_same_size_in_mm_on_every_screen(diagonal, size):
    density = density_for(diagonal, *size)
    screen = ppi(diagonal, *size)
    assert mm(TARGET_DP * density, screen) == pytest.approx(TARGET_DP / REFERENCE_PPI * 25.4)
    assert mm(TARGET_DP * density, screen) >= TARGET_MM
    assert mm(BODY_SP * density, screen) >= TEXT_MM
    assert supported(diagonal, *size)


def test_smaller_or_narrower_screens_are_not_supported():
    assert not supported(14.0, 1920, 1080)
    assert not supported(15.6, 1920, 1200)  # 16:10 at 15.6″ is 1868 dp wide
    assert supported(19.0, 1280, 1024)


def base(display):
    return {"kiosk_id": "k1", "data_dir": "/tmp/x", "display": display}


def test_the_config_names_the_diagonal():
    assert parse_settings(base({})).diagonal_inches == 15.6
    assert parse_settings(base({"diagonal_inches": 21.5})).diagonal_inches == 21.5
    for bad in (14, "21", True, 500):
        with pytest.raises(SettingsError) as caught:
            parse_settings(base({"diagonal_inches": bad}))
        assert caught.value.key == "display.diagonal_inches"
