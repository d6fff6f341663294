"""Streamed downloads: :class:`DownloadStream` (the body as it arrives, resumed when cut) and
:func:`download_to_file` (temp file + rename).

A body cut mid-way is resumed with a ``Range`` request guarded by ``If-Range`` (the file's
``ETag``/``Last-Modified``), so a file changed in between is never spliced; a server that
ignores the range is read again from the start, the bytes already delivered skipped. The
bytes received are checked against ``Content-Length``.
"""

from __future__ import annotations

import os
import posixpath
import re
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import anyio
import httpx

from ._deadline import Deadline
from ._progress import ProgressCallback
from ._streams import STREAM_ERRORS, endpoint_stream
from ._toolbox_base import ToolboxBase
from ._util import call_maybe_async
from .errors import APIConnectionError, DaytonaError, InvalidArgumentError

__all__ = ["MAX_RESUMES", "WRITE_BUFFER", "DownloadStream", "download_to_file"]

WRITE_BUFFER = 1024 * 1024
#: a download cut mid-way is resumed at most this many times
MAX_RESUMES = 10
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)\Z")


class DownloadStream:
    """The body of a download, as it arrives: ``async for chunk in stream``.

    ``size`` is the ``Content-Length`` (``None`` if the server did not send one); ``received``
    counts the bytes delivered so far; ``resumes`` how often a cut body was resumed. Iterating
    a second time is an error.
    """

    def __init__(
        self,
        fs: ToolboxBase,
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


async def download_to_file(
    open_stream: Callable[[], AbstractAsyncContextManager[DownloadStream]],
    path: str,
    dst: str | os.PathLike[str],
) -> str:
    """Write the stream ``open_stream()`` of the remote file ``path`` to the local ``dst``
    (into it, under the remote base name, if ``dst`` is an existing directory); returns the
    local path. The body goes to a temporary file next to the destination, renamed over it
    only when complete: on any failure the temporary file is removed and ``dst`` untouched."""
    target = anyio.Path(os.fspath(dst))
    if await target.is_dir():
        target = target / posixpath.basename(path.rstrip("/"))
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    ok = False
    try:
        async with await anyio.open_file(tmp, "wb") as out:
            async with open_stream() as s:
                # chunks gathered up to WRITE_BUFFER, written in one call (one thread hop):
                # joined once, not appended to a buffer and copied out of it again
                pending: list[bytes] = []
                size = 0
                async for chunk in s:
                    pending.append(chunk)
                    size += len(chunk)
                    if size >= WRITE_BUFFER:
                        await out.write(pending[0] if len(pending) == 1 else b"".join(pending))
                        pending.clear()
                        size = 0
                if pending:
                    await out.write(b"".join(pending))
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
