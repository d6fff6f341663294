"""Reads and writes of a plain TCP connection under trio straight on its socket.

httpcore2's trio stream costs, for every read and every write, a ``trio.fail_after`` cancel scope,
trio's socket wrapper and a yield to the scheduler after a send that completed at once: two
scheduler rounds and four cancel scopes per request, where one round (waiting for the answer)
and at most one scope do. :class:`TrioSocketStream` has the same ``read``/``write``/``aclose``/
``get_extra_info`` as httpcore2's stream, over a duplicate of the connection's socket (httpcore2
opened it; ``socket.fromfd`` is the public way to a non-blocking stdlib socket of it): it makes
the system call first and waits for the socket (under a cancel scope only if a timeout is set)
only when it would block. Yields are placed so that each request costs one scheduler round and
no long run of reads or writes starves the other tasks: a request head's write that completes at
once does not yield (a read follows), the further pieces of a body do; a read yields before its
system call (after a write, at concurrency, the answer has often arrived by then: no cancel
scope, no wait registration) unless the read before it waited. Reads are cancel-safe (no
checkpoint after the bytes were taken), as the log follower's receive needs.

:class:`TrioTLSStream` does TLS over it (``ssl.SSLObject`` on memory buffers, the handshake
included) instead of ``trio.SSLStream``. Trio only (``trio.lowlevel``).
"""

from __future__ import annotations

import math
import socket
import ssl

import httpcore2
import trio

__all__ = ["TrioSocketStream", "TrioTLSStream"]

#: what the system calls raise for a connection that is gone
_GONE = (OSError, trio.ClosedResourceError, trio.BrokenResourceError)


class TrioSocketStream:
    """A plain TCP connection opened by httpcore2's trio backend, read and written directly."""

    __slots__ = ("_closed", "_outer", "_sock", "_waited", "_writing")

    def __init__(self, outer: httpcore2.AsyncNetworkStream) -> None:
        trio_socket = outer.get_extra_info("socket")
        if not isinstance(trio_socket, trio.socket.SocketType):
            raise TypeError("not a trio TCP stream")
        self._outer = outer
        self._sock = socket.fromfd(trio_socket.fileno(), trio_socket.family, trio_socket.type)
        self._sock.setblocking(False)
        self._closed = False
        self._waited = False
        self._writing = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """At most ``max_bytes`` (``b""``: the peer closed). Cancel-safe: every checkpoint comes
        before the system call that takes the bytes, so a cancelled read has read nothing."""
        sock = self._sock
        self._writing = False
        try:
            if self._waited:
                # the last read waited for the socket (a yield): this one need not
                self._waited = False
                await trio.lowlevel.checkpoint_if_cancelled()
            else:
                # after a write: let the other tasks run first; at concurrency the answer has
                # often arrived by then, which saves the cancel scope and the wait below
                await trio.lowlevel.checkpoint()
            try:
                return sock.recv(max_bytes)
            except BlockingIOError:
                pass
            self._waited = True
            while True:
                if timeout is None:
                    await trio.lowlevel.wait_readable(sock)
                else:
                    scope = trio.CancelScope(deadline=trio.current_time() + timeout)
                    with scope:
                        await trio.lowlevel.wait_readable(sock)
                    if scope.cancelled_caught:
                        raise httpcore2.ReadTimeout(f"no data within {timeout:g} s")
                try:
                    return sock.recv(max_bytes)
                except BlockingIOError:
                    continue
        except _GONE as exc:
            raise httpcore2.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        sock = self._sock
        view = memoryview(buffer)
        if self._writing:
            # one more piece of a body written without waiting: yield, so that an upload to a
            # fast server does not starve the other tasks (a request head does not yield)
            await trio.lowlevel.checkpoint()
        else:
            await trio.lowlevel.checkpoint_if_cancelled()
        self._writing = True
        self._waited = False
        try:
            while view:
                try:
                    sent = sock.send(view)
                except BlockingIOError:
                    self._writing = False  # the wait below yields
                    if timeout is None:
                        await trio.lowlevel.wait_writable(sock)
                    else:
                        scope = trio.CancelScope(deadline=trio.current_time() + timeout)
                        with scope:
                            await trio.lowlevel.wait_writable(sock)
                        if scope.cancelled_caught:
                            raise httpcore2.WriteTimeout(
                                f"could not write within {timeout:g} s"
                            ) from None
                    continue
                view = view[sent:]
        except _GONE as exc:
            raise httpcore2.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            # a task waiting on the socket (the transport is closing under a streaming
            # response) gets ClosedResourceError, a read error
            trio.lowlevel.notify_closing(self._sock)
            self._sock.close()
        await self._outer.aclose()

    def get_extra_info(self, info: str) -> object:
        if info == "is_readable":
            return self._readable()
        return self._outer.get_extra_info(info)

    def _readable(self) -> bool:
        """Would a read not block: the server closed the connection (or sent something
        unasked)? One non-blocking peek."""
        try:
            self._sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return False
        except OSError:
            return True
        return True


