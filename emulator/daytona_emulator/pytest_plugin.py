"""pytest fixtures for code that talks to Daytona.

Installing daytona-async registers this module as a pytest plugin (a ``pytest11`` entry point),
so its fixtures exist in every pytest run of that environment; ``-p
no:daytona_emulator.pytest_plugin`` turns it off. A conftest's ``pytest_plugins =
["daytona_emulator.pytest_plugin"]`` (from before the entry point) is harmless. The fixtures need
the ``[emulator]`` extra.

* ``daytona_emulator``: a fresh :class:`~daytona_emulator.testing.EmulatorServer` per test
  (short lifecycle clock). Point your client at ``daytona_emulator.base_url`` with
  ``daytona_emulator.api_key``.
* ``daytona_emulator_factory``: call it with settings overrides to start more servers; all of
  them stop at the end of the test.
* ``daytona_emulator_jwt``: ``daytona_emulator_jwt("alice", admin=False)`` mints a JWT the
  ``daytona_emulator`` server accepts as user ``alice`` (signed with its secret).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from daytona_emulator.testing import EmulatorServer

FAST_CLOCK: dict[str, Any] = {
    "transition_delay": 0.01,
    "build_step_delay": 0.02,
    "snapshot_step_delay": 0.01,
    "volume_step_delay": 0.01,
}


@pytest.fixture
def daytona_emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    servers: list[EmulatorServer] = []

    def start(**overrides: Any) -> EmulatorServer:
        server = EmulatorServer(**{**FAST_CLOCK, **overrides}).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def daytona_emulator(
    daytona_emulator_factory: Callable[..., EmulatorServer],
) -> EmulatorServer:
    return daytona_emulator_factory()


@pytest.fixture
def daytona_emulator_jwt(daytona_emulator: EmulatorServer) -> Callable[..., str]:
    return daytona_emulator.mint_jwt
