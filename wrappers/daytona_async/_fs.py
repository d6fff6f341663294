"""``sandbox.fs``: streamed uploads and downloads, and the other file operations.

Uploads always go through ``POST files/bulk-upload`` (as the official SDK does; the single
``files/upload`` is capped at 50 MB by the API's proxy). The generator drops that request's
body, so the multipart body is built here as an async generator: a random boundary, each
``files[i].path`` part before its ``files[i].file`` part (the daemon needs that order), file
contents read in 1 MiB chunks in a worker thread — never whole. ``Content-Length`` is sent
when every source's size is known, else the body is chunked.

Downloads stream to a temporary file next to the destination, renamed over it only once the
whole body arrived (its length checked against ``Content-Length``): a failed download never
leaves a truncated file at the destination.

Relative remote paths resolve against the sandbox's project dir (``GET project-dir``, cached).
"""

from __future__ import annotations

import builtins
import os
import posixpath
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import IO, TYPE_CHECKING, Any, TypeAlias

import anyio
import httpx

from ._deadline import Deadline
from ._streams import open_stream
from ._toolbox_base import ToolboxBase, check_path
from ._util import call_maybe_async
from .errors import APIConnectionError, DaytonaError, InvalidArgumentError

if TYPE_CHECKING:
    from daytona_api.models import FileInfo, Match, ReplaceResult

__all__ = ["DownloadStream", "FileSystem", "ProgressCallback", "UploadSource"]

#: ``progress(done_bytes, total_bytes_or_None)``; may be sync or async
ProgressCallback: TypeAlias = Callable[[int, int | None], Awaitable[None] | None]

#: what can be uploaded: a local path (``str``/``PathLike``), bytes, a binary file object, or
#: an async iterable of bytes
UploadSource: TypeAlias = (
    "str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | AsyncIterable[bytes]"
)

CHUNK_SIZE = 1024 * 1024
WRITE_BUFFER = 1024 * 1024
DEFAULT_TRANSFER_TIMEOUT = 1800.0


class _Source:
    """One upload source: its size if known and a way to read it in chunks."""

    def __init__(self, src: Any) -> None:
        self.src = src
        self.path: str | None = None
        self.size: int | None = None
        if isinstance(src, (bytes, bytearray, memoryview)):
            self.size = memoryview(src).nbytes
        elif isinstance(src, (str, os.PathLike)):
            self.path = os.fspath(src)
        elif hasattr(src, "__aiter__"):
            pass
        elif hasattr(src, "read"):
            pass
        else:
            raise InvalidArgumentError(
                "upload source must be a local path, bytes, a binary file object or an async "
                f"iterable of bytes, not {type(src).__name__}"
            )

    async def prepare(self) -> None:
        if self.path is not None:
            try:
                st = await anyio.Path(self.path).stat()
            except OSError as exc:
                raise InvalidArgumentError(f"cannot read {self.path!r}: {exc}") from exc
            if not (st.st_mode & 0o170000 == 0o100000):
                raise InvalidArgumentError(f"not a regular file: {self.path!r}")
            self.size = st.st_size

    async def chunks(self) -> AsyncIterator[bytes]:
        src = self.src
        if isinstance(src, (bytes, bytearray, memoryview)):
            view = memoryview(src).cast("B")
            for start in range(0, len(view), CHUNK_SIZE):
                yield bytes(view[start : start + CHUNK_SIZE])
        elif self.path is not None:
            sent = 0
            async with await anyio.open_file(self.path, "rb") as f:
                while True:
                    chunk = await f.read(CHUNK_SIZE)
                    if not chunk:
                        break
                    sent += len(chunk)
                    if self.size is not None and sent > self.size:
                        raise APIConnectionError(f"{self.path!r} grew during the upload")
                    yield chunk
            if self.size is not None and sent != self.size:
                raise APIConnectionError(f"{self.path!r} shrank during the upload")
        elif hasattr(src, "__aiter__"):
            async for chunk in src:
                if not isinstance(chunk, (bytes, bytearray, memoryview)):
                    raise InvalidArgumentError(
                        f"upload iterable yielded {type(chunk).__name__}, not bytes"
                    )
                if chunk:
                    yield bytes(chunk)
        else:  # a sync binary file object: read in a worker thread
            while True:
                chunk = await anyio.to_thread.run_sync(src.read, CHUNK_SIZE)
                if not chunk:
                    break
                if not isinstance(chunk, (bytes, bytearray)):
                    raise InvalidArgumentError("upload file object must be opened in binary mode")
                yield bytes(chunk)


