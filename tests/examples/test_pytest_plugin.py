"""The pytest plugin comes with the package: a user's suite gets ``daytona_emulator`` without a
conftest, and an old-style ``pytest_plugins`` line does not register it a second time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TEST_FILE = """
import pytest
from daytona_async import AsyncDaytona


@pytest.mark.anyio
async def test_uses_the_fixture(daytona_emulator):
    async with AsyncDaytona(
        api_key=daytona_emulator.api_key, api_url=daytona_emulator.base_url
    ) as daytona:
        async with daytona.sandbox() as sb:
            assert (await sb.process.exec("echo hi")).output.strip() == "hi"
"""


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )


def test_the_fixtures_come_with_the_installed_package(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(TEST_FILE)
    proc = run_pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "error" not in proc.stdout


def test_an_explicit_pytest_plugins_line_is_harmless(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["daytona_emulator.pytest_plugin"]\n')
    (tmp_path / "test_user.py").write_text(TEST_FILE)
    proc = run_pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "error" not in proc.stdout


def test_it_is_registered_once_and_can_be_turned_off(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(TEST_FILE)
    proc = run_pytest(tmp_path, "--trace-config", "--co")
    registered = [
        line for line in proc.stdout.splitlines() if "daytona_emulator/pytest_plugin.py" in line
    ]
    assert len(registered) == 1, proc.stdout
    off = run_pytest(tmp_path, "-p", "no:daytona_emulator.pytest_plugin")
    assert "fixture 'daytona_emulator' not found" in off.stdout
