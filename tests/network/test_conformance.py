"""Cases 2-6 of the battery, on every transport the SDK ships, through the public API, against
raw loopback servers that misbehave as real servers and middleboxes do. Each asserts what plain
``httpx.AsyncClient()`` gives (test_reference_httpx.py runs the same servers under it).

2. a kept-alive connection the server closed (without ``Connection: close``) is not reused;
3. timeouts are per read and per write: a slow but live answer succeeds, a stalled upload is a
   write timeout;
4. TLS offers ALPN ``http/1.1``;
5. answers are capped: an endless chunked body, an endless HTTP/1.0 body, endless trailers and
   a ``gzip, gzip`` bomb end in ``ResponseTooLargeError`` naming the cap, the server having
   sent a bounded amount;
6. errors name their cause: a refused certificate (``CERTIFICATE_VERIFY_FAILED``, not tried
   again), an unresolvable name, a refused connection, a reset one.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import struct
import time
import zlib
from typing import Any

import anyio
import daytona_async
import httpx
import pytest
from daytona_async import APIConnectionError, AsyncDaytona

from .conftest import CA
from .servers import (
    SANDBOX_ID,
    RawServer,
    answer,
    api_handler,
    raw_server,
    read_body,
    read_head,
    sandbox_payload,
    volume_payload,
)

pytestmark = pytest.mark.anyio

#: what an endless answer may send at most before the server gives up: far above any cap the
#: SDK may set (64 MiB), far below what an uncapped client would read
ENDLESS_LIMIT = 160 * 1024 * 1024
#: seconds after which a test that would otherwise hang (a transport ignoring a timeout) fails
HANG_GUARD = 15.0


def _too_large_error() -> type[Exception]:
    found = getattr(daytona_async, "ResponseTooLargeError", None)
    assert isinstance(found, type), "daytona_async has no ResponseTooLargeError"
    return found


# -- 2. a connection the server closed ---------------------------------------------------


def _answer_once_then_close(conn: socket.socket, server: RawServer) -> None:
    """One request per connection: answered as if kept alive (no ``Connection: close``), then
    the connection is closed, as a server or middlebox closing an idle connection does."""
    buf = bytearray()
    head = read_head(conn, buf)
    if head is None:
        return
    name = json.loads(read_body(conn, head, buf))["name"]
    server.send(conn, answer(200, json.dumps(volume_payload(name)).encode()))
    conn.close()
    server.closed.release()


async def test_a_connection_the_server_closed_is_not_reused(
    client_kwargs: dict[str, Any],
) -> None:
    with raw_server(_answer_once_then_close) as server:
        async with AsyncDaytona(api_url=server.url(), **client_kwargs) as daytona:
            for i in range(50):
                volume = await daytona.volumes.create(f"v{i}")
                assert volume.name == f"v{i}"
                # the event loop is held until the server has closed: the client learns of
                # it only by checking the connection before its next use
                assert server.closed.acquire(timeout=10)
            for i in range(2):
                # the loop busy: the close is not processed until it runs again
                time.sleep(0.5)  # noqa: ASYNC251
                volume = await daytona.volumes.create(f"busy{i}")
                assert volume.name == f"busy{i}"
                assert server.closed.acquire(timeout=10)
    assert server.connections == 52  # every POST on a fresh connection, none sent twice


# -- 3. timeouts per read and per write --------------------------------------------------


def _slow_answer(conn: socket.socket, server: RawServer) -> None:
    """The sandbox, its body in 6 pieces 0.2 s apart (1 s and more in all)."""
    buf = bytearray()
    head = read_head(conn, buf)
    if head is None:
        return
    body = json.dumps(sandbox_payload()).encode()
    server.send(
        conn,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode(),
    )
    step = len(body) // 6 + 1
    for start in range(0, len(body), step):
        time.sleep(0.2)
        server.send(conn, body[start : start + step])
    read_head(conn, buf)  # keep the connection until the client is done


async def test_a_slow_but_live_answer_is_read_with_a_timeout_per_read(
    client_kwargs: dict[str, Any],
) -> None:
    kwargs = {**client_kwargs, "timeout": httpx.Timeout(10.0, read=1.0)}
    with raw_server(_slow_answer) as server:
        async with AsyncDaytona(api_url=server.url(), max_retries=0, **kwargs) as daytona:
            sandbox = await daytona.get(SANDBOX_ID)
    assert sandbox.id == SANDBOX_ID
    assert server.connections == 1


def _stall_uploads(conn: socket.socket, server: RawServer) -> None:
    """Answers the sandbox; an upload's head is read, its body never."""
    buf = bytearray()
    while True:
        head = read_head(conn, buf)
        if head is None:
            return
        if b"bulk-upload" in head.split(b"\r\n", 1)[0]:
            while not server.stopping:
                time.sleep(0.05)
            return
        read_body(conn, head, buf)
        server.send(conn, answer(200, json.dumps(sandbox_payload()).encode()))