def _quote_field(value: str) -> str:
    # as browsers and httpx do: the only characters that cannot appear in a quoted field
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class _BulkBody:
    """The streamed multipart body of ``files/bulk-upload``."""

    def __init__(self, items: list[tuple[_Source, str]], progress: ProgressCallback | None) -> None:
        self.items = items
        self.progress = progress
        self.boundary = secrets.token_hex(16)
        b = self.boundary
        self.heads: list[tuple[bytes, bytes]] = []
        for i, (_src, dst) in enumerate(items):
            path_part = (
                f'--{b}\r\nContent-Disposition: form-data; name="files[{i}].path"\r\n\r\n{dst}\r\n'
            ).encode()
            name = _quote_field(posixpath.basename(dst) or "file")
            file_head = (
                f'--{b}\r\nContent-Disposition: form-data; name="files[{i}].file"; '
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            self.heads.append((path_part, file_head))
        self.tail = f"--{b}--\r\n".encode()
        sizes = [src.size for src, _ in items]
        self.data_total: int | None = (
            None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)
        )

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def content_length(self) -> int | None:
        if self.data_total is None:
            return None
        framing = sum(len(a) + len(b) + 2 for a, b in self.heads) + len(self.tail)
        return framing + self.data_total

    async def __aiter__(self) -> AsyncIterator[bytes]:
        done = 0
        for (src, _dst), (path_part, file_head) in zip(self.items, self.heads, strict=True):
            yield path_part + file_head
            async for chunk in src.chunks():
                yield chunk
                done += len(chunk)
                if self.progress is not None:
                    await call_maybe_async(self.progress, done, self.data_total)
            yield b"\r\n"
        yield self.tail


class DownloadStream:
    """The body of a download, as it arrives: ``async for chunk in stream``.

    ``size`` is the ``Content-Length`` (``None`` if the server did not send one); ``received``
    counts the bytes delivered so far. Iterating a second time is an error.
    """

    def __init__(
        self,
        fs: FileSystem,
        response: httpx.Response,
        path: str,
        progress: ProgressCallback | None,
        deadline: Deadline,
    ) -> None:
        self._fs = fs
        self._response = response
        self._progress = progress
        self._deadline = deadline
        self._started = False
        self.path = path
        length = response.headers.get("content-length")
        self.size: int | None = int(length) if length and length.isdigit() else None
        self.received = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._started:
            raise RuntimeError("a DownloadStream can be iterated only once")
        self._started = True
        ctx = self._fs._ctx
        try:
            with self._deadline.scope():
                async for chunk in self._response.aiter_bytes():
                    self.received += len(chunk)
                    if self._progress is not None:
                        await call_maybe_async(self._progress, self.received, self.size)
                    yield chunk
        except httpx.HTTPError as exc:
            raise ctx.map_exception(exc, self._deadline) from exc
        if self.size is not None and self.received != self.size:
            raise APIConnectionError(
                f"download of {self.path!r} ended after {self.received} of {self.size} bytes"
            )


