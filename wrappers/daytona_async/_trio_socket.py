"""Reads and writes of a plain TCP connection under trio straight on its socket.

httpcore2's trio stream costs, for every read and every write, a ``trio.fail_after`` cancel scope,
trio's socket wrapper and a yield to the scheduler after a send that completed at once: two
scheduler rounds and four cancel scopes per request, where one round (waiting for the answer)
and at most one scope do. :class:`TrioSocketStream` has the same ``read``/``write``/``aclose``/
``get_extra_info`` as httpcore2's stream, over a duplicate of the connection's socket (httpcore2
opened it; ``socket.fromfd`` is the public way to a non-blocking stdlib socket of it): it makes
the system call first and waits for the socket (under a cancel scope only if a timeout is set)
only when it would block. A write that completes at once does not yield (a read follows it);
the first read after a write yields once before trying (at concurrency the answer has often
arrived by then: no cancel scope, no wait registration); any other read that completes at once
yields unless the one before it did, so a fast body cannot starve the other tasks.

Trio only (``trio.lowlevel``); TLS connections keep httpcore2's stream.
"""

from __future__ import annotations

import socket

import httpcore2
import trio

__all__ = ["TrioSocketStream"]

#: what the system calls raise for a connection that is gone
_GONE = (OSError, trio.ClosedResourceError, trio.BrokenResourceError)


class TrioSocketStream:
    """A plain TCP connection opened by httpcore2's trio backend, read and written directly."""

    __slots__ = ("_closed", "_outer", "_sock", "_waited", "_wrote")

    def __init__(self, outer: httpcore2.AsyncNetworkStream) -> None:
        trio_socket = outer.get_extra_info("socket")
        if not isinstance(trio_socket, trio.socket.SocketType):
            raise TypeError("not a trio TCP stream")
        self._outer = outer
        self._sock = socket.fromfd(trio_socket.fileno(), trio_socket.family, trio_socket.type)
        self._sock.setblocking(False)
        self._closed = False
        self._wrote = False
        self._waited = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        sock = self._sock
        try:
            if self._wrote:
                # the answer to what was just written: let the other tasks run first; at
                # concurrency it has often arrived by then, which saves the cancel scope and
                # the wait below
                self._wrote = False
                self._waited = True
                await trio.lowlevel.checkpoint()
            try:
                data = sock.recv(max_bytes)
            except BlockingIOError:
                pass
            else:
                if self._waited:
                    # the read yielded already: this one need not
                    self._waited = False
                    await trio.lowlevel.checkpoint_if_cancelled()
                else:
                    await trio.lowlevel.checkpoint()
                return data
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
        await trio.lowlevel.checkpoint_if_cancelled()
        self._wrote = True
        try:
            while view:
                try:
                    sent = sock.send(view)
                except BlockingIOError:
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