@pytest.mark.parametrize("body", ["multipart", "bytes"])
async def test_a_stalled_upload_is_a_write_timeout(
    body: str, client_kwargs: dict[str, Any]
) -> None:
    """The server reads an upload's head, never its body: after ``write`` seconds without
    progress, a write timeout (not a read timeout after ``read``)."""
    kwargs = {**client_kwargs, "timeout": httpx.Timeout(5.0, write=0.5)}
    data = b"x" * (32 * 1024 * 1024)
    # a guard, not a measure: a transport without a write timeout would wait forever
    with raw_server(_stall_uploads, rcvbuf=4096) as server, anyio.fail_after(HANG_GUARD):
        async with AsyncDaytona(api_url=server.url(), max_retries=0, **kwargs) as daytona:
            sandbox = await daytona.get(SANDBOX_ID)
            if body == "multipart":  # the SDK's streamed multipart upload
                with pytest.raises(APIConnectionError) as caught:
                    await sandbox.fs.upload(data, "/tmp/big", timeout=10)
                cause: BaseException | None = caught.value.cause
            else:  # a bytes body on the SDK's client
                url = f"/toolbox/{SANDBOX_ID}/toolbox/files/bulk-upload"
                with pytest.raises(httpx.TransportError) as raw:
                    await daytona.http.post(url, content=data)
                cause = raw.value
    assert isinstance(cause, httpx.WriteTimeout), repr(cause)


# -- 4. ALPN -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["SSL_CERT_FILE", "verify=SSLContext"])
async def test_tls_offers_alpn_http11(
    how: str, test_ca: CA, client_kwargs: dict[str, Any], monkeypatch: Any
) -> None:
    kwargs: dict[str, Any] = dict(client_kwargs)
    if how == "SSL_CERT_FILE":
        monkeypatch.setenv("SSL_CERT_FILE", test_ca.ca_file)
    else:
        kwargs["verify"] = test_ca.client_context()
    with raw_server(api_handler, tls=test_ca.server_context) as server:
        async with AsyncDaytona(api_url=server.url("https"), **kwargs) as daytona:
            assert [s.id for s in await daytona.list()] == [SANDBOX_ID]
    assert server.alpn == ["http/1.1"]


# -- 5. caps ---------------------------------------------------------------------------------


