"""``daytona-emulator mint-jwt --sub alice``, as the README writes it, signs with the secret of
the emulator running for this user (no --jwt-secret needed); --data-dir picks one of several."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from daytona_emulator.testing import EmulatorProcess


@pytest.fixture
def runtime_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "run"
    monkeypatch.setenv("DAYTONA_EMULATOR_RUNTIME_DIR", str(folder))
    monkeypatch.delenv("DAYTONA_EMULATOR_JWT_SECRET", raising=False)
    return folder


def mint(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DAYTONA_EMULATOR_JWT_SECRET"}
    return subprocess.run(
        [sys.executable, "-m", "daytona_emulator", "mint-jwt", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def organizations(emu: EmulatorProcess, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{emu.base_url}/organizations", headers=headers).status_code


def test_the_documented_command_works_against_the_running_emulator(runtime_dir: Path) -> None:
    with EmulatorProcess() as emu:
        minted = mint("--sub", "alice")
        assert minted.returncode == 0, minted.stderr
        assert organizations(emu, minted.stdout.strip()) == 200
        (entry,) = runtime_dir.glob("*.json")
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600  # the secret is this user's only
        assert json.loads(entry.read_text())["pid"] == emu.pid
    assert list(runtime_dir.glob("*.json")) == []  # removed when the emulator stops
    gone = mint("--sub", "alice")
    assert gone.returncode == 2 and "no running emulator" in gone.stderr


def test_several_running_emulators_are_told_apart_by_data_dir(
    runtime_dir: Path, tmp_path: Path
) -> None:
    with (
        EmulatorProcess(data_dir=tmp_path / "a") as first,
        EmulatorProcess(data_dir=tmp_path / "b") as second,
    ):
        both = mint("--sub", "alice")
        assert both.returncode == 2 and "--data-dir" in both.stderr
        token = mint("--sub", "alice", "--data-dir", str(tmp_path / "b")).stdout.strip()
        assert organizations(second, token) == 200
        assert organizations(first, token) == 401  # signed with the other one's secret


def test_a_file_left_by_a_killed_emulator_is_ignored_and_removed(runtime_dir: Path) -> None:
    runtime_dir.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    stale = runtime_dir / f"{dead.stdout.strip()}.json"
    stale.write_text(json.dumps({"pid": int(dead.stdout), "data_dir": "/x", "jwt_secret": "s"}))
    result = mint("--sub", "alice")
    assert result.returncode == 2 and "no running emulator" in result.stderr
    assert not stale.exists()
