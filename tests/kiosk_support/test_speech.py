"""kiosk.speech with Debian's real espeak-ng: WAVs in fi, sv and en, say() off the calling thread.

The interrupt tests swap the speaking command for a small real process that records what it
was given and then waits (as a long sentence would), the house way: a throwaway subclass.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from kiosk.speech import (
    LANGUAGE_VOICES,
    MAX_AMPLITUDE,
    SPEECH_NICENESS,
    Speaker,
    SpeechUnavailableError,
)

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None and not os.environ.get("CI"),
    reason="espeak-ng is not installed (make test installs it)",
)
SCREEN_WORDS = {
    "fi": ["Kehittäminen näkyväksi", "Anna palautetta", "Kerro tarinasi"],
    "sv": ["Utvecklingen synlig", "Ge respons", "Berätta din historia"],
    "en": ["Making development visible", "Give feedback", "Tell your story"],
}


def wait_for(condition, what: str, attempts: int = 500) -> None:
    """Poll ``condition`` (bounded: about 10 s at most) until it holds."""
    import time

    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def wav_duration(path: Path) -> float:
    assert path.read_bytes()[:4] == b"RIFF" and path.read_bytes()[8:12] == b"WAVE"
    with wave.open(str(path)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return wav.getnframes() / wav.getframerate()


@needs_espeak
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_real_espeak_writes_a_valid_wav_in_each_language(tmp_path, lang):
    speaker = Speaker()
    assert speaker.available
    path = speaker.synthesize_wav(SCREEN_WORDS[lang], lang, tmp_path / f"{lang}.wav")
    assert wav_duration(path) > 0.5  # three phrases take well over half a second


@needs_espeak
def test_the_language_chooses_the_voice(tmp_path):
    speaker = Speaker()
    text = "Hyvää päivää, Mikkeli"
    fi = speaker.synthesize_wav(text, "fi", tmp_path / "fi.wav").read_bytes()
    en = speaker.synthesize_wav(text, "en", tmp_path / "en.wav").read_bytes()
    assert fi != en


@needs_espeak
def test_every_voice_we_map_exists_in_espeak():
    listing = subprocess.run(
        [ESPEAK or "espeak-ng", "--voices"], capture_output=True, text=True, check=True
    ).stdout
    names = {line.split()[1] for line in listing.splitlines()[1:] if line.split()}
    assert set(LANGUAGE_VOICES.values()) <= names


@needs_espeak
def test_say_speaks_through_the_worker_with_the_real_binary(tmp_path):
    out = tmp_path / "said.wav"

    class FileSpeaker(Speaker):
        def say_command(self, lang):  # speak into a file: this machine has no sound card
            return [*self._base_command(lang), "-w", str(out), "--stdin"]

    with FileSpeaker() as speaker:
        speaker.say(SCREEN_WORDS["sv"], "sv")
        wait_for(lambda: not speaker.speaking and out.exists(), "espeak-ng to finish")
        assert wav_duration(out) > 0.5


class RecordingSpeaker(Speaker):
    """Each 'speech' is a real process that logs its pid and text, then waits to be cut off."""

    def __init__(self, log: Path, **kwargs):
        super().__init__(binary=sys.executable, **kwargs)
        self.log = log

    def say_command(self, lang):
        script = (
            "import os, sys, time\n"
            "text = sys.stdin.read()\n"
            f"with open({str(self.log)!r}, 'a') as f: f.write(f'{{os.getpid()}} {lang} {{text!r}}\\n')\n"
            "time.sleep(30)\n"
        )
        return [sys.executable, "-c", script]


def logged(log: Path) -> list[tuple[int, str, str]]:
    if not log.exists():
        return []
    rows = [line.split(" ", 2) for line in log.read_text().splitlines()]
    return [(int(pid), lang, ast.literal_eval(text)) for pid, lang, text in rows]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_say_returns_at_once_and_a_new_say_cuts_off_the_old(tmp_path):
    log = tmp_path / "log"
    speaker = RecordingSpeaker(log)
    try:
        # say() came back while the 30-second 'speech' was still running: it did not block.
        speaker.say("Ensimmäinen", "fi")
        wait_for(lambda: len(logged(log)) == 1, "the first speech to start")
        assert speaker.speaking
        first_pid = logged(log)[0][0]
        speaker.say(["Andra", "Tredje"], "sv")
        wait_for(lambda: len(logged(log)) == 2, "the second speech to start")
        wait_for(lambda: not alive(first_pid), "the first speech to be cut off")
        assert logged(log)[1][1:] == ("sv", "Andra.\nTredje.")
        second_pid = logged(log)[1][0]
    finally:
        speaker.close()
    assert not alive(second_pid)
    assert speaker._thread is not None and not speaker._thread.is_alive()
    assert not speaker.available
    speaker.say("after close", "en")  # does nothing, raises nothing
    assert len(logged(log)) == 2


def test_stop_silences_without_closing(tmp_path):
    log = tmp_path / "log"
    with RecordingSpeaker(log) as speaker:
        speaker.say("one", "en")
        wait_for(lambda: len(logged(log)) == 1, "the speech to start")
        speaker.stop()
        wait_for(lambda: not speaker.speaking, "the speech to stop")
        assert not alive(logged(log)[0][0])
        speaker.say("two", "en")
        wait_for(lambda: len(logged(log)) == 2, "speech after stop")


def test_rapid_says_speak_only_the_latest(tmp_path):
    log = tmp_path / "log"
    with RecordingSpeaker(log) as speaker:
        for n in range(20):
            speaker.say(f"screen {n}", "en")
        wait_for(lambda: any(t == "screen 19" for _, _, t in logged(log)), "the last screen")

        # Older screens may have started before being replaced, but each is cut off.
        def live():
            return [text for pid, _, text in logged(log) if alive(pid)]

        wait_for(lambda: live() == ["screen 19"], "only the last screen to be speaking")
        assert speaker.speaking


def test_without_espeak_on_path_nothing_is_spoken(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    speaker = Speaker()
    assert speaker.available is False
    speaker.say("Hei", "fi")
    assert speaker._thread is None and not speaker.speaking
    with pytest.raises(SpeechUnavailableError, match="espeak-ng"):
        speaker.synthesize_wav("Hei", "fi", tmp_path / "x.wav")
    speaker.close()


def test_bad_input_is_named():
    speaker = Speaker(binary="/nonexistent/espeak-ng")
    assert not speaker.available
    with pytest.raises(ValueError, match="'de'"):
        speaker.say("Hallo", "de")
    with pytest.raises(ValueError, match="'de'"):
        speaker.synthesize_wav("Hallo", "de", "x.wav")


@needs_espeak
def test_empty_text_is_refused_for_a_wav(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        Speaker().synthesize_wav(["  ", ""], "fi", tmp_path / "x.wav")


class StubbornSpeaker(RecordingSpeaker):
    """Its first 'speech' ignores SIGTERM, as a hung synthesiser might."""

    def say_command(self, lang):
        command = super().say_command(lang)
        if not self.log.exists():
            command[-1] = (
                "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + (command[-1])
            )
        return command


def test_a_speech_that_ignores_sigterm_is_killed_and_the_next_one_spoken(tmp_path):
    log = tmp_path / "log"
    with StubbornSpeaker(log) as speaker:
        speaker.say("stuck", "en")
        wait_for(lambda: len(logged(log)) == 1, "the stubborn speech to start")
        stuck_pid = logged(log)[0][0]
        speaker.say("next", "en")
        wait_for(lambda: len(logged(log)) == 2, "the next speech despite the stuck one")
        assert not alive(stuck_pid)
        assert logged(log)[1][2] == "next"


def test_a_speech_that_cannot_start_does_not_end_the_worker(tmp_path):
    log = tmp_path / "log"

    class FlakySpeaker(RecordingSpeaker):
        def say_command(self, lang):
            if lang == "fi":
                return [str(tmp_path / "no-such-program")]
            return super().say_command(lang)

    with FlakySpeaker(log) as speaker:
        speaker.say("ei ääntä", "fi")
        wait_for(lambda: not speaker.speaking, "the failed start to be given up")
        speaker.say("still speaking", "en")
        wait_for(lambda: len(logged(log)) == 1, "the worker to speak again")
        assert logged(log)[0][1:] == ("en", "still speaking")


def test_speech_runs_below_the_ui_priority_so_it_never_takes_a_frame(tmp_path):
    log = tmp_path / "log"
    speaker = RecordingSpeaker(log)
    try:
        speaker.say("Hei", "fi")
        wait_for(lambda: len(logged(log)) == 1, "the speech to start")
        pid = logged(log)[0][0]
        wait_for(
            lambda: (
                os.getpriority(os.PRIO_PROCESS, pid)
                >= os.getpriority(os.PRIO_PROCESS, 0) + SPEECH_NICENESS
            ),
            "the speech's priority to drop",
        )
    finally:
        speaker.close()


def test_the_volume_is_espeak_ngs_amplitude_within_its_range():
    speaker = Speaker(amplitude=80)
    assert speaker.say_command("fi")[speaker.say_command("fi").index("-a") + 1] == "80"
    assert Speaker(amplitude=500).amplitude == MAX_AMPLITUDE
    assert Speaker(amplitude=-3).amplitude == 0


@needs_espeak
def test_a_louder_amplitude_gives_a_louder_wav(tmp_path):
    import array

    def peak(amplitude: int) -> int:
        path = Speaker(amplitude=amplitude).synthesize_wav(
            "Hei", "fi", tmp_path / f"{amplitude}.wav"
        )
        with wave.open(str(path)) as wav:
            samples = array.array("h", wav.readframes(wav.getnframes()))
        return max(abs(s) for s in samples)

    assert peak(40) < peak(160)