def _endless(kind: str) -> Any:
    def handle(conn: socket.socket, server: RawServer) -> None:
        buf = bytearray()
        if read_head(conn, buf) is None:
            return
        piece = b" " * 65536
        if kind == "chunked":
            server.send(
                conn,
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n",
            )
            piece = b"10000\r\n" + piece + b"\r\n"
        elif kind == "http/1.0":
            server.send(conn, b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n")
        else:  # trailers: a tiny body, then trailer fields without end
            server.send(
                conn,
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n",
            )
            piece = b"".join(b"X-Trailer-%d: %s\r\n" % (i, b"t" * 100) for i in range(512))
        while server.sent < ENDLESS_LIMIT and not server.stopping:
            server.send(conn, piece)

    return handle


@pytest.mark.parametrize("kind", ["chunked", "http/1.0", "trailers"])
async def test_an_endless_answer_ends_in_a_typed_error_naming_the_cap(
    kind: str, client_kwargs: dict[str, Any]
) -> None:
    with raw_server(_endless(kind)) as server:
        async with AsyncDaytona(api_url=server.url(), max_retries=0, **client_kwargs) as daytona:
            with pytest.raises(Exception) as caught:
                await daytona.list()
        sent = server.sent
    too_large = _too_large_error()
    assert isinstance(caught.value, too_large), repr(caught.value)
    assert "cap" in str(caught.value)
    assert sent < ENDLESS_LIMIT  # the client stopped reading: its memory stayed bounded


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """``Content-Encoding: gzip, gzip``: 256 MiB of spaces, gzipped twice (a few KB)."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b" " * (1024 * 1024)
    parts = [inner.compress(zeros) for _ in range(256)]
    parts.append(inner.flush())
    return gzip.compress(b"".join(parts), compresslevel=9)


async def test_a_decompression_bomb_ends_in_a_typed_error_naming_the_cap(
    gzip_bomb: bytes, client_kwargs: dict[str, Any]
) -> None:
    def handle(conn: socket.socket, server: RawServer) -> None:
        buf = bytearray()
        while read_head(conn, buf) is not None:
            server.send(conn, answer(200, gzip_bomb, b"Content-Encoding: gzip, gzip\r\n"))

    assert len(gzip_bomb) < 64 * 1024
    with raw_server(handle) as server:
        async with AsyncDaytona(api_url=server.url(), max_retries=0, **client_kwargs) as daytona:
            with pytest.raises(Exception) as caught:
                await daytona.list()
    assert isinstance(caught.value, _too_large_error()), repr(caught.value)
    assert "cap" in str(caught.value)


# -- 6. errors that name their cause ----------------------------------------------------------


async def test_a_refused_certificate_is_named_and_not_tried_again(
    test_ca: CA, client_kwargs: dict[str, Any]
) -> None:
    # the server's certificate is from the test CA, which the client does not trust
    with raw_server(api_handler, tls=test_ca.server_context) as server:
        async with AsyncDaytona(api_url=server.url("https"), **client_kwargs) as daytona:
            with pytest.raises(APIConnectionError) as caught:
                await daytona.list()
        connections = server.connections
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert connections == 1  # max_retries=2, yet one attempt: the answer would be the same


async def test_an_unresolvable_host_is_named(client_kwargs: dict[str, Any]) -> None:
    url = "http://no-such-host.daytona-battery.invalid/api"
    async with AsyncDaytona(api_url=url, max_retries=0, **client_kwargs) as daytona:
        with pytest.raises(APIConnectionError) as caught:
            await daytona.list()
    assert re.search(r"resol", str(caught.value), re.IGNORECASE), str(caught.value)
    assert "no-such-host.daytona-battery.invalid" in str(caught.value)


async def test_a_refused_connection_is_named(client_kwargs: dict[str, Any]) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    async with AsyncDaytona(api_url=url, max_retries=0, **client_kwargs) as daytona:
        with pytest.raises(APIConnectionError) as caught:
            await daytona.list()
    assert "refused" in str(caught.value).lower(), str(caught.value)


def _reset(conn: socket.socket, server: RawServer) -> None:
    """Reads the request, then resets the connection (RST, not FIN)."""
    buf = bytearray()
    if read_head(conn, buf) is None:
        return
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


async def test_a_reset_connection_is_named(client_kwargs: dict[str, Any]) -> None:
    with raw_server(_reset) as server:
        async with AsyncDaytona(api_url=server.url(), max_retries=0, **client_kwargs) as daytona:
            with pytest.raises(APIConnectionError) as caught:
                await daytona.list()
    assert "reset" in str(caught.value).lower(), str(caught.value)
