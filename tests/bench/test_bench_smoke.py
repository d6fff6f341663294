"""Smoke test of the benchmark harness (bench/run.py): a tiny run against the canned server.

No .bench-venv and no official SDK needed (``--no-official --no-setup``); no emulator either.
It checks that the servers and workers start, that every benchmark produces a row, and that
the markdown table is written. Runs in well under 20 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "bench" / "run.py"


def test_quick_run_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "latest.md"
    argv = [
        sys.executable, str(RUN), "--quick", "--no-official", "--no-setup",
        "--servers", "canned", "--only", "imports,parse,get,logs,transfer,execs",
        "--clients", "daytona_async,httpx", "--import-repeats", "1",
        "--get-n", "50", "--get-n-seq", "10", "--parse-loops", "5",
        "--log-mib", "2", "--transfer-mib", "4", "--exec-n", "20", "--timeout", "30",
        "--out", str(out),
    ]  # fmt: skip
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    md = out.read_text()
    assert "### Targets (issues 7 and 14)" in md
    for section in (
        "Cold import",
        "Typed GET",
        "Parsing a list",
        "Log streaming",
        "File transfer",
        "Concurrent execs",
    ):
        assert section in md, section
    res = json.loads(out.with_suffix(".json").read_text())
    floor = [g for g in res["get"] if g["client"] == "httpx"]
    assert floor and all(g["runs"] == 1 and g["errors"] == 0 for g in floor), floor
    logs = [g for g in res["logs"] if g["client"] == "httpx"]
    assert logs and logs[0]["bytes"] == 2 << 20, logs
    assert res["imports"]["httpx"]["import_s"] > 0


def test_canned_server_framing() -> None:
    """The follow stream is valid chunked HTTP with the real service's 1024-byte framing."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "canned_server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[-1]
        headers = {"Authorization": "Bearer k"}
        with httpx.Client(base_url=url, headers=headers) as c:
            n = 5000
            logs = f"/toolbox/x/toolbox/process/session/s/command/cmd-{n}/logs"
            with c.stream("GET", logs, params={"follow": "true"}) as resp:
                chunks = list(resp.iter_raw())
            body = b"".join(chunks)
            assert len(body) == 5 * 1024 and body.rstrip(b"\x00") == body[:n]
            assert c.get(logs).content == body[:n]
            assert len(c.get("/sandbox").json()) == 100
            assert c.get("/sandbox/abc").json()["state"] == "started"
            up = c.post("/toolbox/x/toolbox/files/upload", files={"file": ("f", b"x" * 100_000)})
            assert up.status_code == 200
            dl = c.get("/toolbox/x/toolbox/files/download", params={"path": "/f-123456"})
            assert len(dl.content) == 123456
            assert httpx.get(url + "/sandbox/abc").status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
