"""Fixtures for the kiosk UI tests: one real headless kiosk for the whole session.

Kivy creates its window once per process, so every UI test shares one :class:`HeadlessKiosk`
(a real widget tree on an offscreen 1920×1080 window, real LocalStore in a temp folder, demo
mode: the demo content). ``fresh`` puts it back on the attract screen with a new visit before each test.
"""

from __future__ import annotations

import pytest

from kiosk.pin import hash_pin

STAFF_PIN = "2468"


@pytest.fixture(scope="session")
def staff_pin():
    return STAFF_PIN


@pytest.fixture(scope="session")
def pin_hash():
    return hash_pin(STAFF_PIN)


class ExitRecorder:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1


@pytest.fixture(scope="session")
def kiosk(tmp_path_factory, pin_hash):
    from kiosk.headless import HeadlessKiosk
    from kiosk.settings import parse_settings
    from kiosk.store import LocalStore

    data = tmp_path_factory.mktemp("kiosk-ui") / "data"
    settings = parse_settings(
        {
            "kiosk_id": "ui-test-kiosk",
            "data_dir": str(data),
            "demo": True,
            "server": {"public_url": "http://127.0.0.1:8765"},
            "staff": {"pin_hash": pin_hash},
        }
    )
    store = LocalStore(data)
    exits = ExitRecorder()
    headless = HeadlessKiosk(settings, store=store, on_exit=exits)
    headless.exits = exits
    yield headless
    headless.close()
    store.close()


@pytest.fixture
def fresh(kiosk):
    kiosk.app.flow.finish()
    kiosk.app.recorder.reset_repeat_window()
    kiosk.app.store.set_meta("staff_pin_lock", [0, 0.0])
    kiosk.app.store.set_meta("active_event", None)  # staff's event choice ends with their test
    kiosk.app.idle.touched()
    kiosk.pump(2)
    assert kiosk.current == "attract"
    return kiosk
