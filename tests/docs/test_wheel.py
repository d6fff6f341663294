"""The wheel, installed in a fresh virtual environment outside the repository, runs the
quickstart and every example with exactly the extras the docs name for them:

- ``daytona-async[emulator]``: the README quickstart against the ``daytona-emulator`` command;
  ``examples/orchestrate.py`` says it needs the ``examples`` extra (no traceback);
- ``+ [examples]``: every example but ``image_build.py``, and ``pytest_suite/`` (with pytest,
  which is the user's own);
- ``+ [image]``: ``examples/image_build.py``.

The wheel also carries LICENSE and a ``py.typed`` in each of its three packages. Slow (builds a
wheel and installs about 60 packages): ``pytest -m slow tests/docs/test_wheel.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .blocks import blocks

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@contextmanager
def emulator(venv: Path, cwd: Path) -> Iterator[tuple[str, str]]:
    key = "wheel-check-key"
    proc = subprocess.Popen(
        [venv / "bin" / "daytona-emulator", "--port", "0", "--api-key", key,
         "--quota", "totalCpuQuota=400", "--quota", "totalMemoryQuota=800",
         "--quota", "totalDiskQuota=4000"],
        cwd=cwd, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("daytona-emulator listening on "), line
        yield line.split()[-1], key
    finally:
        proc.terminate()
        proc.wait(30)


def test_the_wheel_in_a_fresh_venv_runs_the_quickstart_and_the_examples(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, ROOT, cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("daytona_async-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for package in ("daytona_async", "daytona_api", "daytona_emulator"):
        assert f"{package}/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names[-10:]

    work = tmp_path / "user"  # outside the repository: nothing imports from the checkout
    work.mkdir()
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv, cwd=work).returncode == 0
    py = venv / "bin" / "python"

    def install(extras: str) -> None:
        proc = run(
            py,
            "-m",
            "pip",
            "install",
            "--quiet",
            f"daytona-async[{extras}] @ {wheel.as_uri()}",
            cwd=work,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]  # fmt: skip

    install("emulator")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAYTONA_", "PYTHON"))}
    quickstart = next(b for b in blocks(ROOT / "README.md") if "async def main" in b.code)
    (work / "quickstart.py").write_text(quickstart.code)
    shutil.copytree(ROOT / "examples", work / "examples")
    with emulator(venv, work) as (url, key):
        env |= {"DAYTONA_API_URL": url, "DAYTONA_API_KEY": key, "COLUMNS": "200"}
        proc = run(py, "quickstart.py", cwd=work, env=env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "exit 0" in proc.stdout
        proc = run(py, "examples/orchestrate.py", "--n", "2", cwd=work, env=env)
        assert proc.returncode != 0 and "daytona-async[examples]" in proc.stderr
        assert "Traceback" not in proc.stderr

    install("examples")
    with emulator(venv, work) as (url, key):
        env |= {"DAYTONA_API_URL": url, "DAYTONA_API_KEY": key}
        for example in ("quickstart.py", "live_output.py", "git_workflow.py", "lsp.py"):
            proc = run(py, f"examples/{example}", cwd=work, env=env)
            assert proc.returncode == 0, f"{example}\n{proc.stderr[-3000:]}"
        proc = run(py, "examples/file_transfer.py", "4", cwd=work, env=env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        proc = run(py, "examples/orchestrate.py", "--n", "4", cwd=work, env=env)
        assert proc.returncode == 0 and "all 4 sandboxes succeeded" in proc.stdout, proc.stderr

    assert run(py, "-m", "pip", "install", "--quiet", "pytest", cwd=work).returncode == 0
    proc = run(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "examples/pytest_suite", cwd=work, env=env)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]

    install("image")
    with emulator(venv, work) as (url, key):
        env |= {"DAYTONA_API_URL": url, "DAYTONA_API_KEY": key}
        proc = run(py, "examples/image_build.py", cwd=work, env=env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "in the sandbox: GREETING" in proc.stdout
