"""The SDK's transports on a real network's misbehaviour, over loopback: every transport it
ships (asyncio: its own ``h1`` and httpx's; trio: its own ``httpcore2`` and httpx's), through
``RetryTransport`` as the SDK uses them.

- a kept-alive connection the server closed (without ``Connection: close``) is never reused,
  even when the event loop has not run since (it was blocked);
- ``read`` bounds each read and ``write`` each write, as in httpx;
- TLS offers ALPN ``http/1.1``; a refused certificate names its reason and is not retried;
- answers are capped (body read whole, decoded size, decompression bombs, trailers), each with
  an error naming the cap, not retried;
- connect errors name their cause (name resolution, refused, reset).

The servers are threads on blocking sockets (the same for asyncio and trio), so that they can
misbehave exactly: close with the response (``TCP_CORK``: the response and the FIN leave in one
segment), stop reading an upload, stream a body or trailers without end.
"""

from __future__ import annotations

import gzip
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from daytona_async import (
    APITimeoutError,
    OutcomeUnknownError,
    ResponseTooLargeError,
    TLSCertificateError,
)
from daytona_async._caps import ResponseCaps
from daytona_async._error_map import connection_error
from daytona_async._transport import RequestState, RetryPolicy, RetryTransport, request_state
from daytona_async._wire import ResponseCapExceeded

pytestmark = pytest.mark.anyio

CASES = [("asyncio", "h1"), ("trio", "httpcore2"), ("asyncio", "httpx"), ("trio", "httpx")]


