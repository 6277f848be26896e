"""Physical size (kiosk.physical): every target at least 15 mm, every text at least 4 mm.

Measured on the real widget tree of every visitor screen (and the story's panels) at every text
size, on the reference 15.6″ 1920×1080 screen (this process's kiosk) and on a larger 21.5″
1920×1080 screen (a child process: Kivy's density is set once per process, before widgets
are sized). Also the story box at every language × text size with a long story: the text's
rendered extent stays inside its box.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.physical import TARGET_MM, TEXT_MM, mm, ppi

LANGS = ("fi", "sv", "en")
SCALES = (1.0, 1.5, 2.0)
# Screens and panels a visitor sees: (screen, story panel or None).
VIEWS = (
    ("attract", None),
    ("rating", None),
    ("themes", None),
    ("story", "write"),
    ("story", "about"),
    ("story", "confirm"),
    ("thanks", None),
)
LONG_STORY = (
    "Kirjaston edessä oleva tori pitäisi saada eläväksi myös talvella, ja bussipysäkille "
    "tarvitaan katos sekä penkki. Äänekäs liikenne häiritsee lukusalia; öisin valot palavat. "
) * 8


def _shown(widget) -> bool:
    while widget is not None:
        if widget.opacity == 0 or widget.height <= 0 or widget.width <= 0:
            return False
        widget = widget.parent if widget.parent is not widget else None
    return True


def measure(kiosk, diagonal: float) -> tuple[list[str], int]:
    """Every target under 15 mm and every text under 4 mm, as readable lines (empty: all fine),
    and how many widgets were measured."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    from kiosk.widgets import LongPressArea

    width, height = kiosk.window.size
    screen_ppi = ppi(diagonal, width, height)
    problems: list[str] = []
    measured = 0
    story = kiosk.screen("story")
    for scale in SCALES:
        for name, panel in VIEWS:
            kiosk.app.flow.finish()
            kiosk.app.look.scale = scale
            if name != "attract":
                kiosk.app.flow.start_feedback()
                kiosk.app.flow.show(name)
            if panel is not None:
                story.text = LONG_STORY[:300]
                story.show_panel(panel)
            kiosk.pump(3, draw=False)
            where = f"×{scale:g} {name}{'/' + panel if panel else ''}"
            for widget in kiosk.root.walk(restrict=True):
                if not _shown(widget):
                    continue
                measured += 1
                label = f"{type(widget).__name__} {getattr(widget, 'text', '')[:30]!r}"
                if isinstance(widget, ButtonBehavior) and not isinstance(widget, LongPressArea):
                    w_mm, h_mm = mm(widget.width, screen_ppi), mm(widget.height, screen_ppi)
                    if min(w_mm, h_mm) < TARGET_MM:
                        problems.append(f"{where}: {label} is {w_mm:.1f} × {h_mm:.1f} mm")
                if isinstance(widget, Label) and widget.text.strip():
                    f_mm = mm(widget.font_size, screen_ppi)
                    if f_mm < TEXT_MM:
                        problems.append(f"{where}: {label} text is {f_mm:.2f} mm")
    kiosk.app.flow.finish()
    return problems, measured


def test_every_target_and_text_is_large_enough_on_a_15_6_inch_screen(fresh):
    assert fresh.app.settings.diagonal_inches == 15.6
    assert tuple(fresh.window.size) == (1920, 1080)
    problems, measured = measure(fresh, 15.6)
    assert problems == []
    assert measured > 500  # the keyboard alone has 57 keys per text size


def test_every_target_and_text_is_large_enough_on_a_21_5_inch_screen(tmp_path):
    env = dict(os.environ, KIVY_HOME=str(tmp_path / "kivy-home"))
    child = subprocess.run(
        [sys.executable, __file__, "21.5", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["density"] == pytest.approx(15.6 / 21.5, rel=1e-3)  # same resolution, larger
    assert result["problems"] == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scale", SCALES)
def test_a_long_story_stays_inside_its_box(fresh, lang, scale):
    kiosk = fresh
    kiosk.app.tr.lang = lang
    kiosk.app.look.scale = scale
    kiosk.app.flow.start_story()
    story = kiosk.screen("story")
    story.text = LONG_STORY
    kiosk.pump(3)
    box, label = kiosk.widget("story", "story_box"), kiosk.widget("story", "story_label")
    counter = kiosk.widget("story", "counter")
    assert label.text.startswith("…") and label.text.endswith("|")
    top, bottom = label.top, label.top - label.texture_size[1]  # the text as drawn, valign top
    assert top <= box.top - box.padding[1]
    assert bottom >= counter.top  # never under the counter, never out of the box
    assert counter.y >= box.y + box.padding[3] - 0.5
    # The caret moved to the start shows the beginning, still inside.
    story.caret = 0
    kiosk.pump(2)
    assert not label.text.startswith("…") and label.text.endswith("…")
    assert label.top - label.texture_size[1] >= counter.top
    kiosk.app.flow.finish()


def _child(diagonal: float, data: str) -> None:
    from kiosk.headless import HeadlessKiosk
    from kiosk.settings import parse_settings

    settings = parse_settings(
        {
            "kiosk_id": "size-probe",
            "data_dir": data,
            "server": {"public_url": "http://127.0.0.1:8765"},
            "display": {"diagonal_inches": diagonal},
        }
    )
    kiosk = HeadlessKiosk(settings)
    from kivy.metrics import Metrics

    problems, _measured = measure(kiosk, diagonal)
    density = Metrics.density
    kiosk.close()
    print(json.dumps({"density": density, "problems": problems}))


if __name__ == "__main__":
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from kiosk.kivy_setup import configure_kivy

    configure_kivy(fullscreen=False, headless=True)
    _child(float(sys.argv[1]), sys.argv[2])
