"""The kiosk's sync worker: runs a :class:`sync.client.SyncClient` on a background thread.

A caller may rely on this: all network and store work happens on the worker's own thread;
:meth:`SyncWorker.snapshot` returns a cached :class:`sync.client.SyncStatus` and never blocks on
I/O, so a UI thread may call it every frame. Like ``sync.client``, it imports nothing of ``kiosk``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from sync.client import SyncClient, SyncStatus
from sync.problems import Backoff, SyncProblem

__all__ = ["SyncWorker"]


class SyncWorker:
    """Runs a :class:`SyncClient` on a background thread: after visits, on a timer, on request.

    ``nudge()`` (after each finished visit) asks for an attempt ``debounce`` seconds later but
    never earlier than the current backoff allows; ``sync_now()`` (staff) skips the backoff and
    releases the held records (see :meth:`SyncClient.release_held`) to be sent once more. The
    kiosk-config is pulled at start and every ``config_interval``.
    """

    def __init__(
        self,
        client: SyncClient,
        *,
        interval: float = 60.0,
        config_interval: float = 600.0,
        debounce: float = 2.0,
        backoff: Backoff | None = None,
        status_interval: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        on_status: Callable[[SyncStatus], None] | None = None,
    ):
        self.client = client
        self._interval = interval
        self._config_interval = config_interval
        self._debounce = debounce
        self._backoff = backoff or Backoff()
        self._status_interval = status_interval
        self._mono = monotonic
        self._on_status = on_status
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._release = False  # staff asked to send the held records again
        self._nudge_due: float | None = None  # a nudge not yet served by a drain
        self._backoff_until = 0.0
        self._next_drain = 0.0
        self._next_config = 0.0
        self._config_version = 0  # new kiosk-configs stored so far (SyncStatus.config_version)
        self._snapshot = SyncStatus()

    # --- called from any thread (the UI's included): only short critical sections, no I/O

    def start(self) -> None:
        with self._cond:
            if self._thread is not None:
                return
            self._next_drain = self._next_config = self._mono()
            self._thread = threading.Thread(target=self._run, name="kiosk-sync", daemon=True)
            self._thread.start()

    def nudge(self) -> None:
        with self._cond:
            due = max(self._mono() + self._debounce, self._backoff_until)
            # Remembered too: a drain running now may already have read the queue without
            # the record this nudge is about, and must not reschedule past it.
            self._nudge_due = due if self._nudge_due is None else min(self._nudge_due, due)
            if due < self._next_drain:
                self._next_drain = due
                self._cond.notify()

    def sync_now(self) -> None:
        with self._cond:
            self._release = True
            self._failures = 0
            self._backoff_until = 0.0
            self._next_drain = self._next_config = self._mono()
            self._cond.notify()

    def snapshot(self) -> SyncStatus:
        with self._cond:
            snapshot = replace(self._snapshot, failed_attempts=self._failures)
            due = self._next_drain
        if not snapshot.running:
            return snapshot
        return replace(snapshot, next_attempt_in_seconds=max(0.0, due - self._mono()))

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask the thread to finish and wait; True when it has (an HTTP call may be in flight)."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                return False
        self.client.close()
        return True

    # --- the worker thread

    def _run(self) -> None:
        self._refresh_snapshot()
        while True:
            with self._cond:
                while not self._stopping:
                    now = self._mono()
                    wake = min(self._next_drain, self._next_config, now + self._status_interval)
                    if wake <= now:
                        break
                    self._cond.wait(wake - now)
                if self._stopping:
                    break
                now = self._mono()
                drain_due = now >= self._next_drain
                config_due = now >= self._next_config
                if drain_due:
                    self._nudge_due = None  # this drain serves the nudges so far
                release, self._release = self._release, False
            try:
                if release:
                    self.client.release_held()  # here: it writes to the store
                if config_due:
                    self._pull_config()
                if drain_due:
                    self._drain()
                self._refresh_snapshot()
            except Exception as exc:  # a store or programming error must not kill syncing
                self.client._record(SyncProblem("internal", detail=repr(exc)), "batch")
                with self._cond:
                    self._schedule_retry(self._mono(), None)
                with contextlib.suppress(Exception):
                    self._refresh_snapshot()
        with self._cond:
            self._snapshot = replace(self._snapshot, running=False)

    def _pull_config(self) -> None:
        result = self.client.pull_config()
        with self._cond:
            if result is True:  # a new kiosk-config is in the store now
                self._config_version += 1
            # a failed pull is retried within a minute; the cached config keeps the kiosk going
            wait = (
                self._config_interval
                if isinstance(result, bool)
                else min(60.0, self._config_interval)
            )
            self._next_config = self._mono() + wait

    def _drain(self) -> None:
        report = self.client.drain_once()
        with self._cond:
            now = self._mono()
            if report.problem is None:
                self._failures = 0
                self._backoff_until = 0.0
                self._next_drain = now + self._interval
                if self._nudge_due is not None:  # nudged while draining
                    self._next_drain = min(self._next_drain, self._nudge_due)
            else:
                self._schedule_retry(now, report.problem.retry_after)

    def _schedule_retry(self, now: float, retry_after: float | None) -> None:
        delay = self._backoff.delay(self._failures)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self._backoff.cap))
        self._failures += 1
        self._backoff_until = now + delay
        self._next_drain = self._backoff_until

    def _refresh_snapshot(self) -> None:
        status = replace(self.client.status(), running=True)
        with self._cond:
            status = replace(status, config_version=self._config_version)
            self._snapshot = status
        if self._on_status is not None:
            self._on_status(status)