class FileSystem(ToolboxBase):
    """File operations in one sandbox: ``sandbox.fs``.

    Remote paths may be relative (to the project dir, usually ``/home/daytona``). Transfers
    take ``timeout=`` (default 30 min) bounding the whole transfer; other calls default to the
    client's call timeout.
    """

    # -- uploads -------------------------------------------------------------------------

    async def upload(
        self,
        src: UploadSource,
        dst: str,
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> None:
        """Upload ``src`` (a local path, bytes, a binary file object or an async iterable of
        bytes) to the remote file ``dst``, streamed. Parent directories are created.

        ``progress(done, total)`` is called after every chunk (``total`` is ``None`` for an
        iterable source)."""
        await self.upload_many([(src, dst)], progress=progress, timeout=timeout)

    async def upload_many(
        self,
        files: Iterable[tuple[UploadSource, str]],
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> None:
        """Upload several ``(src, dst)`` pairs in one streamed bulk-upload request.

        ``progress(done, total)`` counts the bytes of all files together. A server-side
        failure of any file raises :class:`~daytona_async.BadRequestError` with the daemon's
        error list as its message."""
        dl = Deadline(timeout, "upload")
        pairs = list(files)
        if not pairs:
            return
        items: list[tuple[_Source, str]] = []
        for src, dst in pairs:
            source = _Source(src)
            items.append((source, await self.resolve(check_path(dst, "dst"), deadline=dl)))
        for source, _ in items:
            await source.prepare()
        body = _BulkBody(items, progress)
        headers = {"Content-Type": body.content_type}
        length = body.content_length
        if length is not None:
            headers["Content-Length"] = str(length)
        response = await open_stream(
            self._ctx,
            "POST",
            self._url("/files/bulk-upload"),
            content=body,
            headers=headers,
            deadline=dl,
            read_timeout=self._ctx.timeout.read,
        )
        try:
            with dl.scope():
                await response.aread()
        except httpx.HTTPError as exc:
            raise self._ctx.map_exception(exc, dl) from exc
        finally:
            with anyio.CancelScope(shield=True):
                await response.aclose()

    # -- downloads -----------------------------------------------------------------------

    @asynccontextmanager
    async def stream(
        self,
        path: str,
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> AsyncIterator[DownloadStream]:
        """``async with sandbox.fs.stream(path) as s: async for chunk in s: ...`` — the
        remote file as it arrives; ``timeout`` bounds the whole block. The response is closed
        (its connection released) when the block exits, early exits included."""
        dl = Deadline(timeout, f"download {path}")
        remote = await self.resolve(path, deadline=dl)
        response = await open_stream(
            self._ctx,
            "GET",
            self._url("/files/download"),
            params={"path": remote},
            deadline=dl,
            read_timeout=self._ctx.timeout.read,
        )
        try:
            yield DownloadStream(self, response, remote, progress, dl)
        finally:
            with anyio.CancelScope(shield=True):
                await response.aclose()

    async def download_bytes(
        self,
        path: str,
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> bytes:
        """The whole remote file in memory (use :meth:`download` or :meth:`stream` for big
        files)."""
        buf = bytearray()
        async with self.stream(path, progress=progress, timeout=timeout) as s:
            async for chunk in s:
                buf += chunk
        return bytes(buf)

    async def download(
        self,
        path: str,
        dst: str | os.PathLike[str],
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> str:
        """Download the remote file ``path`` to the local path ``dst`` (into it, under the
        remote base name, if ``dst`` is an existing directory); returns the local path.

        The body goes to a temporary file in the destination's directory, renamed over
        ``dst`` only when complete: on any failure (cancellation included) the temporary file
        is removed and ``dst`` is untouched."""
        target = anyio.Path(os.fspath(dst))
        if await target.is_dir():
            target = target / posixpath.basename(path.rstrip("/"))
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
        ok = False
        try:
            async with await anyio.open_file(tmp, "wb") as out:
                async with self.stream(path, progress=progress, timeout=timeout) as s:
                    buf = bytearray()
                    async for chunk in s:
                        buf += chunk
                        if len(buf) >= WRITE_BUFFER:
                            await out.write(bytes(buf))
                            buf.clear()
                    if buf:
                        await out.write(bytes(buf))
            await tmp.replace(target)
            ok = True
        except OSError as exc:
            raise DaytonaError(f"cannot write {str(target)!r}: {exc}") from exc
        finally:
            if not ok:
                with anyio.CancelScope(shield=True):
                    try:
                        await tmp.unlink(missing_ok=True)
                    except OSError:
                        pass
        return str(target)

    # -- other operations ----------------------------------------------------------------

    async def list(self, path: str = ".", *, timeout: float | None = None) -> list[FileInfo]:
        """The entries of a remote directory (``FileInfo`` models)."""
        from daytona_api.api.toolbox_files import list_files

        remote = await self.resolve(path)
        return await self._ctx.call_parsed(
            list_files, self.sandbox_id, path=remote, expect=(list,), timeout=timeout
        )

    async def info(self, path: str, *, timeout: float | None = None) -> FileInfo:
        """``FileInfo`` of one remote path (name, size, mode, permissions, owner, ...)."""
        from daytona_api.api.toolbox_files import get_file_info
        from daytona_api.models import FileInfo

        remote = await self.resolve(path)
        return await self._ctx.call_parsed(
            get_file_info, self.sandbox_id, path=remote, expect=FileInfo, timeout=timeout
        )

    async def exists(self, path: str, *, timeout: float | None = None) -> bool:
        """Does the remote path exist?"""
        from .errors import NotFoundError

        try:
            await self.info(path, timeout=timeout)
        except NotFoundError:
            return False
        return True

    async def mkdir(
        self, path: str, mode: int | str = 0o755, *, timeout: float | None = None
    ) -> None:
        """Create a remote directory and its parents (``mode`` as an int such as ``0o755`` or
        an octal string such as ``"755"``)."""
        from daytona_api.api.toolbox_files import create_folder

        remote = await self.resolve(path)
        await self._ctx.call(
            create_folder, self.sandbox_id, path=remote, mode=_mode(mode), timeout=timeout
        )

    async def move(self, source: str, destination: str, *, timeout: float | None = None) -> None:
        """Rename/move a remote path (an existing destination → ``ConflictError``)."""
        from daytona_api.api.toolbox_files import move_file

        src = await self.resolve(source)
        dst = await self.resolve(destination)
        await self._ctx.call(
            move_file, self.sandbox_id, source=src, destination=dst, timeout=timeout
        )

    async def delete(
        self, path: str, *, recursive: bool = False, timeout: float | None = None
    ) -> None:
        """Delete a remote file; a directory needs ``recursive=True`` (the service refuses a
        directory without it: ``BadRequestError``). ``recursive`` is not in the API
        description; it is sent as the daemon's ``recursive=true`` query parameter."""
        from daytona_api.api.toolbox_files import delete_file

        remote = await self.resolve(path)
        if recursive:
            await self._ctx.request(
                "DELETE",
                self._url("/files"),
                params={"path": remote, "recursive": "true"},
                timeout=timeout,
            )
        else:
            await self._ctx.call(delete_file, self.sandbox_id, path=remote, timeout=timeout)

    async def chmod(self, path: str, mode: int | str, *, timeout: float | None = None) -> None:
        """Set a remote path's permission bits (``0o644`` or ``"644"``)."""
        await self.set_permissions(path, mode=mode, timeout=timeout)

    async def chown(
        self,
        path: str,
        owner: str | int | None = None,
        group: str | int | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        """Set a remote path's owner and/or group (names or numeric ids)."""
        await self.set_permissions(path, owner=owner, group=group, timeout=timeout)

    async def set_permissions(
        self,
        path: str,
        *,
        mode: int | str | None = None,
        owner: str | int | None = None,
        group: str | int | None = None,
        timeout: float | None = None,
    ) -> None:
        """``POST files/permissions``: any of mode, owner and group."""
        from daytona_api.api.toolbox_files import set_file_permissions
        from daytona_api.types import UNSET

        if mode is None and owner is None and group is None:
            raise InvalidArgumentError("give at least one of mode, owner, group")
        remote = await self.resolve(path)
        await self._ctx.call(
            set_file_permissions,
            self.sandbox_id,
            path=remote,
            mode=UNSET if mode is None else _mode(mode),
            owner=UNSET if owner is None else str(owner),
            group=UNSET if group is None else str(group),
            timeout=timeout,
        )

    async def find(
        self, path: str, pattern: str, *, timeout: float | None = None
    ) -> builtins.list[Match]:
        """Lines containing ``pattern`` (a plain substring) in the files under ``path``
        (``Match(file, line (1-based), content)``)."""
        from daytona_api.api.toolbox_files import find_in_files

        remote = await self.resolve(path)
        return await self._ctx.call_parsed(
            find_in_files,
            self.sandbox_id,
            path=remote,
            pattern=check_path(pattern, "pattern"),
            expect=(list,),
            timeout=timeout,
        )

    async def search(
        self, path: str, pattern: str, *, timeout: float | None = None
    ) -> builtins.list[str]:
        """Paths under ``path`` whose base name matches the glob ``pattern`` (``[]`` when
        nothing matches — the service sends ``{"files": null}`` then)."""
        from daytona_api.api.toolbox_files import search_files
        from daytona_api.models import SearchFilesResponse

        remote = await self.resolve(path)
        result = await self._ctx.call_parsed(
            search_files,
            self.sandbox_id,
            path=remote,
            pattern=check_path(pattern, "pattern"),
            expect=SearchFilesResponse,
            timeout=timeout,
        )
        return list(result.files or [])

    async def replace(
        self,
        files: Iterable[str],
        pattern: str,
        new_value: str,
        *,
        timeout: float | None = None,
    ) -> builtins.list[ReplaceResult]:
        """Replace every occurrence of the literal ``pattern`` by ``new_value`` in ``files``;
        per-file outcomes (``ReplaceResult(file, success, error)``), a failing file does not
        fail the call."""
        from daytona_api.api.toolbox_files import replace_in_files
        from daytona_api.models import ReplaceRequest

        paths = [await self.resolve(f) for f in files]
        if not paths:
            return []
        body = ReplaceRequest(
            files=paths, pattern=check_path(pattern, "pattern"), new_value=new_value
        )
        return await self._ctx.call_parsed(
            replace_in_files, self.sandbox_id, body=body, expect=(list,), timeout=timeout
        )


def _mode(mode: int | str) -> str:
    if isinstance(mode, bool):
        raise InvalidArgumentError("mode must be an int or an octal string")
    if isinstance(mode, int):
        if not 0 <= mode <= 0o7777:
            raise InvalidArgumentError(f"mode out of range: {mode:o}")
        return format(mode, "o")
    if isinstance(mode, str) and mode and all(c in "01234567" for c in mode.removeprefix("0o")):
        return mode.removeprefix("0o")
    raise InvalidArgumentError(f"mode must be an int or an octal string, not {mode!r}")
