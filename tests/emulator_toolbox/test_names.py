"""Odd names answer what the daemon answers, never a 500 (issue 10 §5): over-long names and
paths, file names that are not UTF-8, lone surrogates in JSON bodies."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from daytona_emulator.toolbox import jail as jail_module
from daytona_emulator.toolbox.jail import Jail

Err = Callable[..., dict[str, Any]]


def test_long_names_and_paths(box: Any, err: Err) -> None:
    c = box.c
    name = "a" * 300
    err(c.get("/files/info", params={"path": name}), 400, f"stat {name}: file name too long")
    deep = "/".join(["abc"] * 2000)  # 8 KB: over PATH_MAX
    err(c.get("/files/info", params={"path": deep}), 400, f"stat {deep}: file name too long")
    err(c.post("/files/folder", params={"path": deep, "mode": "755"}), 400)
    err(c.get("/files/download", params={"path": name}), 400)
    assert c.get("/files", params={"path": "."}).status_code == 200


def test_a_long_missing_path_costs_no_syscall_per_component(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jail = Jail(tmp_path)
    calls = 0
    real = os.lstat

    def counting(path: Any) -> os.stat_result:
        nonlocal calls
        calls += 1
        return real(path)

    monkeypatch.setattr(jail_module.os, "lstat", counting)
    host = jail.resolve("/a" * 3000)  # a 6 KB path under a missing first component
    assert calls == 1
    assert host == tmp_path.resolve().joinpath(*["a"] * 3000)
    (tmp_path / "home").mkdir()
    assert jail.resolve("/nope/../home/x") == tmp_path.resolve() / "home" / "x"


def test_names_that_are_not_utf8(box: Any) -> None:
    c = box.c
    d = box.home / "d"
    d.mkdir()
    raw = os.fsencode(str(d)) + b"/bad\xff.txt"
    with open(raw, "wb") as f:
        f.write(b"payload\n")
    listing = c.get("/files", params={"path": "d"})
    assert listing.status_code == 200
    assert [e["name"] for e in listing.json()] == ["bad\ufffd.txt"]  # Go's encoder: U+FFFD
    found = c.get("/files/search", params={"path": "d", "pattern": "*.txt"}).json()
    assert found == {"files": ["d/bad\ufffd.txt"]}
    hits = c.get("/files/find", params={"path": "d", "pattern": "payload"}).json()
    assert [h["file"] for h in hits] == ["d/bad\ufffd.txt"]
    # the percent-escaped byte still names the file, as with the daemon
    r = c.get("/files/download?path=d/bad%FF.txt")
    assert r.status_code == 200 and r.content == b"payload\n"
    assert raw_header(r, b"content-disposition") == b"attachment; filename=bad\xff.txt"
    (box.home / "日本.txt").write_bytes(b"x")
    r = c.get("/files/download", params={"path": "日本.txt"})
    assert r.status_code == 200
    assert raw_header(r, b"content-disposition") == "attachment; filename=日本.txt".encode()


def raw_header(resp: httpx.Response, name: bytes) -> bytes:
    """The header's bytes as sent (Go writes a file name's bytes as they are)."""
    return next(v for k, v in resp.headers.raw if k.lower() == name)


def test_lone_surrogates_in_bodies(box: Any, err: Err) -> None:
    c = box.c
    headers = {"Content-Type": "application/json"}
    r = c.post(
        "/files/replace",
        content=b'{"files":["\\ud800x"],"pattern":"a","newValue":"b"}',
        headers=headers,
    )
    assert r.status_code == 200
    assert r.json() == [
        {"file": "\ufffdx", "success": False, "error": "open \ufffdx: no such file or directory"}
    ]
    r = c.post("/process/execute", content=b'{"command":"pwd","cwd":"\\udfff"}', headers=headers)
    assert r.status_code == 200 and r.json() == {"exitCode": -1, "result": ""}
    r = c.post("/process/execute", content=b'{"command":"echo \\ud800"}', headers=headers)
    assert r.json() == {"exitCode": 0, "result": "\ufffd\n"}
    r = c.post("/process/session", content=b'{"sessionId":"s\\ud800"}', headers=headers)
    assert r.status_code == 201
    assert [s["sessionId"] for s in c.get("/process/session").json()] == ["s\ufffd"]
    err(c.post("/git/add", content=b'{"path":"\\ud800","files":["x"]}', headers=headers), 400)


def test_oversized_and_deeply_nested_bodies(box: Any, err: Err) -> None:
    c = box.c
    # process/execute is parsed by the API itself: Express's 100 kB limit, a plain Error (500)
    r = c.post("/process/execute", json={"command": "echo " + "x" * 110_000})
    assert r.status_code == 500
    body = r.json()
    assert (body["error"], body["message"]) == ("Internal Server Error", "request entity too large")
    assert c.post("/process/execute", json={"command": "echo " + "x" * 90_000}).status_code == 200
    deep = b'{"command":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    headers = {"Content-Type": "application/json"}
    r = c.post("/process/execute", content=deep, headers=headers)
    assert r.status_code == 500  # over 100 kB as well
    deep = b'{"a":' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    r = c.post("/process/execute", content=deep, headers=headers)
    assert (r.status_code, r.json()["message"]) == (400, "invalid request body: exceeded max depth")
    assert c.post("/process/session", json={"sessionId": "n"}).status_code == 201
    err(
        c.post("/process/session/n/exec", content=deep, headers=headers),
        400,
        "invalid request body: exceeded max depth",
    )


def test_bodies_that_are_not_json_or_not_storable(box: Any, err: Err) -> None:
    # Go's decoder refuses the NaN/Infinity literals Python's would accept, and a number that
    # overflows float64; the emulator must not keep them (it could not send them back as JSON)
    c = box.c
    headers = {"Content-Type": "application/json"}
    for raw, message in (
        (
            b'{"sessionId":NaN}',
            "invalid request body: invalid character 'N' looking for beginning of value",
        ),
        (
            b'{"sessionId":"s","x":-Infinity}',
            "invalid request body: invalid character 'I' in numeric literal",
        ),
        (b'{"sessionId":"s","x":[1e999]}', "invalid request body: x.0 must be a finite number"),
    ):
        err(c.post("/process/session", content=raw, headers=headers), 400, message)
    assert c.get("/process/session").json() == []
    r = c.post("/process/execute", content=b'{"command":"pwd","timeout":1e999}', headers=headers)
    assert (r.status_code, r.json()["message"]) == (
        400,
        "invalid request body: timeout must be a finite number",
    )
