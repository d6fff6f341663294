"""``sandbox.fs``: streamed uploads and downloads, and the other file operations.

Every file operation goes through the generated endpoint functions, except the bulk upload
(see :data:`HAND_BUILT_ROUTES`): uploads always go through ``POST files/bulk-upload`` (as the
official SDK does; the single ``files/upload`` is capped at 50 MB by the API's proxy), and the
generator drops that request's body. Its multipart body is built here: a random boundary, each
``files[i].path`` part before its ``files[i].file`` part (the daemon needs that order), file
contents read in 1 MiB chunks in a worker thread — never whole. ``Content-Length`` is sent
when every source's size is known, else the body is chunked. When every source can be read
again from its start (bytes, a local path, a seekable file object) the body is a
:class:`~daytona_async._bodies.ReplayableStream` and the transport retries the upload like an
idempotent request (re-uploading the same bytes to the same paths gives the same result); a
one-shot async iterable cannot be sent twice, so such an upload is never re-sent.

Downloads stream to a temporary file next to the destination, renamed over it only once the
whole body arrived (its length checked against ``Content-Length``): a failed download never
leaves a truncated file at the destination. A body cut mid-way is resumed with a ``Range``
request guarded by ``If-Range`` (the file's ``ETag``/``Last-Modified``), so a file changed in
between is never spliced; a server that ignores the range is read again from the start, the
bytes already delivered skipped.

Relative remote paths resolve against the sandbox's project dir (``GET project-dir``, cached).
"""

from __future__ import annotations

import builtins
import os
import posixpath
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import IO, TYPE_CHECKING, Any, TypeAlias

import anyio
import httpx

from ._bodies import ReplayableStream
from ._deadline import Deadline
from ._streams import STREAM_ERRORS, endpoint_stream
from ._toolbox_base import ToolboxBase, check_path
from ._util import call_maybe_async
from ._wire import IDEMPOTENT_EXTENSION
from .errors import APIConnectionError, DaytonaError, InvalidArgumentError

if TYPE_CHECKING:
    from daytona_api.models import FileInfo, Match, ReplaceResult

__all__ = [
    "HAND_BUILT_ROUTES",
    "DownloadStream",
    "FileSystem",
    "ProgressCallback",
    "UploadSource",
]

#: The toolbox routes this package sends by hand instead of through the generated endpoint
#: functions, each with the reason the generator cannot express it. Everything else goes
#: through ``daytona_api``. (method, path as in ``openapi/daytona.yaml``) -> reason.
HAND_BUILT_ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/toolbox/{sandboxId}/toolbox/files/bulk-upload"): (
        "multipart/form-data whose schema is a top-level array: the generated function drops "
        "the body (sends 0 bytes), and a streamed body of unknown length with the path part "
        "before each file part is not expressible in the generated multipart model"
    ),
}

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
#: a download cut mid-way is resumed at most this many times
MAX_RESUMES = 10
_BULK_UPLOAD = "/toolbox/{sandboxId}/toolbox/files/bulk-upload"
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)\Z")


class _Source:
    """One upload source: its size if known and a way to read it in chunks."""

    def __init__(self, src: Any) -> None:
        self.src = src
        self.path: str | None = None
        self.size: int | None = None
        #: where a seekable file object starts (``None``: not seekable, or not a file object)
        self.start: int | None = None
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
        elif self.replayable_kind() == "file":
            self.start = await anyio.to_thread.run_sync(_tell_if_seekable, self.src)

    def replayable_kind(self) -> str:
        src = self.src
        if isinstance(src, (bytes, bytearray, memoryview)) or self.path is not None:
            return "memory-or-path"
        if hasattr(src, "__aiter__"):
            return "iterable"
        return "file"

    @property
    def replayable(self) -> bool:
        """Can the source be read again from its start (for a retry)?"""
        kind = self.replayable_kind()
        return kind == "memory-or-path" or (kind == "file" and self.start is not None)

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
            if self.start is not None:  # each attempt starts where the first one did
                await anyio.to_thread.run_sync(src.seek, self.start)
            while True:
                chunk = await anyio.to_thread.run_sync(src.read, CHUNK_SIZE)
                if not chunk:
                    break
                if not isinstance(chunk, (bytes, bytearray)):
                    raise InvalidArgumentError("upload file object must be opened in binary mode")
                yield bytes(chunk)


