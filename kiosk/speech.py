"""Read-aloud with Debian's ``espeak-ng`` in Finnish, Swedish and English, off the UI thread.

A caller may rely on this: ``Speaker().available`` is False when the binary cannot be found (then
:meth:`Speaker.say` does nothing and the read-aloud button should hide); :meth:`Speaker.say`
returns at once, one worker thread speaks, and a new ``say`` (or :meth:`Speaker.stop`) cuts off
whatever is being spoken, so only the latest screen is read; :meth:`Speaker.synthesize_wav` writes
a WAV file synchronously (for tests and for checking a voice); ``amplitude`` (espeak-ng's ``-a``,
0–200) is the volume of the next text spoken; :meth:`Speaker.close` stops the
speech and the worker. An unknown language is refused with ``ValueError`` even when speech is
unavailable, because it is a programming error, not a machine's state.

Imports no Kivy. The voice names come from ``espeak-ng --voices`` on Debian 12: ``fi``, ``sv``
and ``en-gb`` (British English is espeak-ng's main English voice).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "LANGUAGE_VOICES",
    "MAX_AMPLITUDE",
    "SPEECH_NICENESS",
    "Speaker",
    "SpeechUnavailableError",
]

log = logging.getLogger(__name__)

LANGUAGE_VOICES = {"fi": "fi", "sv": "sv", "en": "en-gb"}
DEFAULT_RATE = 150  # words per minute; espeak-ng's default of 175 is fast for many seniors
DEFAULT_AMPLITUDE = 100  # espeak-ng's -a: 0 is silent, 100 its default, 200 its loudest
MAX_AMPLITUDE = 200
SPEECH_NICENESS = 10
MAX_CHARS = 4000  # a screen's words are far fewer; a cap keeps a runaway text from speaking on
_JOIN_TIMEOUT = 5.0
_KILL_AFTER = 0.5  # seconds a superseded speech may take to end before it is killed


class SpeechUnavailableError(RuntimeError):
    """``espeak-ng`` is not installed (or not on PATH), so nothing can be synthesised."""


class Speaker:
    """Speaks one text at a time through ``espeak-ng``; see the module docstring.

    Subclasses may override :meth:`say_command` (e.g. to speak into a file instead of the sound
    card), the way tests do.
    """

    voices = LANGUAGE_VOICES

    def __init__(
        self,
        binary: str = "espeak-ng",
        *,
        rate: int = DEFAULT_RATE,
        amplitude: int = DEFAULT_AMPLITUDE,
    ) -> None:
        self.binary = binary
        self.rate = int(rate)
        # Read when each text starts, so a new volume is heard from the next text on.
        self.amplitude = max(0, min(MAX_AMPLITUDE, int(amplitude)))
        self.path = shutil.which(binary) if os.sep not in binary else _executable(binary)
        self._cond = threading.Condition()
        self._pending: tuple[str, str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._starting = False
        self._closed = False
        self._generation = 0  # bumped by say/stop/close: a process of an older one is cut off

    @property
    def available(self) -> bool:
        return self.path is not None and not self._closed

    @property
    def speaking(self) -> bool:
        """True while a text is waiting or being spoken."""
        with self._cond:
            busy = self._process is not None and self._process.poll() is None
            return self._pending is not None or self._starting or busy

    def _voice(self, lang: str) -> str:
        try:
            return self.voices[lang]
        except KeyError:
            raise ValueError(
                f"no voice for language {lang!r}; read-aloud speaks {', '.join(self.voices)}"
            ) from None

    def _base_command(self, lang: str) -> list[str]:
        # -b 1: the text is UTF-8 (å, ä, ö); --stdin: a text starting with '-' is no option.
        return [
            *(self.path or self.binary, "-v", self._voice(lang), "-s", str(self.rate)),
            *("-a", str(self.amplitude), "-b", "1"),
        ]

    def say_command(self, lang: str) -> list[str]:
        """The command that speaks the text given on its standard input."""
        return [*self._base_command(lang), "--stdin"]

    def say(self, text: str | Iterable[str], lang: str) -> None:
        """Speak ``text`` (or lines, read with a pause between them) in ``lang``; never blocks."""
        self._voice(lang)
        text = _as_text(text)
        if not self.available or not text:
            return
        with self._cond:
            self._pending = (text, lang)
            self._generation += 1
            self._terminate_locked()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kiosk-speech", daemon=True)
                self._thread.start()
            self._cond.notify()

    def stop(self) -> None:
        """Cut off the current speech and drop any waiting text."""
        with self._cond:
            self._pending = None
            self._generation += 1
            self._terminate_locked()

    def close(self) -> None:
        """Stop speaking and end the worker thread; later calls to ``say`` do nothing."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._generation += 1
            self._terminate_locked()
            self._cond.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(_JOIN_TIMEOUT)

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def synthesize_wav(self, text: str | Iterable[str], lang: str, path: str | Path) -> Path:
        """Write ``text`` spoken in ``lang`` to the WAV file ``path`` and return the path."""
        self._voice(lang)
        if self.path is None:
            raise SpeechUnavailableError(f"{self.binary!r} is not installed or not on PATH")
        text = _as_text(text)
        if not text:
            raise ValueError("nothing to synthesise: the text is empty")
        path = Path(path)
        result = subprocess.run(
            [*self._base_command(lang), "-w", str(path), "--stdin"],
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise RuntimeError(f"{self.binary} failed ({result.returncode}): {message}")
        return path

    def _terminate_locked(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                text, lang = self._pending  # type: ignore[misc]
                self._pending = None
                self._starting = True  # still "speaking" while the process is being started
                generation = self._generation
            # Started outside the lock so that say() on the UI thread never waits for a fork.
            try:
                process = subprocess.Popen(
                    self.say_command(lang),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            except Exception as exc:  # binary removed since start, say_command broken: the
                # kiosk goes on without speech for this text, and the worker lives for the next.
                log.warning("read-aloud failed to start %s: %s", self.binary, exc)
                with self._cond:
                    self._starting = False
                continue
            # Below the UI's priority: on a kiosk's two cores the synthesiser must never take a
            # frame from the touch screen (it makes audio faster than it is played). Already
            # ended, or not allowed: it speaks at the normal priority.
            with contextlib.suppress(OSError):
                ours = os.getpriority(os.PRIO_PROCESS, 0)
                os.setpriority(os.PRIO_PROCESS, process.pid, min(19, ours + SPEECH_NICENESS))
            with self._cond:
                self._process = process
                self._starting = False
                if self._generation != generation:
                    process.terminate()  # superseded while it was starting
            try:
                assert process.stdin is not None
                process.stdin.write(text.encode("utf-8"))
                process.stdin.close()
            except (BrokenPipeError, OSError):
                pass  # cut off by a newer say() before it read its text
            self._wait(process, generation)
            with self._cond:
                if self._process is process:
                    self._process = None

    def _wait(self, process: subprocess.Popen[bytes], generation: int) -> None:
        # A speech that ignores the polite SIGTERM of say()/stop() is killed, so a stuck
        # espeak-ng can never hold back the next screen's words.
        while True:
            try:
                process.wait(timeout=_KILL_AFTER)
                return
            except subprocess.TimeoutExpired:
                with self._cond:
                    superseded = self._generation != generation
                if superseded:
                    process.kill()


def _as_text(text: str | Iterable[str]) -> str:
    if not isinstance(text, str):
        # A full stop and a line break make espeak-ng pause between a title and a button label.
        text = "\n".join(
            line.strip() if line.strip().endswith((".", "!", "?", ":")) else line.strip() + "."
            for line in text
            if line and line.strip()
        )
    return text.strip()[:MAX_CHARS]


def _executable(path: str) -> str | None:
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
