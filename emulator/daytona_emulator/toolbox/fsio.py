"""Blocking filesystem helpers of the file API: no recursion on deep paths, no open that
blocks on a FIFO, tree walks in Go's order with a time limit. Run them in a worker thread."""

from __future__ import annotations

import errno
import os
import posixpath
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .common import Fail

__all__ = [
    "PATH_MAX",
    "WalkDeadline",
    "iter_tree",
    "make_dirs",
    "open_regular",
    "replace_in_file",
]

PATH_MAX = 4096  # Linux: longer paths fail with ENAMETOOLONG
_CHUNK = 1024 * 1024


def make_dirs(host: Path, mode: int) -> None:
    """``os.makedirs(host, mode, exist_ok=True)`` without recursion: a path thousands of
    directories deep fails with ENAMETOOLONG instead of exhausting the stack."""
    if len(os.fsencode(host)) >= PATH_MAX:
        raise OSError(errno.ENAMETOOLONG, "file name too long")
    missing: list[Path] = []
    cur = host
    while not cur.is_dir() and cur.parent != cur:
        missing.append(cur)
        cur = cur.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, mode)
        except FileExistsError:
            if not directory.is_dir():
                raise


class WalkDeadline:
    """The time a tree walk may take (``walk_time_limit``): a search of a huge tree answers a
    clear 400 instead of holding a worker thread for ever."""

    def __init__(self, op: str, path: str, limit_s: float) -> None:
        self.op, self.path, self.limit_s = op, path, limit_s
        self.at = time.monotonic() + limit_s

    def check(self) -> None:
        if time.monotonic() >= self.at:
            raise Fail(
                400,
                f"{self.op} {self.path}: stopped after {self.limit_s:g} s "
                "(the emulator's walk_time_limit): search a smaller tree",
            )


def open_regular_fd(host: Path) -> int:
    """A blocking read descriptor of ``host``; a FIFO or device in its place is refused
    (``EINVAL``) instead of blocking the opener."""
    fd = os.open(host, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_regular(host: Path) -> BinaryIO:
    """``open(host, "rb")`` that refuses FIFOs and devices instead of blocking on them."""
    fd = open_regular_fd(host)
    try:
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def iter_tree(host: Path, shown_root: str, deadline: WalkDeadline) -> Iterator[tuple[str, str]]:
    """(host path, shown path) of ``host`` and everything under it, in the order of Go's
    ``filepath.Walk``: depth first, lexical order, symlinked directories not followed."""
    deadline.check()
    yield str(host), shown_root
    if not host.is_dir():
        return

    def entries(cur: str, shown: str) -> Iterator[tuple[str, str, bool]]:
        try:
            with os.scandir(cur) as it:
                found = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        for entry in found:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            yield entry.path, posixpath.join(shown, entry.name), is_dir

    stack = [entries(str(host), shown_root)]
    while stack:
        try:
            path, shown, is_dir = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        deadline.check()
        yield path, shown
        if is_dir:
            stack.append(entries(path, shown))


#: how much bigger ``files/replace`` may make a file
MAX_REPLACE_GROWTH = 256 * 1024 * 1024


def replace_in_file(host: Path, old: bytes, new: bytes) -> None:
    """Every non-overlapping ``old`` in the file replaced by ``new``, left to right (what
    ``bytes.replace`` does), with memory bounded by the chunk size: the daemon reads the whole
    file, which in the emulator would put a sandbox's largest file in the host process.

    The result is spooled to an anonymous temporary file and copied back in place (the inode,
    its mode and its hard links stay); an unchanged file is not written at all. A result larger
    than the file plus :data:`MAX_REPLACE_GROWTH` is refused (``EFBIG``, the file unchanged):
    a one-byte pattern replaced by a long value could otherwise fill the host's disk.
    """
    if not old:
        raise ValueError("the pattern must not be empty")
    keep = len(old) - 1  # a match may start in the last `keep` bytes and end in the next chunk
    changed = False
    with open_regular(host) as src, tempfile.TemporaryFile() as spool:
        limit = os.fstat(src.fileno()).st_size + MAX_REPLACE_GROWTH
        carry = b""
        while chunk := src.read(_CHUNK):
            if spool.tell() > limit:
                raise OSError(errno.EFBIG, "file too large")
            buf = carry + chunk
            cut = len(buf) - keep  # every match starting before `cut` lies wholly in `buf`
            pos = 0
            while (at := buf.find(old, pos)) != -1 and at < cut:
                spool.write(buf[pos:at])
                spool.write(new)
                pos = at + len(old)
                changed = True
            end = max(pos, cut)
            spool.write(buf[pos:end])
            carry = buf[end:]
        spool.write(carry)
        if spool.tell() > limit:
            raise OSError(errno.EFBIG, "file too large")
        if not changed:
            return
        spool.seek(0)
        with open(host, "r+b") as dst:
            while chunk := spool.read(_CHUNK):
                dst.write(chunk)
            dst.truncate()
