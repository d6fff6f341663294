"""Attacks on the toolbox over loopback HTTP that round 3 found open: content search and
replace reading a whole file into memory, and local git URLs that ignored the sandbox."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import pytest
from daytona_emulator.testing import EmulatorProcess

BIG = 256 * 1024 * 1024  # a file far larger than the emulator may hold
MEMORY_BOUND_KB = 128 * 1024  # growth of the emulator's peak RSS allowed while it scans BIG


def _reset_peak_rss(pid: int) -> None:
    """Start a new peak (``5`` resets VmHWM, see proc(5)), so each test measures its own."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


@pytest.fixture(scope="module")
def emu() -> Iterator[tuple[EmulatorProcess, httpx.Client]]:
    with EmulatorProcess() as proc:
        headers = {"Authorization": f"Bearer {proc.api_key}"}
        with httpx.Client(base_url=proc.base_url, headers=headers, timeout=120) as api:
            sid = api.post("/sandbox", json={}).json()["id"]
            base = f"{proc.base_url}/toolbox/{sid}/toolbox"
            with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
                # one line of BIG bytes, no newline, no NUL: passes the binary-file check
                r = c.post(
                    "/process/execute",
                    json={"command": f"sh -c 'head -c {BIG} /dev/zero | tr \"\\000\" a > big'"},
                )
                assert r.json()["exitCode"] == 0, r.text
                yield proc, c


def test_find_does_not_read_a_huge_line_into_memory(
    emu: tuple[EmulatorProcess, httpx.Client],
) -> None:
    proc, c = emu
    _reset_peak_rss(proc.pid)
    before = _peak_rss_kb(proc.pid)
    r = c.get("/files/find", params={"path": "/home/daytona", "pattern": "needle"})
    assert r.status_code == 200, r.text
    # bufio.Scanner's 64 KiB line limit: the daemon stops reading that file, finds nothing
    assert r.json() == []
    assert _peak_rss_kb(proc.pid) - before < MEMORY_BOUND_KB


