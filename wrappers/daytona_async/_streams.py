"""Streaming machinery of the toolbox layer: incremental UTF-8 decoding, NUL stripping, line
splitting, and :func:`follow_bytes` — a followed log stream that resumes by offset after a
dropped connection and knows when to stop although the server never ends it.

Why this exists (service-behaviour §6):

- The daemon pads every follow-log message with NUL bytes to 1024 bytes, so NULs are removed
  (:func:`strip_nul`) and every byte count in here is counted *after* stripping.
- A chunk may end in the middle of a multi-byte character: :class:`Utf8Decoder` keeps the
  incomplete tail for the next chunk, so nothing is ever corrupted.
- The follow stream of a session command never ends by itself after the command exits (and
  a snapshot's build-log stream never ends at all). :func:`follow_bytes` runs, next to every
  read, a watcher that polls a :class:`FollowProbe` ("is the producer done?") with growing
  intervals (50 ms → 500 ms, reset to 50 ms whenever output arrives); once the producer is
  done it asks the probe for the total length of the log (non-follow read; a declared length
  not above the bytes delivered settles it without downloading the log again) and ends as
  soon as that many bytes were delivered. If the count is not reached within a short idle
  grace the stream is treated as stalled and re-opened.
- The server replays the log from its start on every connect, so a dropped stream
  (``httpx.RemoteProtocolError``/``ReadError`` mid-body) is re-opened and the bytes already
  delivered are skipped: no loss, no repetition. Re-opens are bounded (``max_reconnects``).

No cancel scope or task group is held across a ``yield``: each read runs in its own short task
group, so an abandoned iterator (``break`` without ``aclosing``) can be finalised from any task,
and a cancelled consumer closes the response (its connection leaves the pool) at once. That
task group costs tens of microseconds per read, so the cost per byte depends on how much the
transport hands over per read (everything it has buffered, ideally). A transport that offers a
cancel-safe read (:data:`RECEIVE_EXTENSION`) spares it: the read then simply times out when
the watcher has something to do. Text is decoded in pieces of :data:`DECODE_PIECE` bytes.
"""

from __future__ import annotations

import codecs
import math
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    aclosing,
    asynccontextmanager,
    nullcontext,
)
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import anyio
import anyio.lowlevel
import httpx

from ._deadline import Deadline
from ._deadline import now as loop_time
from ._logging import logger
from ._util import unwrap_group
from ._wire import RECEIVE_EXTENSION
from .errors import APIConnectionError, APITimeoutError

if TYPE_CHECKING:
    from ._context import ClientContext

__all__ = [
    "RECEIVE_EXTENSION",
    "FollowOptions",
    "FollowProbe",
    "FollowStats",
    "LineSplitter",
    "Receive",
    "Utf8Decoder",
    "body_receiver",
    "count_endpoint_bytes",
    "declared_length",
    "decode_text",
    "endpoint_stream",
    "follow_bytes",
    "stream_timeout",
    "strip_nul",
]

#: errors of a response body that broke mid-way (the request itself had succeeded)
STREAM_ERRORS: tuple[type[BaseException], ...] = (httpx.TransportError, httpx.StreamError)


def strip_nul(data: bytes) -> bytes:
    """``data`` without NUL bytes (the daemon's per-message padding)."""
    return data.replace(b"\x00", b"") if b"\x00" in data else data


class Utf8Decoder:
    """Incremental UTF-8 decoder: a character split across chunks comes out whole once its last
    byte arrives; invalid bytes become U+FFFD (never an exception)."""

    __slots__ = ("_decoder",)

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode(self, data: bytes) -> str:
        return self._decoder.decode(data)

    def flush(self) -> str:
        """The text of an incomplete trailing sequence (as U+FFFD), at end of stream."""
        return self._decoder.decode(b"", final=True)


