"""Drivers: at most one asyncio task per object in motion (a sandbox, a build, a snapshot...)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("daytona_emulator")


class Drivers:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def kick(self, key: str, factory: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """The running task for ``key``, or a new one running ``factory()``."""
        task = self._tasks.get(key)
        if task is not None and not task.done():
            return task

        async def run() -> None:
            try:
                await factory()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("emulator driver %s failed", key)
            finally:
                if self._tasks.get(key) is asyncio.current_task():
                    del self._tasks[key]

        task = asyncio.create_task(run(), name=f"daytona-emulator-{key}")
        self._tasks[key] = task
        return task

    async def aclose(self, *extra: asyncio.Task[None] | None) -> None:
        """Cancel every driver (and ``extra`` tasks) and wait for them to end."""
        tasks = [t for t in (*extra, *self._tasks.values()) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            try:
                await t
            except BaseException:  # cancelled or failed: either way it is over
                pass
        self._tasks.clear()
