"""Fixtures of the isolation tests: an emulator over loopback HTTP and a sandbox on it, seen
through its toolbox (``Sandbox.exec``, ``Sandbox.upload``, ...), plus helpers that find a
sandbox's processes on the host by a unique argument."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import pytest
from daytona_emulator.isolation import probe
from daytona_emulator.testing import FAST_CLOCK, EmulatorServer

ISOLATION = probe()
needs_isolation = pytest.mark.skipif(
    not ISOLATION.available, reason=f"no isolation on this machine: {ISOLATION.reason}"
)


@dataclass
class Sandbox:
    """A started sandbox: ``tb`` talks to its toolbox, ``api`` to the control plane."""

    api: httpx.Client
    tb: httpx.Client
    id: str
    root: Path  # its root on the host

    def exec(self, command: str, **body: Any) -> tuple[int, str]:
        """``process/execute``: (exit code, output); asserts the request succeeded."""
        r = self.tb.post("/process/execute", json={"command": command, **body})
        assert r.status_code == 200, r.text
        data = r.json()
        return int(data["exitCode"]), str(data["result"])

    def sh(self, script: str) -> tuple[int, str]:
        """``script`` run by ``sh -c`` (execute has no shell of its own)."""
        return self.exec(f"sh -c '{script}'")

    def upload(self, path: str, data: bytes) -> httpx.Response:
        return self.tb.post("/files/upload", params={"path": path}, files={"file": ("f", data)})

    def download(self, path: str) -> httpx.Response:
        return self.tb.get("/files/download", params={"path": path})


def new_sandbox(
    server: EmulatorServer, headers: dict[str, str] | None = None, **body: Any
) -> Sandbox:
    hdrs = headers or server.headers
    api = httpx.Client(base_url=server.base_url, headers=hdrs, timeout=60)
    r = api.post("/sandbox", json=body)
    assert r.status_code == 200, r.text
    sid = r.json()["id"]
    # a sandbox built from an image answers before it is started
    assert wait_for(lambda: api.get(f"/sandbox/{sid}").json()["state"] == "started"), r.text
    tb = httpx.Client(base_url=f"{server.base_url}/toolbox/{sid}/toolbox", headers=hdrs, timeout=60)
    return Sandbox(api, tb, sid, server.settings.sandboxes_dir / sid / "root")


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(**FAST_CLOCK) as srv:
        yield srv


@pytest.fixture
def make_sandbox(server: EmulatorServer) -> Iterator[Callable[..., Sandbox]]:
    made: list[Sandbox] = []

    def make(**body: Any) -> Sandbox:
        sb = new_sandbox(server, **body)
        made.append(sb)
        return sb

    yield make
    for sb in made:
        sb.api.close()
        sb.tb.close()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox()


def marker() -> str:
    """An argument of ``sleep`` no other process has (a duration of about 600 s)."""
    return f"600.{secrets.randbelow(10**9):09d}"


def find(marker_arg: str) -> list[int]:
    """Host pids of live ``sleep <marker>`` processes."""
    out = []
    for p in psutil.process_iter(["cmdline", "status"]):
        if p.info["cmdline"] == ["sleep", marker_arg] and p.info["status"] != psutil.STATUS_ZOMBIE:
            out.append(int(p.pid))
    return out


def wait_for(cond: Callable[[], bool], limit: float = 20.0) -> bool:
    """Poll ``cond`` until true or ``limit`` seconds pass (a bound on a hang, not a timing)."""
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def gone(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


# the five ways a command leaves its sandbox's process group (and its HOME) behind
DAEMON_VARIANTS: dict[str, str] = {
    "nohup": "nohup sleep {m} >/dev/null 2>&1 &",
    "setsid": "setsid sleep {m} >/dev/null 2>&1 &",
    "setsid_home_changed": "HOME=/elsewhere setsid sleep {m} >/dev/null 2>&1 &",
    "setsid_home_unset": "env -u HOME setsid sleep {m} >/dev/null 2>&1 &",
    "double_fork_env_cleared": '(env -i setsid sh -c "exec sleep {m}" >/dev/null 2>&1 &) &',
}


def start_daemons(sb: Sandbox) -> list[int]:
    """Start every daemon variant in ``sb``; their host pids (each found before returning)."""
    pids: list[int] = []
    for variant in DAEMON_VARIANTS.values():
        m = marker()
        code, out = sb.sh(variant.format(m=m))
        assert code == 0, out
        assert wait_for(lambda m=m: bool(find(m))), f"not started: {variant}"
        pids += find(m)
    assert len(pids) == len(DAEMON_VARIANTS)
    return pids
