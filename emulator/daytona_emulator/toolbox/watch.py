"""Wake-ups for log followers: inotify on Linux, plain timers elsewhere.

A follower at the end of a log calls ``await watcher.wait(path, timeout)``; it returns when
the file was written (``IN_MODIFY``), or after ``timeout``. With inotify an idle follower
costs nothing: one watch per followed file (shared by its followers), one reader callback on
the event loop for all of them. Without inotify (other OS, watch limit reached) ``wait`` is
a sleep, and followers poll as the daemon does.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
import os
import struct
import sys
from pathlib import Path

__all__ = ["LogWatcher"]

log = logging.getLogger("daytona_emulator.toolbox")

IN_MODIFY = 0x00000002
IN_CLOSE_WRITE = 0x00000008
IN_DELETE_SELF = 0x00000400
IN_IGNORED = 0x00008000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")


class LogWatcher:
    def __init__(self) -> None:
        self._fd = -1
        self._libc: ctypes.CDLL | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wds: dict[str, int] = {}  # path -> watch descriptor
        self._users: dict[int, int] = {}  # wd -> followers using it
        self._waiters: dict[int, set[asyncio.Future[None]]] = {}
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
                fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
            except (OSError, AttributeError) as exc:
                log.info("no inotify (%s): log followers poll", exc)
            else:
                if fd >= 0:
                    self._libc, self._fd = libc, fd
                else:
                    log.info("no inotify (errno %d): log followers poll", ctypes.get_errno())

    @property
    def native(self) -> bool:
        return self._fd >= 0

    def _ensure_reader(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        try:
            loop.add_reader(self._fd, self._on_readable)
        except (NotImplementedError, RuntimeError):
            self.close()
            return
        self._loop = loop

    def acquire(self, path: Path) -> int | None:
        """Start watching ``path`` for a follower; ``None``: no native watch (poll)."""
        if not self.native:
            return None
        self._ensure_reader()
        if not self.native or self._libc is None:
            return None
        key = str(path)
        wd = self._wds.get(key)
        if wd is None:
            wd = self._libc.inotify_add_watch(
                self._fd, os.fsencode(key), IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE_SELF
            )
            if wd < 0:
                return None
            self._wds[key] = wd
        self._users[wd] = self._users.get(wd, 0) + 1
        return wd

    def release(self, path: Path, wd: int | None) -> None:
        if wd is None:
            return
        left = self._users.get(wd, 0) - 1
        if left > 0:
            self._users[wd] = left
            return
        self._users.pop(wd, None)
        self._wds.pop(str(path), None)
        if self.native and self._libc is not None:
            self._libc.inotify_rm_watch(self._fd, wd)

    def arm(self, wd: int | None) -> asyncio.Future[None] | None:
        """Register interest in the next write of ``wd`` *before* the last read that found
        nothing, so a write in between is not missed."""
        if wd is None:
            return None
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(wd, set()).add(fut)
        return fut

    def disarm(self, wd: int | None, fut: asyncio.Future[None] | None) -> None:
        if wd is None or fut is None:
            return
        waiters = self._waiters.get(wd)
        if waiters is not None:
            waiters.discard(fut)
            if not waiters:
                self._waiters.pop(wd, None)

    async def wait(self, wd: int | None, fut: asyncio.Future[None] | None, limit_s: float) -> None:
        """Until ``wd`` is written (or woken), at most ``limit_s``; a sleep without a watch."""
        if wd is None or fut is None:
            await asyncio.sleep(limit_s)
            return
        try:
            await asyncio.wait_for(fut, limit_s)
        except TimeoutError:
            pass
        finally:
            self.disarm(wd, fut)

    def wake(self, path: Path) -> None:
        """Wake the followers of ``path`` (command exited, session closed)."""
        wd = self._wds.get(str(path))
        if wd is not None:
            self._wake(wd)

    def _wake(self, wd: int) -> None:
        for fut in self._waiters.pop(wd, ()):
            if not fut.done():
                fut.set_result(None)

    def _on_readable(self) -> None:
        try:
            data = os.read(self._fd, 64 * 1024)
        except BlockingIOError:
            return
        except OSError:
            return
        pos = 0
        woken: set[int] = set()
        while pos + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, pos)
            pos += _EVENT.size + length
            woken.add(wd)
            if mask & IN_IGNORED:
                self._users.pop(wd, None)
                for key, value in list(self._wds.items()):
                    if value == wd:
                        del self._wds[key]
        for wd in woken:
            self._wake(wd)

    def close(self) -> None:
        if self._loop is not None and self._fd >= 0:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                self._loop.remove_reader(self._fd)
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = -1
        self._loop = None
        self._wds.clear()
        self._users.clear()
        for waiters in self._waiters.values():
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)
        self._waiters.clear()
