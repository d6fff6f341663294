"""``python -m daytona_emulator``: ready line, requests, clean SIGTERM/SIGINT shutdown, and an
error that says what was wrong for each bad input."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest
from daytona_emulator.__main__ import build_parser
from daytona_emulator.control.orgs import DEFAULT_QUOTA
from daytona_emulator.settings import QUOTA_NAMES

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


def run_with_faults_env(spec: str) -> subprocess.CompletedProcess[str]:
    """The CLI started with ``DAYTONA_EMULATOR_FAULTS=spec`` (a bad spec: it exits at once)."""
    return subprocess.run(
        [sys.executable, "-m", "daytona_emulator", "--port", "0", "--api-key", "k"],
        env={**os.environ, "DAYTONA_EMULATOR_FAULTS": spec},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_cli_rejects_bad_fault_spec() -> None:
    proc = run_with_faults_env("nonsense=1")
    assert proc.returncode == 2 and "bad fault setting" in proc.stderr


# --- errors a user meets: each says what was wrong, in one line ---

BLOCK_UVICORN = "import sys; sys.modules['uvicorn'] = None; "  # as if the extra were missing


def cli_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_info:  # the parser main() uses; nothing is served
        build_parser().parse_args(["--api-key", "k", *argv])
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "flag", "shown"),
    [
        (["--quota", "totalCpuQuota=abc"], "--quota", "'abc'"),
        (["--quota", "totalCpuQuota"], "--quota", "'totalCpuQuota'"),
        (["--quota", "totalCpuQuota=-1"], "--quota", "'-1'"),
        (["--fault-rate-limit", "abc"], "--fault-rate-limit", "'abc'"),
        (["--fault-rate-limit", "1.5"], "--fault-rate-limit", "'1.5'"),
        (["--fault-latency", "nan"], "--fault-latency", "'nan'"),
        (["--fault-seed", "x"], "--fault-seed", "'x'"),
        (["--transition-delay", "soon"], "--transition-delay", "'soon'"),
        (["--max-processes-total", "0"], "--max-processes-total", "'0'"),
        (["--port", "70000"], "--port", "'70000'"),
    ],
)
def test_a_bad_flag_value_names_the_flag_and_the_value(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str, shown: str
) -> None:
    line = cli_error(capsys, *argv)
    assert line.startswith(f"daytona-emulator: error: argument {flag}: ")
    assert shown in line


def test_an_unknown_quota_is_refused_with_the_valid_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = cli_error(capsys, "--quota", "totalCpu=100")
    assert "unknown quota 'totalCpu'" in line
    assert all(name in line for name in QUOTA_NAMES)


def test_the_quota_names_are_the_organizations_quotas() -> None:
    assert set(QUOTA_NAMES) == set(DEFAULT_QUOTA)


def test_every_quota_name_is_accepted_and_applied() -> None:
    values = {name: 0 if name == "totalCpuQuota" else 100 + i for i, name in enumerate(QUOTA_NAMES)}
    args = [a for name, value in values.items() for a in ("--quota", f"{name}={value}")]
    proc, base = start(*args)
    try:
        headers = {"Authorization": "Bearer cli-key"}
        resp = httpx.post(f"{base}/sandbox", json={}, headers=headers)
        assert resp.status_code == 403, resp.text
        assert resp.json()["message"] == "Total CPU quota exceeded (1 > 0)"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def test_a_bad_fault_value_in_the_environment_names_the_setting() -> None:
    proc = run_with_faults_env("latency=abc")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "daytona-emulator: bad fault setting 'latency=abc': "
        "expected a number of seconds >= 0, got 'abc'"
    )


def test_every_flag_has_help_text() -> None:
    parser = build_parser()
    missing = [a.option_strings for a in parser._actions if not a.help]
    assert missing == []


def test_help_names_the_mint_jwt_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    assert "mint-jwt" in out and "daytona-emulator mint-jwt --help" in out


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "daytona_emulator", "--api-key", "k", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"daytona-emulator: cannot listen on 127.0.0.1:{port}: ")
    assert "--port 0" in proc.stderr


def test_without_the_emulator_extra_the_command_says_what_to_install() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCK_UVICORN + "from daytona_emulator.__main__ import main; sys.exit(main())",
            "--api-key",
            "k",
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "missing: uvicorn" in proc.stderr
    assert "pip install 'daytona-async[emulator]'" in proc.stderr


def test_without_the_emulator_extra_emulator_server_says_so_and_leaks_nothing(
    tmp_path: Path,
) -> None:
    code = BLOCK_UVICORN + (
        "from daytona_emulator.testing import EmulatorServer\n"
        "try:\n"
        "    EmulatorServer()\n"
        "except ModuleNotFoundError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("EmulatorExtraMissing ")
    assert "pip install 'daytona-async[emulator]'" in proc.stdout
    assert list(tmp_path.iterdir()) == []  # no temporary data dir left behind
