"""``/files/*``: the file API of the daemon, on the sandbox's jailed root.

Every path of a request goes through :class:`~.jail.Jail`; blocking filesystem work runs in
worker threads; uploads and downloads are streamed (never held whole in memory). Paths in
responses and messages are the sandbox's (as the client gave them), never host paths.
"""

from __future__ import annotations

import errno
import grp
import os
import posixpath
import pwd
import shutil
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from .common import (
    Fail,
    daemon_handler,
    empty,
    json_response,
    os_error_message,
    os_fail,
    query,
    read_json,
)
from .glob import GlobSyntaxError, compile_glob
from .jail import Jail, JailError
from .multipart import DiscardSink, MultipartError, PartSink, TempFileSink, TextSink, parse_stream

if TYPE_CHECKING:
    from .runtime import SandboxState, ToolboxRuntime

__all__ = ["file_info", "go_mode_string", "routes"]

# ---------------------------------------------------------------------------------------------
# Go formatting helpers


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


# ---------------------------------------------------------------------------------------------
# helpers


def _q(request: Request, key: str, required: bool = True) -> str:
    value = query(request, key)
    if required and not value:
        raise Fail(400, f"{key} is required")
    return value


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


PATH_MAX = 4096  # Linux: longer paths fail with ENAMETOOLONG


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


class DownloadResponse(FileResponse):
    chunk_size = 256 * 1024


# ---------------------------------------------------------------------------------------------
# handlers


