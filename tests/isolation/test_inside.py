"""The sandbox as seen from inside: one filesystem (the file API's), one process tree, nothing
of the host (issue 24). Each test talks to a real emulator over loopback HTTP."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from daytona_emulator.isolation import DiskImages
from daytona_emulator.testing import FAST_CLOCK, EmulatorProcess, EmulatorServer

from .conftest import (
    Sandbox,
    find,
    gone,
    marker,
    needs_isolation,
    new_sandbox,
    start_daemons,
    wait_for,
)

pytestmark = needs_isolation


def test_home_and_working_directory_are_the_services(sandbox: Sandbox) -> None:
    assert sandbox.sh('echo "$HOME"; pwd') == (0, "/home/daytona\n/home/daytona\n")
    assert sandbox.exec("pwd", cwd="/tmp") == (0, "/tmp\n")
    tb = sandbox.tb
    assert tb.post("/process/session", json={"sessionId": "s"}).status_code == 201
    r = tb.post("/process/session/s/exec", json={"command": 'echo "$HOME"; cd; pwd'})
    assert r.json()["output"] == "/home/daytona\n/home/daytona\n"


def test_file_api_and_commands_see_the_same_paths(sandbox: Sandbox) -> None:
    assert sandbox.upload("/home/daytona/up.txt", b"uploaded").status_code == 200
    assert sandbox.exec("cat /home/daytona/up.txt") == (0, "uploaded")
    # relative paths: against /home/daytona in both
    assert sandbox.upload("rel.txt", b"relative").status_code == 200
    assert sandbox.exec("cat rel.txt") == (0, "relative")
    assert sandbox.sh("echo written > made.txt")[0] == 0
    assert sandbox.download("/home/daytona/made.txt").content == b"written\n"
    assert sandbox.download("made.txt").content == b"written\n"


def test_an_absolute_path_is_the_sandboxs_not_the_hosts(sandbox: Sandbox) -> None:
    top = f"/app-{secrets.token_hex(4)}"
    assert sandbox.sh(f"mkdir -p {top} && echo built > {top}/x.txt") == (0, "")
    assert not os.path.exists(top)  # nothing on the host
    assert sandbox.download(f"{top}/x.txt").content == b"built\n"  # the file API sees it


def test_tmp_is_per_sandbox(make_sandbox: Callable[..., Sandbox]) -> None:
    a, b = make_sandbox(), make_sandbox()
    name = f"/tmp/iso-{secrets.token_hex(4)}"
    assert a.sh(f"echo mine > {name}") == (0, "")
    assert a.exec(f"cat {name}") == (0, "mine\n")
    assert b.exec(f"cat {name}")[0] != 0  # the other sandbox's /tmp
    assert not os.path.exists(name)  # the host's /tmp
    assert a.download(name).content == b"mine\n"


def test_host_files_are_out_of_reach(sandbox: Sandbox, tmp_path: Path) -> None:
    canaries = [tmp_path / "canary.txt", Path(f"/tmp/iso-canary-{secrets.token_hex(4)}")]
    try:
        for canary in canaries:
            canary.write_text("host secret")
            code, out = sandbox.exec(f"cat {canary}")
            assert code != 0 and "host secret" not in out
        # the emulator's data dir, the host's home, the project are not there
        data_dir = sandbox.root.parent.parent.parent
        for path in (str(data_dir), "/root", "/work", str(Path(__file__).parent)):
            code, out = sandbox.exec(f"ls {path}")
            assert code != 0 or out == "", (path, out)
    finally:
        canaries[1].unlink(missing_ok=True)


def test_ps_shows_only_the_sandboxs_processes(make_sandbox: Callable[..., Sandbox]) -> None:
    a, b = make_sandbox(), make_sandbox()
    mine, theirs = marker(), marker()
    assert a.sh(f"sleep {mine} >/dev/null 2>&1 &")[0] == 0
    assert b.sh(f"sleep {theirs} >/dev/null 2>&1 &")[0] == 0
    assert wait_for(lambda: bool(find(mine)) and bool(find(theirs)))
    code, out = a.exec("ps -eo args")
    assert code == 0
    assert f"sleep {mine}" in out
    assert f"sleep {theirs}" not in out
    assert "pytest" not in out and sys.executable not in out
    code, out = a.sh("ls /proc | grep -c '^[0-9]'")
    assert code == 0 and int(out) < 10  # bwrap's init, the holder, sh, ls...: not the host's
    assert a.exec(f"cat /proc/{os.getpid()}/cmdline")[0] != 0 or os.getpid() < 10


def test_nul_in_a_command_is_refused(sandbox: Sandbox) -> None:
    r = sandbox.tb.post("/process/execute", json={"command": "echo a\x00b"})
    assert r.status_code == 400
    assert "NUL" in r.json()["message"]


@pytest.mark.skipif(
    not DiskImages(Path("/nonexistent"), True).enabled, reason="no loop-mounted disk images here"
)
def test_disk_quota_is_enforced_and_the_sandbox_stays_usable(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    # resources come with an image (a snapshot brings its own): a 1 GiB disk
    sb = make_sandbox(disk=1, buildInfo={"dockerfileContent": "FROM alpine:3.20\n"})
    code, out = sb.exec("df -k --output=size /home/daytona")
    assert code == 0 and int(out.split()[-1]) <= 1024 * 1024  # KiB: 1 GiB, not the host's disk
    # fill it but 1 MiB without writing a gigabyte (fallocate), then write 16 MiB
    fill = "fallocate -l $(( ($(df -k --output=avail . | tail -1) - 1024) * 1024 )) big"
    assert sb.sh(fill) == (0, "")
    code, out = sb.sh("dd if=/dev/zero of=/home/daytona/more bs=1M count=16 2>&1")
    assert code != 0 and "No space left on device" in out
    # the file API hits the same wall
    r = sb.upload("/home/daytona/more.bin", b"x" * (8 * 1024 * 1024))
    assert r.status_code >= 400
    assert sb.exec("rm /home/daytona/big /home/daytona/more") == (0, "")
    assert sb.sh("echo still usable > /home/daytona/small && cat /home/daytona/small") == (
        0,
        "still usable\n",
    )
    assert sb.upload("/home/daytona/more.bin", b"x" * 1024).status_code == 200


def test_git_runs_inside_the_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    """A hook the sandbox wrote into .git/config (core.fsmonitor) runs where git runs."""
    pwned = tmp_path / "pwned"
    assert sandbox.sh("git init -q repo && echo x > repo/a.txt")[0] == 0
    hook = f"#!/bin/sh\necho ran > {pwned}\necho ran > /home/daytona/ran-inside\nexit 1\n"
    assert sandbox.upload("repo/.git/fsm.sh", hook.encode()).status_code == 200
    assert sandbox.exec("chmod +x repo/.git/fsm.sh")[0] == 0
    assert sandbox.exec("git -C repo config core.fsmonitor .git/fsm.sh")[0] == 0
    r = sandbox.tb.get("/git/status", params={"path": "repo"})
    assert r.status_code == 200, r.text
    assert not pwned.exists()  # never on the host
    assert sandbox.download("ran-inside").content == b"ran\n"  # but it did run, inside


def _assert_all_gone(pids: list[int]) -> None:
    assert wait_for(lambda: all(gone(p) for p in pids)), [p for p in pids if not gone(p)]


@pytest.mark.parametrize("action", ["delete", "stop"])
def test_daemons_die_with_their_sandbox(sandbox: Sandbox, action: str) -> None:
    pids = start_daemons(sandbox)
    try:
        if action == "delete":
            r = sandbox.api.delete(f"/sandbox/{sandbox.id}")
        else:
            r = sandbox.api.post(f"/sandbox/{sandbox.id}/stop")
        assert r.status_code == 200, r.text
        _assert_all_gone(pids)
    finally:
        _kill(pids)


def test_daemons_die_with_their_organization(server: EmulatorServer) -> None:
    jwt = server.mint_jwt("iso-owner", email="owner@example.com")
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {jwt}"}, timeout=60
    ) as api:
        r = api.post("/organizations", json={"name": "doomed"})
        assert r.status_code == 201, r.text
        org_id = r.json()["id"]
        headers = {"Authorization": f"Bearer {jwt}", "X-Daytona-Organization-ID": org_id}
        sb = new_sandbox(server, headers=headers)
        pids = start_daemons(sb)
        try:
            r = api.delete(f"/organizations/{org_id}")
            assert r.status_code == 200, r.text
            _assert_all_gone(pids)
        finally:
            _kill(pids)
            sb.api.close()
            sb.tb.close()


def test_daemons_die_when_the_emulator_stops() -> None:
    with EmulatorServer(**FAST_CLOCK) as srv:
        sb = new_sandbox(srv)
        pids = start_daemons(sb)
        sb.api.close()
        sb.tb.close()
    try:
        _assert_all_gone(pids)
    finally:
        _kill(pids)


def test_daemons_die_with_a_killed_emulator(tmp_path: Path) -> None:
    data = tmp_path / "data"
    emu = EmulatorProcess(data_dir=data).start()
    pids: list[int] = []
    try:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=60) as api:
            r = api.post("/sandbox", json={})
            assert r.status_code == 200, r.text
            sid = r.json()["id"]
            tb = httpx.Client(
                base_url=f"{emu.base_url}/toolbox/{sid}/toolbox", headers=headers, timeout=60
            )
            sb = Sandbox(api, tb, sid, data / "sandboxes" / sid / "root")
            pids = start_daemons(sb)
            tb.close()
        os.kill(emu.pid, signal.SIGKILL)
        emu.stop()
        _assert_all_gone(pids)  # at once: the namespaces die with their emulator
    finally:
        _kill(pids)
        emu.stop()
        # the next start on the data dir cleans up (the disk image's mount), its stop too
        EmulatorProcess(data_dir=data).start().stop()


def _kill(pids: list[int]) -> None:
    for pid in pids:
        if not gone(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# --------------------------------------------------------------------------- no isolation


def test_without_isolation_commands_are_refused(
    daytona_emulator_factory: Callable[..., EmulatorServer],
) -> None:
    srv = daytona_emulator_factory(isolation=False)
    sb = new_sandbox(srv)
    try:
        r = sb.tb.post("/process/execute", json={"command": "echo hi"})
        assert r.status_code == 501
        assert "--unsafe-run-commands-on-host" in r.json()["message"]
        r = sb.tb.post("/process/session", json={"sessionId": "s"})
        assert r.status_code == 501
        assert "--unsafe-run-commands-on-host" in r.json()["message"]
        # files and git keep working
        assert sb.upload("a.txt", b"a").status_code == 200
        assert sb.download("a.txt").content == b"a"
        r = sb.tb.get("/git/status", params={"path": "nope"})
        assert r.status_code == 400 and "repository does not exist" in r.json()["message"]
    finally:
        sb.api.close()
        sb.tb.close()


def test_the_unsafe_flag_runs_commands_on_the_host(
    daytona_emulator_factory: Callable[..., EmulatorServer],
) -> None:
    srv = daytona_emulator_factory(isolation=False, unsafe_run_commands_on_host=True)
    sb = new_sandbox(srv)
    try:
        code, out = sb.exec("pwd")
        assert code == 0 and out == f"{sb.root.resolve()}/home/daytona\n"
    finally:
        sb.api.close()
        sb.tb.close()


def test_the_cli_says_so_in_one_line_when_isolation_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "DAYTONA_EMULATOR_NO_ISOLATION": "1", "DAYTONA_EMULATOR_API_KEY": "k"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "daytona_emulator", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline()
        assert ready.startswith("daytona-emulator listening on ")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "isolation" in lines[0] and "--unsafe-run-commands-on-host" in lines[0]


def test_build_run_steps_run_inside_the_image_not_on_the_host(
    daytona_emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    srv = daytona_emulator_factory(build_run_commands=True)
    canary = tmp_path / "canary.txt"
    canary.write_text("host secret")
    made = f"/run-{secrets.token_hex(4)}.txt"
    dockerfile = (
        "FROM alpine:3.20\n"
        f"RUN echo built > {made}; cat {canary} > /seen.txt 2>&1; ps -e | wc -l > /ps.txt\n"
    )
    sb = new_sandbox(srv, buildInfo={"dockerfileContent": dockerfile})
    try:
        assert not os.path.exists(made)  # not on the host
        assert sb.download(made).content == b"built\n"  # in the image, hence the sandbox
        assert b"host secret" not in sb.download("/seen.txt").content
        assert int(sb.download("/ps.txt").content) < 10  # its own PID namespace
    finally:
        sb.api.close()
        sb.tb.close()
        Path(made).unlink(missing_ok=True)


def _cgroup_file(pid: int, controller: str, name: str) -> Path | None:
    """The host file ``name`` of the v1 ``controller`` cgroup ``pid`` is in."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            return Path("/sys/fs/cgroup") / controller / path.lstrip("/") / name
    return None


