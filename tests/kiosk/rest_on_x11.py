"""Child process of ``test_rest.py``: the kiosk on SDL's x11 driver, resting, then a real click.

Run as ``python tests/kiosk/rest_on_x11.py`` with ``DISPLAY`` set to an Xvfb; prints one JSON
line. The app is started the way ``kiosk run`` starts it (``rest_when_idle`` before ``run``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from kiosk.kivy_setup import configure_kivy  # noqa: E402

QUIET_S = 3.0  # seconds watched while the loop rests with nobody near


def main() -> None:
    configure_kivy(fullscreen=False)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.app import KioskApp
    from kiosk.rest import REST_AFTER_S, SETTLE_S
    from kiosk.settings import parse_settings
    from kiosk.store import LocalStore
    from tests.support.xdisplay import XPointer, screen_point

    data = tempfile.mkdtemp(prefix="kt-rest-x11-")
    settings = parse_settings({"kiosk_id": "x11-kiosk", "data_dir": data, "demo": True})
    app = KioskApp(settings, store=LocalStore(data))
    rest = app.rest_when_idle()
    result: dict = {"kind": getattr(rest.input_wait, "kind", None)}
    quiet: dict = {}

    def begin_quiet(_dt) -> None:
        quiet.update(
            frames=Clock.frames,
            rested=rest.rested_turns,
            woken=rest.woken_by_event,
            at=time.monotonic(),
            resting=rest.resting,
        )
        Clock.schedule_once(end_quiet, QUIET_S)

    def end_quiet(_dt) -> None:
        result.update(
            resting_at_start=quiet["resting"],
            quiet_seconds=time.monotonic() - quiet["at"],
            quiet_turns=Clock.frames - quiet["frames"],
            quiet_rested_turns=rest.rested_turns - quiet["rested"],
            quiet_woken=rest.woken_by_event - quiet["woken"],
        )
        button = app.root.ids.screens.get_screen("attract").ids.feedback
        sx, sy = screen_point(Window, *button.to_window(*button.center))
        woken_before = rest.woken_by_event

        def press() -> None:
            pointer = XPointer(os.environ["DISPLAY"])
            pointer.move(sx, sy)
            # The motion wakes the rest too (any SDL event does): let the loop rest again first.
            time.sleep(REST_AFTER_S + SETTLE_S + 1.0)
            result["resting_at_click"] = rest.resting
            result["woken_before_click"] = rest.woken_by_event - woken_before
            clicked = time.perf_counter()
            pointer.click()
            pointer.close()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and app.root.ids.screens.current == "attract":
                time.sleep(0.005)
            result["screen_after_click"] = app.root.ids.screens.current
            result["click_to_screen_ms"] = (time.perf_counter() - clicked) * 1000
            result["woken_by_click"] = rest.woken_by_event - woken_before
            Clock.schedule_once(lambda _dt: app.stop())

        threading.Thread(target=press, daemon=True).start()

    # After start-up the loop rests REST_AFTER_S after the last frame; watch once it does.
    Clock.schedule_once(begin_quiet, REST_AFTER_S + SETTLE_S + 4.0)
    app.run()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