@pytest.fixture(params=CASES, ids=[f"{a}-{b}" for a, b in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def anyio_backend(case: tuple[str, str]) -> str:
    return case[0]


@pytest.fixture
def backend(case: tuple[str, str]) -> str:
    return case[1]


# -- a thread server on blocking sockets --------------------------------------------------


@dataclass
class ThreadServer:
    """Accepts connections on 127.0.0.1 and runs ``handle(conn, server)`` for each in a
    thread; counts connections."""

    handle: Callable[[socket.socket, ThreadServer], None]
    wrap: ssl.SSLContext | None = None
    rcvbuf: int | None = None
    connections: int = 0
    requests: int = 0
    notes: list[object] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _conns: list[socket.socket] = field(default_factory=list)

    def serve(self, listener: socket.socket) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            self.connections += 1
            self._conns.append(conn)
            thread = threading.Thread(target=self._run, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _run(self, conn: socket.socket) -> None:
        try:
            if self.wrap is not None:
                try:
                    conn = self.wrap.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    self.notes.append(exc)
                    return
                self.notes.append(conn.selected_alpn_protocol())
            self.handle(conn, self)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass


@contextmanager
def thread_server(
    handle: Callable[[socket.socket, ThreadServer], None],
    *,
    wrap: ssl.SSLContext | None = None,
    rcvbuf: int | None = None,
) -> Iterator[tuple[ThreadServer, int]]:
    server = ThreadServer(handle, wrap=wrap, rcvbuf=rcvbuf)
    listener = socket.socket()
    if rcvbuf is not None:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    acceptor = threading.Thread(target=server.serve, args=(listener,), daemon=True)
    acceptor.start()
    try:
        yield server, port
    finally:
        server.stop.set()
        try:
            listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        listener.close()
        acceptor.join(5)
        for conn in server._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in server._threads:
            thread.join(5)


def read_head(conn: socket.socket, buf: bytearray) -> bytes | None:
    """The next request head (its ``Content-Length`` body read and dropped); ``None`` at EOF."""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    end = buf.index(b"\r\n\r\n") + 4
    head = bytes(buf[:end])
    del buf[:end]
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(buf) < length:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    del buf[:length]
    return head


def ok(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def transport(backend: str, retries: int = 0, **kwargs: object) -> RetryTransport:
    return RetryTransport(
        policy=RetryPolicy(max_retries=retries, backoff_base=0.01),
        backend=backend,
        **kwargs,  # type: ignore[arg-type]
    )


@contextmanager
def typed_call(stream: bool = False) -> Iterator[None]:
    """Run the block's requests as the SDK's typed calls do (a body read whole) or as its
    streams (``stream=True``)."""
    token = request_state.set(RequestState(stream=stream))
    try:
        yield
    finally:
        request_state.reset(token)


# -- 1. only a provably alive connection is reused ----------------------------------------


def close_with_the_response(conn: socket.socket, server: ThreadServer) -> None:
    """Answer one request keep-alive (no ``Connection: close``), then close: the response and
    the FIN leave in one segment (``TCP_CORK``), as from a server whose idle timer fired."""
    head = read_head(conn, bytearray())
    if head is None:
        return
    server.requests += 1
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
    conn.sendall(ok(b'{"n": %d}' % server.requests))
    conn.shutdown(socket.SHUT_WR)


@pytest.mark.skipif(not hasattr(socket, "TCP_CORK"), reason="needs TCP_CORK (Linux)")
async def test_a_connection_closed_with_its_response_is_not_reused(backend: str) -> None:
    with thread_server(close_with_the_response) as (server, port):
        async with httpx.AsyncClient(transport=transport(backend)) as client:
            for i in range(1, 51):
                response = await client.post(f"http://127.0.0.1:{port}/x", json={"i": i})
                assert response.json() == {"n": i}
    assert server.requests == 50
    assert server.connections == 50


async def test_a_connection_closed_while_the_loop_was_blocked_is_not_reused(
    backend: str,
) -> None:
    closed = threading.Semaphore(0)

    def close_when_idle(conn: socket.socket, server: ThreadServer) -> None:
        buf = bytearray()
        conn.settimeout(0.05)
        while True:
            try:
                head = read_head(conn, buf)
            except TimeoutError:
                closed.release()  # idle: closed by "the server's keep-alive timer"
                return
            if head is None:
                return
            server.requests += 1
            conn.sendall(ok(b'{"n": %d}' % server.requests))

    with thread_server(close_when_idle) as (server, port):
        async with httpx.AsyncClient(transport=transport(backend)) as client:
            for i in range(1, 11):
                response = await client.post(f"http://127.0.0.1:{port}/x", json={})
                assert response.json() == {"n": i}
                # the event loop is busy (blocked) while the server closes the connection;
                # then a little longer, so that the FIN has arrived
                assert closed.acquire(timeout=10)
                time.sleep(0.5)  # noqa: ASYNC251 (blocking the loop is the case under test)
    assert server.requests == 10
    assert server.connections == 10


# -- 2. timeouts with httpx's meanings ----------------------------------------------------


async def test_read_bounds_each_read_not_the_whole_answer(backend: str) -> None:
    body = b"x" * 9000
    response_bytes = ok(body, b"content-type: text/plain\r\n")
    pieces = [response_bytes[i : i + 1000] for i in range(0, len(response_bytes), 1000)]

    def slow_but_live(conn: socket.socket, server: ThreadServer) -> None:
        if read_head(conn, bytearray()) is None:
            return
        for piece in pieces:  # ~2.4 s in all, a piece every 0.2 s
            time.sleep(0.2)
            conn.sendall(piece)

    assert len(pieces) >= 10
    timeout = httpx.Timeout(10.0, read=1.0)
    with thread_server(slow_but_live) as (_, port):
        async with httpx.AsyncClient(transport=transport(backend), timeout=timeout) as client:
            response = await client.get(f"http://127.0.0.1:{port}/slow")
    assert response.content == body


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_a_stalled_upload_is_a_write_timeout(
    backend: str, scheme: str, certificate: tuple[Path, Path]
) -> None:
    released = threading.Event()

    def stop_reading(conn: socket.socket, server: ThreadServer) -> None:
        conn.recv(1024)  # a piece of the head, then nothing more is read
        released.wait(30)

    body = b"u" * (64 * 1024 * 1024)  # more than the socket buffers hold
    timeout = httpx.Timeout(10.0, read=20.0, write=0.5)
    tls = scheme == "https"
    wrap = tls_server_context(certificate) if tls else None
    trust = httpx.create_ssl_context(verify=str(certificate[0]))
    with thread_server(stop_reading, wrap=wrap, rcvbuf=64 * 1024) as (_, port):
        try:
            async with httpx.AsyncClient(
                transport=transport(backend, verify=trust), timeout=timeout
            ) as client:
                with pytest.raises(httpx.TimeoutException) as info:
                    await client.put(f"{scheme}://127.0.0.1:{port}/upload", content=body)
        finally:
            released.set()
    assert isinstance(info.value, httpx.WriteTimeout), repr(info.value)
    mapped = connection_error(info.value, method="PUT", url=f"http://127.0.0.1:{port}", retries=0)
    assert isinstance(mapped, APITimeoutError)
    assert "WriteTimeout" in str(mapped)


# -- 3. TLS: ALPN, and a refused certificate ----------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made by the openssl command line tool)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to make a test certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def tls_server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    # the server prefers h2: it selects http/1.1 only if the client offered it and not h2
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


def answer_once(conn: socket.socket, server: ThreadServer) -> None:
    if read_head(conn, bytearray()) is not None:
        server.requests += 1
        conn.sendall(ok(b"hello", b"connection: close\r\n"))


@pytest.mark.parametrize("verify", ["context", "path"])
async def test_tls_offers_alpn_http11(
    backend: str, certificate: tuple[Path, Path], verify: str
) -> None:
    cafile = str(certificate[0])
    # "context": as AsyncDaytona builds it for an https api_url (httpx.create_ssl_context)
    trust: ssl.SSLContext | str = (
        httpx.create_ssl_context(verify=cafile) if verify == "context" else cafile
    )
    with thread_server(answer_once, wrap=tls_server_context(certificate)) as (server, port):
        async with httpx.AsyncClient(transport=transport(backend, verify=trust)) as client:
            response = await client.get(f"https://127.0.0.1:{port}/")
    assert response.content == b"hello"
    assert server.notes == ["http/1.1"]


async def test_a_refused_certificate_names_its_reason_and_is_not_retried(
    backend: str, certificate: tuple[Path, Path]
) -> None:
    with thread_server(answer_once, wrap=tls_server_context(certificate)) as (server, port):
        async with httpx.AsyncClient(transport=transport(backend, retries=2)) as client:
            with pytest.raises(httpx.ConnectError) as info:
                await client.get(f"https://127.0.0.1:{port}/")
    assert server.connections == 1  # not retried: the same certificate is refused again
    url = f"https://127.0.0.1:{port}/"
    mapped = connection_error(info.value, method="GET", url=url, retries=0)
    assert isinstance(mapped, TLSCertificateError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(mapped)
    assert mapped.reason == "self-signed certificate"
    assert "self-signed certificate" in str(mapped)


async def test_a_large_upload_over_tls_completes_under_a_short_write_timeout(
    backend: str, certificate: tuple[Path, Path]
) -> None:
    size = 8 * 1024 * 1024

    def read_it_all(conn: socket.socket, server: ThreadServer) -> None:
        buf = bytearray()
        if read_head(conn, buf) is not None:
            server.requests += 1
            conn.sendall(ok(b"got it", b"connection: close\r\n"))

    trust = httpx.create_ssl_context(verify=str(certificate[0]))
    timeout = httpx.Timeout(30.0, write=1.0)
    context = tls_server_context(certificate)
    with thread_server(read_it_all, wrap=context) as (server, port):
        async with httpx.AsyncClient(
            transport=transport(backend, verify=trust), timeout=timeout
        ) as client:
            response = await client.put(f"https://127.0.0.1:{port}/up", content=b"p" * size)
    assert response.content == b"got it"
    assert server.requests == 1


# -- 5. errors name their cause -----------------------------------------------------------


async def test_an_unknown_host_says_it_could_not_be_resolved(backend: str) -> None:
    url = "http://no-such-host.invalid/x"
    async with httpx.AsyncClient(transport=transport(backend)) as client:
        with pytest.raises(httpx.ConnectError) as info:
            await client.get(url)
    mapped = connection_error(info.value, method="GET", url=url, retries=0)
    assert "could not resolve host no-such-host.invalid" in str(mapped)
    assert isinstance(info.value.__cause__, Exception)


async def test_a_refused_connection_says_so(backend: str) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # bound, not listening: connections are refused
        url = f"http://127.0.0.1:{port}/x"
        async with httpx.AsyncClient(transport=transport(backend)) as client:
            with pytest.raises(httpx.ConnectError) as info:
                await client.get(url)
    mapped = connection_error(info.value, method="GET", url=url, retries=0)
    assert f"could not connect to http://127.0.0.1:{port}: connection refused" in str(mapped)


async def test_a_reset_connection_says_so(backend: str) -> None:
    def reset(conn: socket.socket, server: ThreadServer) -> None:
        if read_head(conn, bytearray()) is not None:
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial")
            time.sleep(0.2)
            # SO_LINGER 0: the close sends a RST, not a FIN
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    with thread_server(reset) as (_, port):
        url = f"http://127.0.0.1:{port}/x"
        async with httpx.AsyncClient(transport=transport(backend)) as client:
            with pytest.raises(httpx.TransportError) as info:
                await client.get(url)
    mapped = connection_error(info.value, method="GET", url=url, retries=0)
    assert "reset" in str(mapped).lower(), str(mapped)
    # a POST cut by a reset: its outcome is unknown, and the message still names the reset
    post = connection_error(info.value, method="POST", url=url, retries=0)
    assert isinstance(post, OutcomeUnknownError)
    assert "reset" in str(post).lower(), str(post)


# -- 4. caps ------------------------------------------------------------------------------

CAP = 4 * 1024 * 1024


def endless(framing: str) -> Callable[[socket.socket, ThreadServer], None]:
    """A body (or trailers) that goes on far past ``CAP`` (16 times), then ends properly: a
    client without a cap gets it whole instead of an error."""

    def handle(conn: socket.socket, server: ThreadServer) -> None:
        if read_head(conn, bytearray()) is None:
            return
        server.requests += 1
        piece = b"z" * 65536
        rounds = 16 * CAP // len(piece)
        if framing == "chunked":
            conn.sendall(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
            for _ in range(rounds):
                conn.sendall(chunk)
            conn.sendall(b"0\r\n\r\n")
        elif framing == "close":
            conn.sendall(b"HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\n")
            for _ in range(rounds):
                conn.sendall(piece)
        else:  # trailers
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
            )
            line = b"x-trailer: " + b"t" * 1000 + b"\r\n"
            for _ in range(16 * CAP // len(line)):
                conn.sendall(line)
            conn.sendall(b"\r\n")

    return handle


@pytest.mark.parametrize("framing", ["chunked", "close"])
async def test_an_endless_body_read_whole_ends_at_the_body_cap(backend: str, framing: str) -> None:
    retry = transport(backend, retries=2)
    retry.caps = ResponseCaps(max_body=CAP)
    with thread_server(endless(framing)) as (server, port):
        async with httpx.AsyncClient(transport=retry) as client:
            with typed_call(), pytest.raises(ResponseCapExceeded) as info:
                await client.get(f"http://127.0.0.1:{port}/endless")
    assert (info.value.cap, info.value.limit) == ("body", CAP)
    assert server.requests == 1  # not retried
    mapped = connection_error(info.value, method="GET", url="http://h/x", retries=0)
    assert isinstance(mapped, ResponseTooLargeError)
    assert (mapped.cap, mapped.limit) == ("body", CAP)


async def test_endless_trailers_end_at_the_trailer_cap(backend: str) -> None:
    with thread_server(endless("trailers")) as (server, port):
        async with httpx.AsyncClient(transport=transport(backend, retries=2)) as client:
            with typed_call(), pytest.raises(httpx.RemoteProtocolError) as info:
                await client.get(f"http://127.0.0.1:{port}/trailers")
    assert server.requests == 1
    if backend != "httpx":  # (h11 under httpx bounds them with its own error)
        assert isinstance(info.value, ResponseCapExceeded)
        assert info.value.cap == "trailers"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """``Content-Encoding: gzip, gzip`` of 1 GiB of zeros: a few KB."""
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(16 * 1024 * 1024)
    once = b"".join([inner.compress(zeros) for _ in range(64)]) + inner.flush()
    return gzip.compress(once, 9)


def serve_bytes(body: bytes, encoding: bytes) -> Callable[[socket.socket, ThreadServer], None]:
    def handle(conn: socket.socket, server: ThreadServer) -> None:
        buf = bytearray()
        while read_head(conn, buf) is not None:
            server.requests += 1
            conn.sendall(ok(body, b"content-encoding: " + encoding + b"\r\n"))

    return handle


def _rss_peak_reset() -> int | None:
    """Reset the peak RSS (``VmHWM``) to the current RSS; the current RSS in bytes, or ``None``
    where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return None
    return _status("VmRSS")


def _status(name: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(name)


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
async def test_a_decompression_bomb_fails_fast_in_bounded_memory(
    backend: str, bomb: bytes, streamed: bool
) -> None:
    assert len(bomb) < 64 * 1024
    with thread_server(serve_bytes(bomb, b"gzip, gzip")) as (server, port):
        async with httpx.AsyncClient(transport=transport(backend, retries=2)) as client:
            before = _rss_peak_reset()
            with typed_call(stream=streamed), pytest.raises(ResponseCapExceeded) as info:
                if streamed:
                    async with client.stream("GET", f"http://127.0.0.1:{port}/bomb") as r:
                        async for _ in r.aiter_bytes():
                            pass
                else:
                    await client.get(f"http://127.0.0.1:{port}/bomb")
            growth = None if before is None else _status("VmHWM") - before
    assert info.value.cap == ("expansion" if streamed else "decoded")
    assert server.requests == 1
    if growth is not None:
        # the 1 GiB never exists at once: at most the decoded cap (64 MiB) and httpx's copy
        assert growth < 256 * 1024 * 1024, growth


async def test_an_honest_compressed_body_is_decoded_once(backend: str) -> None:
    text = b"".join(b"line %d of a log\n" % i for i in range(200_000))  # ~3.6 MB
    with thread_server(serve_bytes(gzip.compress(text), b"gzip")) as (_, port):
        async with httpx.AsyncClient(transport=transport(backend)) as client:
            with typed_call():
                whole = await client.get(f"http://127.0.0.1:{port}/a")
            with typed_call(stream=True):
                async with client.stream("GET", f"http://127.0.0.1:{port}/b") as r:
                    streamed = b"".join([part async for part in r.aiter_bytes()])
    assert whole.content == text
    assert streamed == text
    assert "content-encoding" not in whole.headers


async def test_a_streamed_body_is_not_capped(backend: str) -> None:
    size = 3 * CAP

    def big(conn: socket.socket, server: ThreadServer) -> None:
        if read_head(conn, bytearray()) is not None:
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size)
            conn.sendall(b"d" * size)

    retry = transport(backend)
    retry.caps = ResponseCaps(max_body=CAP)
    with thread_server(big) as (_, port):
        async with httpx.AsyncClient(transport=retry) as client:
            with typed_call(stream=True):
                async with client.stream("GET", f"http://127.0.0.1:{port}/download") as r:
                    received = sum([len(part) async for part in r.aiter_raw()])
    assert received == size


def test_the_cap_error_is_typed_and_exported() -> None:
    import daytona_async

    error = ResponseCapExceeded("decoded", 123, "test")
    mapped = connection_error(error, method="POST", url="https://api.example/x", retries=0)
    assert type(mapped) is daytona_async.ResponseTooLargeError
    assert (mapped.cap, mapped.limit) == ("decoded", 123)
    assert isinstance(mapped, daytona_async.APIConnectionError)
