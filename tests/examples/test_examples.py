"""Every example runs against the emulator, so none of them rots."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from daytona_emulator.testing import EmulatorServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(transition_delay=0.01, build_step_delay=0.02) as server:
        yield server


def run(
    args: list[str], server: EmulatorServer | None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    if server is not None:
        env.update(DAYTONA_API_URL=server.base_url, DAYTONA_API_KEY=server.api_key)
    env["COLUMNS"] = "200"
    proc = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=EXAMPLES.parent,
    )
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_quickstart(emulator: EmulatorServer) -> None:
    out = run([str(EXAMPLES / "quickstart.py")], emulator).stdout
    assert "HELLO FROM" in out
    assert "hello.py" in out and "print('hi')" in out


def test_file_transfer_checksums_match(emulator: EmulatorServer) -> None:
    out = run([str(EXAMPLES / "file_transfer.py"), "8"], emulator).stdout
    lines = {
        line.split()[1]: line.split()[2] for line in out.splitlines() if line.startswith("sha256")
    }
    assert lines["sent"] == lines["received"]


def test_live_output_streams_lines_then_exit_code(emulator: EmulatorServer) -> None:
    out = run([str(EXAMPLES / "live_output.py")], emulator).stdout
    ticks = [line for line in out.splitlines() if "tick" in line]
    assert len(ticks) == 5 and all("(hello)" in t for t in ticks)
    # the first line arrived well before the last one: it was streamed, not buffered
    first, last = float(ticks[0].split("s")[0]), float(ticks[-1].split("s")[0])
    assert last - first >= 0.5
    assert "bye" in out
    assert out.strip().endswith("exit code: 3")


def test_git_workflow(emulator: EmulatorServer) -> None:
    out = run([str(EXAMPLES / "git_workflow.py")], emulator).stdout
    assert "('NOTES.md', 'Untracked')" in out
    assert "committed " in out
    assert "feature" in out and "add notes" in out and "first commit" in out


def test_lsp(emulator: EmulatorServer) -> None:
    out = run([str(EXAMPLES / "lsp.py")], emulator).stdout
    assert "Greeter" in out and "main" in out
    completions = next(line for line in out.splitlines() if line.startswith("completions"))
    assert "path" in completions
    workspace = next(line for line in out.splitlines() if line.startswith("workspace symbols"))
    assert "Greeter" in workspace


def test_pytest_suite_example() -> None:
    proc = run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES / "pytest_suite")], None
    )
    assert "2 passed" in proc.stdout


def test_demo_runs_and_prints_a_summary() -> None:
    proc = run([str(EXAMPLES / "run_demo.py"), "--n", "3", "--concurrency", "2"], None, timeout=180)
    assert "all 3 sandboxes succeeded" in proc.stdout
    assert "primes" in proc.stdout
    assert proc.stdout.count("step 4/4") == 3
