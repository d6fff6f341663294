"""The asyncio HTTP/1.1 connection (an ``asyncio.Protocol`` around the sans-IO parser of
:mod:`._h1_wire`) and the O(1) pool that hands connections out, for :mod:`._h1_asyncio`.

The pool's invariants (what ``pool_stats()`` reports):

- a slot is held by every request from the moment it got one until its connection is given
  back (``in_use``); at most ``max_connections`` are held, more requests wait in line (FIFO: a
  freed slot is handed to the first waiter, not left for a newcomer to take) and give up after
  their ``pool`` timeout with ``httpx.PoolTimeout``;
- an idle connection is in its origin's stack (most recently used on top) and counted in
  ``idle``; at most ``max_keepalive_connections`` stay idle (the oldest one of the largest
  stack is closed first). One closed by the server leaves its stack at once
  (``connection_lost``); one idle for longer than ``keepalive_expiry`` is never handed out,
  and is closed when it is next looked at or by a sweep (a timer, once per expiry period while
  anything is idle);
- a connection is handed out again only if it is provably alive: besides the callbacks, its
  socket is asked (one non-blocking ``poll``, as httpcore does) whether it is readable. An idle
  connection has nothing to read: readable means the server closed it (or sent garbage), even
  when the event loop has not yet run the callbacks that would say so (it was busy), so a
  request is never written into a connection the server already closed.
"""

from __future__ import annotations

import asyncio
import select
import ssl
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from ._h1_wire import ResponseParser
from ._internals import tls_inner_transport
from ._wire import ALPN_PROTOCOLS, KEEPALIVE_EXPIRY, mark_sent

__all__ = ["WANT_BODY", "WANT_END", "WANT_HEAD", "Connection", "Pool", "PoolKey"]

PoolKey = tuple[bytes, bytes, int]

#: more body bytes than this buffered and not yet taken by the reader: stop reading the socket
#: until the reader has taken them (flow control)
READ_HIGH_WATER = 256 * 1024

# what a reader waits for (Connection.wait): the response head, body bytes, the end
WANT_HEAD = 0
WANT_BODY = 1
WANT_END = 2


#: seconds between checks of what is left to send while a request's end is being written
FLUSH_CHECK = 0.01


