"""Resource bounds: stopping a sandbox kills what it started, destroying it removes its root,
shutting the emulator down leaves no process behind."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import psutil
import pytest
from daytona_emulator.testing import EmulatorServer

FAST = {"transition_delay": 0.01}


# ids of the sandboxes these tests made: an isolated sandbox process has its own root (its cwd
# and HOME are /home/daytona), it is known by the DAYTONA_SANDBOX_ID of its environment
_IDS: set[str] = set()


def _new_sandbox(api: httpx.Client) -> str:
    sid = str(api.post("/sandbox", json={}).json()["id"])
    _IDS.add(sid)
    return sid


def _procs_under(folder: Path) -> list[psutil.Process]:
    """Live processes whose cwd or HOME lies under ``folder``, or that belong to a sandbox
    made here."""
    found = []
    prefix = str(folder.resolve())
    for p in psutil.process_iter(["cwd", "status"]):
        try:
            if p.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            cwd = p.info["cwd"] or ""
            env = p.environ()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        home = env.get("HOME", "")
        if cwd.startswith(prefix) or home.startswith(prefix):
            found.append(p)
        elif env.get("DAYTONA_SANDBOX_ID") in _IDS:
            found.append(p)
    return found


def _wait_state(api: httpx.Client, sid: str, state: str) -> None:
    deadline = time.monotonic() + 10
    while api.get(f"/sandbox/{sid}").json()["state"] != state:
        assert time.monotonic() < deadline
        time.sleep(0.02)


def _start_everything(tb: httpx.Client) -> None:
    assert tb.post("/process/session", json={"sessionId": "s"}).status_code == 201
    r = tb.post(
        "/process/session/s/exec", json={"command": "sleep 300 & sleep 300", "runAsync": True}
    )
    assert r.status_code == 202
    assert (
        tb.post(
            "/lsp/start", json={"languageId": "python", "pathToProject": "/home/daytona"}
        ).status_code
        == 200
    )


@pytest.mark.skipif(not hasattr(psutil.Process, "environ"), reason="needs psutil environ")
def test_stop_destroy_and_shutdown(tmp_path: Path) -> None:
    data = tmp_path / "emu"
    srv = EmulatorServer(data_dir=data, **FAST).start()
    try:
        api = httpx.Client(base_url=srv.base_url, headers=srv.headers, timeout=30)
        sid = _new_sandbox(api)
        tb = httpx.Client(
            base_url=f"{srv.base_url}/toolbox/{sid}/toolbox", headers=srv.headers, timeout=30
        )
        root = srv.settings.sandboxes_dir / sid / "root"
        assert (root / "home/daytona").is_dir()
        tb.post("/files/upload", params={"path": "keep.txt"}, files={"file": ("k", b"kept")})
        _start_everything(tb)
        assert len(_procs_under(data)) >= 3  # shell, 2 sleeps, pylsp

        api.post(f"/sandbox/{sid}/stop")
        _wait_state(api, sid, "stopped")
        assert _procs_under(data) == []
        assert (root / "home/daytona/keep.txt").read_bytes() == b"kept"  # files remain

        api.post(f"/sandbox/{sid}/start")
        _wait_state(api, sid, "started")
        assert tb.get("/process/session").json() == []  # sessions did not survive the stop
        _start_everything(tb)
        api.delete(f"/sandbox/{sid}")
        _wait_state(api, sid, "destroyed")
        assert _procs_under(data) == []
        assert not (srv.settings.sandboxes_dir / sid).exists()

        # shutdown with live processes in several sandboxes
        for _ in range(3):
            other = _new_sandbox(api)
            c = httpx.Client(
                base_url=f"{srv.base_url}/toolbox/{other}/toolbox", headers=srv.headers, timeout=30
            )
            _start_everything(c)
            c.close()
        assert len(_procs_under(data)) >= 9
        api.close()
        tb.close()
    finally:
        srv.stop()
    assert _procs_under(data) == []


def test_runtime_direct(tmp_path: Path) -> None:
    """The contract the control plane relies on, without HTTP: idempotent hooks and close."""
    import asyncio

    asyncio.run(_runtime_direct(tmp_path))


async def _runtime_direct(tmp_path: Path) -> None:
    from daytona_emulator.settings import EmulatorSettings
    from daytona_emulator.toolbox import ToolboxRuntime

    rt = ToolboxRuntime(EmulatorSettings(api_key="k", data_dir=tmp_path))
    await rt.start()
    await rt.sandbox_created("sb1")
    await rt.sandbox_created("sb1")
    root = tmp_path / "sandboxes/sb1/root"
    assert (root / "home/daytona").is_dir()
    await rt.sandbox_stopped("sb1")
    await rt.sandbox_stopped("unknown")
    assert root.is_dir()
    await rt.sandbox_destroyed("sb1")
    assert not (tmp_path / "sandboxes/sb1").exists()
    await rt.aclose()
    await rt.aclose()
    assert rt.routes()
