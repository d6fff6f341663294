"""The real servers of the conformance battery, all on 127.0.0.1, each in background threads
(so that they serve a test running under asyncio or trio alike):

- :class:`AsgiServer`: a small fake of the API (:func:`api_answer`) served by uvicorn
  (``--http h11`` or ``--http httptools``) or hypercorn; :class:`AiohttpServer`: the same
  answers from ``aiohttp.web``. Each records the client port of every request (one port per
  TCP connection: keep-alive is visible) and the size of every request body;
- :class:`RawServer`: a thread per connection running a handler on a blocking socket (plain
  or TLS), for the misbehaviour no real server produces; it counts connections, records the
  ALPN protocol each TLS client offered and got;
- :class:`ForwardProxy`: a logging HTTP forward proxy (``CONNECT`` tunnels and absolute-form
  requests), recording each request line and its ``Proxy-Authorization``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

SANDBOX_ID = "sb-1"
#: the body of each streamed download: this many pieces of PIECE bytes, sent as they are made
DOWNLOAD_PIECES = 8
PIECE = b"0123456789abcdef" * 1024


def sandbox_payload(sandbox_id: str = SANDBOX_ID) -> dict[str, Any]:
    return {
        "id": sandbox_id,
        "organizationId": "org-1",
        "snapshot": "daytonaio/sandbox:0.3.0",
        "user": "daytona",
        "env": {},
        "labels": {"battery": "yes"},
        "public": False,
        "target": "us",
        "cpu": 1,
        "gpu": 0,
        "memory": 1,
        "disk": 3,
        "state": "started",
        "errorReason": None,
        "backupState": "None",
        "autoStopInterval": 15,
        "autoArchiveInterval": 10080,
        "volumes": [],
        "buildInfo": None,
        "createdAt": "2025-06-13T08:05:07.123Z",
        "updatedAt": "2025-06-13T08:05:07.123Z",
        "class": "small",
    }


def volume_payload(name: str) -> dict[str, Any]:
    return {
        "id": f"vol-{name}",
        "name": name,
        "organizationId": "org-1",
        "state": "ready",
        "createdAt": "2025-06-13T08:05:07.123Z",
        "updatedAt": "2025-06-13T08:05:07.123Z",
        "errorReason": None,
    }


@dataclass
class Seen:
    """What a fake API server saw: ``(method, path, client port, body size)`` per request."""

    requests: list[tuple[str, str, int, int]] = field(default_factory=list)

    def ports(self, path: str) -> set[int]:
        return {port for _, p, port, _ in self.requests if p == path}


Body = bytes | AsyncIterator[bytes]


async def _download() -> AsyncIterator[bytes]:
    for _ in range(DOWNLOAD_PIECES):
        yield PIECE
        await asyncio.sleep(0)


def api_answer(method: str, path: str, query: str, body: bytes) -> tuple[int, str, Body]:
    """The fake API: ``(status, content type, body)`` for a request."""
    if method == "GET" and path == "/api/sandbox":
        return 200, "application/json", json.dumps([sandbox_payload()]).encode()
    if method == "GET" and path.startswith("/api/sandbox/"):
        return 200, "application/json", json.dumps(sandbox_payload(path.rsplit("/", 1)[1])).encode()
    if method == "POST" and path == "/api/volumes":
        name = json.loads(body)["name"]
        return 200, "application/json", json.dumps(volume_payload(name)).encode()
    if method == "POST" and path == f"/api/toolbox/{SANDBOX_ID}/toolbox/files/bulk-upload":
        return 200, "application/json", b"{}"
    if method == "GET" and path == f"/api/toolbox/{SANDBOX_ID}/toolbox/files/download":
        assert parse_qs(query).get("path"), query
        return 200, "application/octet-stream", _download()
    return 404, "application/json", b'{"statusCode": 404, "message": "not found"}'


def make_asgi_app(seen: Seen) -> Callable[..., Any]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path, query = scope["path"], scope["query_string"].decode()
        seen.requests.append((scope["method"], path, scope["client"][1], len(body)))
        status, ctype, answer = api_answer(scope["method"], path, query, bytes(body))
        headers = [(b"content-type", ctype.encode())]
        if isinstance(answer, bytes):
            headers.append((b"content-length", str(len(answer)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": answer})
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        async for piece in answer:
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    return app


def _listening_socket() -> socket.socket:
    # IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


class _LoopThread:
    """Runs ``main(stop: asyncio.Event)`` in a thread with its own asyncio loop."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    async def main(self, stop: asyncio.Event, ready: Callable[[], None]) -> None:
        raise NotImplementedError

    def start(self) -> None:
        def run() -> None:
            async def runner() -> None:
                self._loop = asyncio.get_running_loop()
                self._stop = asyncio.Event()
                await self.main(self._stop, self._ready.set)

            try:
                asyncio.run(runner())
            except BaseException as exc:
                self.error = exc
                self._ready.set()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        if not self._ready.wait(30) or self.error is not None:
            raise RuntimeError(f"{self.name} did not start: {self.error!r}")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(30)