class LineSplitter:
    """Split text fed in arbitrary pieces into whole lines.

    Lines are returned without their ``"\\n"`` (and without a ``"\\r"`` before it);
    :meth:`flush` returns the last, unterminated line if it is not empty. The pieces of an
    unfinished line are kept in a list and joined once, so a long line fed in many pieces
    costs linear time.
    """

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[str] = []

    def feed(self, text: str) -> list[str]:
        if "\n" not in text:
            if text:
                self._parts.append(text)
            return []
        lines = text.split("\n")
        if self._parts:
            self._parts.append(lines[0])
            lines[0] = "".join(self._parts)
        last = lines.pop()
        self._parts = [last] if last else []
        return [line[:-1] if line.endswith("\r") else line for line in lines]

    def flush(self) -> list[str]:
        rest = "".join(self._parts)
        self._parts = []
        if rest.endswith("\r"):
            rest = rest[:-1]
        return [rest] if rest else []


#: bytes decoded at a time by :func:`decode_text`: a big chunk decoded whole becomes one big
#: str (2-4 bytes per character once a non-Latin-1 character is in it); its allocation lands
#: beyond malloc's mmap threshold and is paid in fresh pages every time, which costs more than
#: the decoding itself, for the caller's own work on that str too. Pieces of this size reuse
#: warm heap memory.
DECODE_PIECE = 16 * 1024


async def decode_text(
    chunks: AsyncIterable[bytes], *, lines: bool = False
) -> AsyncGenerator[str, None]:
    """Decode a byte stream incrementally: yields text pieces as they arrive (never an empty
    string; a big chunk comes out as several pieces of at most :data:`DECODE_PIECE` bytes), or
    whole lines with ``lines=True``. The source is closed when this ends or is closed."""
    decoder = Utf8Decoder()
    splitter = LineSplitter() if lines else None
    source = chunks if isinstance(chunks, AsyncGenerator) else _agen(chunks)
    async with aclosing(source) as stream:
        async for chunk in stream:
            for start in range(0, len(chunk), DECODE_PIECE):
                # a slice copies, as the decoder would copy a memoryview's piece anyway
                text = decoder.decode(chunk[start : start + DECODE_PIECE])
                if splitter is None:
                    if text:
                        yield text
                else:
                    for line in splitter.feed(text):
                        yield line
    tail = decoder.flush()
    if splitter is None:
        if tail:
            yield tail
    else:
        if tail:
            splitter.feed(tail)
        for line in splitter.flush():
            yield line


async def _agen(chunks: AsyncIterable[bytes]) -> AsyncGenerator[bytes, None]:
    async for chunk in chunks:
        yield chunk


# -- opening streams -----------------------------------------------------------------------

#: what the generated ``asyncio_stream`` of an endpoint module is: called with the endpoint's
#: arguments, ``client=`` and ``request_timeout=``, it sends the request when entered
StreamEndpoint = Callable[..., AbstractAsyncContextManager[httpx.Response]]


def stream_timeout(ctx: ClientContext, read_timeout: float | None) -> httpx.Timeout:
    """The client's timeouts with ``read`` replaced (``None``: unbounded reads)."""
    t = ctx.timeout
    return httpx.Timeout(connect=t.connect, read=read_timeout, write=t.write, pool=t.pool)


