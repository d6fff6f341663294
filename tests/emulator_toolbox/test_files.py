"""``/files/*`` over loopback HTTP: status codes, bodies, and the jail."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from daytona_emulator.toolbox.fileinfo import go_mode_string
from daytona_emulator.toolbox.jail import Jail

Err = Callable[..., dict[str, Any]]
MOD_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC$")


def upload(box: Any, path: str, data: bytes) -> httpx.Response:
    return box.c.post("/files/upload", params={"path": path}, files={"file": ("x", data)})


# -- unit: jail, glob, mode -------------------------------------------------------------------


def test_jail_resolution(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "home/daytona/d").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    jail = Jail(root)
    r = jail.root
    assert jail.resolve("/home/daytona/x") == r / "home/daytona/x"
    assert jail.resolve("x/y") == r / "home/daytona/x/y"
    assert jail.resolve("../../../../etc/passwd") == r / "etc/passwd"
    assert jail.resolve("/..") == r
    assert jail.resolve(str(outside)) == r / str(outside).lstrip("/")
    os.symlink(str(outside), root / "home/daytona/out")  # host path out of the root
    assert jail.resolve("out/f") == r / str(outside).lstrip("/") / "f"
    os.symlink("/etc", root / "home/daytona/etc")  # a sandbox-absolute target
    assert jail.resolve("etc/passwd") == r / "etc/passwd"
    os.symlink("../../..", root / "home/daytona/up")  # relative, climbing
    assert jail.resolve("up/x") == r / "x"
    assert jail.resolve("up/up/x") == r / "up/x"  # no /up in the root: kept as is
    os.symlink(str(root / "home/daytona/d"), root / "home/daytona/in")  # host path inside
    assert jail.resolve("in/f") == r / "home/daytona/d/f"
    assert jail.resolve("out", follow_last=False) == r / "home/daytona/out"
    os.symlink("loop", root / "home/daytona/loop")
    with pytest.raises(OSError):
        jail.resolve("loop/x")
    assert jail.to_sandbox(r / "home/daytona/a") == "/home/daytona/a"


def test_go_mode_string() -> None:
    assert go_mode_string(0o100644) == "-rw-r--r--"
    assert go_mode_string(0o040755) == "drwxr-xr-x"
    assert go_mode_string(0o120777) == "Lrwxrwxrwx"
    assert go_mode_string(0o104755) == "urwxr-xr-x"
    assert go_mode_string(0o041777) == "dtrwxrwxrwx"


# -- operations -------------------------------------------------------------------------------


def test_project_dir(box: Any) -> None:
    r = box.c.get("/project-dir")
    assert (r.status_code, r.json()) == (200, {"dir": "/home/daytona"})
    assert box.home.is_dir()


def test_file_operations(box: Any, err: Err) -> None:
    c = box.c
    assert upload(box, "/home/daytona/d/a.txt", b"hello\nworld hello\n").status_code == 200
    assert (box.home / "d/a.txt").read_bytes() == b"hello\nworld hello\n"

    listing = c.get("/files", params={"path": "/home/daytona/d"})
    assert listing.status_code == 200
    (info,) = listing.json()
    assert set(info) == {
        "name",
        "size",
        "mode",
        "modTime",
        "isDir",
        "owner",
        "group",
        "permissions",
    }
    assert (info["name"], info["size"], info["mode"], info["isDir"], info["permissions"]) == (
        "a.txt",
        18,
        "-rw-r--r--",
        False,
        "0644",
    )
    assert MOD_TIME.match(info["modTime"]) and info["owner"].isdigit()
    assert c.get("/files/", params={"path": "d"}).json()[0]["name"] == "a.txt"
    empty = c.post("/files/folder", params={"path": "empty", "mode": "0755"})
    assert (empty.status_code, empty.content) == (201, b"")
    assert c.get("/files", params={"path": "empty"}).json() == []  # never null
    err(c.get("/files", params={"path": "nope"}), 404)

    info = c.get("/files/info", params={"path": "d"}).json()
    assert (info["name"], info["isDir"], info["mode"]) == ("d", True, "drwxr-xr-x")
    err(
        c.get("/files/info", params={"path": "/nope"}), 404, "stat /nope: no such file or directory"
    )
    err(c.get("/files/info"), 400)

    r = c.post("/files/folder", params={"path": "m/n", "mode": "750"})
    assert r.status_code == 201
    assert c.get("/files/info", params={"path": "m/n"}).json()["permissions"] == "0750"
    err(c.post("/files/folder", params={"path": "bad", "mode": "9z"}), 400, "invalid mode format")

    found = c.get("/files/find", params={"path": "/home/daytona/d", "pattern": "hello"}).json()
    assert found == [
        {"file": "/home/daytona/d/a.txt", "line": 1, "content": "hello"},
        {"file": "/home/daytona/d/a.txt", "line": 2, "content": "world hello"},
    ]
    (box.home / "d/bin.dat").write_bytes(b"hello\x00binary")
    assert len(c.get("/files/find", params={"path": "d", "pattern": "hello"}).json()) == 2
    assert c.get("/files/find", params={"path": "d", "pattern": "zzz"}).json() == []

    search = c.get("/files/search", params={"path": "/home/daytona", "pattern": "*.txt"})
    assert search.json() == {"files": ["/home/daytona/d/a.txt"]}
    nothing = c.get("/files/search", params={"path": "/home/daytona", "pattern": "*.none"})
    assert nothing.json() == {"files": None}  # null, as the real service answers

    rep = c.post(
        "/files/replace",
        json={
            "files": ["/home/daytona/d/a.txt", "/home/daytona/missing"],
            "pattern": "hello",
            "newValue": "bye",
        },
    )
    assert rep.status_code == 200
    body = rep.json()
    assert body[0] == {"file": "/home/daytona/d/a.txt", "success": True}
    assert body[1]["success"] is False and "no such file" in body[1]["error"]
    assert (box.home / "d/a.txt").read_bytes() == b"bye\nworld bye\n"

    r = c.post("/files/permissions", params={"path": "d/a.txt", "mode": "600"})
    assert r.status_code == 200
    assert c.get("/files/info", params={"path": "d/a.txt"}).json()["permissions"] == "0600"
    r = c.post("/files/permissions", params={"path": "d/a.txt", "owner": "0", "group": "root"})
    assert r.status_code == 200
    err(
        c.post("/files/permissions", params={"path": "d/a.txt", "owner": "no-such-user-x"}),
        400,
        "user not found",
    )
    err(
        c.post("/files/permissions", params={"path": "d/a.txt", "group": "no-such-group-x"}),
        400,
        "group not found",
    )

    assert (
        c.post("/files/move", params={"source": "d/a.txt", "destination": "b.txt"}).status_code
        == 200
    )
    assert (box.home / "b.txt").exists() and not (box.home / "d/a.txt").exists()
    upload(box, "c.txt", b"c")
    err(
        c.post("/files/move", params={"source": "c.txt", "destination": "b.txt"}),
        409,
        "destination already exists",
    )
    err(c.post("/files/move", params={"source": "none", "destination": "x"}), 404)

    err(
        c.delete("/files", params={"path": "d"}),
        400,
        "cannot delete directory without recursive flag",
    )
    r = c.delete("/files", params={"path": "d", "recursive": "true"})
    assert (r.status_code, r.content) == (204, b"")
    assert c.delete("/files", params={"path": "b.txt"}).status_code == 204
    err(c.delete("/files", params={"path": "b.txt"}), 404)


def test_download(box: Any, err: Err) -> None:
    c = box.c
    (box.home / "f.bin").write_bytes(bytes(range(256)) * 10)
    r = c.get("/files/download", params={"path": "/home/daytona/f.bin"})
    assert r.status_code == 200 and r.content == bytes(range(256)) * 10
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"] == "attachment; filename=f.bin"
    r = c.get("/files/download", params={"path": "f.bin"}, headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == bytes(range(10, 20))
    assert r.headers["content-range"] == "bytes 10-19/2560"
    err(c.get("/files/download", params={"path": "/home/daytona"}), 400, "path must be a file")
    err(c.get("/files/download", params={"path": "nope"}), 404)


def test_uploads(box: Any, err: Err) -> None:
    c = box.c
    files = [
        ("files[0].path", (None, b"/home/daytona/bulk/one.txt")),
        ("files[0].file", ("one.txt", b"1")),
        ("files[1].path", (None, b"/tmp/two.txt")),
        ("files[1].file", ("two.txt", b"22")),
    ]
    r = c.post("/files/bulk-upload", files=files)
    assert (r.status_code, r.content) == (200, b"")
    assert (box.home / "bulk/one.txt").read_bytes() == b"1"
    assert (box.root / "tmp/two.txt").read_bytes() == b"22"
    assert oct((box.home / "bulk").stat().st_mode & 0o777) == "0o755"
    # a .file part before its .path part
    r = c.post("/files/bulk-upload", files=[("files[0].file", ("x", b"x"))])
    assert r.status_code == 400
    assert r.json() == {"errors": ["file[0]: missing .path metadata"]}
    # upload into a missing parent: created
    assert upload(box, "deep/er/f", b"z").status_code == 200
    assert (box.home / "deep/er/f").read_bytes() == b"z"
    r = c.post("/files/upload", params={"path": "x"}, files={"other": ("x", b"1")})
    err(r, 400)


def test_aborted_upload_leaves_nothing(box: Any) -> None:
    """A client that goes away mid-upload: no destination, no temporary file."""
    c = box.c

    def body() -> Iterator[bytes]:
        yield (
            b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
        )
        for _ in range(64):
            yield b"x" * 65536
        raise RuntimeError("client gone")

    with pytest.raises(RuntimeError):
        c.post(
            "/files/upload",
            params={"path": "partial.bin"},
            content=body(),
            headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
        )
    # the truncated body (no closing boundary) is rejected too
    r = c.post(
        "/files/upload",
        params={"path": "partial2.bin"},
        content=b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nabc',
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert r.status_code == 400
    import time

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        leftovers = [p.name for p in box.home.iterdir() if p.name != ".daytona"]
        if not leftovers:
            break
        time.sleep(0.05)
    assert leftovers == []


# -- the jail ---------------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A host folder outside every root with a sentinel file, checked unchanged after."""
    d = tmp_path / "outside"
    d.mkdir()
    (d / "sentinel.txt").write_text("secret needle\n")
    os.chmod(d / "sentinel.txt", 0o644)
    return d


