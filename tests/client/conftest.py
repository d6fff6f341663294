"""Fixtures of the client tests: both anyio backends, emulators over loopback, clients."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from daytona_emulator.testing import FAST_CLOCK

SECRET_KEY = "dtn_" + "5ec7e7" * 10 + "abcd"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """One emulator shared by a test module (fast lifecycle clock)."""
    from daytona_emulator.testing import EmulatorServer

    with EmulatorServer(api_key=SECRET_KEY, **FAST_CLOCK) as server:
        yield server


@pytest.fixture
def emulator_factory(daytona_emulator_factory: Callable[..., Any]) -> Callable[..., Any]:
    """Start extra emulators with settings overrides; stopped at the end of the test."""
    return functools.partial(daytona_emulator_factory, api_key=SECRET_KEY)


@pytest.fixture
def make_client() -> Callable[..., Any]:
    from daytona_async import AsyncDaytona

    def make(server: Any, **kwargs: Any) -> Any:
        return AsyncDaytona(api_key=server.api_key, api_url=server.base_url, **kwargs)

    return make


@pytest.fixture
async def daytona(emulator: Any, make_client: Callable[..., Any]) -> AsyncIterator[Any]:
    async with make_client(emulator) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DAYTONA_API_KEY",
        "DAYTONA_JWT_TOKEN",
        "DAYTONA_ORGANIZATION_ID",
        "DAYTONA_API_URL",
        "DAYTONA_SERVER_URL",
        "DAYTONA_TARGET",
        "DAYTONA_LOG",
    ):
        monkeypatch.delenv(name, raising=False)
