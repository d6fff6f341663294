"""Build logs as async iterators (issue 6 §3): a sandbox's image build and a snapshot's build.

    async for line in sandbox_build_logs(sandbox):
        print(line)

Both follow ``GET …/build-logs?follow=true`` with :func:`~daytona_async._streams.follow_bytes`:
the iteration ends once the build is over (the sandbox left ``pending_build``/
``building_snapshot``; the snapshot left ``build_pending``/``building``/``pending``/...) and
the whole log (its length read from the non-follow log) was delivered — the snapshot route's
stream never ends by itself in the real service. Drops resume without loss or repetition.
While the log does not exist yet (404/400 before the build starts) opening is retried.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio

from ._deadline import Deadline
from ._streams import FollowOptions, count_stream_bytes, decode_text, follow_bytes, open_stream
from ._util import backoff_intervals
from .errors import BadRequestError, NotFoundError

if TYPE_CHECKING:
    import httpx

    from ._context import ClientContext
    from ._sandbox import AsyncSandbox

__all__ = ["sandbox_build_logs", "snapshot_build_logs"]

SANDBOX_BUILD_STATES = frozenset({"pending_build", "building_snapshot"})
SNAPSHOT_BUILD_STATES = frozenset(
    {"build_pending", "building", "pending", "pulling", "validating", "pending_validation"}
)


def _state(model: Any) -> str:
    state = getattr(model, "state", None)
    return str(getattr(state, "value", state))


class _BuildProbe:
    def __init__(
        self, ctx: ClientContext, url: str, is_done: Callable[[], Awaitable[bool]]
    ) -> None:
        self.ctx = ctx
        self.url = url
        self.is_done = is_done
        self.done = False

    async def finished(self) -> bool:
        if not self.done:
            self.done = await self.is_done()
        return self.done

    async def total_bytes(self) -> int | None:
        try:
            return await count_stream_bytes(self.ctx, self.url, params={"follow": "false"})
        except (NotFoundError, BadRequestError):
            return 0  # the build ended without a log


def _follow(
    ctx: ClientContext,
    url: str,
    is_done: Callable[[], Awaitable[bool]],
    lines: bool,
    timeout: float | None,
    options: FollowOptions | None,
) -> AsyncIterator[str]:
    dl = Deadline(timeout, f"follow {url}")
    probe = _BuildProbe(ctx, url, is_done)

    async def opener() -> httpx.Response:
        intervals = backoff_intervals(0.1, 1.5, 1.0)
        while True:
            try:
                return await open_stream(
                    ctx, "GET", url, params={"follow": "true"}, deadline=dl, read_timeout=None
                )
            except (NotFoundError, BadRequestError):
                if await probe.finished():
                    raise  # no log and nothing coming
            await anyio.sleep(next(intervals))

    return decode_text(follow_bytes(opener, probe, options=options, deadline=dl), lines=lines)


def sandbox_build_logs(
    sandbox: AsyncSandbox,
    *,
    lines: bool = True,
    timeout: float | None = None,
    options: FollowOptions | None = None,
) -> AsyncIterator[str]:
    """The build log of a sandbox created from a Dockerfile, live, until the build is over
    (lines without newlines; ``lines=False`` for raw text pieces). ``timeout`` bounds it."""
    from daytona_api.api.sandbox import get_sandbox
    from daytona_api.models import Sandbox

    ctx = sandbox.context
    url = ctx.path("/sandbox/{id}/build-logs", id=sandbox.id)

    async def is_done() -> bool:
        data = await ctx.call_parsed(get_sandbox, sandbox.id, expect=Sandbox, timeout=30.0)
        sandbox.data = data
        return _state(data) not in SANDBOX_BUILD_STATES

    return _follow(ctx, url, is_done, lines, timeout, options)


def snapshot_build_logs(
    ctx: ClientContext,
    snapshot_id: str,
    *,
    lines: bool = True,
    timeout: float | None = None,
    options: FollowOptions | None = None,
) -> AsyncIterator[str]:
    """The build log of a snapshot, live, until the snapshot left its build states (the real
    stream never ends by itself). ``ctx`` is ``daytona.context``."""
    from daytona_api.api.snapshots import get_snapshot
    from daytona_api.models import SnapshotDto

    url = ctx.path("/snapshots/{id}/build-logs", id=snapshot_id)

    async def is_done() -> bool:
        data = await ctx.call_parsed(get_snapshot, snapshot_id, expect=SnapshotDto, timeout=30.0)
        return _state(data) not in SNAPSHOT_BUILD_STATES

    return _follow(ctx, url, is_done, lines, timeout, options)
