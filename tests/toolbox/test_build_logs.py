"""Build logs as async iterators (sandbox and snapshot routes) against the emulator's control
plane; the follow stream is made to linger (the real snapshot stream never ends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

pytestmark = pytest.mark.anyio

DOCKERFILE = "FROM python:3.12-slim\nRUN pip install requests\nRUN echo done\n"


@pytest.fixture
def control_plane() -> Any:
    from daytona_emulator.testing import EmulatorServer

    # the follow stream stays open 30 s after the build: only our end detection stops it
    with EmulatorServer(build_step_delay=0.2, transition_delay=0.01, build_logs_linger=30.0) as s:
        yield s


async def test_snapshot_build_logs_end_after_build(
    control_plane: Any, client_factory: Callable[..., Any]
) -> None:
    async with client_factory(control_plane) as daytona:
        snap = await daytona.snapshots.create("logs-test:1.0", build=DOCKERFILE, wait=False)
        lines: list[str] = []
        start = anyio.current_time()
        with anyio.fail_after(20):
            async for line in daytona.snapshots.follow_build_logs(snap.id):
                lines.append(line)
        elapsed = anyio.current_time() - start
        state = (await daytona.snapshots.get(snap.id)).state
        full = await daytona.snapshots.build_logs(snap.id)
    assert str(getattr(state, "value", state)) not in ("build_pending", "building", "pending")
    assert lines == full.rstrip("\n").split("\n")
    assert elapsed < 15


async def test_sandbox_build_logs_after_build(
    control_plane: Any, client_factory: Callable[..., Any]
) -> None:
    async with client_factory(control_plane) as daytona:
        sb = await daytona.create(build=DOCKERFILE, timeout=60)
        with anyio.fail_after(10):
            lines = [line async for line in sb.follow_build_logs()]
        full = await sb.build_logs()
        await sb.delete()
    assert lines and lines == full.rstrip("\n").split("\n")