class AsgiServer:
    """The fake API under uvicorn (``kind`` ``"uvicorn-h11"``/``"uvicorn-httptools"``) or
    hypercorn (``"hypercorn"``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.seen = Seen()
        self.app = make_asgi_app(self.seen)
        self._sock = _listening_socket()
        self.port: int = self._sock.getsockname()[1]
        self._uvicorn: Any = None
        self._thread: threading.Thread | None = None
        self._hypercorn: _LoopThread | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> AsgiServer:
        if self.kind.startswith("uvicorn"):
            import uvicorn

            config = uvicorn.Config(
                self.app,
                http=self.kind.split("-", 1)[1],
                lifespan="on",
                log_level="warning",
                access_log=False,
                timeout_graceful_shutdown=1,
            )
            server = self._uvicorn = uvicorn.Server(config)
            self._thread = threading.Thread(
                target=server.run, kwargs={"sockets": [self._sock]}, daemon=True
            )
            self._thread.start()
            deadline = time.monotonic() + 30
            while not server.started:
                assert self._thread.is_alive() and time.monotonic() < deadline, "uvicorn died"
                time.sleep(0.005)
            return self
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        config = Config()
        # hypercorn owns (and closes) the listening socket from here on
        config.bind = [f"fd://{self._sock.detach()}"]
        config.loglevel = "WARNING"
        config.graceful_timeout = 1
        app = self.app

        class Hypercorn(_LoopThread):
            async def main(self, stop: asyncio.Event, ready: Callable[[], None]) -> None:
                asyncio.get_running_loop().call_later(0.05, ready)
                await serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]

        self._hypercorn = Hypercorn("hypercorn")
        self._hypercorn.start()
        return self

    def stop(self) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(30)
        if self._hypercorn is not None:
            self._hypercorn.stop()
        self._sock.close()


class AiohttpServer(_LoopThread):
    """The fake API under ``aiohttp.web``."""

    kind = "aiohttp.web"

    def __init__(self) -> None:
        super().__init__("aiohttp.web")
        self.seen = Seen()
        self._sock = _listening_socket()
        self.port: int = self._sock.getsockname()[1]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    async def main(self, stop: asyncio.Event, ready: Callable[[], None]) -> None:
        from aiohttp import web

        async def handle(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            peer = request.transport.get_extra_info("peername") if request.transport else None
            port = peer[1] if peer else -1
            self.seen.requests.append((request.method, request.path, port, len(body)))
            status, ctype, answer = api_answer(
                request.method, request.path, request.query_string, body
            )
            if isinstance(answer, bytes):
                return web.Response(status=status, body=answer, content_type=ctype)
            response = web.StreamResponse(status=status, headers={"Content-Type": ctype})
            response.enable_chunked_encoding()
            await response.prepare(request)
            async for piece in answer:
                await response.write(piece)
            await response.write_eof()
            return response

        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.SockSite(runner, self._sock)
        await site.start()
        ready()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    def start(self) -> AiohttpServer:  # type: ignore[override]
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        self._sock.close()


# -- raw sockets -------------------------------------------------------------------------


def read_head(conn: socket.socket, buf: bytearray) -> bytes | None:
    """The next request head on ``conn`` (``buf`` keeps what was read past it); ``None`` at
    the end of the connection."""
    while b"\r\n\r\n" not in buf:
        try:
            chunk = conn.recv(65536)
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    buf[:] = rest
    return head


def header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def read_body(conn: socket.socket, head: bytes, buf: bytearray) -> bytes:
    """The body of a request with ``Content-Length`` (or none), read from ``buf``/``conn``."""
    length = int(header(head, b"content-length") or 0)
    while len(buf) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        buf += chunk
    body = bytes(buf[:length])
    del buf[:length]
    return body


Handler = Callable[[socket.socket, "RawServer"], None]


class RawServer:
    """A 127.0.0.1 server running ``handler(conn, server)`` in a thread per connection.
    With ``tls``, connections are wrapped first (a failed handshake ends the connection and is
    recorded in ``tls_errors``); ``alpn`` lists the protocol negotiated on each."""

    def __init__(
        self, handler: Handler, *, tls: ssl.SSLContext | None = None, rcvbuf: int | None = None
    ) -> None:
        self.handler = handler
        self.tls = tls
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if rcvbuf is not None:  # inherited by accepted connections
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.05)
        self.port: int = self._sock.getsockname()[1]
        self.connections = 0
        self.alpn: list[str | None] = []
        self.tls_errors: list[BaseException] = []
        self.closed = threading.Semaphore(0)  # released by handlers that close a connection
        self.sent = 0  # bytes of answers sent (handlers count what they send)
        self.extra: dict[str, Any] = {}
        self._stopping = threading.Event()
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    def url(self, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}/api"

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self) -> RawServer:
        self._acceptor.start()
        return self

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self.connections += 1
                self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                try:
                    tls_conn = self.tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    self.tls_errors.append(exc)
                    return
                with self._lock:
                    self._conns.append(tls_conn)
                self.alpn.append(tls_conn.selected_alpn_protocol())
                conn = tls_conn
            self.handler(conn, self)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.sent += len(data)

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    conn.close()
        self._sock.close()
        self._acceptor.join(10)
        for thread in self._threads:
            thread.join(10)


@contextlib.contextmanager
def raw_server(
    handler: Handler, *, tls: ssl.SSLContext | None = None, rcvbuf: int | None = None
) -> Iterator[RawServer]:
    server = RawServer(handler, tls=tls, rcvbuf=rcvbuf).start()
    try:
        yield server
    finally:
        server.stop()


def answer(status: int, body: bytes, extra: bytes = b"") -> bytes:
    return (
        f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )


def api_handler(conn: socket.socket, server: RawServer) -> None:
    """The fake API's answers with a body in one piece, on a kept-alive raw connection (TLS
    when the server has a context); ``server.extra["paths"]`` lists each request's target."""
    buf = bytearray()
    while True:
        head = read_head(conn, buf)
        if head is None:
            return
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        server.extra.setdefault("paths", []).append(target)
        body = read_body(conn, head, buf)
        path, _, query = target.partition("?")
        status, _, reply = api_answer(method, path, query, body)
        assert isinstance(reply, bytes)
        server.send(conn, answer(status, reply))
        if (header(head, b"connection") or b"").lower() == b"close":
            return


