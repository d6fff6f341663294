"""Fixtures of the toolbox tests: an emulator (control plane + toolbox) over loopback HTTP and
started sandboxes, each with its host root exposed for assertions."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from daytona_emulator.testing import EmulatorServer

FAST: dict[str, Any] = {"transition_delay": 0.01, "build_step_delay": 0.01}


@dataclass
class Box:
    """A started sandbox: ``c`` is an httpx client whose base URL is the sandbox's toolbox
    (``/api/toolbox/<id>/toolbox``); ``root`` is its root on the host."""

    server: EmulatorServer
    c: httpx.Client
    id: str
    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home" / "daytona"


def _new_box(server: EmulatorServer) -> Box:
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=30) as api:
        resp = api.post("/sandbox", json={})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["state"] == "started"
    sid = body["id"]
    c = httpx.Client(
        base_url=f"{server.base_url}/toolbox/{sid}/toolbox", headers=server.headers, timeout=30
    )
    return Box(server, c, sid, server.settings.sandboxes_dir / sid / "root")


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(**FAST) as srv:
        yield srv


def _box_fixture(server: EmulatorServer) -> Iterator[Box]:
    b = _new_box(server)
    try:
        yield b
    finally:
        b.c.close()


@pytest.fixture
def box(server: EmulatorServer) -> Iterator[Box]:
    yield from _box_fixture(server)


@pytest.fixture
def other_box(server: EmulatorServer) -> Iterator[Box]:
    """A second sandbox on the same emulator as ``box``."""
    yield from _box_fixture(server)


@pytest.fixture
def make_box(
    daytona_emulator_factory: Callable[..., EmulatorServer],
) -> Iterator[Callable[..., Box]]:
    """A sandbox on a fresh emulator with settings overrides."""
    boxes: list[Box] = []

    def make(**overrides: Any) -> Box:
        b = _new_box(daytona_emulator_factory(**{**FAST, **overrides}))
        boxes.append(b)
        return b

    yield make
    for b in boxes:
        b.c.close()


def daemon_error(resp: httpx.Response, status: int, message: str | None = None) -> dict[str, Any]:
    """Assert a daemon-shaped error and return its body."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    body = resp.json()
    assert set(body) == {"statusCode", "message", "code", "timestamp", "path", "method"}, body
    assert body["statusCode"] == status
    assert not body["path"].startswith("/api"), body
    if message is not None:
        assert body["message"] == message, body
    return dict(body)


@pytest.fixture
def err() -> Callable[..., dict[str, Any]]:
    """``err(resp, status, message=None)``: assert a daemon-shaped error, return its body."""
    return daemon_error


def wait_for(cond: Callable[[], bool], limit_s: float = 30.0) -> None:
    """Poll ``cond`` until it holds; fail after ``limit_s`` seconds."""
    deadline = time.monotonic() + limit_s
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)
