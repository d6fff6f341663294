"""The end-of-log count (``count_endpoint_bytes``) over raw loopback HTTP: a declared length
not above the bytes already delivered settles it without the body; otherwise the body is
counted, NUL padding excluded, and a compressed body's declared length is never trusted.

The server sends a log response head and then, when ``body`` is ``None``, never the body: a
count that read it would hang (the test's bound ends it)."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest
from anyio.abc import SocketStream
from daytona_api.api.toolbox_process import get_session_command_logs
from daytona_async import AsyncDaytona
from daytona_async._streams import count_endpoint_bytes

from .loopback import read_request, serve_loopback

pytestmark = pytest.mark.anyio

BIG = 64 << 20


@asynccontextmanager
async def log_server(head: bytes, body: bytes | None) -> AsyncIterator[AsyncDaytona]:
    heads: list[bytes] = []

    async def handle(client: SocketStream) -> None:
        async with client:
            buffer = bytearray()
            while (request := await read_request(client, buffer)) is not None:
                heads.append(request)
                await client.send(b"HTTP/1.1 200 OK\r\n" + head + b"\r\n")
                if body is None:
                    await anyio.sleep_forever()
                await client.send(body)

    async with serve_loopback(handle) as port:
        async with AsyncDaytona(api_key="k", api_url=f"http://127.0.0.1:{port}/api") as d:
            yield d
    assert len(heads) == 1  # one request, not retried


async def _count(d: AsyncDaytona, enough: int | None) -> int:
    with anyio.fail_after(10):  # a hang guard: the body never comes in some cases
        return await count_endpoint_bytes(
            d.context,
            get_session_command_logs.asyncio_stream,
            "sb-1",
            "s",
            "c",
            enough=enough,
        )


async def test_declared_length_within_delivered_settles_without_the_body(
    anyio_backend: str,
) -> None:
    # (a log too big for a transport to read whole before handing the response over)
    async with log_server(b"Content-Length: %d\r\n" % BIG, None) as d:
        assert await _count(d, enough=BIG) == BIG
    async with log_server(b"Content-Length: %d\r\n" % BIG, None) as d:
        assert await _count(d, enough=BIG + 1) == BIG


async def test_declared_length_above_delivered_counts_the_body_without_nuls(
    anyio_backend: str,
) -> None:
    body = b"ab\x00\x00cdefghij"  # a log whose own output holds NUL bytes: 10 counted
    async with log_server(b"Content-Length: %d\r\n" % len(body), body) as d:
        assert await _count(d, enough=10) == 10
    async with log_server(b"Content-Length: %d\r\n" % len(body), body) as d:
        assert await _count(d, enough=None) == 10


async def test_compressed_body_is_counted_decoded(anyio_backend: str) -> None:
    text = b"hello world, " * 20
    body = gzip.compress(text)
    assert len(body) < len(text)
    head = b"Content-Encoding: gzip\r\nContent-Length: %d\r\n" % len(body)
    async with log_server(head, body) as d:
        assert await _count(d, enough=len(body)) == len(text)
