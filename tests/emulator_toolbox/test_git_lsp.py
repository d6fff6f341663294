"""``/git/*`` with the real git binary and ``/lsp/*`` with python-lsp-server."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Err = Callable[..., dict[str, Any]]

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@e.x",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@e.x",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def origin(tmp_path: Path) -> tuple[Path, str]:
    """A bare repository with branches main (2 commits) and other; returns (path, first sha)."""
    work = tmp_path / "seed"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    (work / "a.txt").write_text("one\n")
    _git(work, "add", "a.txt")
    _git(work, "commit", "-qm", "first")
    first = _git(work, "rev-parse", "HEAD").strip()
    (work / "a.txt").write_text("two\n")
    _git(work, "commit", "-qam", "second")
    _git(work, "branch", "other")
    bare = tmp_path / "origin.git"
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return bare, first


@needs_git
def test_git_round_trip(box: Any, err: Err, origin: tuple[Path, str]) -> None:
    c = box.c
    host_bare, first = origin
    # git runs inside the sandbox: the origin must be there (the host's files are out of reach)
    bare = box.root / "srv" / "origin.git"
    shutil.copytree(host_bare, bare)
    url = "file:///srv/origin.git"
    r = c.post("/git/clone", json={"url": url, "path": "repo"})
    assert (r.status_code, r.content) == (200, b"")
    assert (box.home / "repo/a.txt").read_text() == "two\n"
    # single-branch clone of main: no other branch
    assert c.get("/git/branches", params={"path": "repo"}).json() == {"branches": ["main"]}

    st = c.get("/git/status", params={"path": "/home/daytona/repo"}).json()
    assert st == {
        "currentBranch": "main",
        "fileStatus": [],
        "branchPublished": True,
        "ahead": 0,
        "behind": 0,
    }
    (box.home / "repo/b.txt").write_text("new\n")
    (box.home / "repo/a.txt").write_text("changed\n")
    st = c.get("/git/status", params={"path": "repo"}).json()
    by_name = {f["name"]: f for f in st["fileStatus"]}
    assert by_name["b.txt"] == {
        "name": "b.txt",
        "staging": "Untracked",
        "worktree": "Untracked",
        "extra": "",
    }
    assert (by_name["a.txt"]["staging"], by_name["a.txt"]["worktree"]) == (
        "Unmodified",
        "Modified",
    )
    assert c.post("/git/add", json={"path": "repo", "files": ["."]}).status_code == 200
    st = c.get("/git/status", params={"path": "repo"}).json()
    assert {f["name"]: f["staging"] for f in st["fileStatus"]} == {
        "a.txt": "Modified",
        "b.txt": "Added",
    }
    err(
        c.post("/git/commit", json={"path": "repo", "message": "m", "author": "", "email": "e"}),
        400,
    )
    r = c.post(
        "/git/commit",
        json={"path": "repo", "message": "third", "author": "Ann", "email": "ann@example.com"},
    )
    assert r.status_code == 200
    sha = r.json()["hash"]
    assert len(sha) == 40
    hist = c.get("/git/history", params={"path": "repo"}).json()
    assert hist[0]["hash"] == sha and hist[-1]["hash"] == first
    assert (hist[0]["author"], hist[0]["email"], hist[0]["message"]) == (
        "Ann",
        "ann@example.com",
        "third",  # exactly as given: no newline added (go-git)
    )
    assert hist[0]["timestamp"].endswith("Z") or "+" in hist[0]["timestamp"]
    st = c.get("/git/status", params={"path": "repo"}).json()
    assert (st["ahead"], st["behind"], st["fileStatus"]) == (1, 0, [])

    # branches: create (201, checked out), list, checkout, delete (204)
    r = c.post("/git/branches", json={"path": "repo", "name": "feature"})
    assert (r.status_code, r.content) == (201, b"")
    assert c.get("/git/status", params={"path": "repo"}).json()["currentBranch"] == "feature"
    assert c.get("/git/branches", params={"path": "repo"}).json() == {
        "branches": ["feature", "main"]
    }
    assert c.post("/git/checkout", json={"path": "repo", "branch": "main"}).status_code == 200
    r = c.request("DELETE", "/git/branches", json={"path": "repo", "name": "feature"})
    assert (r.status_code, r.content) == (204, b"")
    err(c.post("/git/checkout", json={"path": "repo", "branch": "nope"}), 400)

    # push, then a second clone pulls it
    assert c.post("/git/push", json={"path": "repo"}).status_code == 200
    assert _git(bare, "rev-parse", "main").strip() == sha
    assert c.post("/git/clone", json={"url": "/srv/origin.git", "path": "repo2"}).status_code == 200
    assert c.post("/git/pull", json={"path": "repo2"}).status_code == 200  # up to date: fine

    # commit_id → detached checkout of that commit; branch → that branch
    r = c.post("/git/clone", json={"url": url, "path": "pinned", "commit_id": first})
    assert r.status_code == 200
    assert c.get("/git/history", params={"path": "pinned"}).json()[0]["hash"] == first
    r = c.post("/git/clone", json={"url": url, "path": "oth", "branch": "other"})
    assert r.status_code == 200
    assert c.get("/git/status", params={"path": "oth"}).json()["currentBranch"] == "other"

    # errors: 400 in the daemon shape, git's message, no host path
    body = err(c.get("/git/status", params={"path": "nope"}), 400, "repository does not exist")
    body = err(c.post("/git/clone", json={"url": url, "path": "x", "branch": "zz"}), 400)
    assert "zz" in body["message"] and str(box.root) not in body["message"]
    err(c.post("/git/clone", json={"path": "y"}), 400)


@needs_git
def test_commit_messages_come_back_exactly(box: Any) -> None:
    repo = box.home / "msgs"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    c = box.c
    messages = ["one", "two\n\nbody\n", "  spaced  ", "# not a comment\nx"]
    for i, message in enumerate(messages):
        (repo / "f.txt").write_text(f"{i}\n")
        assert c.post("/git/add", json={"path": "msgs", "files": ["f.txt"]}).status_code == 200
        r = c.post(
            "/git/commit",
            json={"path": "msgs", "message": message, "author": "A", "email": "a@e.x"},
        )
        assert r.status_code == 200, r.text
    hist = c.get("/git/history", params={"path": "msgs"}).json()
    assert [h["message"] for h in hist] == messages[::-1]  # as given, newest first


def test_lsp_python(box: Any, err: Err) -> None:
    c = box.c
    proj = box.home / "proj"
    (proj / "pkg").mkdir(parents=True)
    (proj / "main.py").write_text(
        "import os\n\n\ndef greet(name):\n    return name\n\n\nclass Greeter:\n"
        "    def run(self):\n        return greet('x')\n\nos.pa\n"
    )
    (proj / "pkg" / "util.py").write_text("def helper_fn():\n    pass\n\n\nHELPER_CONST = 1\n")
    req = {"languageId": "python", "pathToProject": "/home/daytona/proj"}
    uri = "file:///home/daytona/proj/main.py"
    err(c.post("/lsp/did-open", json={**req, "uri": uri}), 400, "server not initialized")
    err(
        c.post("/lsp/start", json={"languageId": "cobol", "pathToProject": "x"}),
        400,
        "unsupported language: cobol",
    )
    assert c.post("/lsp/start", json=req).status_code == 200
    assert c.post("/lsp/start", json=req).status_code == 200  # no-op when running
    assert c.post("/lsp/did-open", json={**req, "uri": uri}).status_code == 200

    r = c.post(
        "/lsp/completions",
        json={**req, "uri": uri, "position": {"line": 11, "character": 5}},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["isIncomplete"], bool)
    labels = [i["label"] for i in body["items"]]
    assert any(label.startswith("path") for label in labels), labels[:20]
    item = next(i for i in body["items"] if i["label"].startswith("path"))
    assert set(item) <= {
        "label",
        "kind",
        "detail",
        "documentation",
        "sortText",
        "filterText",
        "insertText",
    }
    assert "documentation" not in item or isinstance(item["documentation"], dict)
    # the service's zero-value quirk
    err(
        c.post(
            "/lsp/completions", json={**req, "uri": uri, "position": {"line": 0, "character": 3}}
        ),
        400,
    )

    syms = c.get("/lsp/document-symbols", params={**req, "uri": uri}).json()
    names = {s["name"] for s in syms}
    assert {"greet", "Greeter", "run"} <= names
    greet = next(s for s in syms if s["name"] == "greet")
    assert greet["location"]["uri"] == uri and greet["kind"] == 12
    assert greet["location"]["range"]["start"]["line"] == 3

    ws = c.get("/lsp/workspace-symbols", params={**req, "query": "helper"}).json()
    found = {(s["name"], s["location"]["uri"]) for s in ws}
    assert ("helper_fn", "file:///home/daytona/proj/pkg/util.py") in found
    assert ("HELPER_CONST", "file:///home/daytona/proj/pkg/util.py") in found
    assert all("helper" in s["name"].lower() for s in ws)

    assert c.post("/lsp/did-close", json={**req, "uri": uri}).status_code == 200
    assert c.post("/lsp/stop", json=req).status_code == 200
    err(c.post("/lsp/stop", json=req), 500, "error stopping LSP server")
    err(c.get("/lsp/document-symbols", params={**req, "uri": uri}), 400, "server not initialized")


def test_git_output_beyond_the_bound_fails_instead_of_being_held(
    box: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git's stdout is read up to a bound: a status of a repository with more untracked files
    than that fails with a clear 400 (git killed) instead of sitting whole in memory; a smaller
    one still works."""
    from daytona_emulator.toolbox import git

    repo = box.home / "wide"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    for i in range(2000):
        (repo / f"untracked-file-with-a-long-name-{i:05d}.txt").write_text("x")
    c = box.c
    assert c.get("/git/status", params={"path": "wide"}).status_code == 200
    monkeypatch.setattr(git, "GIT_MAX_OUTPUT", 16 * 1024)
    r = c.get("/git/status", params={"path": "wide"})
    assert r.status_code == 400, r.text
    assert "output larger than" in r.json()["message"]
    small = box.home / "small"
    small.mkdir()
    _git(small, "init", "-q", "-b", "main")
    (small / "one.txt").write_text("x")
    st = c.get("/git/status", params={"path": "small"})
    assert st.status_code == 200, st.text
    assert [f["name"] for f in st.json()["fileStatus"]] == ["one.txt"]
