"""A speaker that writes down what it would say instead of starting espeak-ng, for UI tests.

The real :class:`kiosk.speech.Speaker` speaks off the UI thread into the sound card; a test wants
to know *what* was said, in which language and at what volume, in order. Only ``say`` and
``stop`` are replaced; the text goes through the same joining as the real one.
"""

from __future__ import annotations

from kiosk.speech import Speaker, _as_text


class RecordingSpeaker(Speaker):
    def __init__(self) -> None:
        super().__init__()
        self.said: list[tuple[str, str, int]] = []  # (text, lang, amplitude)
        self.stops = 0

    @property
    def available(self) -> bool:
        return True

    def say(self, text, lang):  # type: ignore[override]
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