@asynccontextmanager
async def endpoint_stream(
    ctx: ClientContext,
    endpoint: StreamEndpoint,
    *args: Any,
    deadline: Deadline | None = None,
    read_timeout: float | None = None,
    **kwargs: Any,
) -> AsyncIterator[httpx.Response]:
    """``async with endpoint_stream(ctx, module.asyncio_stream, *args, **kwargs) as response:``
    — a generated streaming endpoint, sent on the shared client under ``deadline``, its
    status checked (a non-2xx is read and raised as the typed error) before the block runs;
    httpx errors leaving the block become typed errors.

    ``read_timeout`` bounds each read (``None``: unbounded, for quiet follow streams; the
    response head is then still awaited at most the client's read timeout per attempt, and a
    request that got none is retried as any idempotent request). No cancel scope is held
    while the block runs, so the block may ``yield`` (an async generator may hold it and be
    finalised from another task).
    """
    dl = deadline if deadline is not None else Deadline(None, "stream")
    cm = endpoint(
        *args, client=ctx.api, request_timeout=stream_timeout(ctx, read_timeout), **kwargs
    )
    response, state = await ctx.send_bounded(
        cm.__aenter__,
        dl,
        stream=True,
        head_timeout=ctx.timeout.read if read_timeout is None else None,
    )
    try:
        if not response.is_success:
            try:
                with dl.scope():
                    await response.aread()
            except httpx.HTTPError as exc:
                raise ctx.map_exception(exc, dl, state) from exc
            ctx.raise_for_status(response, retries=state.retries, retry_after=state.retry_after)
        try:
            yield response
        except httpx.HTTPError as exc:
            raise ctx.map_exception(exc, dl, state) from exc
    finally:
        with anyio.CancelScope(shield=True):
            await cm.__aexit__(None, None, None)


def _unencoded(response: httpx.Response) -> bool:
    """The body is sent as is (no content encoding for httpx to undo)."""
    encoding = response.headers.get("content-encoding")
    return encoding is None or encoding.strip().lower() == "identity"


def declared_length(response: httpx.Response) -> int | None:
    """The body length a response declares (``Content-Length`` of an unencoded body), or
    ``None``."""
    if not _unencoded(response):
        return None
    raw = response.headers.get("content-length")
    return int(raw) if raw is not None and raw.strip().isdigit() else None


async def count_endpoint_bytes(
    ctx: ClientContext,
    endpoint: StreamEndpoint,
    *args: Any,
    deadline: Deadline | None = None,
    enough: int | None = None,
    **kwargs: Any,
) -> int:
    """Send a generated streaming endpoint and count its body's bytes without keeping them
    (NULs excluded): a full log's length without holding it in memory.

    ``enough``: bytes the caller already holds. When the response declares a length not above
    it, that length is returned without reading the body: the NUL-free count can only be
    smaller, so the caller learns all it needs (it has everything) without a second download
    of the log."""
    dl = deadline if deadline is not None else Deadline(60.0, "count log bytes")
    total = 0
    async with endpoint_stream(
        ctx, endpoint, *args, deadline=dl, read_timeout=30.0, **kwargs
    ) as response:
        length = declared_length(response)
        if enough is not None and length is not None and length <= enough:
            return length
        with dl.scope():
            async for chunk in response.aiter_bytes():
                total += len(chunk) - chunk.count(b"\x00")
    return total


# -- following -----------------------------------------------------------------------------


class FollowProbe(Protocol):
    """What :func:`follow_bytes` asks about the producer of a followed log."""

    async def finished(self) -> bool:
        """Is the producer done (command exited, build over)? Called with growing intervals."""
        ...

    async def total_bytes(self, delivered: int) -> int | None:
        """Once finished: the full log's length in bytes, NULs excluded (``None``: unknown —
        then the stream ends after ``idle_grace`` without output). ``delivered``: the bytes
        delivered so far; when the log is known to be no longer than that (without counting
        it), any number not above ``delivered`` is a valid answer."""
        ...


@dataclass(frozen=True)
class FollowOptions:
    """Tuning of :func:`follow_bytes` (the defaults suit session commands and build logs)."""

    strip_nul: bool = True
    max_reconnects: int = 10
    poll_first: float = 0.05
    poll_max: float = 0.5
    poll_factor: float = 1.5
    #: once finished, how long a stream may stay silent (no bytes at all, replayed ones
    #: included) while bytes are missing before it is re-opened
    idle_grace: float = 0.5
    reconnect_backoff: float = 0.05
    #: timeout of one probe call
    probe_timeout: float = 30.0


@dataclass
class FollowStats:
    """Counters of one :func:`follow_bytes` run (for callers, tests and logs)."""

    delivered: int = 0
    connections: int = 0
    reconnects: int = 0
    finished_at: float | None = None  # loop time when the probe first said "finished"
    ended_at: float | None = None  # loop time when the iteration ended


