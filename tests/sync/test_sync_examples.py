"""The sync examples run against the emulator (as tests/examples/test_examples.py runs the
async ones), so none of them rots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from daytona_emulator.testing import EmulatorServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(args: list[str], server: EmulatorServer) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    env.update(DAYTONA_API_URL=server.base_url, DAYTONA_API_KEY=server.api_key)
    proc = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=EXAMPLES.parent,
    )
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _sandboxes(server: EmulatorServer) -> list[str]:
    import httpx

    resp = httpx.get(f"{server.base_url}/sandbox", headers=server.headers)
    return [s["id"] for s in resp.json() if s["state"] not in ("destroying", "destroyed")]


def test_sync_quickstart(emulator: EmulatorServer) -> None:
    before = _sandboxes(emulator)
    out = run([str(EXAMPLES / "sync_quickstart.py")], emulator)
    assert "HELLO FROM" in out
    assert "hello.py" in out and "print('hi')" in out
    assert [line for line in out.splitlines() if line.startswith("live:")] == [
        "live: tick 1",
        "live: tick 2",
        "live: tick 3",
    ]
    assert "exit code: 0" in out and "snapshots:" in out
    assert _sandboxes(emulator) == before  # its sandbox was deleted


def test_sync_threads(emulator: EmulatorServer) -> None:
    out = run([str(EXAMPLES / "sync_threads.py"), "16"], emulator)
    assert "32 jobs on 16 threads; first: 'job 0'" in out
    assert "gather: ['job 0', 'job 1', 'job 2', 'job 3']" in out
