"""The project dir is fetched once per sandbox, even by a burst of concurrent calls."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from daytona_async import AsyncDaytona
from daytona_emulator.testing import EmulatorServer

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_concurrent_relative_paths_share_one_project_dir_request() -> None:
    async with EmulatorServer(transition_delay=0.01) as server:
        async with AsyncDaytona(api_key=server.api_key, api_url=server.base_url) as d:
            async with d.sandbox() as sb:
                transport: Any = d.context.transport
                inner = transport.handle_async_request
                seen: list[str] = []

                async def spy(request: Any) -> Any:
                    seen.append(request.url.path)
                    return await inner(request)

                transport.handle_async_request = spy
                resolved: list[str] = []

                async def one() -> None:
                    resolved.append(await sb.fs.resolve("a/b.txt"))

                async with anyio.create_task_group() as tg:
                    for _ in range(50):
                        tg.start_soon(one)
    assert sum(p.endswith("/project-dir") for p in seen) == 1
    assert set(resolved) == {"/home/daytona/a/b.txt"}
