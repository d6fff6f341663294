"""``/process/execute`` and ``/process/session*`` over loopback HTTP."""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from daytona_emulator.toolbox.procs import tokenise

from .conftest import wait_for

Err = Callable[..., dict[str, Any]]


def sandbox_processes(root: Path) -> list[psutil.Process]:
    """Live processes of the sandbox whose root this is: their working directory is in it
    (unisolated), or their environment names the sandbox (isolated: their own ``/``)."""
    sandbox_id = root.parent.name
    out = []
    for p in psutil.process_iter(["cwd", "status"]):
        if p.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        cwd = p.info["cwd"]
        try:
            mine = p.environ().get("DAYTONA_SANDBOX_ID") == sandbox_id
        except psutil.Error:
            mine = False
        if mine or (cwd and Path(cwd).is_relative_to(root)):
            out.append(p)
    return out


def sdk_wrap(cmd: str) -> str:
    """The official SDK's ``exec`` wrapping."""
    return f"sh -c \"echo '{base64.b64encode(cmd.encode()).decode()}' | base64 -d | sh\""


def test_tokenise() -> None:
    assert tokenise("echo  'a b' \"c 'd'\" e\"f g\"h") == ["echo", "a b", "c 'd'", "ef gh"]
    assert tokenise("") == []
    assert tokenise("a\\ b") == ["a\\", "b"]


def test_execute(box: Any) -> None:
    c = box.c

    def run(body: dict[str, Any]) -> tuple[int, Any]:
        r = c.post("/process/execute", json=body)
        return r.status_code, r.json()

    assert run({"command": "echo hi  'a  b'"}) == (200, {"exitCode": 0, "result": "hi a  b\n"})
    # no shell: the pipe is an argument of echo
    assert run({"command": "echo a | tr a b"}) == (200, {"exitCode": 0, "result": "a | tr a b\n"})
    script = 'echo out; echo err >&2; cd /tmp && echo "$HOME"; exit 7'
    status, body = run({"command": sdk_wrap(script)})
    assert status == 200 and body["exitCode"] == 7
    assert body["result"] == "out\nerr\n/home/daytona\n"
    # cwd: default project dir; relative and absolute sandbox paths map into the root
    (box.home / "sub").mkdir()
    assert run({"command": "pwd"})[1]["result"] == "/home/daytona\n"
    assert run({"command": "pwd", "cwd": "sub"})[1]["result"] == "/home/daytona/sub\n"
    assert run({"command": "pwd", "cwd": "/tmp"})[1]["result"] == "/tmp\n"
    # spawn failures: 200 with exitCode -1
    assert run({"command": "no-such-binary-xyz"}) == (200, {"exitCode": -1, "result": ""})
    assert run({"command": "pwd", "cwd": "/nope"}) == (200, {"exitCode": -1, "result": ""})
    # validation: the Nest shape (execute is not proxied by the real API)
    status, body = run({"command": ""})
    assert status == 400 and body["error"] == "Http Exception" and "Command" in body["message"]


def test_execute_timeout_kills_the_group(box: Any) -> None:
    marker = box.home / "survived"
    start = time.monotonic()
    r = box.c.post(
        "/process/execute",
        json={"command": sdk_wrap("(sleep 1.5; touch ~/survived) & sleep 30"), "timeout": 1},
    )
    assert time.monotonic() - start < 5
    assert r.status_code == 408
    body = r.json()
    assert (body["statusCode"], body["error"], body["message"]) == (
        408,
        "Http Exception",
        "command execution timeout",
    )
    wait_for(lambda: not sandbox_processes(box.root))
    assert not marker.exists()  # the background child was killed with its group


def test_exec_latency(box: Any) -> None:
    lat = []
    for _ in range(20):
        t0 = time.perf_counter()
        r = box.c.post("/process/execute", json={"command": "true"})
        lat.append(time.perf_counter() - t0)
        assert r.json()["exitCode"] == 0
    c = box.c
    c.post("/process/session", json={"sessionId": "lat"})
    slat = []
    for _ in range(20):
        t0 = time.perf_counter()
        r = c.post("/process/session/lat/exec", json={"command": "true"})
        slat.append(time.perf_counter() - t0)
        assert r.json()["exitCode"] == 0
    print(
        f"\nexecute round trip: median {statistics.median(lat) * 1000:.1f} ms; "
        f"session exec (sync) round trip: median {statistics.median(slat) * 1000:.1f} ms"
    )