def routes(rt: ToolboxRuntime) -> list[BaseRoute]:
    def sandbox_of(request: Request) -> SandboxState:
        return rt.sandbox(request.path_params["sandboxId"])

    @daemon_handler
    async def list_files(request: Request) -> Response:
        path = query(request, "path") or "."
        sb = sandbox_of(request)
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

    @daemon_handler
    async def get_info(request: Request) -> Response:
        path = _q(request, "path")
        sb = sandbox_of(request)
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

    @daemon_handler
    async def delete_file(request: Request) -> Response:
        path = _q(request, "path")
        recursive = query(request, "recursive") == "true"
        sb = sandbox_of(request)
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

    @daemon_handler
    async def download(request: Request) -> Response:
        path = _q(request, "path")
        sb = sandbox_of(request)
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

    @daemon_handler
    async def create_folder(request: Request) -> Response:
        path = _q(request, "path")
        mode = _parse_mode(query(request, "mode") or "0755")
        sb = sandbox_of(request)
        jail = sb.jail

        def work() -> None:
            host = _resolve(jail, path)
            try:
                make_dirs(host, mode)
            except OSError as exc:
                raise os_fail("mkdir", path, exc) from None

        await sb.run_sync(work)
        return empty(201)

    @daemon_handler
    async def move(request: Request) -> Response:
        source = _q(request, "source")
        destination = _q(request, "destination")
        sb = sandbox_of(request)
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

    @daemon_handler
    async def permissions(request: Request) -> Response:
        path = _q(request, "path")
        owner = query(request, "owner")
        group = query(request, "group")
        mode_s = query(request, "mode")
        mode = _parse_mode(mode_s) if mode_s else None
        sb = sandbox_of(request)
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
                if owner.isdigit():
                    uid = int(owner)
                else:
                    try:
                        uid = pwd.getpwnam(owner).pw_uid
                    except KeyError:
                        raise Fail(400, "user not found") from None
            if group:
                if group.isdigit():
                    gid = int(group)
                else:
                    try:
                        gid = grp.getgrnam(group).gr_gid
                    except KeyError:
                        raise Fail(400, "group not found") from None
            if uid != -1 or gid != -1:
                try:
                    os.chown(host, uid, gid)
                except OSError as exc:
                    raise os_fail("chown", path, exc) from None

        await sb.run_sync(work)
        return empty(200)

    def deadline(request: Request, op: str) -> _Deadline:
        return _Deadline(op, query(request, "path"), rt.settings.walk_time_limit)

    def _walk(jail: Jail, path: str) -> tuple[Path, str]:
        host = _resolve(jail, path)
        try:
            os.stat(host)
        except OSError as exc:
            raise os_fail("lstat", path, exc) from None
        return host, _display(path)

    @daemon_handler
    async def find(request: Request) -> Response:
        path = _q(request, "path")
        pattern = _q(request, "pattern")
        sb = sandbox_of(request)
        jail = sb.jail
        needle = pattern.encode()

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
                for lineno, raw in enumerate(f, 1):
                    line = raw.rstrip(b"\n")
                    if len(line) > 64 * 1024:  # bufio.Scanner's limit: the file stops here
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
            host, shown_root = _walk(jail, path)
            out: list[dict[str, Any]] = []
            for host_file, shown in _iter_tree(host, shown_root, deadline(request, "find")):
                try:
                    st = os.lstat(host_file)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    scan(host_file, shown, out)
            return out

        return json_response(await sb.run_sync(work))

    @daemon_handler
    async def search(request: Request) -> Response:
        path = _q(request, "path")
        pattern = _q(request, "pattern")
        sb = sandbox_of(request)
        jail = sb.jail
        try:
            glob = compile_glob(pattern)
        except GlobSyntaxError as exc:
            raise Fail(400, str(exc)) from None

        def work() -> list[str] | None:
            host, shown_root = _walk(jail, path)
            files = [
                shown
                for host_file, shown in _iter_tree(host, shown_root, deadline(request, "search"))
                if glob.match(os.path.basename(host_file) or "/")
            ]
            return files or None  # the real service answers {"files": null}

        return json_response({"files": await sb.run_sync(work)})

    @daemon_handler
    async def replace(request: Request) -> Response:
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
        sb = sandbox_of(request)
        jail = sb.jail

        def one(name: str) -> dict[str, Any]:
            try:
                host = jail.resolve(name)
                with _open_regular(host) as f:
                    data = f.read()
                new = data.replace(pattern.encode(), new_value.encode())
                if new != data:
                    with open(host, "r+b") as f:
                        f.write(new)
                        f.truncate()
                return {"file": name, "success": True}
            except OSError as exc:
                op = "open"
                return {"file": name, "success": False, "error": os_error_message(op, name, exc)}

        def work() -> list[dict[str, Any]]:
            return [one(str(name)) for name in files]

        return json_response(await sb.run_sync(work))

    async def _prepare_dest(sb: SandboxState, dest: str) -> Path:
        jail = sb.jail

        def work() -> Path:
            host = jail.resolve(dest)
            if host == jail.root:
                raise IsADirectoryError(21, "is a directory")
            make_dirs(host.parent, 0o755)
            return host

        return await sb.run_sync(work)

    @daemon_handler
    async def upload(request: Request) -> Response:
        path = _q(request, "path")
        sb = sandbox_of(request)
        found = False

        async def on_part(name: str, filename: str | None) -> PartSink:
            nonlocal found
            if name != "file" or found:
                return DiscardSink()
            found = True
            try:
                host = await _prepare_dest(sb, path)
                return TempFileSink(host)
            except OSError as exc:
                raise Fail(400, os_error_message("open", path, exc)) from None

        try:
            await parse_stream(request, on_part)
        except MultipartError as exc:
            raise Fail(400, str(exc)) from None
        except ClientDisconnect:
            return empty(400)
        except OSError as exc:
            raise Fail(400, os_error_message("open", path, exc)) from None
        if not found:
            raise Fail(400, "http: no such file")
        return empty(200)

    @daemon_handler
    async def bulk_upload(request: Request) -> Response:
        sb = sandbox_of(request)
        dests: dict[str, str] = {}
        errs: list[str] = []
        pending_paths: dict[str, TextSink] = {}

        def index(name: str) -> str:
            s = name.removeprefix("files[")
            return s.removesuffix("].path").removesuffix("].file")

        async def on_part(name: str, filename: str | None) -> PartSink:
            # resolve the paths of the finished .path parts first
            for idx, sink in list(pending_paths.items()):
                if sink.done:
                    dest = sink.text.strip()
                    if dest:
                        dests[idx] = dest
                    else:
                        errs.append(f"path[{idx}]: empty path")
                    del pending_paths[idx]
            if name.endswith(".path"):
                text = TextSink()
                pending_paths[index(name)] = text
                return text
            if name.endswith(".file"):
                idx = index(name)
                target = dests.get(idx)
                if target is None:
                    errs.append(f"file[{idx}]: missing .path metadata")
                    return DiscardSink()
                try:
                    host = await _prepare_dest(sb, target)
                    return _Recording(TempFileSink(host), errs, target)
                except OSError as exc:
                    errs.append(f"{target}: {os_error_message('open', target, exc)}")
                    return DiscardSink()
            return DiscardSink()

        try:
            await parse_stream(request, on_part)
        except MultipartError:
            return json_response({"errors": ["invalid multipart form"]}, 400)
        except ClientDisconnect:
            return empty(400)
        for idx, sink in pending_paths.items():
            if not sink.text.strip():
                errs.append(f"path[{idx}]: empty path")
        if errs:
            return json_response({"errors": errs}, 400)
        return empty(200)

    return [
        Route("/files", list_files, methods=["GET"]),
        Route("/files/", list_files, methods=["GET"]),
        Route("/files", delete_file, methods=["DELETE"]),
        Route("/files/", delete_file, methods=["DELETE"]),
        Route("/files/info", get_info, methods=["GET"]),
        Route("/files/download", download, methods=["GET"]),
        Route("/files/folder", create_folder, methods=["POST"]),
        Route("/files/move", move, methods=["POST"]),
        Route("/files/permissions", permissions, methods=["POST"]),
        Route("/files/find", find, methods=["GET"]),
        Route("/files/search", search, methods=["GET"]),
        Route("/files/replace", replace, methods=["POST"]),
        Route("/files/upload", upload, methods=["POST"]),
        Route("/files/bulk-upload", bulk_upload, methods=["POST"]),
    ]


class _Recording:
    """A file sink whose write/commit errors are recorded instead of failing the request."""

    def __init__(self, inner: TempFileSink, errs: list[str], dest: str) -> None:
        self.inner: TempFileSink | None = inner
        self.errs = errs
        self.dest = dest

    async def write(self, data: bytes) -> None:
        if self.inner is None:
            return
        try:
            await self.inner.write(data)
        except OSError as exc:
            await self._fail(exc)

    async def finish(self) -> None:
        if self.inner is None:
            return
        try:
            await self.inner.finish()
        except OSError as exc:
            self.inner = None
            self.errs.append(f"{self.dest}: {os_error_message('rename', self.dest, exc)}")

    async def _fail(self, exc: OSError) -> None:
        assert self.inner is not None
        await self.inner.abort()
        self.inner = None
        self.errs.append(f"{self.dest}: {os_error_message('write', self.dest, exc)}")

    async def abort(self) -> None:
        if self.inner is not None:
            await self.inner.abort()
            self.inner = None


class _Deadline:
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


def _open_regular(host: Path) -> BinaryIO:
    """``open(host, "rb")`` that refuses FIFOs and devices instead of blocking on them."""
    fd = os.open(host, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _iter_tree(host: Path, shown_root: str, deadline: _Deadline) -> Iterator[tuple[str, str]]:
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