class _Follower:
    def __init__(
        self,
        probe: FollowProbe | None,
        options: FollowOptions,
        deadline: Deadline,
        stats: FollowStats,
    ) -> None:
        self.probe = probe
        self.o = options
        self.dl = deadline
        self.stats = stats
        self.finished = False
        self.total: int | None = None
        self.total_known = False
        now = loop_time()
        self.interval = options.poll_first
        self.next_poll = now + options.poll_first
        self.last_progress = now

    def _bounded(self) -> AbstractContextManager[object]:
        """The deadline's scope, or nothing when there is no deadline (a read per step: the
        cancel scope is measurable there)."""
        return self.dl.scope() if self.dl.when != math.inf else nullcontext()

    def active(self) -> None:
        """Bytes arrived (replayed ones included): the stream is alive."""
        self.last_progress = loop_time()

    def progressed(self) -> None:
        """New bytes were delivered."""
        now = loop_time()
        self.last_progress = now
        if not self.finished:  # output suggests the end may be near: poll soon again
            self.interval = self.o.poll_first
            self.next_poll = now + self.o.poll_first

    async def poll(self) -> None:
        assert self.probe is not None
        with anyio.CancelScope(shield=True):
            with self.dl.child(self.o.probe_timeout).scope():
                done = await self.probe.finished()
        now = loop_time()
        self.interval = min(self.o.poll_max, self.interval * self.o.poll_factor)
        self.next_poll = now + self.interval
        if done and not self.finished:
            self.finished = True
            self.stats.finished_at = now
            self.last_progress = max(self.last_progress, now)

    async def fetch_total(self) -> None:
        assert self.probe is not None
        with anyio.CancelScope(shield=True):
            with self.dl.child(self.o.probe_timeout).scope():
                total = await self.probe.total_bytes(self.stats.delivered)
        self.total = total
        self.total_known = True

    def drained(self) -> bool:
        return self.total_known and self.total is not None and self.stats.delivered >= self.total

    async def due(self) -> str | float:
        """Do what is due now (poll the producer, fetch the log's length); returns the verdict
        (``"end"``, or ``"stale"``: finished, bytes missing, silent for ``idle_grace``) or the
        seconds until something is due again."""
        while True:
            if self.finished:
                if not self.total_known:
                    await self.fetch_total()
                    continue
                if self.drained():
                    return "end"
                wait = self.last_progress + self.o.idle_grace - loop_time()
                if wait <= 0:
                    return "end" if self.total is None else "stale"
                return wait
            wait = self.next_poll - loop_time()
            if wait > 0:
                return wait
            await self.poll()

    async def watch(self, done: anyio.Event | None = None) -> str | None:
        """Run until the iteration should end (``"end"``), the stream looks stalled
        (``"stale"``) or ``done`` is set (``None``: the pending read completed first)."""
        while True:
            if done is not None and done.is_set():
                return None
            wait = await self.due()
            if isinstance(wait, str):
                return wait
            if done is None:
                await anyio.sleep(wait)
            else:
                with anyio.move_on_after(wait):
                    await done.wait()

    async def receive_step(self, receive: Receive) -> tuple[str, Any]:
        """:meth:`step` over a cancel-safe ``receive``: the read waits at most until the watcher
        has something to do, in this task (no task per read)."""
        data: bytes | None = None
        try:
            with self._bounded():
                if self.probe is None:
                    data = await receive()
                while data is None:
                    wait = await self.due()
                    if isinstance(wait, str):
                        return wait, None
                    with anyio.move_on_after(wait):
                        data = await receive()
        except STREAM_ERRORS as exc:
            return "error", exc
        return ("data", data) if data else ("eof", None)

    async def step(self, it: AsyncIterator[bytes]) -> tuple[str, Any]:
        """The next event: ``("data", bytes)``, ``("eof", None)``, ``("error", exc)``,
        ``("end", None)`` or ``("stale", None)``.

        With a probe, the read runs in a child task while this task watches the producer
        until the read is done; the watcher cancels the read only to end or re-open the stream.
        (A read that completes is never cancelled: no cancellation to deliver per chunk.)"""
        if self.probe is None:
            with self._bounded():
                try:
                    return "data", await it.__anext__()
                except StopAsyncIteration:
                    return "eof", None
                except STREAM_ERRORS as exc:
                    return "error", exc
        result: tuple[str, Any] | None = None
        done = anyio.Event()

        async def read() -> None:
            nonlocal result
            try:
                result = ("data", await it.__anext__())
            except StopAsyncIteration:
                result = ("eof", None)
            except STREAM_ERRORS as exc:
                result = ("error", exc)
            done.set()

        verdict: str | None = None
        with unwrap_group(), self._bounded():
            async with anyio.create_task_group() as tg:
                tg.start_soon(read)
                # let the read run first: data already buffered completes it without a timer
                await anyio.lowlevel.checkpoint()
                if result is None:
                    verdict = await self.watch(done)
                    if result is None:
                        tg.cancel_scope.cancel()
        if result is not None:  # a read that completed wins over a verdict of the same moment
            return result
        assert verdict is not None
        return verdict, None

    async def complete_after_eof(self) -> bool:
        """The server ended the stream cleanly: is the log complete?"""
        if self.probe is None:
            return True
        with self.dl.scope():
            if not self.finished:
                await self.poll()
            if not self.finished:
                return False
            if not self.total_known:
                await self.fetch_total()
        return self.total is None or self.stats.delivered >= self.total


