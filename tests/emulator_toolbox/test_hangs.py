"""No request can hang the toolbox: linear-time globs, bounded tree walks, no blocking opens of
FIFOs, and a per-sandbox share of the worker threads (issue 10 §3)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from daytona_emulator.toolbox.glob import GlobSyntaxError, go_match

from .conftest import wait_for

Err = Callable[..., dict[str, Any]]


@pytest.mark.parametrize(
    ("pattern", "name", "ok"),
    [
        ("*.txt", "a.txt", True),
        ("*.txt", "a.md", False),
        ("a?c", "abc", True),
        ("[a-c]x", "bx", True),
        ("[^a-c]x", "bx", False),
        ("[^a-c]x", "dx", True),
        ("\\*", "*", True),
        ("*", ".hidden", True),
        ("*a*a*b", "aaab", True),
        ("*a*a*b", "aaa", False),
        ("a*", "a/b", False),  # a star never crosses a separator
        ("a?b", "a/b", False),
        ("a[/]b", "a/b", True),  # a class does (Go)
        ("[^x]", "/", True),
        ("[a-c]", "b", True),
        ("[c-a]", "b", False),  # an empty range matches nothing (Go)
        ("\\[x]", "[x]", True),
        ("*", "", True),
        ("", "", True),
        ("", "a", False),
    ],
)
def test_go_match_semantics(pattern: str, name: str, ok: bool) -> None:
    assert go_match(pattern, name) is ok


@pytest.mark.parametrize("pattern", ["[]a]", "[a-]", "[-a]", "[^]", "[abc", "x\\", "[a\\"])
def test_go_bad_patterns(pattern: str) -> None:
    with pytest.raises(GlobSyntaxError):
        go_match(pattern, "a")


def test_backtracking_glob_answers_at_once(box: Any, err: Err) -> None:
    """A glob that makes a regex backtrack for hours answers like any other (and the emulator
    stays responsive: the match never holds the GIL for long)."""
    name = "a" * 200 + "c"
    (box.home / name).write_bytes(b"")
    pattern = "*a" * 12 + "*b"
    r = box.c.get("/files/search", params={"path": "/home/daytona", "pattern": pattern})
    assert r.status_code == 200 and r.json() == {"files": None}
    r = box.c.get("/files/search", params={"path": "/home/daytona", "pattern": "*a" * 12 + "*c"})
    assert r.json() == {"files": [f"/home/daytona/{name}"]}
    err(
        box.c.get("/files/search", params={"path": "/", "pattern": "[]"}),
        400,
        "syntax error in pattern",
    )


def test_tree_walks_are_bounded(make_box: Callable[..., Any], err: Err) -> None:
    box = make_box(walk_time_limit=0)
    (box.home / "f.txt").write_text("x\n")
    for op, params in (("search", {"pattern": "*"}), ("find", {"pattern": "x"})):
        body = err(box.c.get(f"/files/{op}", params={"path": "/home/daytona", **params}), 400)
        assert body["message"].startswith(f"{op} /home/daytona: stopped after 0 s")


def test_fifo_downloads_are_refused_and_starve_nobody(box: Any, other_box: Any, err: Err) -> None:
    os.mkfifo(box.home / "fifo")
    os.mkfifo(box.home / "fifo2")
    os.symlink("fifo2", box.home / "link")
    paths = ["fifo", "link", "/dev/null"] * 14  # 42 downloads of non-regular files at once
    (box.root / "dev").mkdir()
    os.mkfifo(box.root / "dev" / "null")

    def download(path: str) -> httpx.Response:
        with httpx.Client(headers=box.server.headers, timeout=20) as c:
            return c.get(str(box.c.base_url).rstrip("/") + "/files/download", params={"path": path})

    with ThreadPoolExecutor(len(paths)) as pool:
        answers = list(pool.map(download, paths))
    for resp in answers:
        err(resp, 400, "path must be a file")
    replaced = box.c.post(
        "/files/replace", json={"files": ["fifo"], "pattern": "a", "newValue": "b"}
    ).json()
    assert replaced[0]["success"] is False
    # every sandbox still works
    for b in (other_box, box):
        assert b.c.post("/files/upload", params={"path": "x"}, files={"file": b"hi"}).is_success
        assert b.c.get("/files/download", params={"path": "x"}).content == b"hi"
        assert b.c.get("/files", params={"path": "."}).status_code == 200


def test_one_sandbox_cannot_take_every_worker_thread(server: Any, box: Any, other_box: Any) -> None:
    rt = server.app.state.toolbox
    loop = server._server.servers[0].get_loop()
    sb = rt.state.sandbox(box.id)
    limit = server.settings.worker_threads_per_sandbox
    release = threading.Event()

    async def hold() -> None:
        await sb.run_sync(release.wait)

    held = [asyncio.run_coroutine_threadsafe(hold(), loop) for _ in range(limit)]
    try:
        wait_for(lambda: sb.limiter.borrowed_tokens == limit)
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(box.c.get, "/files", params={"path": "."})
            wait_for(lambda: sb.limiter.statistics().tasks_waiting >= 1)  # queued, not run
            # the other sandbox's file work goes on meanwhile
            assert other_box.c.post(
                "/files/upload", params={"path": "y"}, files={"file": b"ok"}
            ).is_success
            assert other_box.c.get("/files/download", params={"path": "y"}).content == b"ok"
            assert not pending.done()
            release.set()
            assert pending.result(timeout=20).status_code == 200
    finally:
        release.set()
        for fut in held:
            fut.result(timeout=20)
