"""The kiosk's uploader: signed batches to the central server and the kiosk-config pull.

A caller may rely on this:

- :class:`SyncClient` works on any *outbox* that satisfies :class:`Outbox` (the kiosk's
  ``LocalStore`` does); this module imports nothing of ``kiosk``.
- A record leaves the outbox's pending set only through ``mark_synced``, and only after the
  server answered a batch with an acknowledgement whose ``accepted + duplicates`` equals the number
  of records sent. Nothing here ever deletes a record.
- A batch (:func:`sync.batches.pack_batch`) that could not be acknowledged is resent byte for byte
  under the same ``batch_id`` while its records are still at the head of the queue, so a lost
  acknowledgement costs the server a replay, never a second copy.
- A *permanent* problem (:mod:`sync.problems`: a 4xx other than 401/408/429) holds the records of
  the batch it answered (only the ones the server named, when it named record indexes): they stay
  pending, are not sent again until staff ask for :meth:`sync.worker.SyncWorker.sync_now`, and the
  server's words are kept for staff mode (durably, with the held ids). The other records keep
  flowing. Everything else is retried with full-jitter exponential backoff
  (:class:`sync.problems.Backoff`), reset on success.
- Every request is signed (``sync.protocol.signature_headers``) and carries ``X-Kiosk-Pending``,
  signed too by ``X-Kiosk-Signature-V2`` (``sync.signed_pending``).
- On a 401 whose ``Date`` header shows the kiosk clock is off, the client corrects its offset
  (kept durably in the outbox's meta) and retries that request once.
- :class:`sync.worker.SyncWorker` runs a client on its own thread for the kiosk.
"""

from __future__ import annotations

import gettext as _gettext
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from sync.batches import BatchOutcome, DrainReport, OutgoingBatch, pack_batch
from sync.problems import SyncProblem, problem_from_response
from sync.protocol import BATCH_MAX_RECORDS, BATCHES_PATH, BatchAck, KioskConfig, signature_headers
from sync.signed_pending import PENDING_HEADER, PENDING_SIGNATURE_HEADER, pending_signature

__all__ = ["CONFIG_PATH", "Outbox", "SyncClient", "SyncStatus"]

CONFIG_PATH = "/api/v1/kiosk-config"
# A 401 is blamed on the kiosk clock only when the server's Date disagrees by more than this.
CLOCK_TOLERANCE_SECONDS = 5.0
_META_OFFSET = "sync.clock_offset"
_META_LAST_SUCCESS = "sync.last_success_at"
_META_CONFIG_PULLED = "sync.config_pulled_at"
_META_HELD = "sync.held"


class Outbox(Protocol):
    """What the client needs of a local store (``kiosk.store.LocalStore`` satisfies it)."""

    def pending(self, limit: int = 500) -> Sequence[Mapping[str, Any]]: ...
    def mark_synced(self, ids: Iterable[str]) -> Any: ...
    def counts(self) -> Mapping[str, Any]: ...
    def set_meta(self, key: str, value: Any) -> Any: ...
    def get_meta(self, key: str, default: Any = None) -> Any: ...
    def put_kiosk_config(self, doc: Mapping[str, Any], etag: str | None) -> Any: ...
    def kiosk_config(self) -> tuple[Mapping[str, Any] | None, str | None]: ...


@dataclass(frozen=True)
class SyncStatus:
    """What staff mode shows. Times are UTC Unix seconds; ``last_error`` is in words."""

    pending: int = 0
    oldest_pending_age_seconds: float | None = None
    last_success_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    held: int = 0  # records the server refused: kept pending, resent only after "sync now"
    held_error: str | None = None  # why, in words
    next_attempt_in_seconds: float | None = None
    failed_attempts: int = 0  # consecutive failed drains; 0 after a success (backoff reset)
    config_pulled_at: float | None = None
    # Counts the new kiosk-configs stored since the worker started (an unchanged one, 304, does
    # not count): a UI that sees it change shows the new themes, events and stories.
    config_version: int = 0
    clock_offset_seconds: float = 0.0
    running: bool = False


