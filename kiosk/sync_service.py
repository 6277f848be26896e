"""The kiosk side of syncing: what the UI calls, built from the kiosk config and the local store.

A caller (the Kivy app) may rely on this:

- Every method returns at once: network and store work happen on the sync worker's thread, USB
  export on a one-thread executor. :meth:`SyncService.status` returns a cached
  :class:`sync.client.SyncStatus` snapshot and is safe to call from the UI thread every frame.
- ``nudge()`` after each finished visit; ``sync_now()`` from staff mode (it also sends again the
  records the server refused, which are otherwise held); ``export_to(folder)`` for the USB fallback returns a
  ``concurrent.futures.Future`` of :class:`sync.usb.ExportReport` (or its :class:`UsbExportError`).
- :meth:`SyncService.bind_clock` hands the status to a UI callback through Kivy's ``Clock`` on
  the UI thread. Kivy is imported only there, never at module import.
- Without a configured server the service still exports to USB and says in ``status().last_error``
  that no server is configured. An unreadable secret file never stops the kiosk: the service
  then neither sends nor exports and says why in ``status().last_error``.
"""

from __future__ import annotations

import gettext as _gettext
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sync.client import Outbox, SyncClient, SyncStatus
from sync.problems import Backoff
from sync.usb import ExportReport, UsbExportError, export_pending
from sync.worker import SyncWorker

__all__ = ["SyncService", "describe_status", "kiosk_gettext"]


def kiosk_gettext() -> Callable[[str], str]:
    """The kiosk's gettext when kiosk.i18n offers one, else the plain one (English)."""
    try:
        from kiosk import i18n
    except ImportError:
        return _gettext.gettext
    for name in ("gettext", "_"):
        function = getattr(i18n, name, None)
        if callable(function):
            return function
    return _gettext.gettext


class SyncService:
    """One kiosk's sync: a :class:`SyncWorker` over the store, plus the USB export."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        server_url: str,
        kiosk_id: str,
        secret: str,
        translate: Callable[[str], str] | None = None,
        timeout: float = 20.0,
        interval: float = 60.0,
        config_interval: float = 600.0,
        debounce: float = 2.0,
        backoff: Backoff | None = None,
        usb_public_key: str = "",
    ):
        self.kiosk_id = kiosk_id
        self._usb_public_key = usb_public_key
        self._outbox = outbox
        self._secret = secret
        self._translate = translate or kiosk_gettext()
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._clock_event: Any = None
        self.setup_problem: str | None = None  # why syncing cannot even start, in words
        self.worker: SyncWorker | None = None
        if server_url:
            client = SyncClient(
                outbox, server_url, kiosk_id, secret, timeout=timeout, translate=self._translate
            )
            self.worker = SyncWorker(
                client,
                interval=interval,
                config_interval=config_interval,
                debounce=debounce,
                backoff=backoff,
            )

    @classmethod
    def from_settings(cls, settings: Any, outbox: Outbox, **options: Any) -> SyncService:
        """Build from ``kiosk.settings.KioskSettings`` (kiosk_id, server_url, secret[_file])."""
        # Without a server the secret still signs USB batch files, so read it when there is one.
        has_secret = bool(settings.secret or settings.secret_file)
        try:
            secret = settings.read_secret() if settings.server_url or has_secret else ""
        except ValueError as exc:  # SettingsError: the kiosk must still collect feedback
            service = cls(outbox, server_url="", kiosk_id=settings.kiosk_id, secret="", **options)
            service.setup_problem = str(exc)
            return service
        return cls(
            outbox,
            server_url=settings.server_url,
            kiosk_id=settings.kiosk_id,
            secret=secret,
            usb_public_key=getattr(settings, "usb_public_key", ""),
            **options,
        )

    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()

    def status(self) -> SyncStatus:
        if self.setup_problem:
            text = self._translate("Sync cannot start: {problem}. Records stay on this kiosk.")
            return SyncStatus(last_error=text.format(problem=self.setup_problem))
        if self.worker is None:
            return SyncStatus(
                last_error=self._translate(
                    "No sync server is configured (server.url); records stay on this kiosk."
                )
            )
        return self.worker.snapshot()

    def nudge(self) -> None:
        if self.worker is not None:
            self.worker.nudge()

    def sync_now(self) -> None:
        if self.worker is not None:
            self.worker.sync_now()

    def export_to(self, folder: str | Path) -> Future[ExportReport]:
        """Write the pending records as signed batch files into ``folder`` in the background."""
        if not self._secret:
            failed: Future[ExportReport] = Future()
            failed.set_exception(
                UsbExportError(
                    self._translate(
                        "This kiosk has no secret (server.secret or server.secret_file), "
                        "so it cannot sign batch files."
                    )
                )
            )
            return failed
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="kiosk-usb-export")
            executor = self._executor
        options: dict[str, Any] = {
            "translate": self._translate,
            "server_public_key": self._usb_public_key or None,
        }
        if self.worker is not None:
            options["clock"] = self.worker.client.now  # corrected by the server's Date
        return executor.submit(
            export_pending, self._outbox, folder, self.kiosk_id, self._secret, **options
        )

    def bind_clock(
        self, callback: Callable[[SyncStatus], None], interval: float = 1.0
    ) -> Callable[[], None]:
        """Call ``callback(status)`` on the Kivy UI thread every ``interval`` s; returns cancel."""
        from kivy.clock import Clock  # here, so importing this module never starts Kivy

        event = Clock.schedule_interval(lambda _dt: callback(self.status()), interval)
        self._clock_event = event
        return event.cancel

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the worker and the exporter; True when both finished within ``timeout``."""
        if self._clock_event is not None:
            self._clock_event.cancel()
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        return self.worker.stop(timeout) if self.worker is not None else True


def describe_status(status: SyncStatus, translate: Callable[[str], str] | None = None) -> list[str]:
    """Staff-mode lines for a status: pending, oldest age, last success, last error, held."""
    import time

    _ = translate or kiosk_gettext()
    lines = [_("Waiting to be sent: {count}").format(count=status.pending)]
    if status.oldest_pending_age_seconds is not None:
        lines.append(
            _("Oldest waiting: {age}").format(age=_age(status.oldest_pending_age_seconds, _))
        )
    if status.last_success_at is None:
        lines.append(_("Last successful sync: never"))
    else:
        age = max(0.0, time.time() + status.clock_offset_seconds - float(status.last_success_at))
        lines.append(_("Last successful sync: {age} ago").format(age=_age(age, _)))
    if status.last_error:
        lines.append(_("Problem: {error}").format(error=status.last_error))
    if status.held:
        lines.append(
            _("Refused by the server and kept here: {count}. {error}").format(
                count=status.held, error=status.held_error or ""
            )
        )
    return lines


def _age(seconds: float, _: Callable[[str], str]) -> str:
    if seconds < 90:
        return _("{n} s").format(n=int(seconds))
    if seconds < 90 * 60:
        return _("{n} min").format(n=int(seconds // 60))
    if seconds < 48 * 3600:
        return _("{n} h").format(n=int(seconds // 3600))
    return _("{n} days").format(n=int(seconds // 86400))
