"""Ctrl-C during the demo: every sandbox the run created is deleted, one line, exit 130.

The demo runs in its own process group and gets SIGINT as a terminal's Ctrl-C sends it (to the
whole group). The emulator adds latency to every request, so that cleanup takes real time.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from daytona_emulator.testing import EmulatorProcess

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LATENCY = "0.2"


def demo_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    return {**env, "COLUMNS": "200", **extra}


def start_demo(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(EXAMPLES / "run_demo.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        process_group=0,  # like a shell's job: Ctrl-C goes to every process in it
    )


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def slow_emulator() -> Iterator[EmulatorProcess]:
    quotas = ("totalCpuQuota=1000", "totalMemoryQuota=1000", "totalDiskQuota=10000")
    args = [a for q in quotas for a in ("--quota", q)]
    with EmulatorProcess(*args, "--fault-latency", LATENCY) as emu:
        yield emu


def sandboxes(emu: EmulatorProcess) -> list[dict[str, object]]:
    resp = httpx.get(
        f"{emu.base_url}/sandbox",
        headers={"Authorization": f"Bearer {emu.api_key}"},
        timeout=30,
    )
    resp.raise_for_status()
    return [sb for sb in resp.json() if sb["state"] not in ("destroyed", "destroying")]


def test_ctrl_c_deletes_every_sandbox_of_the_run(slow_emulator: EmulatorProcess) -> None:
    env = demo_env(DAYTONA_API_URL=slow_emulator.base_url, DAYTONA_API_KEY=slow_emulator.api_key)
    demo = start_demo(env, "--n", "30", "--concurrency", "30")
    try:
        wait_until(lambda: len(sandboxes(slow_emulator)) >= 5, "sandboxes to exist")
        os.killpg(demo.pid, signal.SIGINT)
        stdout, stderr = demo.communicate(timeout=120)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    print(stdout[-2000:], stderr, sep="\n--- stderr ---\n")
    assert demo.returncode == 130
    assert "Traceback" not in stderr
    summary = [line for line in stderr.splitlines() if line.startswith("interrupted")]
    assert len(summary) == 1 and summary[0].startswith("interrupted: deleted ")
    assert int(summary[0].split()[2]) >= 5
    assert "could not delete" not in stderr
    assert sandboxes(slow_emulator) == []


def test_ctrl_c_stops_the_demos_emulator_only_after_the_cleanup() -> None:
    # the demo's own emulator gets the latency through the environment it inherits
    env = demo_env(DAYTONA_EMULATOR_FAULTS=f"latency={LATENCY}")
    demo = start_demo(env, "--n", "30", "--concurrency", "30")
    lines: queue.Queue[str] = queue.Queue()
    stdout, stderr_pipe = demo.stdout, demo.stderr
    assert stdout is not None and stderr_pipe is not None

    def read_lines() -> None:
        for line in stdout:
            lines.put(line)

    reader = threading.Thread(target=read_lines, daemon=True)
    reader.start()

    def wait_for_line(text: str) -> None:
        deadline = time.monotonic() + 60
        while text not in lines.get(timeout=max(0.01, deadline - time.monotonic())):
            pass

    try:
        wait_for_line("started a local emulator")
        emulators = [
            child
            for child in psutil.Process(demo.pid).children()
            if "daytona_emulator" in child.cmdline()
        ]
        assert len(emulators) == 1
        wait_for_line("worker")  # a sandbox's first output line: sandboxes exist and run
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=120)
        stderr = stderr_pipe.read()
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    reader.join(10)
    print(stderr)
    assert demo.returncode == 130
    assert "Traceback" not in stderr
    # the SDK logs this when the emulator went away in the middle of the cleanup
    assert "could not delete" not in stderr
    assert any(line.startswith("interrupted: deleted ") for line in stderr.splitlines())
    assert not emulators[0].is_running() or emulators[0].status() == psutil.STATUS_ZOMBIE


def test_ctrl_c_while_the_orchestrator_is_still_loading_exits_quietly() -> None:
    """SIGINT as soon as the process exists (its libraries still importing, no sandbox yet):
    exit 130, no traceback. The URL is unreachable: nothing may be created anyway."""
    env = demo_env(DAYTONA_API_KEY="k", DAYTONA_API_URL="http://127.0.0.1:9/api")
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "orchestrate.py"), "--n", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    # wait until the script's imports are under way (json's C module is mapped: the script
    # imports json before anyio, rich and the SDK), then interrupt them
    maps = Path(f"/proc/{proc.pid}/maps")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if "/_json." in maps.read_text():
            break
        time.sleep(0.0005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