#: a cancel-safe read of a response body: the bytes buffered (waiting for some when there are
#: none), ``b""`` at the end of the body; cancelled while it waits, it loses nothing
Receive = Callable[[], Awaitable[bytes]]


def body_receiver(response: httpx.Response) -> Receive | None:
    """The transport's cancel-safe :data:`Receive` for this response's raw body, if it offers
    one and the body needs no decoding (no content encoding)."""
    receive = response.extensions.get(RECEIVE_EXTENSION)
    if not callable(receive) or not _unencoded(response):
        return None
    return cast(Receive, receive)


#: how :func:`follow_bytes` (re-)opens its stream: a coroutine giving the response (closed with
#: ``response.aclose()``), or an async context manager holding it (e.g. :func:`endpoint_stream`)
StreamOpener = Callable[[], Awaitable[httpx.Response] | AbstractAsyncContextManager[httpx.Response]]


async def _enter(
    opened: Awaitable[httpx.Response] | AbstractAsyncContextManager[httpx.Response],
) -> tuple[httpx.Response, Callable[[], Awaitable[object]]]:
    if isinstance(opened, AbstractAsyncContextManager):
        cm = opened
        response = await cm.__aenter__()
        return response, lambda: cm.__aexit__(None, None, None)
    response = await opened
    return response, response.aclose


async def _open_watched(
    f: _Follower, open_stream: StreamOpener
) -> tuple[httpx.Response, Callable[[], Awaitable[object]]] | str:
    """Open the stream while the probe keeps being polled: the service may send a follow
    stream's head only with the first output, so a command that exits without printing would
    otherwise be waited on for a whole head timeout. Returns the opened response, ``"end"``
    (the producer finished and everything was delivered before any head came) or ``"quiet"``
    (no head within the head timeout while the producer still runs: open again)."""
    if f.probe is None:
        with f.dl.scope():
            return await _enter(open_stream())
    opened: tuple[httpx.Response, Callable[[], Awaitable[object]]] | None = None
    verdict: str | None = None
    f.active()  # a stream counts as alive from the moment it is (re)opened
    try:
        with unwrap_group(), f.dl.scope():
            async with anyio.create_task_group() as tg:

                async def do_open() -> None:
                    nonlocal opened
                    opened = await _enter(open_stream())
                    tg.cancel_scope.cancel()

                async def do_watch() -> None:
                    nonlocal verdict
                    verdict = await f.watch()
                    tg.cancel_scope.cancel()

                tg.start_soon(do_open)
                tg.start_soon(do_watch)
    except BaseException as exc:
        if opened is not None:
            # opened, then cancelled from outside (or the probe failed): close it here, not
            # leave it to the garbage collector
            with anyio.CancelScope(shield=True):
                await opened[1]()
        if isinstance(exc, APITimeoutError) and f.dl.remaining() > 0:
            return "quiet"
        if isinstance(exc, ExceptionGroup):
            # the open and the probe both failed (e.g. the client was closed under them): one
            # typed error, not a group
            first: BaseException = exc
            while isinstance(first, BaseExceptionGroup):
                first = first.exceptions[0]
            raise first from None
        raise
    if opened is not None:
        if verdict == "end":  # both finished in the same step: nothing more to read
            with anyio.CancelScope(shield=True):
                await opened[1]()
            return "end"
        return opened
    # "end", or "stale" (finished, bytes missing, nothing for a while): re-open as after a drop
    return verdict or "quiet"


