"""The private attributes of httpx and httpcore the SDK reads, all in
``daytona_async._internals``, pinned against the installed versions: a release that renames
one fails here, not in a user's call."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
from daytona_async import _internals

from .test_httpcore2_transport import certificate  # noqa: F401 (a fixture)

pytestmark = pytest.mark.anyio


def test_multipart_bodies_are_recognised() -> None:
    multipart = httpx.Request("POST", "http://x/", files={"file": ("a.txt", b"abc")})
    assert _internals.is_multipart(multipart.stream)
    plain = httpx.Request("POST", "http://x/", content=b"abc")
    assert not _internals.is_multipart(plain.stream)


async def test_client_transport() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    async with httpx.AsyncClient(transport=transport) as client:
        assert _internals.client_transport(client) is transport


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_httpx_pool_stats(emulator: Any) -> None:
    transport = httpx.AsyncHTTPTransport()
    async with httpx.AsyncClient(transport=transport, headers=emulator.headers) as client:
        assert _internals.httpx_pool_stats(transport) == {"in_use": 0, "idle": 0}
        async with client.stream("GET", f"{emulator.base_url}/sandbox") as response:
            assert response.status_code == 200
            assert _internals.httpx_pool_stats(transport) == {"in_use": 1, "idle": 0}
            await response.aread()
        assert _internals.httpx_pool_stats(transport) == {"in_use": 0, "idle": 1}


def test_body_source_sees_through_httpx_wrapping() -> None:
    async def gen() -> Any:
        yield b"x"

    source = gen()
    request = httpx.Request("POST", "http://x/", content=source)
    assert _internals.body_source(request.stream) is source
    plain = httpx.Request("POST", "http://x/", content=b"abc")
    assert _internals.body_source(plain.stream) is plain.stream


def test_preset_content_is_what_read_returns() -> None:
    response = httpx.Response(200, stream=httpx.ByteStream(b"ignored"))
    _internals.preset_content(response, b"body")
    assert response.read() == b"body"
    assert response.content == b"body"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_tls_inner_transport(certificate: tuple[Path, Path]) -> None:  # noqa: F811
    import asyncio

    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        tls, _ = await loop.create_connection(
            asyncio.Protocol, "127.0.0.1", port, ssl=client_context
        )
        plain, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
        inner = _internals.tls_inner_transport(tls)
        assert inner is not None and inner is not tls
        assert inner.get_write_buffer_size() == 0
        assert _internals.tls_inner_transport(plain) is None
        tls.close()
        plain.close()
    finally:
        server.close()
        await server.wait_closed()
