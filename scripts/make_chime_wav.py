"""Write kiosk/sounds/more-time.wav: the short two-note chime of the "more time?" prompt.

Generated, not recorded, so it is ours to license (CC0, see kiosk/sounds/README.md): two soft sine
notes (E5 then C5, 0.18 s each, with a fade in and out), 16-bit mono at 22 050 Hz, about 17 KB.
Run ``python scripts/make_chime_wav.py`` to make it again; the output is byte-for-byte the same.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
NOTES = ((659.25, 0.18), (523.25, 0.22))  # E5, C5: a falling "ding-dong", not an alarm
VOLUME = 0.35
OUT = Path(__file__).resolve().parent.parent / "kiosk" / "sounds" / "more-time.wav"


def samples() -> list[int]:
    out: list[int] = []
    for freq, seconds in NOTES:
        count = int(RATE * seconds)
        fade = int(RATE * 0.02)
        for i in range(count):
            envelope = min(1.0, i / fade, (count - i) / fade) * math.exp(-2.5 * i / count)
            value = VOLUME * envelope * math.sin(2 * math.pi * freq * i / RATE)
            out.append(int(value * 32767))
    return out


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(b"".join(struct.pack("<h", s) for s in samples()))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
