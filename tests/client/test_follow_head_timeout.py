"""A follow stream's head is awaited with a bound; its body is not.

A raw loopback server answers the sandbox lookup and, for a followed log, either never sends
a response head (it accepts, reads the request and stays silent — as the real service may do
until the first output), or sends the head and then stays silent longer than the client's read
timeout before the log arrives. Without a head, each attempt ends after the read timeout and
is retried as an idempotent GET; while the producer still runs the follower keeps asking (only
the caller's deadline ends it, with a typed error), and once the producer is over with nothing
left to deliver it ends at once, without waiting for a head. With a head, the log arrives.
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
from daytona_async import AsyncDaytona, DeadlineExceeded

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
    #: the build is over this many seconds after the first follow request (None: when the log
    #: was sent)
    finish_after: float | None = None
    port: int = 0
    follows: list[str] = field(default_factory=list)
    log_sent: bool = False
    first_follow_at: float | None = None

    async def handle(self, client: SocketStream) -> None:
        async with client:
            buffer = bytearray()
            while True:
                head = await read_request(client, buffer)
                if head is None:
                    return
                target = request_target(head)
                if "follow=true" in target:
                    if not self.follows:
                        self.first_follow_at = anyio.current_time()
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
                    over = self.log_sent or (
                        self.finish_after is not None
                        and self.first_follow_at is not None
                        and anyio.current_time() - self.first_follow_at >= self.finish_after
                    )
                    state = "started" if over else "building_snapshot"
                    body = json.dumps({**SANDBOX, "state": state}).encode()
                await client.send(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )


@asynccontextmanager
async def silent_follow_server(
    head: bool, silence: float = 0.0, log: bytes = b"built\n", finish_after: float | None = None
) -> AsyncIterator[SilentFollowServer]:
    server = SilentFollowServer(head=head, silence=silence, log=log, finish_after=finish_after)
    async with serve_loopback(server.handle) as server.port:
        yield server


def _client(server: SilentFollowServer) -> AsyncDaytona:
    return AsyncDaytona(
        api_key="k",
        api_url=f"http://127.0.0.1:{server.port}/api",
        timeout=READ_TIMEOUT,
        max_retries=MAX_RETRIES,
    )


async def test_follow_without_a_head_keeps_asking_until_the_callers_deadline(
    anyio_backend: str,
) -> None:
    async with silent_follow_server(head=False) as server, _client(server) as d:
        sb = await d.get("sb-1")
        budget = READ_TIMEOUT * (MAX_RETRIES + 1) * 2.5
        with anyio.fail_after(60):  # a hang guard only: the caller's deadline ends it
            with pytest.raises(DeadlineExceeded):
                async for _ in sb.follow_build_logs(timeout=budget):
                    pass
    # each attempt waited at most the read timeout for a head, was retried as a GET, and the
    # follower asked again while the build was still running
    assert len(server.follows) > MAX_RETRIES + 1


async def test_follow_without_a_head_ends_once_the_producer_is_over(
    anyio_backend: str,
) -> None:
    # the build ends without any log: the head never comes, and nothing is missing
    async with silent_follow_server(head=False, log=b"", finish_after=0.2) as server:
        async with _client(server) as d:
            sb = await d.get("sb-1")
            with anyio.fail_after(60):
                lines = [line async for line in sb.follow_build_logs()]
    assert lines == []
    # ended by the probe while the first attempt still waited for its head: a head timeout
    # would have sent the follow request again
    assert len(server.follows) == 1


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
