"""``kiosk walkthrough OUT``: personas play the real app headless; a PNG per step, a sheet each.

Each :class:`Persona` is data: a name, the text size and language they use, and a list of
steps, each a caption and a small function that acts through a :class:`Player` (taps with real
touch events, typing on the on-screen keyboard, double taps, idling). After every step the
player saves ``OUT/<persona>/NN-<caption>.png`` and notes what read-aloud said since the last
step; at the end it writes ``OUT/<persona>/sheet.png`` (a contact sheet, Pillow), ``spoken.txt``
(the speech log) and ``outcome.json``, and returns an :class:`Outcome` (records saved, the
story's text, screens seen, everything spoken) that the tests check. The personas are data in
:mod:`kiosk.walkthrough_personas`; add one by appending to its ``PERSONAS``.

The kiosk runs on a throwaway data folder with the demo content; speech is logged by a
:class:`SpeechLog` instead of reaching a sound card. Timeouts are shortened (see
:data:`WALKTHROUGH_TIMEOUTS`) so that an idle visitor's minutes take seconds.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.speech import Speaker, _as_text
from kiosk.walkthrough_personas import BLIND_STORY, PERSONAS, SWEDISH_STORY, Persona

__all__ = [
    "BLIND_STORY",
    "PERSONAS",
    "SWEDISH_STORY",
    "Outcome",
    "Persona",
    "Player",
    "SpeechLog",
    "WALKTHROUGH_TIMEOUTS",
    "add_parser",
    "contact_sheet",
    "play",
    "run_walkthrough",
]

# Compressed time: the thanks screen and the idle prompt run out in seconds, not minutes.
WALKTHROUGH_TIMEOUTS = {
    "idle_seconds": 6,  # longer than the thanks screen, as in the shipped defaults (60 and 30)
    "more_time_seconds": 2,
    "thanks_seconds": 4,
    "rapid_repeat_seconds": 3,
}
THUMB_WIDTH = 480


class SpeechLog(Speaker):
    """A speaker that writes down what it would say (text, language, volume) instead."""

    def __init__(self) -> None:
        super().__init__()
        self.said: list[tuple[str, str, int]] = []
        self.stops = 0

    @property
    def available(self) -> bool:
        return True

    def say(self, text: str | Iterable[str], lang: str) -> None:
        self._voice(lang)
        text = _as_text(text)
        if text:
            self.said.append((text, lang, self.amplitude))

    def stop(self) -> None:
        self.stops += 1

    def texts(self) -> list[str]:
        return [text for text, _lang, _amp in self.said]

    def last(self) -> str:
        return self.said[-1][0] if self.said else ""

    def clear(self) -> None:
        self.said.clear()
        self.stops = 0


@dataclass
class Outcome:
    persona: str
    records: list[dict[str, Any]] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)  # the screen after each step
    spoken: list[str] = field(default_factory=list)
    story_seen: list[str] = field(default_factory=list)  # the story text after each step
    face_marked: list[int] = field(default_factory=list)  # the rating screen's marked face (0)
    pictures: list[Path] = field(default_factory=list)
    sheet: Path | None = None

    def kinds(self) -> list[str]:
        return [r["kind"] for r in self.records]


class Player:
    """Acts on the headless kiosk as a visitor would, and photographs each step."""

    def __init__(self, kiosk: Any, speech: SpeechLog, outdir: Path):
        self.kiosk: Any = kiosk
        self.speech = speech
        self.outdir = outdir
        self.steps = 0
        self._heard = 0
        self.log: list[tuple[str, str, list[str]]] = []  # (picture name, screen, spoken)

    # --- what a visitor does

    @property
    def app(self) -> Any:
        return self.kiosk.app

    def tap(self, screen: str, widget_id: str) -> None:
        self.kiosk.tap(self.kiosk.widget(screen, widget_id), 2)

    def tap_widget(self, widget: Any) -> None:
        self.kiosk.tap(widget, 2)

    def tap_step(self, widget_id: str) -> None:
        """The bottom bar's ``back``, ``cancel`` or ``next``."""
        self.kiosk.tap(self.kiosk.step_bar(widget_id), 2)

    def tap_bar(self, widget_id: str) -> None:
        self.kiosk.tap(self.kiosk.bar(widget_id), 2)

    def tap_speech(self, widget_id: str) -> None:
        self.kiosk.tap(self.app.speech.bar.ids[widget_id], 2)

    def theme_chip(self, n: int) -> Any:
        return list(reversed(self.kiosk.screen("themes").ids.chips.children))[n]

    def tap_theme(self, n: int) -> None:
        self.kiosk.tap(self.theme_chip(n), 2)

    def double_tap(self, widget: Any) -> None:
        """Two touches at the same spot one frame apart, as a trembling finger gives."""
        from kivy.tests.common import UnitTestTouch

        from kiosk.headless import HUMAN_PAUSE_S

        clock = self.kiosk.clock
        if hasattr(clock, "advance"):
            clock.advance(HUMAN_PAUSE_S)  # a person's pause before the tap, as kiosk.tap takes
        x, y = widget.to_window(*widget.center)
        for _ in range(2):
            if hasattr(clock, "advance"):
                clock.advance(0.08)  # the tremor: the second touch 80 ms after the first
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            touch.touch_up()
            self.kiosk.pump(1, draw=False)
        self.kiosk.pump(2, draw=False)

    def type(self, text: str) -> None:
        self.kiosk.type_story(text)

    def tap_key(self, value: str) -> None:
        self.kiosk.tap(self.kiosk.screen("story").ids.keyboard.key(value), 2)

    def idle(self, seconds: float, until: Callable[[], bool] | None = None) -> None:
        """Touch nothing for ``seconds`` of real time (or until ``until()`` holds)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until and until()):
            self.kiosk.pump(1, draw=False)
            time.sleep(0.05)

    # --- pictures

    def shot(self, caption: str) -> Path:
        from kiosk.screenshots import _capture

        self.steps += 1
        self.kiosk.pump(3)
        slug = re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")[:40]
        path = self.outdir / f"{self.steps:02d}-{slug}.png"
        _capture(self.kiosk.window, path)
        heard = self.speech.texts()[self._heard :]
        self._heard = len(self.speech.said)
        self.log.append((f"{path.name}: {caption}", self.kiosk.current, heard))
        return path


def contact_sheet(
    pictures: Iterable[Path], captions: Iterable[str], path: Path, title: str
) -> Path:
    """One PNG with every step's picture, numbered and captioned, four to a row."""
    import logging

    from PIL import Image, ImageDraw, ImageFont

    logging.getLogger("PIL").setLevel(logging.INFO)  # Kivy's root logger would print every chunk
    pictures, captions = list(pictures), list(captions)
    cols = 4
    thumbs = []
    for picture in pictures:
        with Image.open(picture) as image:
            ratio = THUMB_WIDTH / image.width
            thumbs.append(image.convert("RGB").resize((THUMB_WIDTH, round(image.height * ratio))))
    thumb_h = thumbs[0].height if thumbs else 270
    cell_h = thumb_h + 44
    rows = max(1, -(-len(thumbs) // cols))
    sheet = Image.new("RGB", (cols * (THUMB_WIDTH + 16) + 16, 60 + rows * cell_h), "white")
    draw = ImageDraw.Draw(sheet)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    big: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 18)
        big = ImageFont.truetype("DejaVuSans-Bold.ttf", 24)
    except OSError:
        font = big = ImageFont.load_default()
    draw.text((16, 16), title, fill="black", font=big)
    for i, (thumb, caption) in enumerate(zip(thumbs, captions, strict=True)):
        x = 16 + (i % cols) * (THUMB_WIDTH + 16)
        y = 60 + (i // cols) * cell_h
        sheet.paste(thumb, (x, y))
        draw.rectangle((x, y, x + THUMB_WIDTH - 1, y + thumb_h - 1), outline="#888888")
        draw.text((x, y + thumb_h + 6), f"{i + 1}. {caption}"[:52], fill="black", font=font)
    sheet.save(path)
    return path


def _settings(data_dir: Path) -> Any:
    from dataclasses import replace

    from kiosk.settings import parse_settings

    timeouts = dict(WALKTHROUGH_TIMEOUTS)
    # A kiosk's TOML may not set the thanks screen under 120 s; the walkthrough sets it after.
    thanks = timeouts.pop("thanks_seconds")
    settings = parse_settings(
        {
            "kiosk_id": "walkthrough",
            "demo": True,  # the demo themes and event, as before a server sends its own
            "data_dir": str(data_dir),
            "server": {"public_url": "http://127.0.0.1:8765"},
            "timeouts": timeouts,
        }
    )
    return replace(settings, timeouts=replace(settings.timeouts, thanks_seconds=thanks))


def play(kiosk: Any, speech: SpeechLog, persona: Persona, outdir: Path) -> Outcome:
    """Play ``persona`` on ``kiosk`` (back on the attract screen), writing into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    app = kiosk.app
    app.flow.finish()
    app.recorder.reset_repeat_window()
    kiosk.pump(2, draw=False)
    before_count = len(app.store.pending(10_000))
    speech.clear()
    app.tr.lang = persona.lang
    app.look.scale = persona.scale
    if persona.read_aloud:
        kiosk.tap(kiosk.bar("read_aloud"), 2)
    player = Player(kiosk, speech, outdir)
    outcome = Outcome(persona.name)
    for caption, act in persona.steps:
        act(player)
        outcome.pictures.append(player.shot(caption))
        outcome.screens.append(kiosk.current)
        outcome.story_seen.append(kiosk.screen("story").text)
        outcome.face_marked.append(int(kiosk.screen("rating").chosen))
    pending = app.store.pending(10_000)
    outcome.records = pending[before_count:]  # oldest first: this persona's are the last
    outcome.spoken = speech.texts()
    lines = [f"# {persona.name}: {persona.who}", ""]
    for name, screen, heard in player.log:
        lines.append(f"## {name}  [{screen}]")
        lines.extend(f"  > {text}".replace("\n", "\n  > ") for text in heard)
        lines.append("")
    (outdir / "spoken.txt").write_text("\n".join(lines), encoding="utf-8")
    (outdir / "outcome.json").write_text(
        json.dumps(
            {
                "persona": persona.name,
                "records": outcome.records,
                "screens": outcome.screens,
                "story_seen": outcome.story_seen,
                "face_marked": outcome.face_marked,
                "spoken": outcome.spoken,
                "languages": sorted({lang for _text, lang, _amp in speech.said}),
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    outcome.sheet = contact_sheet(
        outcome.pictures,
        [caption for caption, _act in persona.steps],
        outdir / "sheet.png",
        f"{persona.name}: {persona.who}",
    )
    app.flow.finish()
    kiosk.pump(2, draw=False)
    return outcome


def run_walkthrough(outdir: Path, names: Iterable[str] | None = None) -> dict[str, Outcome]:
    """Play the personas called ``names`` (default: all) on a throwaway kiosk."""
    from kiosk.headless import HeadlessKiosk
    from kiosk.store import LocalStore

    wanted = list(names or [p.name for p in PERSONAS])
    unknown = set(wanted) - {p.name for p in PERSONAS}
    if unknown:
        raise ValueError(f"no persona {', '.join(sorted(unknown))}; see kiosk.walkthrough")
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="kiosk-walkthrough-") as tmp:
        store = LocalStore(Path(tmp) / "data")
        speech = SpeechLog()
        kiosk = HeadlessKiosk(_settings(Path(tmp) / "data"), store=store, speaker=speech)
        try:
            for persona in PERSONAS:
                if persona.name in wanted:
                    outcomes[persona.name] = play(kiosk, speech, persona, outdir / persona.name)
        finally:
            kiosk.close()
            store.close()
    return outcomes


def _walkthrough(args: argparse.Namespace) -> int:
    outcomes = run_walkthrough(Path(args.outdir), args.persona)
    for name, outcome in outcomes.items():
        print(f"{name}: {len(outcome.pictures)} steps, records {outcome.kinds()}, {outcome.sheet}")
    return 0


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "walkthrough", help="play the personas through the app headless; PNGs, sheets, speech log"
    )
    parser.add_argument("outdir")
    parser.add_argument("--persona", action="append", help="only this persona (repeatable)")
    parser.set_defaults(func=_walkthrough)
