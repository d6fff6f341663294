"""Long-lived streams do not hold ``max_concurrency`` slots: with more live log followers than
the limit, short calls still complete."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from daytona_async import AsyncDaytona

pytestmark = pytest.mark.anyio

LIMIT = 2
FOLLOWERS = 4


async def test_more_live_followers_than_the_limit_leave_room_for_short_calls(
    emulator: Any, anyio_backend: str
) -> None:
    async with AsyncDaytona(
        api_key=emulator.api_key, api_url=emulator.base_url, max_concurrency=LIMIT
    ) as d:
        sb = await d.create(labels={"test": "slots"})
        started = 0
        all_started = anyio.Event()

        async def follow(i: int) -> None:
            nonlocal started
            await sb.process.create_session(f"s{i}")
            cmd = await sb.process.start(f"s{i}", "echo go; sleep 60")
            async for line in cmd.output(lines=True):
                if line.strip() == "go":
                    started += 1
                    if started == FOLLOWERS:
                        all_started.set()

        async with anyio.create_task_group() as tg:
            for i in range(FOLLOWERS):
                tg.start_soon(follow, i)
            with anyio.fail_after(20):  # the followers are live streams, all of them
                await all_started.wait()
            # every follower is still streaming (their commands sleep for a minute); short
            # calls must not wait for a slot they hold
            with anyio.move_on_after(10) as scope:
                assert any(s.id == sb.id for s in await d.list())
                await sb.fs.upload(b"x", "short.txt")
                assert (await sb.process.exec("echo hi")).output.strip() == "hi"
            assert not scope.cancelled_caught, "short calls blocked behind live streams"
            tg.cancel_scope.cancel()
        await sb.delete()
