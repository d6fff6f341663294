from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from daytona_emulator.testing import EmulatorServer

FAST: dict[str, Any] = {
    "transition_delay": 0.01,
    "build_step_delay": 0.01,
    "snapshot_step_delay": 0.005,
    "volume_step_delay": 0.005,
    "build_logs_linger": 0.2,
    "reaper_interval": 0.05,
}


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(**FAST) as srv:
        yield srv


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=10) as c:
        yield c


@pytest.fixture
def make_client(
    daytona_emulator_factory: Callable[..., EmulatorServer],
) -> Iterator[Callable[..., tuple[EmulatorServer, httpx.Client]]]:
    """Factory: a server with settings overrides (on top of the fast clock) and its client."""
    clients: list[httpx.Client] = []

    def make(**overrides: Any) -> tuple[EmulatorServer, httpx.Client]:
        srv = daytona_emulator_factory(**{**FAST, **overrides})
        c = httpx.Client(base_url=srv.base_url, headers=srv.headers, timeout=10)
        clients.append(c)
        return srv, c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def jwt_client(server: EmulatorServer) -> Iterator[Callable[..., httpx.Client]]:
    """Factory: an httpx client authenticated with a JWT for user ``sub``."""
    clients: list[httpx.Client] = []

    def make(sub: str, org_id: str | None = None, **claims: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {server.mint_jwt(sub, **claims)}"}
        if org_id:
            headers["X-Daytona-Organization-ID"] = org_id
        c = httpx.Client(base_url=server.base_url, headers=headers, timeout=10)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def wait() -> Callable[..., dict[str, Any]]:
    return wait_state


@pytest.fixture
def nest() -> Callable[..., dict[str, Any]]:
    return assert_nest


def wait_state(
    client: httpx.Client, sid: str, *states: str, timeout: float = 5.0, path: str = "sandbox"
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/{path}/{sid}").json()
        if body["state"] in states:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} {sid} stuck in {body['state']}, wanted {states}")
        time.sleep(0.005)


def assert_nest(resp: httpx.Response, status: int, message: Any, error: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"statusCode", "timestamp", "path", "error", "message"}
    assert body["statusCode"] == status
    assert body["message"] == message
    assert body["error"] == error
    assert body["timestamp"].endswith("Z")
    return body