def _wake_up(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def socket_readable(fd: int) -> bool:
    """Would a read of ``fd`` not block (bytes, the peer's close, an error)? One ``poll``."""
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class Connection(asyncio.Protocol):
    """One HTTP/1.1 connection, carrying one request at a time. The reader parses the
    response through :attr:`parser` and waits on :meth:`wait`; the protocol callbacks feed the
    parser and wake it."""

    __slots__ = (
        "_drain",
        "_fd",
        "_loop",
        "_received_at",
        "_timeout",
        "_timer",
        "_tls_inner",
        "_waiter",
        "_want",
        "cut_short",
        "error",
        "idle_since",
        "key",
        "lost",
        "lost_because",
        "parser",
        "pool",
        "read_paused",
        "transport",
        "write_paused",
    )

    def __init__(self, pool: Pool, key: PoolKey, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.key = key
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser: ResponseParser | None = None
        #: why the connection cannot go on (a malformed response, the client closing); raised
        #: to the reader
        self.error: httpx.TransportError | None = None
        #: the server closed it (or the socket broke): no more bytes will come
        self.lost = False
        #: the socket error that ended it (a reset), if any
        self.lost_because: Exception | None = None
        #: the request was not written whole (the server answered first): never reused
        self.cut_short = False
        self._fd = -1
        self._tls_inner: Any = None
        self.read_paused = False
        self.write_paused = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[bool] | None = None
        self._drain: asyncio.Future[None] | None = None
        self._want = WANT_HEAD
        # the read timeout: the wait's timer, its length, when bytes last arrived
        self._timer: asyncio.TimerHandle | None = None
        self._timeout = 0.0
        self._received_at = 0.0

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._tls_inner = tls_inner_transport(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self._fd = sock.fileno()

    def data_received(self, data: bytes) -> None:
        if self._timer is not None:
            self._received_at = self._loop.time()  # progress: the read timeout starts again
        parser = self.parser
        if parser is None:
            # bytes while no request is in flight: nothing may come then; not reusable
            self._fail(httpx.RemoteProtocolError("unexpected bytes on an idle connection"))
            return
        try:
            parser.feed(data)
        except httpx.RemoteProtocolError as exc:
            self._fail(exc)
            return
        if parser.buffered > READ_HIGH_WATER and not self.read_paused and self.transport:
            self.read_paused = True
            self.transport.pause_reading()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            want = self._want
            if (
                parser.complete
                or (want == WANT_HEAD and parser.head_complete)
                or (want == WANT_BODY and parser.buffered)
            ):
                waiter.set_result(True)
        drain = self._drain
        if drain is not None and parser.head_complete and not drain.done():
            drain.set_result(None)  # answered before the request was written whole

    def eof_received(self) -> bool | None:
        self._lose()
        return None  # let the transport close

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and self.lost_because is None:
            self.lost_because = exc
        self._lose()
        drain = self._drain
        if drain is not None and not drain.done():
            drain.set_result(None)

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        drain = self._drain
        if drain is not None and not drain.done():
            drain.set_result(None)

    # -- for the driver ------------------------------------------------------------------

    def _lose(self) -> None:
        if self.lost:
            return
        self.lost = True
        if self.parser is None:
            self.pool.forget_idle(self)
        self._wake()

    def _fail(self, error: httpx.TransportError) -> None:
        if self.error is None:
            mark_sent(error, True)
            self.error = error
        self.close()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(True)

    def abort(self, error: httpx.TransportError) -> None:
        """End the connection now; its reader (if any) gets ``error``."""
        self._fail(error)

    def alive(self) -> bool:
        """Idle and provably usable: not closed as far as the callbacks know, and nothing to
        read on its socket (see the module docstring)."""
        return not self.lost and self.error is None and not socket_readable(self._fd)

    @property
    def reusable(self) -> bool:
        parser = self.parser
        return (
            not self.lost
            and not self.cut_short
            and self.error is None
            and parser is not None
            and parser.complete
            and parser.keep_alive
        )

    async def wait(self, want: int, timeout: float | None) -> bool:
        """Wait until the parser has what the reader ``want``\\ s (or the connection ended):
        ``False`` if ``timeout`` seconds passed without a byte arriving (httpx's read timeout:
        a bound on each read, not on the whole wait)."""
        loop = self._loop
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiter = waiter
        self._want = want
        if timeout is not None:
            self._timeout = timeout
            self._received_at = loop.time()
            self._timer = loop.call_later(timeout, self._read_timer)
        try:
            return await waiter
        finally:
            self._waiter = None
            timer = self._timer
            if timer is not None:
                self._timer = None
                timer.cancel()

    def _read_timer(self) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        loop = self._loop
        due = self._received_at + self._timeout
        if due > loop.time():  # bytes came meanwhile: wait a full timeout from the last ones
            self._timer = loop.call_at(due, self._read_timer)
        else:
            self._timer = None
            waiter.set_result(False)

    def unsent(self) -> int:
        """Bytes written and not yet handed to the kernel: the transport's buffer, and under
        TLS the TCP transport's below it (where the encrypted records wait)."""
        transport = self.transport
        if transport is None:
            return 0
        size = transport.get_write_buffer_size()
        inner = self._tls_inner
        if inner is not None:
            size += inner.get_write_buffer_size()
        return size

    async def drain(self, timeout: float | None) -> bool:
        """Wait until the transport's write buffer drained below its low mark, or the
        connection ended, or the response head arrived (the request is then cut short):
        ``False`` if no byte left for ``timeout`` seconds (httpx's write timeout; progress is
        checked every ``timeout`` seconds)."""
        transport = self.transport
        loop = self._loop
        while self.write_paused and not self.lost and self.error is None:
            parser = self.parser
            if parser is not None and parser.head_complete:
                self.cut_short = True
                return True
            left = self.unsent()
            drain: asyncio.Future[None] = loop.create_future()
            self._drain = drain
            try:
                await asyncio.wait_for(drain, timeout)
            except TimeoutError:
                if transport is not None and self.unsent() < left:
                    continue  # slow, but some went out
                return False
            finally:
                self._drain = None
        return True

    async def flush(self, timeout: float | None) -> bool:
        """Wait until everything written has been handed to the kernel (the request left
        whole), or the connection ended, or the response head arrived (cut short if bytes
        were left): ``False`` if no byte left for ``timeout`` seconds. Checked every
        :data:`FLUSH_CHECK` seconds (a TLS transport gives no signal when the TCP transport
        below it drains) and at every resume."""
        loop = self._loop
        left = self.unsent()
        since = loop.time()
        while left and not self.lost and self.error is None:
            parser = self.parser
            if parser is not None and parser.head_complete:
                self.cut_short = True
                return True
            waiter: asyncio.Future[None] = loop.create_future()
            self._drain = waiter
            handle = loop.call_later(FLUSH_CHECK, _wake_up, waiter)
            try:
                await waiter
            finally:
                self._drain = None
                handle.cancel()
            now_left = self.unsent()
            now = loop.time()
            if now_left < left:
                left, since = now_left, now
            elif timeout is not None and now - since >= timeout:
                return False
        return True

    def resume_reading(self) -> None:
        if self.read_paused:
            self.read_paused = False
            transport = self.transport
            if transport is not None and not self.lost:
                transport.resume_reading()

    def close(self) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.close()


class Pool:
    """Connection slots and idle connections per origin; see the module docstring."""

    def __init__(self, limits: httpx.Limits, verify: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._max = limits.max_connections
        keepalive = limits.max_keepalive_connections
        self._max_idle = keepalive if keepalive is not None else (self._max or 1 << 30)
        expiry = limits.keepalive_expiry
        self._expiry = KEEPALIVE_EXPIRY if expiry is None else expiry
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._idle: dict[PoolKey, list[Connection]] = {}
        self.idle = 0
        self.in_use = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        # connections handed out: closing the pool ends them (and their readers) at once
        self.checked_out: set[Connection] = set()
        self._sweeper: asyncio.TimerHandle | None = None
        #: closed by the transport: hands out no connection, keeps none
        self.closed = False

    # -- slots ---------------------------------------------------------------------------

    async def acquire(self, timeout: float | None) -> None:
        """Take a slot, waiting in line for one (``httpx.PoolTimeout`` after ``timeout``)."""
        limit = self._max
        if limit is None or (self.in_use < limit and not self._waiters):
            self.in_use += 1
            return
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self.release_slot()  # handed over just as we gave up: pass it on
            else:
                waiter.cancel()
                self._remove_waiter(waiter)
            if isinstance(exc, TimeoutError):
                raise httpx.PoolTimeout("no connection of the pool freed in time") from None
            raise

    def _remove_waiter(self, waiter: asyncio.Future[None]) -> None:
        try:
            self._waiters.remove(waiter)
        except ValueError:
            pass

    def release_slot(self) -> None:
        """Give a slot back: to the first request waiting for one, else to the pool."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.in_use -= 1

    # -- connections ---------------------------------------------------------------------

    def take_idle(self, key: PoolKey) -> Connection | None:
        """The most recently used idle connection of ``key``'s origin that is still usable."""
        stack = self._idle.get(key)
        if not stack:
            return None
        now = self._loop.time()
        while stack:
            connection = stack.pop()
            self.idle -= 1
            if now - connection.idle_since >= self._expiry:
                # expired: every connection below it is older still
                connection.close()
                for older in stack:
                    older.close()
                self.idle -= len(stack)
                stack.clear()
            elif not connection.alive():
                # the server closed it (or sent garbage): its callbacks may be still to run
                connection.close()
            else:
                self.checked_out.add(connection)
                return connection
        return None

    async def connect(self, key: PoolKey, sni: str | None, timeout: float | None) -> Connection:
        """A new connection to ``key``'s origin. ``httpx.ConnectError`` /
        ``httpx.ConnectTimeout`` (nothing was sent) if it cannot be opened."""
        scheme, host_bytes, port = key
        host = host_bytes.decode("ascii")
        connection = Connection(self, key, self._loop)
        tls: ssl.SSLContext | None = None
        server_hostname: str | None = None
        if scheme == b"https":
            tls = self._ssl_context()
            server_hostname = sni or host
        try:
            async with asyncio.timeout(timeout):
                await self._loop.create_connection(
                    lambda: connection, host, port, ssl=tls, server_hostname=server_hostname
                )
        except TimeoutError:
            connection.close()
            error: httpx.TransportError = httpx.ConnectTimeout(
                f"could not connect to {host}:{port} within {timeout:g} s"
            )
            mark_sent(error, False)
            raise error from None
        except OSError as exc:  # refused, DNS, TLS handshake (ssl.SSLError is an OSError)
            connection.close()
            error = httpx.ConnectError(f"could not connect to {host}:{port}: {exc}")
            mark_sent(error, False)
            raise error from exc
        except BaseException:
            connection.close()
            raise
        self.checked_out.add(connection)
        return connection

    def _ssl_context(self) -> ssl.SSLContext:
        context = self._ssl
        if context is None:
            verify = self._verify
            if isinstance(verify, ssl.SSLContext):
                context = verify
            else:
                # httpx's context (certifi, SSL_CERT_FILE...): the same trust as the others
                context = httpx.create_ssl_context(verify=verify)
            # offered on a caller's context too, as httpcore does (HTTP/1.1 is all we speak)
            context.set_alpn_protocols(ALPN_PROTOCOLS)
            self._ssl = context
        return context

    def give_back(self, connection: Connection) -> None:
        """Return a checked-out connection with its slot: kept idle if it is reusable, else
        closed. Called exactly once per check-out, with no await before the bookkeeping."""
        self.checked_out.discard(connection)
        if connection.reusable and not self.closed:
            connection.parser = None
            connection.idle_since = self._loop.time()
            stack = self._idle.get(connection.key)
            if stack is None:
                stack = self._idle[connection.key] = []
            stack.append(connection)
            self.idle += 1
            if self.idle > self._max_idle:
                oldest = max(self._idle.values(), key=len).pop(0)
                self.idle -= 1
                oldest.close()
            if self._sweeper is None:
                self._sweeper = self._loop.call_later(self._expiry, self._sweep)
        else:
            connection.close()
        self.release_slot()

    def forget_idle(self, connection: Connection) -> None:
        """An idle connection the server closed: out of its stack now."""
        stack = self._idle.get(connection.key)
        if stack is not None and connection in stack:
            stack.remove(connection)
            self.idle -= 1

    def _sweep(self) -> None:
        self._sweeper = None
        now = self._loop.time()
        for stack in self._idle.values():
            # oldest at the bottom: close from there up to the first one still fresh
            fresh = 0
            while fresh < len(stack) and now - stack[fresh].idle_since >= self._expiry:
                fresh += 1
            for connection in stack[:fresh]:
                connection.close()
            del stack[:fresh]
            self.idle -= fresh
        if self.idle:
            self._sweeper = self._loop.call_later(self._expiry, self._sweep)

    def close(self, error: Callable[[], httpx.TransportError]) -> None:
        """Close every idle connection, and end the checked-out ones with ``error()`` (their
        readers raise it and give them back)."""
        self.closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        stacks, self._idle = self._idle, {}
        self.idle = 0
        for stack in stacks.values():
            for connection in stack:
                connection.close()
        for connection in list(self.checked_out):
            connection.abort(error())
