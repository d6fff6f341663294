"""``/files/*`` except uploads: the daemon's file API on the sandbox's jailed root.

Every path of a request goes through :class:`~.jail.Jail`; blocking filesystem work runs in
the sandbox's worker threads; downloads are streamed. Paths in responses and messages are the
sandbox's (as the client gave them), never host paths.
"""

from __future__ import annotations

import errno
import grp
import os
import posixpath
import pwd
import re
import shutil
import stat
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute

from .common import (
    Fail,
    daemon_routes,
    empty,
    json_response,
    os_error_message,
    os_fail,
    query,
    read_json,
    required_query,
)
from .fileinfo import file_info
from .fsio import WalkDeadline, iter_tree, make_dirs, replace_in_file
from .glob import GlobSyntaxError, compile_glob
from .jail import Jail, JailError
from .state import Toolbox

__all__ = ["FilesApi"]


def _display(path: str) -> str:
    """The path as given, cleaned like Go's ``filepath.Clean``."""
    return posixpath.normpath(path) if path else "."


def _resolve(jail: Jail, path: str, *, follow_last: bool = True) -> Path:
    try:
        return jail.resolve(path, follow_last=follow_last)
    except JailError as exc:
        raise os_fail("stat", path, exc) from None


def _parse_mode(mode: str) -> int:
    try:
        value = int(mode, 8)
    except ValueError:
        raise Fail(400, "invalid mode format") from None
    if value < 0 or value > 0o7777:
        raise Fail(400, "invalid mode format")
    return value


_GO_INT = re.compile(r"[+-]?[0-9]+")


def _go_atoi(value: str) -> int | None:
    """Go's ``strconv.Atoi``: ASCII digits with an optional sign, within int64; else None
    (the daemon then looks the value up as a name)."""
    if not _GO_INT.fullmatch(value):
        return None
    number = int(value)
    return number if -(2**63) <= number < 2**63 else None


_SCAN_LINE_MAX = 64 * 1024  # bufio.Scanner's MaxScanTokenSize, the daemon's line limit


class DownloadResponse(FileResponse):
    chunk_size = 256 * 1024