def test_replace_streams_a_huge_file(emu: tuple[EmulatorProcess, httpx.Client]) -> None:
    proc, c = emu
    _reset_peak_rss(proc.pid)
    before = _peak_rss_kb(proc.pid)
    r = c.post(
        "/files/replace",
        json={"files": ["/home/daytona/big"], "pattern": "aab", "newValue": "x"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == [{"file": "/home/daytona/big", "success": True}]
    assert _peak_rss_kb(proc.pid) - before < MEMORY_BOUND_KB


REPLACE_CASES = [("abcd", "Z"), ("aa", "b"), ("a", "xyz" * 100), ("q" * 3000, "")]


def test_replace_in_chunks_matches_bytes_replace(box: Any) -> None:
    """Matches across the 1 MiB chunk boundary, overlapping candidates, growth and shrinkage."""
    mib = 1024 * 1024
    content = (
        b"x" * (mib - 2)
        + b"abcd"  # straddles the first chunk boundary
        + b"aaa" * 1000
        + b"q" * 7000
        + b"abcdabcd" * 50000
        + b"tail a"
    )
    c = box.c
    for pattern, new_value in REPLACE_CASES:
        r = c.post("/files/upload", params={"path": "f.bin"}, files={"file": ("f", content)})
        assert r.status_code == 200, r.text
        r = c.post(
            "/files/replace", json={"files": ["f.bin"], "pattern": pattern, "newValue": new_value}
        )
        assert r.json() == [{"file": "f.bin", "success": True}]
        expected = content.replace(pattern.encode(), new_value.encode())
        assert (box.home / "f.bin").read_bytes() == expected, pattern[:10]


def test_session_log_is_streamed_not_held(emu: tuple[EmulatorProcess, httpx.Client]) -> None:
    proc, c = emu
    assert c.post("/process/session", json={"sessionId": "big"}).status_code == 201
    r = c.post(
        "/process/session/big/exec",
        json={"command": 'cat "$HOME/big"', "runAsync": False},
    )
    assert r.status_code == 200, r.text
    cmd_id = r.json()["cmdId"]
    _reset_peak_rss(proc.pid)
    before = _peak_rss_kb(proc.pid)
    received = 0
    with c.stream("GET", f"/process/session/big/command/{cmd_id}/logs") as resp:
        assert resp.status_code == 200
        assert resp.headers["content-length"] == str(BIG)
        for chunk in resp.iter_raw():
            received += len(chunk)
    assert received == BIG
    assert _peak_rss_kb(proc.pid) - before < MEMORY_BOUND_KB


def test_lsp_did_open_refuses_a_huge_file(emu: tuple[EmulatorProcess, httpx.Client]) -> None:
    proc, c = emu
    req = {"languageId": "python", "pathToProject": "/home/daytona"}
    assert c.post("/lsp/start", json=req).status_code == 200
    try:
        _reset_peak_rss(proc.pid)
        before = _peak_rss_kb(proc.pid)
        r = c.post("/lsp/did-open", json={**req, "uri": "file:///home/daytona/big"})
        assert r.status_code == 400, r.text
        assert r.json()["message"] == "open /home/daytona/big: File too large"
        assert _peak_rss_kb(proc.pid) - before < MEMORY_BOUND_KB
    finally:
        assert c.post("/lsp/stop", json=req).status_code == 200


def _sandbox_git(box: Any, cwd: Path, *args: str) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@e.x",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@e.x",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(box.home),
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_clone_of_a_local_url_reads_the_sandbox(box: Any) -> None:
    """A local URL names a repository in the sandbox (go-git runs inside it), not the host."""
    src = box.home / "src"
    src.mkdir()
    _sandbox_git(box, src, "init", "-q", "-b", "main")
    (src / "inside.txt").write_text("from the sandbox\n")
    _sandbox_git(box, src, "add", "inside.txt")
    _sandbox_git(box, src, "commit", "-qm", "one")
    urls = ["file:///home/daytona/src", "/home/daytona/src", "src", "../daytona/src"]
    for n, url in enumerate(urls):
        r = box.c.post("/git/clone", json={"url": url, "path": f"dst{n}"})
        assert r.status_code == 200, (url, r.text)
        assert (box.home / f"dst{n}" / "inside.txt").read_text() == "from the sandbox\n"


ODD_OWNERS = [
    ({"owner": str(2**70)}, "user not found"),  # not an int64: looked up as a name
    ({"group": str(2**70)}, "group not found"),
    ({"owner": "\u00b2"}, "user not found"),  # a digit to str.isdigit, not to Go's Atoi
    ({"group": "\u0663"}, "group not found"),
    ({"owner": str(2**40)}, "chown p: invalid argument"),  # not a uid_t
    ({"group": "-7"}, "chown p: invalid argument"),
]


def test_permissions_with_odd_owner_is_a_400(box: Any) -> None:
    (box.home / "p").write_text("x")
    for params, message in ODD_OWNERS:
        r = box.c.post("/files/permissions", params={"path": "p", **params})
        assert r.status_code == 400, (params, r.text)
        assert r.json()["message"] == message


def test_session_id_too_long_for_a_file_name_is_a_400(box: Any) -> None:
    r = box.c.post("/process/session", json={"sessionId": "s" * 5000})
    assert r.status_code == 400, r.text
    assert r.json()["message"] == "failed to start the session shell: File name too long"
    # nothing half-made: the id is free, a normal session still starts
    assert box.c.post("/process/session", json={"sessionId": "ok"}).status_code == 201


def test_find_with_a_pattern_that_is_not_utf8_matches_its_bytes(box: Any) -> None:
    (box.home / "latin1.txt").write_bytes(b"caf\xe9 au lait\nplain\n")
    # httpx would encode the text; the raw query carries the byte itself, as curl would send it
    url = httpx.URL(str(box.c.base_url).rstrip("/") + "/files/find").copy_with(
        query=b"path=/home/daytona&pattern=caf%E9"
    )
    r = box.c.get(url)
    assert r.status_code == 200, r.text
    assert [(m["file"], m["line"]) for m in r.json()] == [("/home/daytona/latin1.txt", 1)]
    r = box.c.get(url.copy_with(query=b"path=/home/daytona&pattern=%ED%A0%80"))
    assert (r.status_code, r.json()) == (200, [])


def _form(parts: list[tuple[str, str | None, bytes]]) -> bytes:
    out = bytearray()
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--B\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return bytes(out + b"--B--\r\n")


def test_multipart_parts_are_limited_as_go_reads_forms(box: Any) -> None:
    """Go's ReadForm takes at most 1000 parts: more is ``multipart: message too large``, so an
    endless stream of small parts cannot grow bulk-upload's bookkeeping without bound."""
    headers = {"Content-Type": "multipart/form-data; boundary=B"}

    def files(n: int) -> list[tuple[str, str | None, bytes]]:
        parts: list[tuple[str, str | None, bytes]] = []
        for i in range(n):
            parts.append((f"files[{i}].path", None, f"/home/daytona/many/{i}".encode()))
            parts.append((f"files[{i}].file", "f", b"%d" % i))
        return parts

    r = box.c.post("/files/bulk-upload", content=_form(files(500)), headers=headers)
    assert r.status_code == 200, r.text  # 1000 parts: the most Go reads
    assert (box.home / "many" / "499").read_bytes() == b"499"
    r = box.c.post(
        "/files/bulk-upload", content=_form([*files(500), ("x", None, b"")]), headers=headers
    )
    assert r.status_code == 400, r.text
    assert r.json() == {"errors": ["invalid multipart form"]}
    extra = [(f"f{i}", None, b"x") for i in range(1000)]
    r = box.c.post(
        "/files/upload",
        params={"path": "one"},
        content=_form([("file", "f", b"data"), *extra]),
        headers=headers,
    )
    assert r.status_code == 400, r.text
    assert r.json()["message"] == "multipart: message too large"


def _detached_sleeper(box: Any) -> int:
    """A process that left the command's process group (``setsid``), as a daemon does; its
    pid on the host (inside the sandbox's PID namespace it has another), found by its
    unique argument."""
    marker = f"300.{secrets.randbelow(10**9):09d}"
    r = box.c.post(
        "/process/execute",
        json={"command": f"sh -c 'setsid sleep {marker} >/dev/null 2>&1 &'"},
    )
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for p in psutil.process_iter(["cmdline"]):
            if p.info["cmdline"] == ["sleep", marker]:
                return int(p.pid)
        time.sleep(0.05)
    raise AssertionError("the detached sleeper was not found")


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("action", ["stop", "delete"])
def test_detached_processes_end_with_their_sandbox(box: Any, action: str) -> None:
    pid = _detached_sleeper(box)
    try:
        with httpx.Client(
            base_url=box.server.base_url, headers=box.server.headers, timeout=30
        ) as api:
            if action == "stop":
                r = api.post(f"/sandbox/{box.id}/stop")
            else:
                r = api.delete(f"/sandbox/{box.id}")
            assert r.status_code == 200, r.text
            deadline = time.monotonic() + 20
            while not _gone(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        assert _gone(pid)
    finally:
        if not _gone(pid):  # do not leave it behind when the test fails
            psutil.Process(pid).kill()


def test_replace_that_would_grow_a_file_without_bound_is_refused(
    box: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-byte pattern replaced by a long value multiplies the file's size: past the growth
    bound the file is left as it was and the result says why (EFBIG), instead of spooling
    without limit on the host's disk."""
    from daytona_emulator.toolbox import fsio

    monkeypatch.setattr(fsio, "MAX_REPLACE_GROWTH", 64 * 1024)
    content = b"a" * (3 * 1024 * 1024)  # several 1 MiB chunks: refused mid-way, not at the end
    c = box.c
    r = c.post("/files/upload", params={"path": "grow.bin"}, files={"file": ("f", content)})
    assert r.status_code == 200, r.text
    r = c.post("/files/replace", json={"files": ["grow.bin"], "pattern": "a", "newValue": "xyz"})
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"file": "grow.bin", "success": False, "error": "open grow.bin: file too large"}
    ]
    assert (box.home / "grow.bin").read_bytes() == content
    # within the bound it still works
    r = c.post("/files/replace", json={"files": ["grow.bin"], "pattern": "aaaa", "newValue": "b"})
    assert r.json() == [{"file": "grow.bin", "success": True}]
    assert (box.home / "grow.bin").read_bytes() == content.replace(b"aaaa", b"b")
