"""Fixtures of the toolbox tests: the anyio backends, emulators, clients and sandboxes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from daytona_emulator.testing import FAST_CLOCK


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _emulator_available() -> bool:
    try:
        import daytona_emulator.toolbox  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """One emulator (toolbox included) shared by a test module, default settings."""
    if not _emulator_available():
        pytest.skip("the emulator's toolbox is not available")
    from daytona_emulator.testing import EmulatorServer

    with EmulatorServer(**FAST_CLOCK) as server:
        yield server


@pytest.fixture
def emulator_factory(daytona_emulator_factory: Callable[..., Any]) -> Callable[..., Any]:
    """Start extra emulators with settings overrides; stopped at the end of the test."""
    if not _emulator_available():
        pytest.skip("the emulator's toolbox is not available")
    return daytona_emulator_factory


@pytest.fixture
def client_factory() -> Callable[..., Any]:
    """``async with client_factory(server, **kwargs) as daytona:``."""
    from daytona_async import AsyncDaytona

    def make(server: Any, **kwargs: Any) -> Any:
        return AsyncDaytona(api_key=server.api_key, api_url=server.base_url, **kwargs)

    return make


@pytest.fixture
async def daytona(emulator: Any, client_factory: Callable[..., Any]) -> AsyncIterator[Any]:
    async with client_factory(emulator) as client:
        yield client


@pytest.fixture
async def sandbox(daytona: Any) -> AsyncIterator[Any]:
    sb = await daytona.create(timeout=60)
    try:
        yield sb
    finally:
        await sb.delete()


@pytest.fixture
def emulator_process_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Start ``python -m daytona_emulator`` in a subprocess (its CPU and memory are not the
    client's): ``url, key, data_dir = start(*cli_args)``; stopped at the end of the test."""
    if not _emulator_available():
        pytest.skip("the emulator's toolbox is not available")
    from daytona_emulator.testing import EmulatorProcess

    procs: list[EmulatorProcess] = []

    def start(*args: str) -> tuple[str, str, Any]:
        data_dir = tmp_path_factory.mktemp("emu")
        emu = EmulatorProcess(*args, api_key="proc-key", data_dir=data_dir).start()
        procs.append(emu)
        return emu.base_url, emu.api_key, data_dir

    yield start
    for emu in procs:
        emu.stop()
