"""A fault-injecting HTTP/1.1 proxy on loopback, between a kiosk client and a real server.

It understands just enough HTTP to find request and response boundaries (Content-Length and
chunked bodies), so it can fail a chosen request at a chosen point. Each request is handled in
one *mode*, taken from a queue (:meth:`FaultProxy.queue`), else drawn from a weighted random mix
(:meth:`FaultProxy.mix`), else ``"pass"``. ``applied`` counts how often each mode was used, so a
test can prove its fault really happened. Runs its asyncio loop on a daemon thread.

Modes:
  pass        forward the request, relay the answer
  refuse      reset this connection and stop listening for ``refuse_seconds`` (connect() refused)
  reset_mid   forward the headers and half the body, then reset both sides
  lost_ack    forward the whole request, read the server's answer, reset the kiosk's side
  http500     answer 500 without asking the server
  stall       read the request, then say nothing for ``stall_seconds`` (the client times out)
  duplicate   send the request to the server twice, relay the second answer
  slow        (not a fault) wait ``slow_seconds``, then forward as ``pass`` does
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import random
import socket
import struct
import threading

MODES = ("pass", "refuse", "reset_mid", "lost_ack", "http500", "stall", "duplicate")
# Not a fault: a slow but successful request, for tests of what happens meanwhile.
SLOW = "slow"


class _Closed(Exception):
    pass


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        raise _Closed() from None


def _headers(head: bytes) -> dict[str, str]:
    out = {}
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            out[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return out


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while True:
            line = await reader.readuntil(b"\r\n")
            parts.append(line)
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                while True:  # trailers end with an empty line
                    trailer = await reader.readuntil(b"\r\n")
                    parts.append(trailer)
                    if trailer == b"\r\n":
                        return b"".join(parts)
            parts.append(await reader.readexactly(size + 2))
    length = int(headers.get("content-length", "0") or 0)
    return await reader.readexactly(length) if length else b""


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST rather than FIN, as a crashed middlebox or dropped link would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        *,
        upstream_host: str = "127.0.0.1",
        stall_seconds: float = 30.0,
        refuse_seconds: float = 0.2,
        slow_seconds: float = 0.5,
        seed: int = 0,
    ):
        self.upstream = (upstream_host, upstream_port)
        self.stall_seconds = stall_seconds
        self.refuse_seconds = refuse_seconds
        self.slow_seconds = slow_seconds
        self.applied: collections.Counter[str] = collections.Counter()
        self.port = 0
        self._lock = threading.Lock()
        self._queue: collections.deque[str] = collections.deque()
        self._mix: dict[str, float] | None = None
        self._rng = random.Random(seed)
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # --- control, from the test's thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.sleep(0)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        with contextlib.suppress(Exception):
            self._loop.close()

    def queue(self, *modes: str) -> None:
        """Apply these modes to the next requests, one each, before the mix or ``pass``."""
        assert all(m in (*MODES, SLOW) for m in modes), modes
        with self._lock:
            self._queue.extend(modes)

    def mix(self, weights: dict[str, float] | None) -> None:
        """Draw each request's mode from ``weights`` (None: everything passes)."""
        assert weights is None or all(m in MODES for m in weights), weights
        with self._lock:
            self._mix = dict(weights) if weights else None

    def refuse(self, refusing: bool) -> None:
        """Stop (or resume) listening: connection attempts are refused meanwhile."""
        coro = self._close_listener() if refusing else self._listen()
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    # --- the loop

    def _next_mode(self) -> str:
        with self._lock:
            if self._queue:
                mode = self._queue.popleft()
            elif self._mix:
                mode = self._rng.choices(list(self._mix), list(self._mix.values()))[0]
            else:
                mode = "pass"
            self.applied[mode] += 1
            return mode

    async def _listen(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close_listener(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _refuse_for_a_while(self) -> None:
        await self._close_listener()
        await asyncio.sleep(self.refuse_seconds)
        await self._listen()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            while True:
                head = await _read_head(reader)
                body = await _read_body(reader, _headers(head))
                if not await self._handle(head, body, writer):
                    return
        except (_Closed, ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            _reset(writer)
            raise
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _exchange(self, request: bytes, *, cut: int | None = None) -> bytes:
        """Send ``request`` (or its first ``cut`` bytes, then reset) upstream; return the answer."""
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        try:
            if cut is not None:
                up_writer.write(request[:cut])
                await up_writer.drain()
                _reset(up_writer)
                return b""
            up_writer.write(request)
            await up_writer.drain()
            head = await _read_head(up_reader)
            status = int(head.split(b" ", 2)[1])
            no_body = status in (204, 304) or 100 <= status < 200
            body = b"" if no_body else await _read_body(up_reader, _headers(head))
            return head + body
        finally:
            with contextlib.suppress(Exception):
                up_writer.close()

    async def _handle(self, head: bytes, body: bytes, writer: asyncio.StreamWriter) -> bool:
        """Serve one request in its mode; False when the connection is finished."""
        mode = self._next_mode()
        request = head + body
        if mode == "refuse":
            _reset(writer)
            self._loop.create_task(self._refuse_for_a_while())
            return False
        if mode == "reset_mid":
            await self._exchange(request, cut=len(head) + len(body) // 2)
            _reset(writer)
            return False
        if mode == "http500":
            text = b'{"detail":"injected fault"}'
            writer.write(
                b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(text), text)
            )
            await writer.drain()
            return False
        if mode == "stall":
            await asyncio.sleep(self.stall_seconds)
            _reset(writer)
            return False
        if mode == SLOW:
            await asyncio.sleep(self.slow_seconds)
        answer = await self._exchange(request)
        if mode == "duplicate":
            answer = await self._exchange(request)
        if mode == "lost_ack":
            _reset(writer)
            return False
        writer.write(answer)
        await writer.drain()
        return True
