"""An example test suite for code that uses daytona-async, run offline against the emulator.

    pytest examples/pytest_suite

No conftest is needed: installing daytona-async (with the ``[emulator]`` extra) gives pytest the
``daytona_emulator`` fixture, a fresh emulator per test. The tests run under anyio's pytest plugin
(``pytest.mark.anyio``; anyio comes with the SDK).
"""

import pytest
from daytona_async import AsyncDaytona, NotFoundError

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def count_python_files(daytona: AsyncDaytona, sandbox_id: str) -> int:
    """The code under test: something your application does with a sandbox."""
    sb = await daytona.get(sandbox_id)
    return len(await sb.fs.search(".", "*.py"))


async def test_counts_python_files(daytona_emulator) -> None:
    async with AsyncDaytona(
        api_key=daytona_emulator.api_key, api_url=daytona_emulator.base_url
    ) as daytona:
        async with daytona.sandbox() as sb:
            await sb.fs.upload_many(
                [(b"x = 1\n", "a.py"), (b"y = 2\n", "pkg/b.py"), (b"text\n", "c.txt")]
            )
            assert await count_python_files(daytona, sb.id) == 2


async def test_unknown_sandbox_is_a_typed_error(daytona_emulator) -> None:
    async with AsyncDaytona(
        api_key=daytona_emulator.api_key, api_url=daytona_emulator.base_url
    ) as daytona:
        with pytest.raises(NotFoundError):
            await daytona.get("no-such-sandbox")
