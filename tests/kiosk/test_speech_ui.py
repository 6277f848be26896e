"""Read-aloud: a screen's words become real speech in fi, sv and en; no espeak-ng, no button."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
import wave

import pytest

from kiosk.speech import Speaker

pytestmark = pytest.mark.skipif(
    not Speaker().available, reason="Debian's espeak-ng is not installed (make system-deps)"
)


def show(kiosk, lang, screen):
    kiosk.app.flow.finish()
    kiosk.app.tr.lang = lang
    kiosk.app.flow.show(screen)
    kiosk.pump(3, draw=False)
    return kiosk.screen(screen)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_rating_screen_is_spoken_into_a_wav(fresh, lang, tmp_path):
    screen = show(fresh, lang, "rating")
    words = screen.spoken_text()
    question = fresh.app.content().event.question.get(lang)
    assert words[0] == question  # the question first, then the faces' labels
    assert fresh.app.tr._("Very poorly") in words and fresh.app.tr._("Very well") in words
    path = Speaker().synthesize_wav(words, lang, tmp_path / f"rating-{lang}.wav")
    with wave.open(str(path)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds > 2.0  # a question and five labels take seconds to say


class GatedFileSpeaker(Speaker):
    """Speaks into a WAV file (no sound card here), but only once the test opens the gate.

    Until then the speech process waits, so a tap that returns while ``speaking`` is still True
    has not waited for the speech, on however slow a machine.
    """

    def __init__(self, path, gate):
        super().__init__()
        self.wav = path
        self.gate = gate

    def say_command(self, lang):
        wait = 'while [ ! -e "$0" ]; do sleep 0.05; done; exec "$@"'
        espeak = [*self._base_command(lang), "-w", str(self.wav), "--stdin"]
        return ["sh", "-c", wait, str(self.gate), *espeak]


def test_the_button_speaks_the_current_screen_off_the_ui_thread(fresh, tmp_path):
    kiosk = fresh
    show(kiosk, "sv", "themes")
    real = kiosk.app.speaker
    gate = tmp_path / "gate"
    kiosk.app.speaker = GatedFileSpeaker(tmp_path / "spoken.wav", gate)
    # Should the tap wait for the speech (the bug), the gate opens by itself, so the test
    # fails below instead of hanging.
    valve = threading.Timer(30, gate.touch)
    valve.start()
    try:
        kiosk.tap(kiosk.bar("read_aloud"))
        assert kiosk.app.speaker.speaking  # the tap returned before the speech could start
        gate.touch()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and kiosk.app.speaker.speaking:
            time.sleep(0.1)
        with wave.open(str(tmp_path / "spoken.wav")) as wav:
            assert wav.getnframes() > wav.getframerate()  # more than a second of speech
    finally:
        valve.cancel()
        gate.touch()
        kiosk.app.speaker.close()
        kiosk.app.speaker = real


def test_without_espeak_ng_the_button_hides_and_the_kiosk_still_runs(tmp_path):
    script = textwrap.dedent(
        f"""
        from kiosk.headless import HeadlessKiosk
        from kiosk.settings import parse_settings
        from kiosk.speech import Speaker

        settings = parse_settings({{"kiosk_id": "k", "data_dir": {str(tmp_path / "d")!r}}})
        kiosk = HeadlessKiosk(settings, speaker=Speaker(binary="/nonexistent/espeak-ng"))
        bar = kiosk.root.ids.top_bar
        print("button shown:", bar.ids.read_aloud in bar.children)
        kiosk.tap(kiosk.widget("attract", "feedback"))
        kiosk.tap(kiosk.widget("rating", "face3"))
        print("screen:", kiosk.current)
        kiosk.app.look.contrast = "high-contrast"  # the hidden button's bindings stay sound
        kiosk.pump(2)
        kiosk.close()
        """
    )
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1")
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "button shown: False" in result.stdout
    assert "screen: themes" in result.stdout
