"""A running kiosk shows what staff change on the server, between visits, without a restart.

End to end: a real ``kiosk-server`` process, the kiosk's real sync service pulling its
kiosk-config, and the kiosk's own Clock applying it once the visitor has finished.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from kiosk.sync_service import SyncService
from sync.server.db.tables import themes
from tests.sync.server_process import ServerProcess


def pump_until(kiosk, condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        kiosk.pump(1, draw=False)
        time.sleep(0.05)
    return condition()


@pytest.fixture
def synced_kiosk(fresh, tmp_path):
    """The session kiosk with a real sync service against a fresh server seeded with the demo."""
    kiosk = fresh
    server = ServerProcess(tmp_path / "server").start()
    demo = kiosk.app.content().model_dump(mode="json")
    service = None
    try:
        server.cli("seed-demo", "--public-base-url", server.url)
        secret = server.enroll(kiosk.app.settings.kiosk_id)
        service = SyncService(
            kiosk.app.store,
            server_url=server.url,
            kiosk_id=kiosk.app.settings.kiosk_id,
            secret=secret,
            timeout=10.0,
            interval=3600.0,
            config_interval=3600.0,  # pulls at start and on "sync now" only
            debounce=0.0,
        )
        kiosk.app.sync_service = service
        service.start()
        yield kiosk, server, service
    finally:
        kiosk.app.sync_service = None
        if service is not None:
            assert service.stop(15)
        server.stop()
        kiosk.app.store.put_kiosk_config(demo, None)  # the demo content again, as before
        kiosk.app.reload_content()
        kiosk.app.flow.finish()


def card_name(kiosk) -> str:
    return kiosk.screen("attract").ids.theme_name.text


def test_a_theme_renamed_on_the_server_shows_after_the_visit_not_during_it(synced_kiosk):
    kiosk, server, service = synced_kiosk
    app = kiosk.app
    # The first pull (at start) is applied on the attract screen: the server's own copy.
    assert pump_until(kiosk, lambda: service.status().config_version >= 1)
    assert pump_until(kiosk, lambda: app.content().public_base_url == server.url)
    first = app.content().themes[0]
    # A visitor starts; meanwhile staff rename the theme and the kiosk pulls the change.
    kiosk.tap(kiosk.widget("attract", "feedback"))
    assert kiosk.current == "rating"
    with server._engine().begin() as conn:
        conn.execute(update(themes).where(themes.c.id == first.id).values(name_fi="Uusi nimi"))
    seen = service.status().config_version
    service.sync_now()
    assert pump_until(kiosk, lambda: service.status().config_version > seen)
    kiosk.pump(5, draw=False)
    # What the app's clock runs every CONTENT_CHECK_S: it sees the new config and waits.
    assert app.check_for_new_content() is False
    kiosk.pump(5, draw=False)
    assert app.content().themes[0].name.fi == first.name.fi  # not under the visitor's hands
    app.flow.finish()
    screen = kiosk.screen("attract")
    screen.index = 0
    assert pump_until(kiosk, lambda: app.content().themes[0].name.fi == "Uusi nimi")
    screen.index = 0
    screen.refresh()
    kiosk.pump(2)
    assert card_name(kiosk) == "Uusi nimi"
