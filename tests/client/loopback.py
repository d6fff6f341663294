"""Raw loopback servers for the client tests: faults a real server cannot easily produce
(a connection closed at exactly the wrong moment, a head that never comes)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
import anyio.abc
from anyio.abc import ByteStream, SocketStream

__all__ = ["read_request", "request_target", "serve_loopback"]


@asynccontextmanager
async def serve_loopback(handle: Callable[[SocketStream], Awaitable[None]]) -> AsyncIterator[int]:
    """Serve every connection to a fresh 127.0.0.1 port with ``handle``; yields the port. The
    server and its connections end with the block."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        try:
            yield port
        finally:
            tg.cancel_scope.cancel()


async def read_request(stream: ByteStream, buf: bytearray) -> bytes | None:
    """The head of the next request on ``stream`` (its body, by ``Content-Length``, read and
    dropped); ``buf`` carries bytes read past it to the next call. ``None`` when the client
    closed the connection."""
    while b"\r\n\r\n" not in buf:
        try:
            chunk = await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            return None
        buf += chunk
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += await stream.receive()
    buf[:] = rest[length:]
    return head


def request_target(head: bytes) -> str:
    """The path and query of a request head."""
    return head.split(b" ", 2)[1].decode()
