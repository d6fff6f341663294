"""Build-context archives: deterministic bytes, content hashes, what goes in and what not."""

from __future__ import annotations

import io
import os
import socket
import tarfile
from pathlib import Path

from daytona_async._build_context import archive_context
from daytona_async._image import LocalContext


def _archive(source: Path, name: str = "ctx") -> tuple[str, bytes]:
    out = io.BytesIO()
    digest, size = archive_context(LocalContext(source, name), out)
    assert size == len(out.getvalue())
    return digest, out.getvalue()


def _tree(root: Path) -> None:
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("A = 1\n")
    (root / "pkg" / "sub" / "b.txt").write_text("b\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o775)
    (root / "link").symlink_to("pkg/a.py")


def test_same_content_same_hash_regardless_of_mtime_and_order(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    _tree(one)
    _tree(two)
    os.utime(two / "pkg" / "a.py", (1_000_000, 1_000_000))
    (two / "pkg" / "a.py").chmod(0o600)  # only the executable bit survives
    digest_one, bytes_one = _archive(one)
    digest_two, bytes_two = _archive(two)
    assert digest_one == digest_two
    assert bytes_one == bytes_two


def test_content_change_changes_hash(tmp_path: Path) -> None:
    _tree(tmp_path)
    before, _ = _archive(tmp_path)
    (tmp_path / "pkg" / "sub" / "b.txt").write_text("B\n")
    after, _ = _archive(tmp_path)
    assert before != after
    renamed, _ = _archive(tmp_path, "other")
    assert renamed != after  # the archive name is part of the content


def test_archive_layout_and_normalized_metadata(tmp_path: Path) -> None:
    _tree(tmp_path)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "daemon.sock"))  # not a file: left out
    try:
        _, data = _archive(tmp_path)
    finally:
        sock.close()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert list(members) == [
        "ctx",
        "ctx/link",
        "ctx/pkg",
        "ctx/pkg/a.py",
        "ctx/pkg/sub",
        "ctx/pkg/sub/b.txt",
        "ctx/run.sh",
    ]
    assert members["ctx/link"].issym() and members["ctx/link"].linkname == "pkg/a.py"
    assert members["ctx/run.sh"].mode == 0o755
    assert members["ctx/pkg/a.py"].mode == 0o644
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members.values()} == {
        (0, 0, 0, "", "")
    }


def test_single_file_context(tmp_path: Path) -> None:
    (tmp_path / "req.txt").write_text("attrs\n")
    _, data = _archive(tmp_path / "req.txt", "ctx-req")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert tar.getnames() == ["ctx-req"]
        member = tar.extractfile("ctx-req")
        assert member is not None and member.read() == b"attrs\n"