def test_sessions(box: Any, err: Err) -> None:
    c = box.c
    r = c.post("/process/session", json={"sessionId": "s1"})
    assert (r.status_code, r.content) == (201, b"")
    err(c.post("/process/session", json={"sessionId": "s1"}), 409, "session already exists")
    err(c.post("/process/session", json={}), 400)

    r = c.post("/process/session/s1/exec", json={"command": "cd /tmp && export V=42"})
    assert r.status_code == 200
    first = r.json()
    assert first["exitCode"] == 0 and first["output"] == ""
    r = c.post("/process/session/s1/exec", json={"command": 'echo "$V $(pwd)"'})
    assert r.json()["output"] == "42 /tmp\n"
    r = c.post("/process/session/s1/exec", json={"command": "echo err >&2; false"})
    assert (r.json()["output"], r.json()["exitCode"]) == ("err\n", 1)
    err(c.post("/process/session/s1/exec", json={"command": ""}), 400, "command cannot be empty")
    err(c.post("/process/session/none/exec", json={"command": "true"}), 404, "session not found")

    cmd = c.get(f"/process/session/s1/command/{first['cmdId']}").json()
    assert cmd == {"id": first["cmdId"], "command": "cd /tmp && export V=42", "exitCode": 0}
    logs = c.get(f"/process/session/s1/command/{first['cmdId']}/logs")
    assert logs.status_code == 200 and logs.headers["content-type"].startswith("text/plain")
    err(c.get("/process/session/s1/command/nope"), 404, "command not found")
    err(c.get("/process/session/nope/command/x"), 404, "session not found")

    session = c.get("/process/session/s1").json()
    assert session["sessionId"] == "s1" and len(session["commands"]) == 3
    assert [s["sessionId"] for s in c.get("/process/session").json()] == ["s1"]

    # async: 202, exitCode absent until done
    r = c.post(
        "/process/session/s1/exec", json={"command": "sleep 0.5; echo done", "runAsync": True}
    )
    assert r.status_code == 202
    body = r.json()
    assert body["output"] is None and body["exitCode"] is None and body["cmdId"]
    cid = body["cmdId"]
    assert "exitCode" not in c.get(f"/process/session/s1/command/{cid}").json()
    deadline = time.monotonic() + 10
    while "exitCode" not in (cmd := c.get(f"/process/session/s1/command/{cid}").json()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert cmd["exitCode"] == 0
    assert c.get(f"/process/session/s1/command/{cid}/logs").text == "done\n"

    # `exit` in a command: its code is recorded, the session goes on with a new shell
    r = c.post("/process/session/s1/exec", json={"command": "exit 3"})
    assert r.json()["exitCode"] == 3
    assert (
        c.post("/process/session/s1/exec", json={"command": "echo again"}).json()["output"]
        == "again\n"
    )

    # delete: kills the shell and what it started, removes the logs
    marker = box.home / "late"
    c.post("/process/session/s1/exec", json={"command": "(sleep 1; touch ~/late) &"})
    r = c.delete("/process/session/s1")
    assert (r.status_code, r.content) == (204, b"")
    err(c.get("/process/session/s1"), 404, "session not found")
    err(c.delete("/process/session/s1"), 404)
    assert not (box.home / "sessions" / "s1").exists()
    wait_for(lambda: not sandbox_processes(box.root))
    assert not marker.exists()  # nothing is left that could still create it


def _follow(
    box: Any, sid: str, cid: str, stop: Callable[[bytes], bool]
) -> list[tuple[float, bytes]]:
    chunks: list[tuple[float, bytes]] = []
    t0 = time.monotonic()
    with box.c.stream(
        "GET", f"/process/session/{sid}/command/{cid}/logs", params={"follow": "true"}
    ) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "application/octet-stream"
        for chunk in resp.iter_raw():
            chunks.append((time.monotonic() - t0, chunk))
            if stop(b"".join(c for _, c in chunks)):
                break
    return chunks


def test_follow_streams_live_with_nul_padding(box: Any) -> None:
    c = box.c
    c.post("/process/session", json={"sessionId": "f"})
    # the command prints "b" only once the test has seen "a" (or after 30 s): "a" arriving
    # alone proves output streams before the command ends, with no timing in the test
    go = box.home / "go"
    wait_go = 'for i in $(seq 600); do [ -e "$HOME/go" ] && break; sleep 0.05; done'
    r = c.post(
        "/process/session/f/exec",
        json={"command": f"echo a; {wait_go}; echo b", "runAsync": True},
    )
    cid = r.json()["cmdId"]
    seen_a_alone = False

    def stop(data: bytes) -> bool:
        nonlocal seen_a_alone
        if b"a\n" in data and not go.exists():
            seen_a_alone = b"b\n" not in data
            go.touch()
        return b"b\n" in data

    chunks = _follow(box, "f", cid, stop)
    assert seen_a_alone
    # the real framing: every message is a 1024-byte read padded with NULs
    raw = b"".join(ch for _, ch in chunks)
    assert len(raw) % 1024 == 0 and raw.replace(b"\x00", b"") == b"a\nb\n"


def test_follow_does_not_end_by_default(box: Any) -> None:
    c = box.c
    c.post("/process/session", json={"sessionId": "g"})
    cid = c.post("/process/session/g/exec", json={"command": "echo x"}).json()["cmdId"]
    with pytest.raises(Exception) as info:  # the stream stays open after the exit
        with box.c.stream(
            "GET",
            f"/process/session/g/command/{cid}/logs",
            params={"follow": "true"},
            timeout=httpx_timeout(1.0),
        ) as resp:
            for _ in resp.iter_raw():
                pass
    assert "Timeout" in type(info.value).__name__


def httpx_timeout(read: float) -> Any:
    import httpx

    return httpx.Timeout(10.0, read=read)


def test_follow_ends_on_exit_with_flag(make_box: Callable[..., Any]) -> None:
    box = make_box(follow_logs_end_on_exit=True, nul_padding=False)
    c = box.c
    c.post("/process/session", json={"sessionId": "e"})
    r = c.post(
        "/process/session/e/exec",
        json={"command": "for i in 1 2 3; do echo $i; sleep 0.2; done", "runAsync": True},
    )
    cid = r.json()["cmdId"]
    t0 = time.monotonic()
    chunks = _follow(box, "e", cid, lambda data: False)  # ends by itself
    assert b"".join(ch for _, ch in chunks) == b"1\n2\n3\n"  # no padding with the flag off
    assert time.monotonic() - t0 < 3


def test_session_delete_ends_follow(box: Any) -> None:
    import threading

    c = box.c
    c.post("/process/session", json={"sessionId": "d"})
    cid = c.post("/process/session/d/exec", json={"command": "sleep 30", "runAsync": True}).json()[
        "cmdId"
    ]
    timer = threading.Timer(0.5, lambda: box.c.delete("/process/session/d"))
    timer.start()
    t0 = time.monotonic()
    _follow(box, "d", cid, lambda data: False)
    timer.join()
    assert time.monotonic() - t0 < 5


def test_process_limit(make_box: Callable[..., Any], err: Err) -> None:
    box = make_box(max_processes_per_sandbox=2)
    c = box.c
    assert c.post("/process/session", json={"sessionId": "a"}).status_code == 201
    assert c.post("/process/session", json={"sessionId": "b"}).status_code == 201
    body = err(c.post("/process/session", json={"sessionId": "c"}), 429)
    assert "too many processes" in body["message"]
    r = c.post("/process/execute", json={"command": "true"})
    assert r.status_code == 429 and r.json()["error"] == "Http Exception"
    c.delete("/process/session/a")
    assert c.post("/process/execute", json={"command": "true"}).json()["exitCode"] == 0