def _tell_if_seekable(f: Any) -> int | None:
    try:
        if not f.seekable():
            return None
        position: int = f.tell()
    except (AttributeError, OSError, ValueError):
        return None
    return position


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

    @property
    def replayable(self) -> bool:
        return all(src.replayable for src, _ in self.items)

    def stream(self) -> httpx.AsyncByteStream:
        """The body: replayable (each attempt starts over, ``progress`` from 0 again) when
        every source is; else one-shot."""
        if self.replayable:
            return ReplayableStream(self.chunks, self.content_length)
        return _OneShot(self.chunks())

    async def chunks(self) -> AsyncIterator[bytes]:
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


class _OneShot(httpx.AsyncByteStream):
    """A body that can be sent once: the transport never re-sends it."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            yield chunk


class DownloadStream:
    """The body of a download, as it arrives: ``async for chunk in stream``.

    ``size`` is the ``Content-Length`` (``None`` if the server did not send one); ``received``
    counts the bytes delivered so far; ``resumes`` how often a cut body was resumed. Iterating
    a second time is an error.
    """

    def __init__(
        self,
        fs: FileSystem,
        path: str,
        progress: ProgressCallback | None,
        deadline: Deadline,
    ) -> None:
        self._fs = fs
        self._progress = progress
        self._deadline = deadline
        self._started = False
        self._cm: AbstractAsyncContextManager[httpx.Response] | None = None
        self._response: httpx.Response | None = None
        self._validator: str | None = None
        self.path = path
        self.size: int | None = None
        self.received = 0
        self.resumes = 0

    async def _open(self, offset: int = 0) -> httpx.Response:
        """Send ``GET files/download`` (from ``offset`` with a guarded ``Range``)."""
        from daytona_api.api.toolbox_files import download_file
        from daytona_api.types import UNSET

        fs = self._fs
        ranged = offset > 0 and self._validator is not None
        cm = endpoint_stream(
            fs._ctx,
            download_file.asyncio_stream,
            fs.sandbox_id,
            path=self.path,
            range_=f"bytes={offset}-" if ranged else UNSET,
            if_range=self._validator if ranged and self._validator else UNSET,
            deadline=self._deadline,
            read_timeout=fs._ctx.timeout.read,
        )
        response = await cm.__aenter__()
        self._cm = cm
        self._response = response
        return response

    async def _start(self) -> None:
        response = await self._open()
        length = response.headers.get("content-length")
        encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
        # an encoded body's Content-Length counts encoded bytes, not the file's
        self.size = int(length) if length and length.isdigit() and not encoded else None
        # a cut body is resumed only when the file's identity can be checked (If-Range)
        self._validator = response.headers.get("etag") or response.headers.get("last-modified")
        if self._validator and self._validator.startswith("W/"):
            self._validator = response.headers.get("last-modified")

    async def _close(self) -> None:
        cm, self._cm, self._response = self._cm, None, None
        if cm is not None:
            with anyio.CancelScope(shield=True):
                await cm.__aexit__(None, None, None)

    async def _resume(self, cause: BaseException | None) -> int:
        """Re-open the body after ``received`` bytes; returns how many leading bytes of the new
        body to skip. Raises the typed error when the download cannot be resumed."""
        size = self.size
        if size is None or self._validator is None or self.resumes >= MAX_RESUMES:
            why = (
                "the server sent no Content-Length or validator"
                if size is None or self._validator is None
                else f"resumed {self.resumes} times"
            )
            detail = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
            raise APIConnectionError(
                f"download of {self.path!r} ended after {self.received} of "
                f"{size if size is not None else '?'} bytes{detail}; not resumed: {why}"
            ) from cause
        self.resumes += 1
        await self._close()
        response = await self._open(self.received)
        if response.status_code == 206:
            m = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
            if m is None or int(m.group(1)) != self.received or int(m.group(3)) != size:
                raise APIConnectionError(
                    f"download of {self.path!r}: the server answered the range from "
                    f"{self.received} with {response.headers.get('content-range')!r}"
                )
            return 0
        # 200: the whole file again — the range was ignored, or the file changed
        validator = response.headers.get("etag") or response.headers.get("last-modified")
        length = response.headers.get("content-length")
        same_length = length is not None and length.isdigit() and int(length) == size
        if (
            validator is None
            or not same_length
            or self._validator
            not in (
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
        ):
            raise APIConnectionError(
                f"{self.path!r} changed during the download (after {self.received} bytes)"
            )
        return self.received

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._started:
            raise InvalidArgumentError("a DownloadStream can be iterated only once")
        self._started = True
        ctx = self._fs._ctx
        dl = self._deadline
        skip = 0
        while True:
            response = self._response
            assert response is not None
            cause: BaseException | None = None
            it = response.aiter_bytes()
            try:
                while True:
                    with dl.scope():
                        try:
                            chunk = await it.__anext__()
                        except StopAsyncIteration:
                            break
                    if skip:
                        cut = min(skip, len(chunk))
                        chunk, skip = chunk[cut:], skip - cut
                        if not chunk:
                            continue
                    self.received += len(chunk)
                    if self._progress is not None:
                        await call_maybe_async(self._progress, self.received, self.size)
                    yield chunk
            except STREAM_ERRORS as exc:
                cause = exc
            except httpx.HTTPError as exc:
                raise ctx.map_exception(exc, dl) from exc
            if self.size is None and cause is None:
                return
            if self.size is not None and self.received == self.size:
                return
            if self.size is not None and self.received > self.size:
                raise APIConnectionError(
                    f"download of {self.path!r} sent {self.received} bytes, more than its "
                    f"Content-Length {self.size}"
                )
            # cut short: by a broken connection, or a body that ended early
            skip = await self._resume(cause)


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
        iterable source).

        Retries: bytes, a local path and a seekable file object can be sent again from their
        start, so the upload is retried like an idempotent request (429, 5xx, connect
        failures; ``progress`` then counts from 0 again). An async iterable or an unseekable
        file can be read only once: such an upload is never re-sent (its error carries a note
        saying so)."""
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
        await self._send_bulk(body, dl)

    async def _send_bulk(self, body: _BulkBody, dl: Deadline) -> None:
        """``POST files/bulk-upload`` with ``body`` (built by hand: see HAND_BUILT_ROUTES)."""
        ctx = self._ctx
        headers = {"Content-Type": body.content_type}
        length = body.content_length
        if length is not None:
            headers["Content-Length"] = str(length)  # else httpx sends the body chunked
        url = ctx.path(_BULK_UPLOAD.replace("{sandboxId}", "{sid}"), sid=self.sandbox_id)
        stream = body.stream()
        replayable = isinstance(stream, ReplayableStream)
        try:
            await ctx.request(
                "POST",
                url,
                deadline=dl,
                headers=headers,
                content=stream,
                # the same bytes to the same paths: re-sent like an idempotent request when the
                # body can be produced again (the transport checks that)
                extensions={IDEMPOTENT_EXTENSION: True},
            )
        except DaytonaError as err:
            if not replayable:
                err.add_note(
                    "daytona_async: this upload was not retried: a source is a one-shot "
                    "iterable (an async iterable or an unseekable file), which cannot be sent "
                    "twice; pass bytes, a local path or a seekable file to get retries"
                )
            raise

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
        stream = DownloadStream(self, remote, progress, dl)
        await stream._start()
        try:
            yield stream
        finally:
            await stream._close()

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
        directory without it: ``BadRequestError``)."""
        from daytona_api.api.toolbox_files import delete_file
        from daytona_api.types import UNSET

        remote = await self.resolve(path)
        await self._ctx.call(
            delete_file,
            self.sandbox_id,
            path=remote,
            recursive=True if recursive else UNSET,
            timeout=timeout,
        )

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
