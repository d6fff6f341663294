"""Build logs of a sandbox (Dockerfile build) and of a snapshot, followed live until the build is
over — the one follower behind ``sb.follow_build_logs()``, ``snapshots.follow_build_logs()``
and the ``on_build_logs=`` callbacks of ``create``.

"The build is over" has one definition here: the resource left its build states
(:data:`SANDBOX_BUILD_STATES` / :data:`SNAPSHOT_BUILD_STATES`). The runner writes the build
log only while building, so after that the log is complete; what follows (a snapshot's pull and
validation, a sandbox's start) writes nothing to it. The service's follow stream may never end
by itself (a snapshot's never does, nor a failed build's), so the iteration ends once the build
is over and the whole log (its length read from the non-follow log) was delivered. Drops resume
without loss or repetition; while the log does not exist yet (404/400 before the build starts)
opening is retried.

Requests are sent by the generated endpoints' ``asyncio_stream()`` (``get_build_logs``,
``get_snapshot_build_logs``), so their URLs follow the API description.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio

from ._deadline import Deadline
from ._streams import (
    FollowOptions,
    StreamEndpoint,
    count_endpoint_bytes,
    decode_text,
    endpoint_stream,
    follow_bytes,
)
from ._util import LogCallback, backoff_intervals, call_maybe_async
from .errors import BadRequestError, NotFoundError

if TYPE_CHECKING:
    import httpx

    from ._context import ClientContext

__all__ = [
    "SANDBOX_BUILD_STATES",
    "SNAPSHOT_BUILD_STATES",
    "deliver_lines",
    "follow_build_logs",
    "sandbox_build_over",
    "snapshot_build_over",
]

#: a sandbox's states while its Dockerfile is being built
SANDBOX_BUILD_STATES = frozenset({"pending_build", "building_snapshot"})
#: a snapshot's states while its image is being built
SNAPSHOT_BUILD_STATES = frozenset({"build_pending", "building"})


def sandbox_build_over(state: str | None) -> bool:
    return state not in SANDBOX_BUILD_STATES


def snapshot_build_over(state: str | None) -> bool:
    return state not in SNAPSHOT_BUILD_STATES


class _BuildProbe:
    """The :class:`~daytona_async._streams.FollowProbe` of a build: done once ``is_done()``
    says so; the full length comes from the non-follow log."""

    def __init__(
        self,
        ctx: ClientContext,
        endpoint: StreamEndpoint,
        resource_id: str,
        is_done: Callable[[], Awaitable[bool]],
    ) -> None:
        self.ctx = ctx
        self.endpoint = endpoint
        self.resource_id = resource_id
        self.is_done = is_done
        self.done = False

    async def finished(self) -> bool:
        if not self.done:
            self.done = await self.is_done()
        return self.done

    async def total_bytes(self, delivered: int) -> int | None:
        try:
            return await count_endpoint_bytes(
                self.ctx, self.endpoint, self.resource_id, follow=False, enough=delivered
            )
        except (NotFoundError, BadRequestError):
            return 0  # the build ended without a log


def follow_build_logs(
    ctx: ClientContext,
    endpoint: StreamEndpoint,
    resource_id: str,
    is_done: Callable[[], Awaitable[bool]],
    *,
    lines: bool = True,
    deadline: Deadline,
    options: FollowOptions | None = None,
) -> AsyncIterator[str]:
    """The build log of ``resource_id`` live (``endpoint``: the generated build-log module's
    ``asyncio_stream``), until ``is_done()`` reports the build over and the whole log was
    delivered."""
    probe = _BuildProbe(ctx, endpoint, resource_id, is_done)

    @asynccontextmanager
    async def opener() -> AsyncIterator[httpx.Response]:
        intervals = backoff_intervals(0.1, 1.5, 1.0)
        while True:
            stream = endpoint_stream(
                ctx, endpoint, resource_id, follow=True, deadline=deadline, read_timeout=None
            )
            try:
                response = await stream.__aenter__()
                break
            except (NotFoundError, BadRequestError):
                if await probe.finished():
                    raise  # no log and nothing coming
            await anyio.sleep(next(intervals))
        try:
            yield response
        finally:
            await stream.__aexit__(None, None, None)

    chunks = follow_bytes(opener, probe, options=options, deadline=deadline)
    return decode_text(chunks, lines=lines)


async def deliver_lines(source: AsyncIterator[str], on_logs: LogCallback) -> None:
    """Hand every line of ``source`` to ``on_logs`` (sync or async); ``source`` is closed at
    the end, also when the callback raises."""
    try:
        async for line in source:
            await call_maybe_async(on_logs, line)
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            with anyio.CancelScope(shield=True):
                await aclose()
