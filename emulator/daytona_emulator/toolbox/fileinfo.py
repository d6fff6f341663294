"""Go's formatting of file metadata, as the daemon's ``FileInfo`` JSON carries it."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from typing import Any

__all__ = ["file_info", "go_mode_string", "go_time_string"]


def go_mode_string(mode: int) -> str:
    """Go's ``fs.FileMode.String()`` from a ``st_mode``: ``-rw-r--r--``, ``drwxr-xr-x``..."""
    letters = ""
    if stat.S_ISDIR(mode):
        letters += "d"
    if stat.S_ISLNK(mode):
        letters += "L"
    if stat.S_ISBLK(mode) or stat.S_ISCHR(mode):
        letters += "D"
    if stat.S_ISFIFO(mode):
        letters += "p"
    if stat.S_ISSOCK(mode):
        letters += "S"
    if mode & stat.S_ISUID:
        letters += "u"
    if mode & stat.S_ISGID:
        letters += "g"
    if stat.S_ISCHR(mode):
        letters += "c"
    if mode & stat.S_ISVTX:
        letters += "t"
    rwx = "".join(ch if mode & (1 << (8 - i)) else "-" for i, ch in enumerate("rwxrwxrwx"))
    return (letters or "-") + rwx


def go_time_string(ns: int) -> str:
    """Go's ``time.Time.String()`` in UTC: ``2025-06-13 08:05:07.1234 +0000 UTC``."""
    secs, frac = divmod(ns, 1_000_000_000)
    base = datetime.fromtimestamp(secs, UTC).strftime("%Y-%m-%d %H:%M:%S")
    if frac:
        base += "." + f"{frac:09d}".rstrip("0")
    return base + " +0000 UTC"


def file_info(name: str, st: os.stat_result) -> dict[str, Any]:
    return {
        "name": name,
        "size": st.st_size,
        "mode": go_mode_string(st.st_mode),
        "modTime": go_time_string(st.st_mtime_ns),
        "isDir": stat.S_ISDIR(st.st_mode),
        "owner": str(st.st_uid),
        "group": str(st.st_gid),
        "permissions": f"{stat.S_IMODE(st.st_mode) & 0o777:04o}",
    }
