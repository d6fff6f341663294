"""Fixtures of the sync-face tests: an emulator over loopback and sync clients on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from daytona_async import Daytona, Sandbox
from daytona_emulator.testing import FAST_CLOCK, EmulatorServer

SECRET_KEY = "dtn_" + "5ec7e7" * 10 + "abcd"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    """One emulator shared by a test module (fast lifecycle clock)."""
    with EmulatorServer(api_key=SECRET_KEY, **FAST_CLOCK) as server:
        yield server


@pytest.fixture
def daytona(emulator: EmulatorServer) -> Iterator[Daytona]:
    with Daytona(api_key=emulator.api_key, api_url=emulator.base_url) as client:
        yield client


@pytest.fixture
def sb(daytona: Daytona) -> Iterator[Sandbox]:
    with daytona.sandbox(labels={"suite": "sync"}) as sandbox:
        yield sandbox


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