async def follow_bytes(
    open_stream: StreamOpener,
    probe: FollowProbe | None = None,
    *,
    options: FollowOptions | None = None,
    deadline: Deadline | None = None,
    stats: FollowStats | None = None,
) -> AsyncGenerator[bytes, None]:
    """Yield the (NUL-stripped) bytes of a followed log until it is complete.

    ``open_stream()`` opens the follow stream (status checked, body unread; see
    :func:`endpoint_stream`); it is called again to resume after a drop. With ``probe=None``
    the iteration ends when the server ends the stream. ``deadline`` bounds the whole iteration
    (checked in every read, not across the consumer's own work between chunks).
    """
    o = options or FollowOptions()
    dl = deadline if deadline is not None else Deadline(None, "follow stream")
    st = stats if stats is not None else FollowStats()
    f = _Follower(probe, o, dl, st)
    while True:
        opened = await _open_watched(f, open_stream)
        if opened == "end":
            st.ended_at = loop_time()
            return
        if opened == "quiet":
            continue  # no head yet from a producer still running: ask again (not a failure)
        kind = "stale"  # finished with bytes missing before any head came: re-open
        cause: BaseException | None = None
        if not isinstance(opened, str):
            response, close = opened
            st.connections += 1
            f.active()
            kind = "eof"
            skip = st.delivered
            try:
                receive = body_receiver(response)
                it = response.aiter_bytes() if receive is None else None
                while True:
                    if receive is not None:
                        kind, value = await f.receive_step(receive)
                    else:
                        assert it is not None
                        kind, value = await f.step(it)
                    if kind == "data":
                        f.active()
                        chunk: bytes = strip_nul(value) if o.strip_nul else value
                        if skip:
                            cut = min(skip, len(chunk))
                            chunk, skip = chunk[cut:], skip - cut
                        if not chunk:
                            continue
                        st.delivered += len(chunk)
                        f.progressed()
                        yield chunk
                        continue
                    if kind == "end":
                        st.ended_at = loop_time()
                        return
                    if kind == "error":
                        cause = value
                    break
            finally:
                with anyio.CancelScope(shield=True):
                    await close()
        if kind == "eof" and await f.complete_after_eof():
            st.ended_at = loop_time()
            return
        if st.reconnects >= o.max_reconnects:
            reason = {"eof": "ended early", "stale": "stalled"}.get(kind, "broke")
            raise APIConnectionError(
                f"follow stream {reason} {st.reconnects + 1} times; gave up after "
                f"{st.delivered} bytes" + (f" ({type(cause).__name__}: {cause})" if cause else "")
            ) from cause
        st.reconnects += 1
        logger.debug(
            "follow stream %s after %d bytes (%s); re-opening (%d/%d)",
            kind,
            st.delivered,
            type(cause).__name__ if cause else "-",
            st.reconnects,
            o.max_reconnects,
        )
        delay = min(1.0, o.reconnect_backoff * (2 ** (st.reconnects - 1)))
        with dl.scope():
            await anyio.sleep(delay)
