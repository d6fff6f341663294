"""Fault injection for reliability tests of clients (off by default).

Every HTTP request draws one number from a seeded ``random.Random``; consecutive bands of
``[0, 1)`` select at most one fault, so each fraction holds independently of the others and a
run with the same seed and request order is repeatable:

* ``rate_limit``: 429 ``ThrottlerException: Too Many Requests`` (Nest body) with ``Retry-After``
* ``bad_gateway`` / ``unavailable``: 502 / 503 from a "gateway" (small HTML body)
* ``drop_before``: the connection is closed before the request is processed (no response)
* ``drop_after``: the request is processed, then the connection is closed without a response
* ``cut_stream`` (separate draw): a streamed body (no Content-Length, or octet-stream) is cut
  after ``cut_after_bytes`` bytes by closing the connection
* ``latency``: seconds added before every request

``paths`` limits faults to requests whose path contains one of the given substrings.

Closing without a response needs the server's transport: with uvicorn it is reached through
the ``send`` callable's owner; elsewhere a response head is sent and the connection is then cut.
Clients see a connection error (httpx: ``RemoteProtocolError``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from daytona_emulator.errors import nest_body
from daytona_emulator.settings import FaultSettings

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_GATEWAY_PAGE = (
    "<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {phrase}</h1></center>\r\n</body>\r\n</html>\r\n"
)


class ConnectionDropped(Exception):
    """Raised into the app when the injector cut its connection (not an app error)."""


async def _close_connection(receive: Receive, send: Send) -> None:
    """Close the client's connection without (further) response bytes."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:  # not uvicorn: best effort, the client sees a truncated response
        raise ConnectionDropped()
    transport.close()
    # wait until the server noticed, so it does not answer with a 500 on our behalf
    for _ in range(100):
        message = await receive()
        if message["type"] == "http.disconnect":
            return


def _retry_after(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


class FaultInjector:
    def __init__(self, faults: FaultSettings) -> None:
        self.f = faults
        self.rng = random.Random(faults.seed)
        self.counts: dict[str, int] = {}

    def _matches(self, scope: Scope) -> bool:
        if not self.f.paths:
            return True
        path = scope.get("path", "")
        return any(p in path for p in self.f.paths)

    def _choose(self) -> str | None:
        f = self.f
        r = self.rng.random()
        edge = 0.0
        for name, fraction in (
            ("rate_limit", f.rate_limit),
            ("bad_gateway", f.bad_gateway),
            ("unavailable", f.unavailable),
            ("drop_before", f.drop_before),
            ("drop_after", f.drop_after),
        ):
            edge += fraction
            if r < edge:
                return name
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        if not self._matches(scope):
            await app(scope, receive, send)
            return
        f = self.f
        if f.latency:
            await asyncio.sleep(f.latency)
        fault = self._choose()
        cut = f.cut_stream > 0 and self.rng.random() < f.cut_stream
        if fault is not None:
            self.counts[fault] = self.counts.get(fault, 0) + 1
        try:
            if fault == "rate_limit":
                await self._send_429(scope, receive, send)
            elif fault in ("bad_gateway", "unavailable"):
                await self._send_gateway(send, 502 if fault == "bad_gateway" else 503)
            elif fault == "drop_before":
                await _close_connection(receive, send)
            elif fault == "drop_after":
                await app(scope, receive, _swallow)
                await _close_connection(receive, send)
            elif cut:
                await app(scope, receive, self._cutting_send(receive, send))
            else:
                await app(scope, receive, send)
        except ConnectionDropped:
            return

    async def _send_429(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = nest_body(
            Request(scope, receive), 429, "ThrottlerException: Too Many Requests", "Http Exception"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", _retry_after(self.f.retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def _send_gateway(send: Send, status: int) -> None:
        phrase = "Bad Gateway" if status == 502 else "Service Temporarily Unavailable"
        body = _GATEWAY_PAGE.format(code=status, phrase=phrase).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/html"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _cutting_send(self, receive: Receive, send: Send) -> Send:
        limit = self.f.cut_after_bytes
        state: dict[str, Any] = {"streamed": False, "sent": 0, "cut": False}

        async def cutting_send(message: Message) -> None:
            if state["cut"]:
                raise ConnectionDropped()
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                state["streamed"] = (
                    b"content-length" not in headers
                    or b"octet-stream" in headers.get(b"content-type", b"")
                )
                await send(message)
                return
            if message["type"] != "http.response.body" or not state["streamed"]:
                await send(message)
                return
            body: bytes = message.get("body", b"")
            room = limit - state["sent"]
            if len(body) < room or (len(body) == room and not message.get("more_body")):
                state["sent"] += len(body)
                await send(message)
                return
            if room > 0:
                await send({"type": "http.response.body", "body": body[:room], "more_body": True})
            state["cut"] = True
            await _close_connection(receive, send)
            raise ConnectionDropped()

        return cutting_send


async def _swallow(message: Message) -> None:
    return None