# -- the forward proxy -------------------------------------------------------------------


@dataclass
class ProxyLog:
    """``(method, target, Proxy-Authorization or None)`` of each request the proxy got."""

    lines: list[tuple[str, str, str | None]] = field(default_factory=list)

    def targets(self, method: str) -> list[str]:
        return [target for m, target, _ in self.lines if m == method]


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def _host_port(authority: str, default: int) -> tuple[str, int]:
    host, _, port = authority.rpartition(":")
    if not host or not port.isdigit():
        return authority.strip("[]"), default
    return host.strip("[]"), int(port)


def _proxy_handler(log: ProxyLog, require_auth: str | None) -> Handler:
    def handle(conn: socket.socket, server: RawServer) -> None:
        buf = bytearray()
        while True:
            head = read_head(conn, buf)
            if head is None:
                return
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            auth = header(head, b"proxy-authorization")
            log.lines.append((method, target, None if auth is None else auth.decode()))
            if require_auth is not None and (auth is None or auth.decode() != require_auth):
                conn.sendall(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="battery"\r\nContent-Length: 0\r\n\r\n'
                )
                read_body(conn, head, buf)
                continue
            if method == "CONNECT":
                upstream = socket.create_connection(_host_port(target, 443))
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if buf:
                    upstream.sendall(bytes(buf))
                back = threading.Thread(target=_pump, args=(upstream, conn), daemon=True)
                back.start()
                _pump(conn, upstream)
                back.join(30)
                upstream.close()
                return
            # absolute form: http://host:port/path -> origin form, one request per upstream
            # connection (Connection: close), so that every request passes the log
            rest = target.split("://", 1)[1]
            authority, slash, path = rest.partition("/")
            body = read_body(conn, head, buf)
            lines = head.split(b"\r\n")[1:]
            kept = [
                line
                for line in lines
                if line.split(b":", 1)[0].strip().lower()
                not in (b"proxy-authorization", b"connection", b"proxy-connection")
            ]
            upstream = socket.create_connection(_host_port(authority, 80))
            request_line = f"{method} {slash}{path or ''} HTTP/1.1".encode()
            upstream.sendall(
                b"\r\n".join([request_line, *kept, b"Connection: close"]) + b"\r\n\r\n" + body
            )
            response = bytearray()
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                response += data
            upstream.close()
            conn.sendall(bytes(response))
            # the upstream's answer carried its Connection: close: end the client's too
            return

    return handle


class ForwardProxy:
    """A logging forward proxy on 127.0.0.1 (``require_auth``: the exact
    ``Proxy-Authorization`` value it accepts; others get 407)."""

    def __init__(self, require_auth: str | None = None) -> None:
        self.log = ProxyLog()
        self.server = RawServer(_proxy_handler(self.log, require_auth))
        self.port = self.server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ForwardProxy:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
