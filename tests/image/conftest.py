"""Fixtures of the image tests: those of the toolbox tests (anyio backends, clients), with an
emulator whose build clock is faster still."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from daytona_emulator.testing import FAST_CLOCK

from ..toolbox.conftest import anyio_backend, client_factory

__all__ = ["anyio_backend", "client_factory", "emulator", "emulator_factory"]

IMAGE_CLOCK: dict[str, Any] = {"build_step_delay": 0.01, "build_logs_linger": 0.1}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """One emulator (toolbox and object storage included) shared by a test module."""
    from daytona_emulator.testing import EmulatorServer

    with EmulatorServer(**{**FAST_CLOCK, **IMAGE_CLOCK}) as server:
        yield server


@pytest.fixture
def emulator_factory(daytona_emulator_factory: Callable[..., Any]) -> Callable[..., Any]:
    """Start extra emulators with settings overrides; stopped at the end of the test."""
    return functools.partial(daytona_emulator_factory, **IMAGE_CLOCK)