def _iso_to_unix(value: Any) -> float | None:
    from datetime import datetime

    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class SyncClient:
    """One kiosk's conversation with the server. Not thread-safe: one thread drives it."""

    def __init__(
        self,
        outbox: Outbox,
        server_url: str,
        kiosk_id: str,
        secret: str | bytes,
        *,
        timeout: float = 20.0,
        batch_size: int = BATCH_MAX_RECORDS,
        clock: Callable[[], float] = time.time,
        translate: Callable[[str], str] = _gettext.gettext,
        transport: httpx.BaseTransport | None = None,
    ):
        self.outbox = outbox
        self.kiosk_id = kiosk_id
        self._secret = secret
        self._clock = clock
        self._translate = translate
        self._batch_size = max(1, min(batch_size, BATCH_MAX_RECORDS))
        self._http = httpx.Client(
            base_url=server_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            headers={"User-Agent": "kayttajatori-kiosk"},
        )
        self._inflight: OutgoingBatch | None = None
        self.clock_offset = float(outbox.get_meta(_META_OFFSET, 0.0) or 0.0)
        self.last_problem: SyncProblem | None = None
        self.last_problem_at: float | None = None
        self.last_success_at: float | None = outbox.get_meta(_META_LAST_SUCCESS, None)
        self._problem_source: str | None = None  # "batch" or "config"
        held = outbox.get_meta(_META_HELD, None) or {}
        self._held: set[str] = set(held.get("ids") or ())
        problem = held.get("problem")
        self.held_problem = SyncProblem(**problem) if isinstance(problem, dict) else None

    def close(self) -> None:
        self._http.close()

    def now(self) -> float:
        """The kiosk's clock corrected by the offset learnt from the server."""
        return self._clock() + self.clock_offset

    # --- requests

    def _signed(
        self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """Send one signed request; on a clock-skew 401 correct the offset and resend once."""
        for attempt in range(2):
            timestamp = int(self.now())
            request = self._http.build_request(method, path, content=body)
            request.headers.update(
                signature_headers(
                    self.kiosk_id, self._secret, method, request.url.path, body, timestamp
                )
            )
            request.headers.update(headers or {})
            if PENDING_HEADER in (headers or {}):
                # Signature version 2 vouches for the backlog figure (sync/signed_pending.py).
                request.headers[PENDING_SIGNATURE_HEADER] = pending_signature(
                    self._secret,
                    method,
                    request.url.path,
                    timestamp,
                    body,
                    int((headers or {})[PENDING_HEADER]),
                )
            response = self._http.send(request)
            if response.status_code == 401 and attempt == 0 and self._learn_clock(response):
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _learn_clock(self, response: httpx.Response) -> bool:
        """Adopt the server's clock from a 401's ``Date``; True when that changed anything."""
        server_time = None
        # The app and the HTTP server may each add a Date; any that parses will do.
        for value in reversed(response.headers.get_list("date")):
            try:
                server_time = parsedate_to_datetime(value).timestamp()
                break
            except (TypeError, ValueError, IndexError):
                continue
        if server_time is None:
            return False
        offset = server_time - self._clock()
        if abs(offset - self.clock_offset) <= CLOCK_TOLERANCE_SECONDS:
            return False  # the clock agrees: the 401 is about the kiosk's credentials
        self.clock_offset = offset
        self.outbox.set_meta(_META_OFFSET, offset)
        return True

    def _pending_count(self) -> int:
        return int(self.outbox.counts().get("pending") or 0)

    # --- batches

    def _oldest_records(self, skip: frozenset[str]) -> list[Mapping[str, Any]]:
        """Up to a batch of the oldest pending records whose ids are not in ``skip``."""
        records = self.outbox.pending(limit=self._batch_size + len(skip))
        if skip:
            records = [r for r in records if str(r["id"]) not in skip][: self._batch_size]
        return list(records)

    def _next_batch(self, skip: frozenset[str] = frozenset()) -> OutgoingBatch | None:
        """The batch to send now: the unacknowledged one again while its records still lead
        the queue, else a new one. ``skip``: ids not to send now (besides the held ones)."""
        records = self._oldest_records(skip | self._held)
        if not records:
            self._inflight = None
            return None
        inflight = self._inflight
        if inflight is not None:
            head = tuple(str(r["id"]) for r in records[: len(inflight.ids)])
            if head == inflight.ids:
                return inflight  # resend the unacknowledged batch unchanged
        self._inflight = pack_batch(records)
        return self._inflight

    def _mark_then_prepare(
        self, acked: Sequence[str], skip: frozenset[str]
    ) -> OutgoingBatch | None:
        """Helper-thread work while a batch travels: mark the previous acknowledged batch, then
        pack the following one (``skip``: the travelling batch, the held ids, ``acked``)."""
        if acked:
            self._mark_synced(acked)
        records = self._oldest_records(skip)
        return pack_batch(records) if records else None

    def _post(self, batch: OutgoingBatch, pending: int) -> BatchOutcome:
        """POST one batch; the outcome says whether the server acknowledged all of it."""
        sent = len(batch.ids)
        headers = {"Content-Type": "application/json", "X-Kiosk-Pending": str(pending)}
        try:
            response = self._signed("POST", BATCHES_PATH, batch.body, headers)
        except httpx.TimeoutException as exc:
            return self._failed(batch, SyncProblem("timeout", detail=type(exc).__name__))
        except httpx.TransportError as exc:
            return self._failed(
                batch, SyncProblem("network", detail=str(exc) or type(exc).__name__)
            )
        if response.status_code not in (200, 201):
            problem = problem_from_response(response)
            if problem.permanent:
                self._hold(batch, problem)
            return self._failed(batch, problem)
        try:
            ack = BatchAck.model_validate(response.json())
        except ValueError as exc:
            return self._failed(batch, SyncProblem("protocol", response.status_code, str(exc)))
        if ack.batch_id != batch.batch_id or ack.accepted + ack.duplicates != sent:
            detail = f"sent {sent}, acknowledged {ack.accepted}+{ack.duplicates} of {ack.batch_id}"
            return self._failed(batch, SyncProblem("protocol", response.status_code, detail))
        self._inflight = None
        self.last_problem = self.last_problem_at = self._problem_source = None
        self.last_success_at = self.now()
        return BatchOutcome(batch.batch_id, sent, sent, ack.accepted, ack.duplicates)

    def _hold(self, batch: OutgoingBatch, problem: SyncProblem) -> None:
        """Keep the refused records pending but out of later batches, durably, with the reason."""
        ids = batch.ids
        if problem.records and all(0 <= i < len(ids) for i in problem.records):
            ids = tuple(ids[i] for i in problem.records)  # the rest goes in the next batch
        self._inflight = None  # the next batch is packed afresh under a new batch id
        self._held.update(ids)
        self.held_problem = problem
        document = {"ids": sorted(self._held), "problem": asdict(problem)}
        self.outbox.set_meta(_META_HELD, document)

    def release_held(self) -> int:
        """Staff's "sync now": send the held records again; returns how many there were."""
        count = len(self._held)
        if count or self.held_problem is not None:
            self._held.clear()
            self.held_problem = None
            self.outbox.set_meta(_META_HELD, None)
        return count

    def _mark_synced(self, ids: Sequence[str]) -> None:
        # One call per batch. Marking in slices (to let a visitor's save slip in between) was
        # measured with benchmarks/sync_drain.py: more calls meant more store work and no
        # shorter waits for the UI's saves, so it was dropped.
        self.outbox.mark_synced(ids)

    def send_batch(self) -> BatchOutcome | None:
        """Send the oldest pending records as one batch; None when nothing is pending."""
        batch = self._next_batch()
        if batch is None:
            return None
        outcome = self._post(batch, self._pending_count())
        if outcome.problem is None:
            self._mark_synced(batch.ids)
            self._save_success()
        return outcome

    def drain_once(
        self, on_batch: Callable[[BatchOutcome], None] | None = None, max_batches: int = 100_000
    ) -> DrainReport:
        """Send batches until nothing is pending or one fails; never retries within the call.

        While batch *n* travels, a helper thread marks batch *n-1* (acknowledged) synced and
        packs batch *n+1*, so the disk, the CPU and the network work at once. Every acknowledged
        batch is marked before this returns; no batch is marked before its acknowledgement.
        A refused batch (a permanent problem) is held and the drain goes on with the others.
        """
        outcomes: list[BatchOutcome] = []
        problem = None
        acked: tuple[str, ...] = ()  # acknowledged, not yet marked
        batch = self._next_batch()
        with ThreadPoolExecutor(1, thread_name_prefix="kiosk-sync-helper") as helper:
            for _ in range(max_batches):
                if batch is None:
                    break
                pending = self._pending_count() - len(acked)
                # ``acked`` is marked before the helper reads the queue, so it needs no skipping
                skip = frozenset(batch.ids) | frozenset(self._held)
                prepared = helper.submit(self._mark_then_prepare, acked, skip)
                outcome = self._post(batch, pending)
                following = prepared.result()  # a store error ends the drain; records stay
                acked = ()
                outcomes.append(outcome)
                if on_batch is not None:
                    on_batch(outcome)
                if outcome.problem is None:
                    acked = batch.ids
                    self._inflight = batch = following
                elif outcome.problem.permanent:
                    batch = self._next_batch()  # the refused records are held now
                else:
                    problem = outcome.problem
                    break  # the worker retries after a backoff; held records need no retry
        if acked:
            self._mark_synced(acked)
        if any(o.problem is None for o in outcomes):
            self._save_success()
        return DrainReport(tuple(outcomes), self._pending_count(), problem, len(self._held))

    # --- kiosk-config

    def pull_config(self) -> SyncProblem | bool:
        """Fetch the kiosk-config; True when a new one was stored, False when unchanged."""
        doc, etag = self.outbox.kiosk_config()
        headers = {"If-None-Match": etag} if doc is not None and etag else {}
        headers["X-Kiosk-Pending"] = str(self._pending_count())
        try:
            response = self._signed("GET", CONFIG_PATH, headers=headers)
        except httpx.TimeoutException as exc:
            return self._record(SyncProblem("timeout", detail=type(exc).__name__), "config")
        except httpx.TransportError as exc:
            problem = SyncProblem("network", detail=str(exc) or type(exc).__name__)
            return self._record(problem, "config")
        if response.status_code not in (200, 304):
            problem = problem_from_response(response)
            if problem.permanent:  # only a batch's rejection stops the sending
                problem = replace(problem, kind="config")
            return self._record(problem, "config")
        changed = response.status_code == 200
        if changed:
            try:
                body = response.json()
                KioskConfig.model_validate(body)
            except ValueError as exc:
                problem = SyncProblem("protocol", 200, f"kiosk-config: {exc}")
                return self._record(problem, "config")
            self.outbox.put_kiosk_config(body, response.headers.get("etag"))
        if self._problem_source == "config":
            self.last_problem = self.last_problem_at = self._problem_source = None
        self.last_success_at = self.now()
        self.outbox.set_meta(_META_CONFIG_PULLED, self.last_success_at)
        self._save_success()
        return changed

    # --- status

    def _failed(self, batch: OutgoingBatch, problem: SyncProblem) -> BatchOutcome:
        self._record(problem, "batch")
        return BatchOutcome(batch.batch_id, len(batch.ids), problem=problem)

    def _record(self, problem: SyncProblem, source: str) -> SyncProblem:
        self.last_problem = problem
        self.last_problem_at = self.now()
        self._problem_source = source
        return problem

    def _save_success(self) -> None:
        # Once per drain, not per batch: each meta write is a durable write on the kiosk's disk.
        self.outbox.set_meta(_META_LAST_SUCCESS, self.last_success_at)

    def status(self) -> SyncStatus:
        """A fresh status read from the outbox (touches the store: not for a UI thread)."""
        counts = self.outbox.counts()
        oldest = _iso_to_unix(counts.get("oldest_pending_created_at"))
        problem = self.last_problem
        return SyncStatus(
            pending=int(counts.get("pending") or 0),
            oldest_pending_age_seconds=None if oldest is None else max(0.0, self.now() - oldest),
            last_success_at=self.last_success_at,
            last_error=None if problem is None else problem.words(self._translate),
            last_error_at=self.last_problem_at,
            held=len(self._held),
            held_error=None
            if self.held_problem is None
            else self.held_problem.words(self._translate),
            config_pulled_at=self.outbox.get_meta(_META_CONFIG_PULLED, None),
            clock_offset_seconds=self.clock_offset,
        )
