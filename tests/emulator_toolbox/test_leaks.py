"""Bounded memory and no orphans from ``process/execute`` (issue 10 §4): the output is capped,
process groups survive no ``kill -9`` of the emulator, a client that leaves ends its command,
and the process limit counts live processes only."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from daytona_emulator.settings import EmulatorSettings
from daytona_emulator.testing import EmulatorProcess

from .conftest import wait_for

LIMIT = EmulatorSettings.__dataclass_fields__["exec_output_limit"].default


def started_sandbox(api: httpx.Client) -> str:
    sid = str(api.post("/sandbox", json={}).json()["id"])
    wait_for(lambda: api.get(f"/sandbox/{sid}").json()["state"] == "started")
    return sid


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(data_dir=tmp_path, stop_timeout=10) as emu:
        yield emu


def test_execute_output_is_capped_with_bounded_memory(emulator: EmulatorProcess) -> None:
    proc = psutil.Process(emulator.pid)
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers, timeout=120) as api:
        sid = started_sandbox(api)
        size = 100_000_000
        cmd = f'sh -c "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c {size}"'
        base = proc.memory_info().rss
        peak = base
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, proc.memory_info().rss)
                time.sleep(0.005)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            r = api.post(f"/toolbox/{sid}/toolbox/process/execute", json={"command": cmd})
        finally:
            done.set()
            sampler.join()
    assert r.status_code == 200
    body = r.json()
    assert body["exitCode"] == 0
    result = body["result"]
    kept, _, note = result.partition("\n[daytona-emulator: output truncated: ")
    assert len(kept) == LIMIT and kept.startswith("0123456789abcdefghijklmnopqrstuvwxyz\n")
    assert note.startswith(f"{size - LIMIT} more bytes were not kept")
    growth = peak - base
    print(f"\nemulator RSS growth for {size / 1e6:.0f} MB of output: {growth / 2**20:.0f} MiB")
    assert growth < 12 * LIMIT  # unbounded, 100 MB of output cost ~1.75 GB


def test_kill_9_then_restart_kills_the_old_process_groups(tmp_path: Path) -> None:
    data = tmp_path / "data"
    emu = EmulatorProcess(data_dir=data, stop_timeout=10).start()
    leftovers: list[psutil.Process] = []
    try:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=30) as api:
            sid = started_sandbox(api)
            tb = f"/toolbox/{sid}/toolbox/process/session"
            assert api.post(tb, json={"sessionId": "s"}).status_code == 201
            r = api.post(f"{tb}/s/exec", json={"command": "sleep 600", "runAsync": True})
            assert r.status_code == 202
            emulator = psutil.Process(emu.pid)

            def sleeping() -> list[psutil.Process]:
                kids = emulator.children(recursive=True)
                return [p for p in kids if p.name() == "sleep"]

            wait_for(lambda: bool(sleeping()))
            leftovers = [p for p in emulator.children(recursive=True) if p.name() != "python"]
        groups = {os.getpgid(p.pid) for p in leftovers}
        os.kill(emu.pid, signal.SIGKILL)
        emu.stop()
        # the sandbox's namespaces die with the emulator (PR_SET_PDEATHSIG): nothing is left
        # for the next start, which would kill the recorded groups otherwise
        wait_for(lambda: all(gone(p.pid) for p in leftovers))
        with EmulatorProcess(data_dir=data, stop_timeout=10):
            wait_for(lambda: all(gone(p.pid) for p in leftovers))
        assert groups  # the session shell's group, with the sleep in it
    finally:
        for p in leftovers:
            try:
                os.killpg(os.getpgid(p.pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        emu.stop()


def test_client_disconnect_ends_the_command(make_box: Callable[..., Any]) -> None:
    box = make_box()
    url = str(box.c.base_url).rstrip("/") + "/process/execute"
    marker = "987.25"  # an argv no other process has

    def cancelled_exec(_: int) -> str:
        with httpx.Client(headers=box.server.headers, timeout=httpx.Timeout(20, read=0.5)) as c:
            try:
                r = c.post(url, json={"command": f"sleep {marker}"})
            except httpx.ReadTimeout:
                return "cancelled"
            return f"answered {r.status_code}"

    def sleepers() -> list[psutil.Process]:
        out = []
        for p in psutil.process_iter(["cmdline"]):
            if p.info["cmdline"] == ["sleep", marker] and not gone(p.pid):
                out.append(p)
        return out

    outcomes: list[str] = []
    with ThreadPoolExecutor(10) as pool:
        for _batch in range(7):  # 70 execs, more than the 64 processes a sandbox may run
            outcomes += pool.map(cancelled_exec, range(10))
    assert outcomes == ["cancelled"] * 70
    wait_for(lambda: not sleepers())  # each command ended with its client
    r = box.c.post("/process/execute", json={"command": "echo still-here"})
    assert r.status_code == 200 and r.json()["result"] == "still-here\n"


def test_session_output_is_capped_too(make_box: Callable[..., Any]) -> None:
    box = make_box(exec_output_limit=1000)
    c = box.c
    assert c.post("/process/session", json={"sessionId": "s"}).status_code == 201
    r = c.post("/process/session/s/exec", json={"command": "head -c 5000 /dev/zero | tr '\\0' a"})
    body = r.json()
    assert body["exitCode"] == 0
    assert body["output"] == "a" * 1000 + (
        "\n[daytona-emulator: output truncated: 4000 more bytes were not kept "
        "(exec_output_limit is 1000 bytes)]\n"
    )
    # the log itself stays whole
    logs = c.get(f"/process/session/s/command/{body['cmdId']}/logs")
    assert logs.status_code == 200 and logs.text == "a" * 5000
    r = c.post("/process/execute", json={"command": "head -c 1500 /dev/zero"})
    assert r.json()["result"].startswith(
        "\x00" * 1000 + "\n[daytona-emulator: output truncated: 500"
    )
