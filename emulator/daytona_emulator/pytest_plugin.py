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

import pytest

from daytona_emulator.testing import FAST_CLOCK, EmulatorServer, EmulatorServers


@pytest.fixture
def daytona_emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    with EmulatorServers(**FAST_CLOCK) as start:
        yield start


@pytest.fixture
def daytona_emulator(
    daytona_emulator_factory: Callable[..., EmulatorServer],
) -> EmulatorServer:
    return daytona_emulator_factory()


@pytest.fixture
def daytona_emulator_jwt(daytona_emulator: EmulatorServer) -> Callable[..., str]:
    return daytona_emulator.mint_jwt
