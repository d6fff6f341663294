"""``python -m daytona_emulator``: ready line, requests, clean SIGTERM/SIGINT shutdown."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

READY = re.compile(r"^daytona-emulator listening on (http://127\.0\.0\.1:(\d+)/api)\n$")


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daytona_emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--api-key",
            "cli-key",
            "--transition-delay",
            "0.01",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = READY.match(line)
    assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, match.group(1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_ready_line_and_clean_shutdown(sig: signal.Signals) -> None:
    proc, base = start()
    try:
        resp = httpx.post(f"{base}/sandbox", json={}, headers={"Authorization": "Bearer cli-key"})
        assert resp.status_code == 200 and resp.json()["state"] == "started"
        ps = psutil.Process(proc.pid)
        data_dirs = [f.path for f in ps.open_files() if "state.sqlite3" in f.path]
        children = ps.children(recursive=True)
    finally:
        proc.send_signal(sig)
        rc = proc.wait(timeout=15)
    assert rc == 0
    assert proc.stdout is not None and proc.stdout.read() == ""  # exactly one line
    for child in children:
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    for path in data_dirs:  # the temporary data dir is gone
        assert not Path(path).parent.exists()


def test_cli_data_dir_faults_env_and_quota(tmp_path: Path) -> None:
    proc, base = start(
        "--data-dir",
        str(tmp_path),
        "--quota",
        "totalCpuQuota=1",
        env={"DAYTONA_EMULATOR_FAULTS": "rate_limit=1.0,retry_after=3,paths=/volumes"},
    )
    try:
        headers = {"Authorization": "Bearer cli-key"}
        resp = httpx.get(f"{base}/volumes", headers=headers)
        assert resp.status_code == 429 and resp.headers["retry-after"] == "3"
        httpx.post(f"{base}/sandbox", json={}, headers=headers)
        resp = httpx.post(f"{base}/sandbox", json={}, headers=headers)
        assert (
            resp.status_code == 403 and resp.json()["message"] == "Total CPU quota exceeded (2 > 1)"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    assert (tmp_path / "state.sqlite3").exists()


def test_cli_rejects_bad_fault_spec() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "daytona_emulator", "--port", "0", "--api-key", "k"],
        env={**os.environ, "DAYTONA_EMULATOR_FAULTS": "nonsense=1"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "bad fault setting" in proc.stderr