#: bytes of TLS records asked for per network read, beyond the plaintext wanted (record headers
#: and tags: a few dozen bytes per 16 KiB record)
_TLS_SLACK = 4096


class TrioTLSStream:
    """TLS over a :class:`TrioSocketStream`: the ``ssl`` module's ``SSLObject`` on memory
    buffers, fed from and flushed to the socket directly.

    ``trio.SSLStream`` (what httpcore2's ``start_tls`` uses under trio) takes four scheduler
    rounds per request where the plain stream takes one: its reads and writes each go through
    its own locks, checkpoints and the socket stream's. Here a read decrypts what was already
    received and reads the socket only when that is not enough; a write encrypts and sends in
    one system call. Like httpx and ``trio.SSLStream(https_compatible=True)``, a server that
    closes without a TLS close-notify ends the stream (the HTTP parser decides whether the
    response was complete), and closing sends none.
    """

    __slots__ = ("_incoming", "_outgoing", "_raw", "_tls")

    def __init__(
        self, raw: TrioSocketStream, context: ssl.SSLContext, server_hostname: str | None
    ) -> None:
        self._raw = raw
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._tls = context.wrap_bio(
            self._incoming, self._outgoing, server_side=False, server_hostname=server_hostname
        )

    async def handshake(self, timeout: float | None) -> None:
        """The TLS handshake, within ``timeout`` seconds in all; failures are httpcore2's
        ``ConnectError`` / ``ConnectTimeout`` (nothing of a request was sent)."""
        deadline = trio.current_time() + timeout if timeout is not None else math.inf
        with trio.CancelScope(deadline=deadline) as scope:
            try:
                await self._handshake()
            except (httpcore2.ReadError, httpcore2.WriteError, ssl.SSLError) as exc:
                raise httpcore2.ConnectError(str(exc) or type(exc).__name__) from exc
        if scope.cancelled_caught:
            raise httpcore2.ConnectTimeout(f"no TLS handshake within {timeout:g} s")

    async def _handshake(self) -> None:
        tls = self._tls
        while True:
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                await self._flush(None)
                data = await self._raw.read(64 * 1024, None)
                if not data:
                    raise httpcore2.ConnectError(
                        "the server closed the connection during the TLS handshake"
                    ) from None
                self._incoming.write(data)
            else:
                await self._flush(None)
                return

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        tls = self._tls
        while True:
            try:
                data = tls.read(max_bytes)
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""  # closed, with or without a close-notify
            except ssl.SSLError as exc:
                raise httpcore2.ReadError(str(exc) or type(exc).__name__) from exc
            else:
                return self._read_more(data, max_bytes) if data else data
            if self._outgoing.pending:
                await self._flush(timeout)  # e.g. the answer to a TLS 1.3 key update
            received = await self._raw.read(max_bytes + _TLS_SLACK, timeout)
            if received:
                self._incoming.write(received)
            else:
                self._incoming.write_eof()

    def _read_more(self, data: bytes, max_bytes: int) -> bytes:
        """``data`` and whatever more the records already received hold, up to ``max_bytes``
        (``SSLObject.read`` returns one record, at most 16 KiB, per call)."""
        size = len(data)
        if size >= max_bytes:
            return data
        parts = [data]
        tls = self._tls
        while size < max_bytes:
            try:
                more = tls.read(max_bytes - size)
            except ssl.SSLError:
                break  # nothing more decrypted now; an error shows on the next read
            if not more:
                break
            parts.append(more)
            size += len(more)
        return b"".join(parts) if len(parts) > 1 else data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._tls.write(buffer)
        except ssl.SSLError as exc:
            raise httpcore2.WriteError(str(exc) or type(exc).__name__) from exc
        await self._flush(timeout)

    async def _flush(self, timeout: float | None) -> None:
        out = self._outgoing.read()
        if out:
            await self._raw.write(out, timeout)

    async def aclose(self) -> None:
        await self._raw.aclose()

    def get_extra_info(self, info: str) -> object:
        if info == "is_readable":
            # records received but not read (a close-notify that came with the last bytes of
            # a response) count as much as bytes still in the socket
            return self._incoming.pending > 0 or self._raw.get_extra_info(info)
        if info == "ssl_object":
            return self._tls
        return self._raw.get_extra_info(info)