def _snapshot(d: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mode) for p in sorted(d.iterdir())}


def test_path_escapes(box: Any, outside: Path) -> None:
    """Every file operation with ``..``, an absolute host path and a symlink pointing out of
    the root: nothing outside the root is read, listed, written, moved or removed."""
    c = box.c
    before = _snapshot(outside)
    os.symlink(str(outside), box.home / "link")  # what `ln -s /host/path` in a sandbox makes
    os.symlink(str(outside / "sentinel.txt"), box.home / "flink")
    depth = "../" * 20
    host_abs = str(outside)
    escapes = [f"{depth}{host_abs.lstrip('/')}", host_abs, "/home/daytona/link"]
    for base in escapes:
        target = f"{base}/sentinel.txt"
        # reads see the sandbox's own (empty) tree, not the host's
        assert box.c.get("/files/info", params={"path": target}).status_code == 404
        assert c.get("/files/download", params={"path": target}).status_code == 404
        r = c.get("/files", params={"path": base})
        assert r.status_code == 404 or "sentinel.txt" not in r.text
        r = c.get("/files/find", params={"path": base, "pattern": "needle"})
        assert "needle" not in r.text
        r = c.get("/files/search", params={"path": base, "pattern": "sentinel*"})
        assert "sentinel" not in r.text
        # writes land inside the root
        assert upload(box, target, b"pwned").status_code == 200
        r = c.post(
            "/files/bulk-upload",
            files=[
                ("files[0].path", (None, f"{base}/bulk.txt".encode())),
                ("files[0].file", ("b", b"pwned")),
            ],
        )
        assert r.status_code == 200
        c.post("/files/folder", params={"path": f"{base}/newdir"})
        c.post("/files/permissions", params={"path": target, "mode": "777"})
        c.post("/files/replace", json={"files": [target], "pattern": "needle", "newValue": "x"})
        c.post("/files/move", params={"source": target, "destination": f"{base}/moved.txt"})
        c.post("/files/move", params={"source": "/home/daytona/c-none", "destination": target})
        c.delete("/files", params={"path": target})
        c.delete("/files", params={"path": base, "recursive": "true"})
    # the file symlink: read through → inside the root (does not exist there)
    assert c.get("/files/download", params={"path": "flink"}).status_code == 404
    assert upload(box, "flink", b"pwned").status_code == 200
    assert (
        c.post(
            "/files/replace", json={"files": ["flink"], "pattern": "n", "newValue": "x"}
        ).status_code
        == 200
    )
    c.delete("/files", params={"path": "flink"})  # removes the link itself
    assert _snapshot(outside) == before
    assert sorted(p.name for p in outside.iterdir()) == ["sentinel.txt"]
    # and what was written went under the root
    assert (box.root / host_abs.lstrip("/")).exists()