class FilesApi:
    """List, stat, delete, download, mkdir, move, chmod/chown, find, search, replace."""

    def __init__(self, toolbox: Toolbox) -> None:
        self.tb = toolbox

    def routes(self) -> list[BaseRoute]:
        return daemon_routes(
            [
                ("GET", "/files", self.list_files),
                ("GET", "/files/", self.list_files),  # the daemon's own route
                ("DELETE", "/files", self.delete_file),
                ("DELETE", "/files/", self.delete_file),
                ("GET", "/files/info", self.get_info),
                ("GET", "/files/download", self.download),
                ("POST", "/files/folder", self.create_folder),
                ("POST", "/files/move", self.move),
                ("POST", "/files/permissions", self.permissions),
                ("GET", "/files/find", self.find),
                ("GET", "/files/search", self.search),
                ("POST", "/files/replace", self.replace),
            ]
        )

    async def list_files(self, request: Request) -> Response:
        path = query(request, "path") or "."
        sb = self.tb.sandbox_of(request)
        jail = sb.jail

        def work() -> list[dict[str, Any]]:
            host = _resolve(jail, path)
            try:
                with os.scandir(host) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                raise os_fail("open", path, exc) from None
            out = []
            for entry in entries:
                try:
                    out.append(file_info(entry.name, entry.stat(follow_symlinks=False)))
                except OSError:
                    continue  # unreadable entries are skipped
            return out

        return json_response(await sb.run_sync(work))

    async def get_info(self, request: Request) -> Response:
        path = required_query(request, "path")
        sb = self.tb.sandbox_of(request)
        jail = sb.jail

        def work() -> dict[str, Any]:
            host = _resolve(jail, path)
            try:
                st = os.stat(host)
            except OSError as exc:
                raise os_fail("stat", path, exc) from None
            name = posixpath.basename(_display(path).rstrip("/")) or "/"
            return file_info(name, st)

        return json_response(await sb.run_sync(work))

    async def delete_file(self, request: Request) -> Response:
        path = required_query(request, "path")
        recursive = query(request, "recursive") == "true"
        sb = self.tb.sandbox_of(request)
        jail = sb.jail

        def work() -> None:
            host = _resolve(jail, path, follow_last=False)
            try:
                st = os.lstat(host)
            except OSError as exc:
                raise os_fail("stat", path, exc) from None
            if stat.S_ISDIR(st.st_mode):
                if not recursive:
                    raise Fail(400, "cannot delete directory without recursive flag")
                if host == jail.root:
                    raise Fail(403, f"unlinkat {_display(path)}: permission denied")
                try:
                    shutil.rmtree(host)
                except OSError as exc:
                    raise os_fail("unlinkat", path, exc) from None
            else:
                try:
                    os.unlink(host)
                except OSError as exc:
                    raise os_fail("remove", path, exc) from None

        await sb.run_sync(work)
        return empty(204)

    async def download(self, request: Request) -> Response:
        path = required_query(request, "path")
        sb = self.tb.sandbox_of(request)
        jail = sb.jail

        def work() -> tuple[Path, os.stat_result]:
            host = _resolve(jail, path)
            try:
                st = os.stat(host)
            except OSError as exc:
                raise os_fail("stat", path, exc) from None
            if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block a thread forever
                raise Fail(400, "path must be a file")
            try:  # readable, and (checked on the open file) still a regular one?
                fd = os.open(host, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY)
            except OSError as exc:
                raise os_fail("open", path, exc) from None
            try:
                st = os.fstat(fd)
            finally:
                os.close(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Fail(400, "path must be a file")
            return host, st

        host, st = await sb.run_sync(work)
        # the header carries the name's bytes (Go writes them as they are; not latin-1)
        name = os.fsencode(posixpath.basename(_display(path))).decode("latin-1")
        return DownloadResponse(
            host,
            stat_result=st,
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f"attachment; filename={name}",
                "Content-Transfer-Encoding": "binary",
                "Cache-Control": "must-revalidate",
            },
        )

    async def create_folder(self, request: Request) -> Response:
        path = required_query(request, "path")
        mode = _parse_mode(query(request, "mode") or "0755")
        sb = self.tb.sandbox_of(request)
        jail = sb.jail

        def work() -> None:
            host = _resolve(jail, path)
            try:
                make_dirs(host, mode)
            except OSError as exc:
                raise os_fail("mkdir", path, exc) from None

        await sb.run_sync(work)
        return empty(201)

    async def move(self, request: Request) -> Response:
        source = required_query(request, "source")
        destination = required_query(request, "destination")
        sb = self.tb.sandbox_of(request)
        jail = sb.jail

        def work() -> None:
            src = _resolve(jail, source, follow_last=False)
            dst = _resolve(jail, destination, follow_last=False)
            try:
                os.lstat(src)
            except OSError as exc:
                raise os_fail("stat", source, exc) from None
            if os.path.lexists(dst):
                raise Fail(409, "destination already exists")
            if src == jail.root:
                raise Fail(400, f"rename {_display(source)}: invalid argument")
            try:
                os.rename(src, dst)
            except OSError as exc:
                raise Fail(
                    404 if exc.errno == 2 else 400,
                    f"rename {_display(source)} {_display(destination)}: "
                    + os_error_message("", "", exc).strip(" :"),
                ) from None

        await sb.run_sync(work)
        return empty(200)

    async def permissions(self, request: Request) -> Response:
        path = required_query(request, "path")
        owner = query(request, "owner")
        group = query(request, "group")
        mode_s = query(request, "mode")
        mode = _parse_mode(mode_s) if mode_s else None
        sb = self.tb.sandbox_of(request)
        jail = sb.jail

        def work() -> None:
            host = _resolve(jail, path)
            try:
                os.stat(host)
            except OSError as exc:
                raise os_fail("stat", path, exc) from None
            if mode is not None:
                try:
                    os.chmod(host, mode)
                except OSError as exc:
                    raise os_fail("chmod", path, exc) from None
            uid = gid = -1
            if owner:
                number = _go_atoi(owner)
                if number is not None:
                    uid = number
                else:
                    try:
                        uid = pwd.getpwnam(owner).pw_uid
                    except (KeyError, ValueError):  # ValueError: a name with a NUL
                        raise Fail(400, "user not found") from None
            if group:
                number = _go_atoi(group)
                if number is not None:
                    gid = number
                else:
                    try:
                        gid = grp.getgrnam(group).gr_gid
                    except (KeyError, ValueError):
                        raise Fail(400, "group not found") from None
            if uid != -1 or gid != -1:
                try:
                    os.chown(host, uid, gid)
                except OverflowError:  # not a uid_t: the kernel's answer would be EINVAL
                    raise os_fail(
                        "chown", path, OSError(errno.EINVAL, "invalid argument")
                    ) from None
                except OSError as exc:
                    raise os_fail("chown", path, exc) from None

        await sb.run_sync(work)
        return empty(200)

    def deadline(self, request: Request, op: str) -> WalkDeadline:
        return WalkDeadline(op, query(request, "path"), self.tb.settings.walk_time_limit)

    def _walk(self, jail: Jail, path: str) -> tuple[Path, str]:
        host = _resolve(jail, path)
        try:
            os.stat(host)
        except OSError as exc:
            raise os_fail("lstat", path, exc) from None
        return host, _display(path)

    async def find(self, request: Request) -> Response:
        path = required_query(request, "path")
        pattern = required_query(request, "pattern")
        sb = self.tb.sandbox_of(request)
        jail = sb.jail
        needle = pattern.encode("utf-8", "surrogateescape")  # %FF names the byte 0xFF

        def scan(host: str, shown: str, out: list[dict[str, Any]]) -> None:
            try:
                fd = os.open(host, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
            except OSError:
                return
            with os.fdopen(fd, "rb") as f:
                head = f.read(512)
                if b"\x00" in head:
                    return
                f.seek(0)
                lineno = 0
                while raw := f.readline(_SCAN_LINE_MAX + 2):  # never a whole huge line
                    lineno += 1
                    line = raw.rstrip(b"\n")
                    if len(line) > _SCAN_LINE_MAX:  # bufio.Scanner's limit: the file stops here
                        return
                    if needle in line:
                        out.append(
                            {
                                "file": shown,
                                "line": lineno,
                                "content": line.decode("utf-8", "replace"),
                            }
                        )

        def work() -> list[dict[str, Any]]:
            host, shown_root = self._walk(jail, path)
            out: list[dict[str, Any]] = []
            for host_file, shown in iter_tree(host, shown_root, self.deadline(request, "find")):
                try:
                    st = os.lstat(host_file)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    scan(host_file, shown, out)
            return out

        return json_response(await sb.run_sync(work))

    async def search(self, request: Request) -> Response:
        path = required_query(request, "path")
        pattern = required_query(request, "pattern")
        sb = self.tb.sandbox_of(request)
        jail = sb.jail
        try:
            glob = compile_glob(pattern)
        except GlobSyntaxError as exc:
            raise Fail(400, str(exc)) from None

        def work() -> list[str] | None:
            host, shown_root = self._walk(jail, path)
            files = [
                shown
                for host_file, shown in iter_tree(
                    host, shown_root, self.deadline(request, "search")
                )
                if glob.match(os.path.basename(host_file) or "/")
            ]
            return files or None  # the real service answers {"files": null}

        return json_response({"files": await sb.run_sync(work)})

    async def replace(self, request: Request) -> Response:
        body = await read_json(request)
        files = body.get("files")
        pattern = body.get("pattern")
        new_value = body.get("newValue")
        if not isinstance(files, list) or not files:
            raise Fail(
                400,
                "invalid request body: Key: 'ReplaceRequest.Files' Error:Field validation for "
                "'Files' failed on the 'required' tag",
            )
        if not isinstance(pattern, str) or not pattern:
            raise Fail(
                400,
                "invalid request body: Key: 'ReplaceRequest.Pattern' Error:Field validation "
                "for 'Pattern' failed on the 'required' tag",
            )
        if not isinstance(new_value, str):
            raise Fail(
                400,
                "invalid request body: Key: 'ReplaceRequest.NewValue' Error:Field validation "
                "for 'NewValue' failed on the 'required' tag",
            )
        sb = self.tb.sandbox_of(request)
        jail = sb.jail

        def one(name: str) -> dict[str, Any]:
            try:
                replace_in_file(jail.resolve(name), pattern.encode(), new_value.encode())
                return {"file": name, "success": True}
            except OSError as exc:
                op = "open"
                return {"file": name, "success": False, "error": os_error_message(op, name, exc)}

        def work() -> list[dict[str, Any]]:
            return [one(str(name)) for name in files]

        return json_response(await sb.run_sync(work))
