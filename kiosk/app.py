"""The kiosk's Kivy App: wiring only.

:class:`KioskApp` builds the parts and hands them to each other: the local store, the content
(kiosk-config or demo, renewed between visits when the sync worker stores a new one), the
event choice, the visit recorder and flow, the look and translations, the idle guard, the read-aloud speaker,
the staff PIN guard and the optional sync service. Behaviour lives in
those parts (kiosk/flow.py, kiosk/idle.py, kiosk/screens/...). Import this module only after
:func:`kiosk.kivy_setup.configure_kivy`.

The window refuses to close (window manager, Alt+F4, Escape) unless staff chose "Exit the kiosk".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import ObjectProperty

import kiosk.touch  # noqa: F401  (registers the screen manager that ignores double taps)
import kiosk.widgets  # noqa: F401  (registers the widgets and their kv rules)
import kiosk.widgets.stepbar  # noqa: F401  (registers the bottom bar)
from kiosk.content import first_frame_content, load_content
from kiosk.event_choice import EventChoice
from kiosk.flow import VisitFlow
from kiosk.i18n import I18n, set_language
from kiosk.idle import IdleGuard
from kiosk.look import Look
from kiosk.pin import PinGuard
from kiosk.screens import SCREEN_NAMES, screen_class
from kiosk.settings import KioskSettings
from kiosk.speech import Speaker
from kiosk.visit import VisitRecorder

__all__ = ["KioskApp"]

_ROOT_KV = Path(str(files("kiosk").joinpath("kv", "root.kv")))  # package data
_DEFAULT_EVENT = "kayttajatori"
# After a step is saved, the thank-you screen's QR code is made this much later in a worker
# thread, while the visitor reads the next screen (see kiosk.widgets.qrimage).
QR_PREPARE_DELAY_S = 0.3
# How often the UI asks the sync service (a cached snapshot, no I/O) whether a new kiosk-config
# arrived; staff's changes on the server then show within the worker's pull interval and this.
CONTENT_CHECK_S = 2.0


class KioskApp(App):
    look = ObjectProperty(None)
    tr = ObjectProperty(None)
    sync_service = ObjectProperty(None, allownone=True)
    # What touch timing reads (kiosk.touch); tests give a kiosk.touch.ManualClock.
    clock = ObjectProperty(time.monotonic)
    speech = ObjectProperty(None)  # kiosk.read_aloud.ReadAloud: the read-aloud mode

    def __init__(
        self,
        settings: KioskSettings,
        *,
        store: Any = None,
        sync_service: Any = None,
        speaker: Speaker | None = None,
        on_exit: Any = None,
        clock: Callable[[], float] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if clock is not None:
            self.clock = clock
        # What "Exit the kiosk" finally does; App.stop unless the embedding process says else.
        self._on_exit = on_exit or self.stop
        self.settings = settings
        self.title = "Käyttäjätori"
        self.allow_close = False
        if store is None:
            from kiosk.store import LocalStore

            store = LocalStore(settings.data_dir)
        self.store = store
        self.sync_service = sync_service
        self.speaker = speaker if speaker is not None else Speaker()
        # The receipt printer of the printed slip, when the config names one.
        self.slip_printer: Any = None
        if settings.printer is not None:
            from kiosk.slip.printer import SlipPrinter

            self.slip_printer = SlipPrinter(
                settings.printer, slow_after=settings.printer_slow_after
            )
        # Until the first frame is drawn the attract screen reads the content as plain JSON
        # (first_frame_content): validating it needs pydantic, which costs ~0.5 s of cold start.
        self._plain_content: Any = None  # kiosk.content.PlainContent until the first frame
        self._content: Any = None  # sync.protocol.KioskConfig once validated
        self.pin_guard = PinGuard(
            settings.pin_hash,
            load=lambda: tuple(store.get_meta("staff_pin_lock", [0, 0.0])),
            save=lambda failures, until: store.set_meta("staff_pin_lock", [failures, until]),
        )
        # The event new records belong to: the server's for this kiosk, or staff's choice here.
        self.events = EventChoice(store, self.content, settings.active_event, _DEFAULT_EVENT)
        self.recorder = VisitRecorder(
            store,
            settings.kiosk_id,
            self.events.current_id,
            rapid_repeat_seconds=settings.timeouts.rapid_repeat_seconds,
        )
        self.flow: VisitFlow | None = None
        self.idle: IdleGuard | None = None
        from kiosk.velho_photos import VelhoPhotos

        self.velho_photos = VelhoPhotos(settings.data_dir / "velho-photos")
        self._content_version = 0  # the sync service's config_version the content is from
        self._content_check: Any = None
        self._rest: Any = None  # kiosk.rest.LoopRest once rest_when_idle() was called

    # --- content and event, read by screens

    def content(self):
        """The validated kiosk-config (``sync.protocol.KioskConfig``), or before the first frame
        is drawn its plain-JSON stand-in (:class:`kiosk.content.PlainContent`)."""
        if self._content is None:
            if self._plain_content is not None:
                return self._plain_content
            self._content = load_content(self.store, demo=self.settings.demo)
        return self._content

    def reload_content(self) -> None:
        self._content = load_content(self.store, demo=self.settings.demo)

    def _content_tick(self, _dt: float) -> None:
        # Returns None whatever the check found: Kivy unschedules an interval that returns False.
        self.check_for_new_content()

    def check_for_new_content(self) -> bool:
        """Show the kiosk-config the sync worker stored since, once no visit is going on.

        Never under a visitor's hands: during a visit (or in staff mode) the new themes, events
        and stories wait until the kiosk is back on the attract screen. True when applied.
        """
        service = self.sync_service
        if service is None or not hasattr(service, "status") or self.root is None:
            return False
        version = getattr(service.status(), "config_version", 0)
        if version == self._content_version:
            return False
        if self.recorder.current is not None or self.root.ids.screens.current != "attract":
            return False
        self._content_version = version
        self._plain_content = None
        self.reload_content()
        self.ensure_screen("attract").refresh()
        return True

    def public_url(self) -> str:
        return self.content().public_base_url or self.settings.public_url

    # --- building

    def build(self):
        set_language(self.settings.language)
        if self._content is None:
            self._plain_content = first_frame_content(self.store, demo=self.settings.demo)
        self._apply_screen()
        self.look = Look()
        self.tr = I18n()
        from kiosk.read_aloud import ReadAloud

        self.speech = ReadAloud(self, self.settings.speech_max_volume)
        # The screens draw no background of their own: the window's clear colour is the
        # palette's background (one full-screen layer less for a software renderer).
        self.look.bind(pal=self._paint_window)
        self._paint_window(self.look, self.look.pal)
        if str(_ROOT_KV) not in Builder.files:
            Builder.load_file(str(_ROOT_KV))
        root = _make_root()
        self._building = root  # self.root is set only after build() returns
        manager = root.ids.screens
        self.flow = VisitFlow(
            manager,
            self.recorder,
            self.content,
            public_url=self.public_url,
            language=lambda: self.tr.lang,
            reset_look=self.reset_visitor_settings,
            on_step_saved=self._step_saved,
            ensure_screen=self.ensure_screen,
            close_prompt=self._close_prompt,
        )
        root.ids.step_bar.flow = self.flow
        self.ensure_screen("attract")
        self.speech.attach(manager, self.tr)
        if not self.speaker.available:
            bar = root.ids.top_bar
            # Kept referenced: its kv bindings outlive it and must not point at a dead widget.
            self._hidden_read_aloud = bar.ids.read_aloud.__self__
            bar.remove_widget(self._hidden_read_aloud)
        from kiosk.chime import Chime

        self.chime = Chime()
        self.idle = IdleGuard(
            Window,
            idle_seconds=self.settings.timeouts.idle_seconds,
            more_time_seconds=self.settings.timeouts.more_time_seconds,
            needs_prompt=lambda: manager.current != "attract",
            on_timeout=self.flow.finish,
            seconds_for=self._idle_seconds,
            story_at_risk=self._story_at_risk,
            on_prompt=self.chime.play,
        )
        # Each screen starts with its own idle time (the thanks screen's is longer).
        manager.bind(current=lambda *_args: self.idle.touched() if self.idle else None)
        self.speech.watch_prompt(self.idle.prompt)
        Window.bind(on_request_close=self._on_request_close, on_keyboard=self._on_keyboard)
        from kivy.clock import Clock

        if self.slip_printer is not None:
            # python-escpos loads before the first visitor prints, not during their print.
            Clock.schedule_once(lambda _dt: self.slip_printer.warm_up(), 2.0)
        # Cheap while there is no sync service (the check returns at once); one may be set later.
        self._content_check = Clock.schedule_interval(self._content_tick, CONTENT_CHECK_S)
        manager.current = "attract"
        # The other screens are built after the attract screen's first frame, one per frame.
        Window.bind(on_flip=self._after_first_frame)
        return root

    def _apply_screen(self) -> None:
        """Size a dp from the screen's diagonal and resolution (kiosk.physical), before any
        widget is sized."""
        from kivy.logger import Logger

        from kiosk.physical import apply_screen, supported

        width, height = Window.size
        diagonal = self.settings.diagonal_inches
        density = apply_screen(diagonal, width, height)
        if not supported(diagonal, width, height):
            Logger.warning(
                f"Kiosk: a {diagonal}-inch {width}x{height} screen is smaller than the kiosk "
                "needs (15.6 inches at 16:9); some screens may not fit"
            )
        Logger.info(f"Kiosk: {diagonal}-inch {width}x{height} screen, density {density:.3f}")

    def ensure_screen(self, name: str):
        """The screen called ``name``, built now if it was not yet."""
        manager = self.root.ids.screens if self.root else self._building.ids.screens
        if not manager.has_screen(name):
            manager.add_widget(screen_class(name)())
        return manager.get_screen(name)

    def _after_first_frame(self, *_args) -> None:
        Window.unbind(on_flip=self._after_first_frame)
        from kivy.clock import Clock

        def validate_content(_dt) -> None:
            if self._plain_content is None:
                return
            self._plain_content = None
            self.content()  # validated now; the attract card is rebuilt from it
            attract = self.ensure_screen("attract")
            if self.root.ids.screens.current == "attract":
                attract.refresh()

        Clock.schedule_once(validate_content, 0)
        missing = [n for n in SCREEN_NAMES if not self.root.ids.screens.has_screen(n)]

        def build_next(_dt) -> None:
            if missing:
                self.ensure_screen(missing.pop(0))
                Clock.schedule_once(build_next, 0)
            else:
                # Everything that lives for the whole run exists now: keep it out of the
                # garbage collector's full passes, which would otherwise stall frames.
                from kiosk.heap import freeze_startup_objects

                freeze_startup_objects()

        Clock.schedule_once(build_next, 0)

    def _idle_seconds(self) -> float:
        timeouts = self.settings.timeouts
        manager = (self.root or self._building).ids.screens
        if manager.current == "thanks":
            return max(timeouts.thanks_seconds, timeouts.idle_seconds)
        return timeouts.idle_seconds

    def _story_at_risk(self) -> bool:
        """A story typed but not sent: the idle prompt says it would be lost."""
        manager = self.root.ids.screens
        if manager.current != "story" or not manager.has_screen("story"):
            return False
        return bool(str(getattr(manager.get_screen("story"), "text", "")).strip())

    def _paint_window(self, _look, pal) -> None:
        Window.clearcolor = pal.background

    def reset_visitor_settings(self) -> None:
        self.speech.reset()  # first: the next visitor hears nothing of this one
        self.look.reset()
        self.tr.lang = self.settings.language

    def _close_prompt(self) -> None:
        """flow.finish(): a "more time?" prompt still open belongs to the visit that ended."""
        if self.idle is not None and self.idle.prompting:
            self.idle.touched()

    def _step_saved(self) -> None:
        self._nudge_sync()
        url = self.flow.follow_up() if self.flow is not None else ""
        if not url:
            return
        from kivy.clock import Clock

        def prepare_qr(_dt) -> None:
            # Only for a visit still going on. The worker shares the GIL with the UI thread, so
            # it starts once the next screen is drawn, not during the tap that saved the step.
            flow = self.flow
            if flow is None or self.recorder.current is None or flow.follow_up() != url:
                return
            from kiosk.widgets.qrimage import prepare

            prepare(url)

        Clock.schedule_once(prepare_qr, QR_PREPARE_DELAY_S)

    def _nudge_sync(self) -> None:
        if self.sync_service is not None and hasattr(self.sync_service, "nudge"):
            self.sync_service.nudge()

    def read_aloud(self) -> None:
        """The top bar's button: read-aloud on (speaks this screen) or off (silence)."""
        self.speech.toggle()

    # --- lockdown

    def _on_request_close(self, *_args, **_kwargs) -> bool:
        return not self.allow_close  # True keeps the window open

    def _on_keyboard(self, _window, key, *_args) -> bool:
        return key == 27  # Escape (and Android back) never leaves the kiosk

    def exit_kiosk(self) -> None:
        """Staff chose exit: the only path that lets the window close."""
        self.allow_close = True
        self._on_exit()

    def handle_stop_signals(self) -> None:
        """Let SIGTERM and SIGINT end the kiosk (``kiosk run`` calls this; tests do not)."""
        import signal

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    @property
    def loop_resting(self) -> bool:
        """Whether the main loop rests now (:mod:`kiosk.rest`): nobody is at the kiosk."""
        return self._rest is not None and bool(self._rest.resting)

    def rest_when_idle(self) -> Any:
        """Let the main loop rest on the attract screen while nobody is near (``kiosk run`` and
        the idle benchmark call this; tests that pump frames themselves do not). Returns the
        :class:`kiosk.rest.LoopRest`."""
        from kivy.clock import Clock
        from kivy.logger import Logger

        from kiosk.rest import LoopRest, sdl_input_wait

        def may_rest() -> bool:
            root = self.root
            return root is not None and root.ids.screens.current == "attract"

        wait = sdl_input_wait()
        self._rest = LoopRest(may_rest=may_rest, input_wait=wait)
        self._rest.install(Clock, Window)
        # One line for whoever reads the journal: how a resting kiosk hears a finger.
        Logger.info("Rest: waits for input by %s", wait.kind if wait is not None else "(no SDL)")
        return self._rest

    def _on_signal(self, signum, _frame) -> None:
        # systemctl stop / Ctrl+C from an admin: leave like staff's exit, between two frames.
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: self.exit_kiosk())

    def on_stop(self) -> None:
        if self._content_check is not None:
            self._content_check.cancel()
        if self.idle is not None:
            self.idle.stop()
        if self._rest is not None:
            self._rest.uninstall()
        if self.sync_service is not None and hasattr(self.sync_service, "stop"):
            self.sync_service.stop(timeout=5.0)
        self.speaker.close()


def _make_root():
    from kivy.factory import Factory

    return Factory.KioskRoot()
