"""``kiosk screenshots OUTDIR``: every screen, in every language, text size and palette, as PNG.

Files are named ``<screen>-<lang>-<textsize>-<theme>.png`` (``thanks-sv-x2-high-contrast.png``)
at 1920×1080, and ``slip-<lang>.png`` is the printed slip of the demo visit, 576 dots wide (80 mm
paper), drawn from the same blocks the printer prints (:mod:`kiosk.slip`); ``--screen slip``
renders only those. The kiosk runs headless on a throwaway data folder in demo mode (the demo content);
each screen is shown in a typical state (a story being typed, a finished visit's QR code, the
unlocked staff panel), so what reviewers see is what visitors see.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

__all__ = ["render_all", "render_slips", "SCALES", "THEMES", "SAMPLE_STORY"]

SCALES = (1.0, 2.0)
THEMES = ("normal", "high-contrast")
SAMPLE_STORY = "Tori eläväksi myös talvella! Luistelu ja kahvila torilla toisivat väkeä."


def _settings(data_dir: Path):
    from kiosk.settings import parse_settings

    return parse_settings(
        {
            "kiosk_id": "screenshots",
            "data_dir": str(data_dir),
            "demo": True,
            "server": {"public_url": "http://127.0.0.1:8765"},
        }
    )


def _prepare(kiosk, screen: str) -> None:
    """Put ``screen`` in the state a visitor would typically see."""
    app = kiosk.app
    if screen == "story":
        kiosk.screen("story").text = SAMPLE_STORY
    elif screen == "thanks":
        visit = app.recorder.visit()
        # Two themes: the screen lists every chosen theme's velho and next step.
        visit.theme_ids = [theme.id for theme in app.content().themes[:2]]
    elif screen == "staff":
        kiosk.screen("staff").unlocked = True
    app.flow.show(screen)


def _capture(window, path: Path) -> None:
    """Draw a frame into the back buffer and save it before any swap: exactly what is shown,
    window clear colour included (a widget's own export would leave the background out)."""
    window.canvas.ask_update()
    window.dispatch("on_draw")
    saved = Path(window.screenshot(name=str(path.with_suffix(".tmp.png"))))
    saved.replace(path)


def render_slips(outdir: Path, langs=None) -> list[Path]:
    """``slip-<lang>.png`` of the demo slip in each language."""
    from kiosk.i18n import LANGUAGES
    from kiosk.slip import demo_slip
    from kiosk.slip.image import render_slip

    written = []
    for lang in langs or LANGUAGES:
        path = outdir / f"slip-{lang}.png"
        render_slip(demo_slip(lang)).save(path)
        written.append(path)
    return written


def render_all(outdir: Path, langs=None, screens=None) -> list[Path]:
    from kiosk.headless import HeadlessKiosk
    from kiosk.i18n import LANGUAGES
    from kiosk.screens import SCREEN_NAMES
    from kiosk.store import LocalStore

    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if screens is None or "slip" in screens:
        written += render_slips(outdir, langs)
        screens = [s for s in screens if s != "slip"] if screens is not None else None
        if screens == []:
            return written
    with tempfile.TemporaryDirectory(prefix="kiosk-screenshots-") as tmp:
        store = LocalStore(Path(tmp) / "data")
        kiosk = HeadlessKiosk(_settings(Path(tmp) / "data"), store=store)
        flow = kiosk.app.flow
        assert flow is not None  # built by HeadlessKiosk
        try:
            for screen in screens or SCREEN_NAMES:
                for lang in langs or LANGUAGES:
                    for scale in SCALES:
                        for theme in THEMES:
                            flow.finish()
                            kiosk.app.tr.lang = lang
                            kiosk.app.look.scale = scale
                            kiosk.app.look.contrast = theme
                            _prepare(kiosk, screen)
                            kiosk.pump(4)
                            path = outdir / f"{screen}-{lang}-x{scale:g}-{theme}.png"
                            _capture(kiosk.window, path)
                            written.append(path)
        finally:
            kiosk.close()
            store.close()
    return written
