"""Following a build log (``GET .../build-logs?follow=true``) until the build is over.

The real service's follow streams may never end by themselves (service-behaviour §6.1), so
the stream is followed while ``is_done()`` (polled with growing intervals) is false; once it
reports the build over, the stream gets one more second to deliver its last lines and is then
closed. A stream that drops is re-opened, skipping the bytes already delivered; 404/400 while
the logs do not exist yet are retried.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import anyio

from ._logging import logger
from ._util import LogCallback, backoff_intervals, call_maybe_async, unwrap_group
from .errors import APIConnectionError, BadRequestError, InternalServerError, NotFoundError

if TYPE_CHECKING:
    from ._context import ClientContext
    from ._deadline import Deadline

__all__ = ["follow_build_logs"]


async def follow_build_logs(
    ctx: ClientContext,
    url: str,
    on_logs: LogCallback,
    deadline: Deadline,
    is_done: Callable[[], Awaitable[bool]],
) -> None:
    """Deliver the log at ``url`` (relative to the API URL) to ``on_logs`` line by line."""
    delivered = 0
    pending = ""
    stream_done = anyio.Event()

    async def emit(text: str, final: bool = False) -> None:
        nonlocal pending
        pending += text.replace("\x00", "")
        *lines, pending = pending.split("\n")
        if final and pending:
            lines.append(pending)
            pending = ""
        for line in lines:
            await call_maybe_async(on_logs, line.rstrip("\r"))

    async def pump() -> None:
        nonlocal delivered
        intervals = backoff_intervals(0.2, 1.5, 1.0)
        try:
            while True:
                try:
                    async with ctx.stream(
                        "GET", url, params={"follow": "true"}, deadline=deadline, read_timeout=None
                    ) as response:
                        skip = delivered
                        async for chunk in response.aiter_bytes():
                            if skip:
                                cut = min(skip, len(chunk))
                                chunk, skip = chunk[cut:], skip - cut
                                if not chunk:
                                    continue
                            delivered += len(chunk)
                            await emit(chunk.decode("utf-8", errors="replace"))
                    return  # the server ended the stream: the log is complete
                except (NotFoundError, BadRequestError):
                    pass  # no log yet (the build has not started)
                except (APIConnectionError, InternalServerError) as err:
                    logger.debug("build log stream %s broke: %s; re-opening", url, err)
                await anyio.sleep(next(intervals))
        finally:
            stream_done.set()

    with unwrap_group(), deadline.scope():
        async with anyio.create_task_group() as tg:
            tg.start_soon(pump)
            intervals = backoff_intervals(0.25, 1.5, 1.0)
            while not stream_done.is_set():
                with anyio.move_on_after(next(intervals)):
                    await stream_done.wait()
                if stream_done.is_set():
                    break
                if await is_done():
                    with anyio.move_on_after(1.0):
                        await stream_done.wait()
                    break
            tg.cancel_scope.cancel()
    await emit("", final=True)