@pytest.mark.skipif(
    not Path("/sys/fs/cgroup/memory/cgroup.procs").exists() or os.geteuid() != 0,
    reason="no writable cgroup v1 memory hierarchy",
)
def test_cpu_and_memory_limits_hold_the_sandboxs_processes(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(cpu=1, memory=1, buildInfo={"dockerfileContent": "FROM alpine:3.20\n"})
    m = marker()
    assert sb.sh(f"setsid sleep {m} >/dev/null 2>&1 &")[0] == 0
    assert wait_for(lambda: bool(find(m)))
    pid = find(m)[0]
    memory = _cgroup_file(pid, "memory", "memory.limit_in_bytes")
    assert memory is not None and memory.read_text().strip() == str(1024**3)
    quota = _cgroup_file(pid, "cpu", "cpu.cfs_quota_us")
    period = _cgroup_file(pid, "cpu", "cpu.cfs_period_us")
    assert quota is not None and period is not None
    assert int(quota.read_text()) == int(period.read_text())  # one CPU
    # a process that allocates more than the sandbox's memory is killed, the sandbox lives on
    code, out = sb.exec(
        "python3 -c 'print(\"start\", flush=True); b = bytearray(1536 * 1024 * 1024); print(len(b))'"
    )
    assert (code, out) == (-1, "start\n")  # SIGKILLed by the OOM killer
    assert sb.exec("echo alive") == (0, "alive\n")


def test_a_session_log_swapped_for_a_link_reads_nothing_of_the_host(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The emulator reads a command's log as root: a link the command put in its place is
    followed inside the sandbox, never to the host."""
    canary = tmp_path / "canary.txt"
    canary.write_text("host secret")
    tb = sandbox.tb
    assert tb.post("/process/session", json={"sessionId": "s"}).status_code == 201
    swap = (
        f'd=$(ls -td ~/sessions/s/*/ | head -1); rm "$d/output.log"; ln -s {canary} "$d/output.log"'
    )
    r = tb.post("/process/session/s/exec", json={"command": swap})
    assert r.status_code in (200, 400), r.text
    assert "host secret" not in r.text
    cmd_id = r.json().get("cmdId")
    if cmd_id:
        logs = tb.get(f"/process/session/s/command/{cmd_id}/logs")
        assert "host secret" not in logs.text
