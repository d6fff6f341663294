"""Hostile request bodies and slow clients get clear answers, never a traceback or a hang
(issue 10 §3, §4, §5): non-finite numbers, deep nesting, lone surrogates, oversized bodies,
500s on keep-alive connections, and one-byte-a-second clients."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx
import pytest
from daytona_emulator.testing import EmulatorServer

from .conftest import FAST

JSON = {"Content-Type": "application/json"}


def _post(client: httpx.Client, path: str, raw: bytes) -> httpx.Response:
    return client.post(path, content=raw, headers=JSON)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"labels": {"a": "b"}, "cpu": 1e999}',
        b'{"labels": {"big": 1e999}}',
        b'{"env": {"X": "1"}, "autoStopInterval": -1e999}',
    ],
)
def test_overflowing_numbers_are_400_and_never_stored(
    client: httpx.Client, nest: Any, raw: bytes
) -> None:
    resp = _post(client, "/sandbox", raw)
    assert resp.status_code == 400 and resp.json()["error"] == "Bad Request"
    assert "finite" in str(resp.json()["message"])
    listing = client.get("/sandbox")
    assert listing.status_code == 200 and listing.json() == []
    assert b"Infinity" not in listing.content


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_literals_are_json_syntax_errors(
    client: httpx.Client, literal: bytes
) -> None:
    raw = b'{"labels": {"a": "b"}, "cpu": ' + literal + b"}"
    resp = _post(client, "/sandbox", raw)
    body = resp.json()
    assert resp.status_code == 400 and body["error"] == "Bad Request"
    assert body["message"].startswith("Unexpected token ")
    assert client.get("/sandbox").json() == []


def test_non_finite_path_intervals_are_the_integer_column_500(
    client: httpx.Client, nest: Any
) -> None:
    sid = client.post("/sandbox", json={}).json()["id"]
    for raw in ("1e999", "Infinity", "1.5"):
        nest(
            client.post(f"/sandbox/{sid}/autostop/{raw}"),
            500,
            f'invalid input syntax for type integer: "{raw}"',
            "Internal Server Error",
        )
    nest(
        client.post(f"/sandbox/{sid}/autostop/99999999999"),
        500,
        'value "99999999999" is out of range for type integer',
        "Internal Server Error",
    )
    listing = client.get("/sandbox")
    assert listing.json()[0]["autoStopInterval"] == 15 and b"Infinity" not in listing.content


@pytest.mark.parametrize("depth", [100, 5000, 100_000 // 2 - 10])
def test_deeply_nested_json_is_400(client: httpx.Client, depth: int) -> None:
    raw = b'{"labels": {"a": ' + b"[" * depth + b"]" * depth + b"}}"
    resp = _post(client, "/sandbox", raw)
    body = resp.json()
    assert resp.status_code == 400 and body["error"] == "Bad Request"
    assert "nested deeper" in body["message"] and body["path"] == "/api/sandbox"


def test_lone_surrogates_are_400(client: httpx.Client) -> None:
    for raw in (
        b'{"labels": {"a": "\\ud800"}}',
        b'{"labels": {"\\udfff": "x"}}',
        b'{"name": "k\\ud83d", "permissions": ["write:sandboxes"]}',
    ):
        path = "/api-keys" if b"permissions" in raw else "/sandbox"
        resp = _post(client, path, raw)
        body = resp.json()
        assert resp.status_code == 400 and "unpaired surrogate" in body["message"], raw
    assert client.get("/sandbox").json() == []
    assert client.get("/api-keys").status_code == 200


def test_oversized_body_refused_without_reading_it(
    server: EmulatorServer, client: httpx.Client, nest: Any
) -> None:
    # declared too large: refused at once (the server does not wait for the body)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = (
            "POST /api/sandbox HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {server.api_key}\r\nContent-Length: 50000000\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"labels": {')
        status = sock.recv(65536).split(b"\r\n", 1)[0]
    assert status == b"HTTP/1.1 500 Internal Server Error"
    # chunked (no length): reading stops as soon as it passes 100 kB
    sent = 0

    def chunks() -> Any:
        nonlocal sent
        yield b'{"labels": {"a": "'
        for _ in range(10_000):  # up to 10 MB if nobody stopped reading
            sent += 1024
            yield b"x" * 1024
        yield b'"}}'

    try:
        resp = client.post("/sandbox", content=chunks(), headers=JSON)
        nest(resp, 500, "request entity too large", "Internal Server Error")
    except httpx.TransportError:
        pass  # the server answered and closed while the client was still sending
    assert client.get("/sandbox").json() == []


def test_a_500_keeps_the_keep_alive_connection(
    server: EmulatorServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = client.post("/sandbox", json={}).json()["id"]
    control = server.app.state.control

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("injected failure")

    monkeypatch.setattr(control, "sandbox_dto", broken)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        request = (
            f"GET /api/sandbox/{sid} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {server.api_key}\r\n\r\n"
        ).encode()
        sock.sendall(request)
        first = _read_response(sock)
        assert first.startswith(b"HTTP/1.1 500 ")
        assert b'"message":"Internal server error"' in first
        # either the server says it closes, or the connection serves the next request
        if b"connection: close" not in first.lower():
            monkeypatch.undo()
            sock.sendall(request)
            assert _read_response(sock).startswith(b"HTTP/1.1 200 ")


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a response head"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        body += chunk
    return head + b"\r\n\r\n" + body


def _trickle_until_closed(sock: socket.socket, first: bytes, byte: bytes, bound: float) -> bytes:
    """Send ``first``, then one byte every 50 ms, until the server closes; returns its reply."""
    sock.settimeout(0.05)
    sock.sendall(first)
    reply = b""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            try:
                sock.sendall(byte)
            except OSError:  # reset: the server closed
                return reply
            continue
        except OSError:
            return reply
        if not chunk:
            return reply
        reply += chunk
    pytest.fail(f"the server kept a one-byte-at-a-time connection open for {bound} s")


def test_slow_loris_head_is_dropped() -> None:
    with EmulatorServer(**{**FAST, "header_timeout": 0.5}) as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            reply = _trickle_until_closed(sock, b"GET /api/sandbox HTTP/1.1\r\nX-A: ", b"a", 20)
        assert reply.startswith(b"HTTP/1.1 408 ")
        # a connection that sends nothing at all is dropped too
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            sock.settimeout(20)
            assert sock.recv(4096).startswith(b"HTTP/1.1 408 ")
        # and the server still answers
        assert httpx.get(f"{srv.base_url}/sandbox", headers=srv.headers).status_code == 200


def test_slow_loris_body_is_dropped() -> None:
    with EmulatorServer(**{**FAST, "request_timeout": 0.5}) as srv:
        head = (
            "POST /api/sandbox HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {srv.api_key}\r\nContent-Length: 5000\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            reply = _trickle_until_closed(sock, head + b"{", b" ", 20)
        assert reply.startswith(b"HTTP/1.1 408 ")
        listing = httpx.get(f"{srv.base_url}/sandbox", headers=srv.headers)
        assert listing.status_code == 200 and listing.json() == []


def test_normal_requests_unaffected_by_deadlines(client: httpx.Client) -> None:
    body = json.dumps({"labels": {f"k{i}": "v" * 50 for i in range(500)}}).encode()
    resp = _post(client, "/sandbox", body)
    assert resp.status_code == 200 and len(resp.json()["labels"]) == 500
