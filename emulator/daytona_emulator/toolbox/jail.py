"""The path jail: a sandbox's paths mapped into its root directory on the host.

Every file operation of the toolbox API goes through :meth:`Jail.resolve`. The sandbox sees an
ordinary filesystem whose ``/`` is ``<root>``; relative paths are relative to the project dir
``/home/daytona`` (the daemon's cwd). Resolution walks the path one component at a time, the
way a kernel does inside a ``chroot``:

* ``..`` never climbs above the root (``/..`` is ``/``);
* a symlink is read and followed *inside* the root: an absolute target is a sandbox path
  (``/etc/passwd`` means ``<root>/etc/passwd``), except a target that already names a host path
  under the root (what a process of the sandbox creates with ``ln -s "$PWD/x"``), which is
  taken as is;
* so the result is always under the root, whatever the symlinks say.

Host paths never leave this module's callers: :meth:`Jail.to_sandbox` turns a host path under
the root back into its sandbox form for responses and error messages.

Residual risk (documented): a process of the sandbox that swaps a directory for a symlink
between the resolution and the operation (a TOCTOU race) could redirect that one operation.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from pathlib import Path

__all__ = ["HOME", "Jail", "JailError"]

HOME = "/home/daytona"
_MAX_LINKS = 40  # Linux MAXSYMLINKS


class JailError(OSError):
    """A path that cannot be resolved (symlink loop, not a directory, ...)."""


class Jail:
    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))
        self._root_s = str(self.root)

    # -- sandbox <-> host -------------------------------------------------------------------
    @staticmethod
    def absolute(path: str, cwd: str = HOME) -> str:
        """The sandbox path as an absolute, lexically clean path (symlinks not resolved)."""
        if not path:
            path = "."
        if not path.startswith("/"):
            path = posixpath.join(cwd, path)
        clean = posixpath.normpath(path)
        if clean.startswith("//"):
            clean = "/" + clean.lstrip("/")
        return clean

    def to_sandbox(self, host: str | Path) -> str:
        """``<root>/home/daytona/x`` → ``/home/daytona/x``. A path outside the root → ``/``."""
        host_s = os.path.normpath(str(host))
        if host_s == self._root_s:
            return "/"
        if host_s.startswith(self._root_s + "/"):
            return host_s[len(self._root_s) :]
        return "/"

    def contains(self, host: str | Path) -> bool:
        host_s = os.path.normpath(str(host))
        return host_s == self._root_s or host_s.startswith(self._root_s + "/")

    def resolve(self, path: str, *, follow_last: bool = True, cwd: str = HOME) -> Path:
        """The host path of a sandbox path, symlinks resolved inside the root.

        ``follow_last=False`` leaves a final symlink unresolved (delete or move the link
        itself). Components that do not exist are kept as they are (creation targets).
        """
        if "\x00" in path:
            raise JailError(errno.EINVAL, "invalid argument")
        try:  # a lone surrogate (not an escaped byte) names no file
            path.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raise JailError(errno.EINVAL, "invalid argument") from None
        if not path:
            path = "."
        if not path.startswith("/"):
            path = posixpath.join(cwd, path)
        pending = [c for c in path.split("/") if c and c != "."]
        pending.reverse()  # a stack: the next component is at the end
        done: list[str] = []  # resolved components under the root
        # index in `done` of the first component that does not exist: below it nothing can
        # exist either, so components are taken lexically (no syscall) until `..` climbs back
        missing_at: int | None = None
        links = 0
        while pending:
            comp = pending.pop()
            if comp == "..":
                if done:
                    done.pop()
                if missing_at is not None and len(done) <= missing_at:
                    missing_at = None
                continue
            if missing_at is not None:
                done.append(comp)
                continue
            host = os.path.join(self._root_s, *done, comp)
            is_last = not pending
            try:
                st = os.lstat(host)
            except FileNotFoundError:
                missing_at = len(done)
                done.append(comp)
                continue
            except OSError as exc:  # not a directory, name too long, permission...
                raise JailError(exc.errno, exc.strerror) from None
            if stat.S_ISLNK(st.st_mode) and (follow_last or not is_last):
                links += 1
                if links > _MAX_LINKS:
                    raise JailError(errno.ELOOP, "too many levels of symbolic links")
                try:
                    target = os.readlink(host)
                except OSError as exc:
                    raise JailError(exc.errno, exc.strerror) from None
                if target.startswith("/"):
                    if self.contains(target):  # a host path under the root
                        target = self.to_sandbox(target)
                    done = []
                parts = [c for c in target.split("/") if c and c != "."]
                pending.extend(reversed(parts))
                continue
            done.append(comp)
        return Path(os.path.join(self._root_s, *done))
