"""Fixtures of the image tests: anyio backends, an emulator with a fast build clock, clients."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from daytona_emulator.testing import FAST_CLOCK as PLUGIN_CLOCK

# the plugin's clock with quicker build steps, and finished build logs kept briefly
FAST_CLOCK: dict[str, Any] = {**PLUGIN_CLOCK, "build_step_delay": 0.01, "build_logs_linger": 0.1}


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """One emulator (toolbox and object storage included) shared by a test module."""
    from daytona_emulator.testing import EmulatorServer

    with EmulatorServer(**FAST_CLOCK) as server:
        yield server


@pytest.fixture
def emulator_factory(
    daytona_emulator_factory: Callable[..., Any],
) -> Callable[..., Any]:
    """Start extra emulators with settings overrides (the plugin's factory on this clock)."""
    return functools.partial(daytona_emulator_factory, **FAST_CLOCK)


@pytest.fixture
def client_factory() -> Callable[..., Any]:
    """``async with client_factory(server) as daytona:``."""
    from daytona_async import AsyncDaytona

    def make(server: Any, **kwargs: Any) -> Any:
        return AsyncDaytona(api_key=server.api_key, api_url=server.base_url, **kwargs)

    return make
