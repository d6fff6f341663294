"""A follow stream's head is awaited with a bound; its body is not.

A raw loopback server answers the sandbox lookup and, for a followed log, either never sends
a response head (it accepts, reads the request and stays silent), or sends the head and then
stays silent longer than the client's read timeout before the log arrives. The first must end
with a typed timeout after the normal retries of an idempotent request (not wait for the
caller's deadline, which is unbounded here); the second must deliver the log.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
import anyio.abc
import pytest
from anyio.abc import SocketStream
from daytona_async import APITimeoutError, AsyncDaytona

from ..toolbox.test_fs_unit import SANDBOX
from .loopback import read_request, request_target, serve_loopback

pytestmark = pytest.mark.anyio

READ_TIMEOUT = 0.3
MAX_RETRIES = 2


@dataclass
class SilentFollowServer:
    """HTTP/1.1 over raw sockets. ``GET /api/sandbox/sb-1`` gets the sandbox; a request with
    ``follow=true`` gets no head at all (``head=False``) or a head, a silence of
    ``silence`` seconds, then ``log`` and the end of the body. The sandbox is building until
    the log was sent (so the follower waits for the log rather than for its end)."""

    head: bool
    silence: float = 0.0
    log: bytes = b"built\n"
    port: int = 0
    follows: list[str] = field(default_factory=list)
    log_sent: bool = False

    async def handle(self, client: SocketStream) -> None:
        async with client:
            buffer = bytearray()
            while True:
                head = await read_request(client, buffer)
                if head is None:
                    return
                target = request_target(head)
                if "follow=true" in target:
                    self.follows.append(target)
                    if not self.head:
                        await anyio.sleep_forever()
                    await client.send(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n"
                    )
                    await anyio.sleep(self.silence)
                    await client.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(self.log), self.log))
                    self.log_sent = True
                    continue
                if "follow=false" in target:
                    body = self.log
                else:
                    state = "started" if self.log_sent else "building_snapshot"
                    body = json.dumps({**SANDBOX, "state": state}).encode()
                await client.send(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )


@asynccontextmanager
async def silent_follow_server(
    head: bool, silence: float = 0.0
) -> AsyncIterator[SilentFollowServer]:
    server = SilentFollowServer(head=head, silence=silence)
    async with serve_loopback(server.handle) as server.port:
        yield server


def _client(server: SilentFollowServer) -> AsyncDaytona:
    return AsyncDaytona(
        api_key="k",
        api_url=f"http://127.0.0.1:{server.port}/api",
        timeout=READ_TIMEOUT,
        max_retries=MAX_RETRIES,
    )


async def test_follow_without_a_response_head_ends_with_a_timeout_after_retries(
    anyio_backend: str,
) -> None:
    async with silent_follow_server(head=False) as server, _client(server) as d:
        sb = await d.get("sb-1")
        with anyio.fail_after(60):  # a hang guard only: the SDK must end it long before
            with pytest.raises(APITimeoutError) as info:
                async for _ in sb.follow_build_logs():  # no timeout: unbounded for the caller
                    pass
    assert info.value.method == "GET" and info.value.retries == MAX_RETRIES
    assert len(server.follows) == MAX_RETRIES + 1  # sent again: a GET is idempotent


async def test_follow_body_may_stay_silent_longer_than_the_read_timeout(
    anyio_backend: str,
) -> None:
    async with silent_follow_server(head=True, silence=READ_TIMEOUT * 4) as server:
        async with _client(server) as d:
            sb = await d.get("sb-1")
            with anyio.fail_after(60):
                lines = [line async for line in sb.follow_build_logs()]
    assert lines == ["built"]
    assert len(server.follows) == 1
