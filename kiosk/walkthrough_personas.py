"""The walkthrough's personas: who they are and what they do, step by step, as data.

Each :class:`Persona` names the text size, language and read-aloud they use and a tuple of
steps, each a caption and a small function acting through a :class:`kiosk.walkthrough.Player`.
Add one by appending to :data:`PERSONAS`; ``tests/kiosk/test_walkthrough.py`` checks what each
one leaves behind. Imports no Kivy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The steps act through a kiosk.walkthrough.Player. That module imports this one, so the type is
# named here, not imported: the layer test allows no import circle, not even a typing-only one.
Player = Any

__all__ = ["BLIND_STORY", "PERSONAS", "SWEDISH_STORY", "Persona"]


@dataclass(frozen=True)
class Persona:
    name: str
    who: str
    steps: tuple[tuple[str, Callable[[Player], None]], ...]
    lang: str = "fi"
    scale: float = 1.0
    read_aloud: bool = False


def _nothing(_p: Player) -> None:
    pass


def _start_feedback(p: Player) -> None:
    p.tap("attract", "feedback")


def _rate_happy(p: Player) -> None:
    p.tap("rating", "face3")


def _two_themes(p: Player) -> None:
    p.tap_theme(0)
    p.tap_theme(2)


def _continue_themes(p: Player) -> None:
    p.tap_step("next")


def _skip_story(p: Player) -> None:
    p.tap("story", "skip")


def _send_story(p: Player) -> None:
    p.tap("story", "send")
    p.tap("story", "confirm_send")  # "Send the story?" answered


def _send_from_about(p: Player) -> None:
    p.tap_step("next")  # "About you" has its Send in the bottom bar
    p.tap("story", "confirm_send")


def _listen_story(p: Player) -> None:
    p.tap_speech("read_story")


def _done(p: Player) -> None:
    p.tap_step("next")  # the bottom bar's "Done" on the last step


def _idle_on_thanks(p: Player) -> None:
    p.idle(15, until=lambda: p.kiosk.current != "thanks")


def _back_to_faces(p: Player) -> None:
    p.tap_step("back")  # from the themes back to the faces: the chosen one is marked


def _plug_printer(p: Player) -> None:
    """A receipt printer at the kiosk, printing into the persona's folder (``slip.bin``)."""
    from kiosk.slip.printer import SlipPrinter, parse_connection

    p.app.slip_printer = SlipPrinter(parse_connection(f"file:{p.outdir / 'slip.bin'}"))
    p.kiosk.screen("thanks").can_print = True  # as a printer in kiosk.toml sets it at start


def _print_slip(p: Player) -> None:
    p.tap("thanks", "print_slip")
    thanks = p.kiosk.screen("thanks")
    p.idle(10, until=lambda: thanks.print_state in ("done", "failed"))


def _done_and_unplug(p: Player) -> None:
    _done(p)
    p.app.slip_printer = None
    p.kiosk.screen("thanks").can_print = False


BLIND_STORY = "Tori on kaunis. Lisää penkkejä, kiitos."
SWEDISH_STORY = "Torget i S:t Michel är fint."


def _district(p: Player, name: str) -> None:
    story = p.kiosk.screen("story")
    chip = next(c for c in story.ids.district_chips.children if c.text == name)
    p.tap_widget(chip)


PERSONAS: list[Persona] = [
    Persona(
        "senior",
        "78, text size ×2, read-aloud on: rates, picks two themes, skips the story",
        (
            ("attract at x2, read-aloud on", _nothing),
            ("give feedback", _start_feedback),
            ("a happy face", _rate_happy),
            ("two themes chosen", _two_themes),
            ("continue", _continue_themes),
            ("skip the story", _skip_story),
            ("done", _done),
        ),
        scale=2.0,
        read_aloud=True,
    ),
    Persona(
        "blind",
        "with headphones: rates and writes a two-sentence story by ear",
        (
            ("read-aloud on", _nothing),
            ("give feedback", _start_feedback),
            ("a happy face", _rate_happy),
            ("no themes, continue", _continue_themes),
            ("first sentence typed", lambda p: p.type(BLIND_STORY.split(". ")[0] + ". ")),
            ("second sentence, a typo", lambda p: p.type(BLIND_STORY.split(". ")[1][:-2] + "z")),
            ("the typo heard and deleted", lambda p: p.tap_key("<backspace>")),
            ("the sentence finished", lambda p: p.type(BLIND_STORY[-2:])),
            ("story read back", _listen_story),
            ("send", _send_story),
            ("done", _done),
        ),
        read_aloud=True,
    ),
    Persona(
        "double-tapper",
        "a trembling hand: every tap lands twice",
        (
            ("attract", _nothing),
            (
                "double tap give feedback",
                lambda p: p.double_tap(p.kiosk.widget("attract", "feedback")),
            ),
            ("double tap a face", lambda p: p.double_tap(p.kiosk.widget("rating", "face4"))),
            ("double tap a theme", lambda p: p.double_tap(p.theme_chip(1))),
            ("continue", _continue_themes),
            (
                "double tap a key",
                lambda p: p.double_tap(p.kiosk.screen("story").ids.keyboard.key("a")),
            ),
            ("double tap skip", lambda p: p.double_tap(p.kiosk.widget("story", "skip"))),
            ("done", _done),
        ),
    ),
    Persona(
        "svenska",
        "a Swedish-speaking senior: the whole visit in Swedish, with a story and a district",
        (
            ("svenska", lambda p: p.tap_bar("lang_sv")),
            ("ge respons", _start_feedback),
            ("a face", _rate_happy),
            ("one theme", lambda p: p.tap_theme(0)),
            ("continue", _continue_themes),
            ("a story typed", lambda p: p.type(SWEDISH_STORY)),
            ("about you", lambda p: p.tap("story", "about")),
            ("district Kristina", lambda p: _district(p, "Kristina")),
            ("send", _send_from_about),
            ("klar", _done),
        ),
        lang="fi",
    ),
    Persona(
        "changes-face",
        "taps the unhappy face by mistake, goes back and taps the happy one",
        (
            ("give feedback", _start_feedback),
            ("the unhappy face, by mistake", lambda p: p.tap("rating", "face1")),
            ("back to the faces", _back_to_faces),
            ("the happy face instead", lambda p: p.tap("rating", "face4")),
            ("one theme", lambda p: p.tap_theme(0)),
            ("continue", _continue_themes),
            ("skip the story", _skip_story),
            ("done", _done),
        ),
        scale=2.0,
    ),
    Persona(
        "printer",
        "has no phone: takes the follow-up home on a printed slip",
        (
            ("a printer at the kiosk", _plug_printer),
            ("give feedback", _start_feedback),
            ("a face", _rate_happy),
            ("two themes", _two_themes),
            ("continue", _continue_themes),
            ("skip the story", _skip_story),
            ("print the slip", _print_slip),
            ("done", _done_and_unplug),
        ),
    ),
    Persona(
        "idler",
        "leaves the thanks screen without a word",
        (
            ("give feedback", _start_feedback),
            ("a face", _rate_happy),
            ("one theme", lambda p: p.tap_theme(1)),
            ("continue", _continue_themes),
            ("skip the story", _skip_story),
            ("walks away from the thanks screen", _idle_on_thanks),
        ),
        lang="sv",
    ),
]
