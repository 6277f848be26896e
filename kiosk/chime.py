"""The short sound of the "more time?" prompt: ``kiosk/sounds/more-time.wav`` through Kivy's
SoundLoader, loaded on first use. A caller may rely on :meth:`Chime.play` never raising and
doing nothing where there is no audio (a kiosk without speakers, a headless test run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CHIME_PATH", "Chime"]

CHIME_PATH = Path(__file__).resolve().parent / "sounds" / "more-time.wav"  # package data


class Chime:
    def __init__(self, path: Path = CHIME_PATH):
        self.path = path
        self._sound: Any = None
        self._loaded = False
        self.plays = 0  # how often it was asked to play (tests read it)

    def play(self) -> bool:
        """Play the sound from its start; False when no audio could play it."""
        self.plays += 1
        try:
            if not self._loaded:
                self._loaded = True
                from kivy.core.audio import SoundLoader

                self._sound = SoundLoader.load(str(self.path))
            if self._sound is None:
                return False
            self._sound.stop()
            self._sound.play()
            return True
        except Exception:  # no audio device, no audio provider: the prompt still shows
            return False
