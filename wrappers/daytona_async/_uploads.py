"""Streamed upload bodies: the sources an upload reads from, and the hand-built multipart body
of ``files/bulk-upload`` (see :data:`daytona_async._fs.HAND_BUILT_ROUTES`).

The body is built here: a random boundary, each ``files[i].path`` part before its
``files[i].file`` part (the daemon needs that order), file contents read in 1 MiB chunks in a
worker thread — never whole. ``Content-Length`` is known when every source's size is, else
the body is sent chunked. When every source can be read again from its start (bytes, a local
path, a seekable file object) the body is a :class:`~daytona_async._bodies.ReplayableStream`
and the transport may retry it; a one-shot async iterable cannot be sent twice.
"""

from __future__ import annotations

import os
import posixpath
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from typing import IO, Any, TypeAlias

import anyio
import httpx

from ._bodies import ReplayableStream
from ._progress import ProgressCallback
from ._util import call_maybe_async
from .errors import APIConnectionError, InvalidArgumentError

__all__ = ["CHUNK_SIZE", "BulkUploadBody", "UploadReader", "UploadSource"]

#: what can be uploaded: a local path (``str``/``PathLike``), bytes, a binary file object, or
#: an async iterable of bytes
UploadSource: TypeAlias = (
    "str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | AsyncIterable[bytes]"
)

CHUNK_SIZE = 1024 * 1024


class UploadReader:
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


class BulkUploadBody:
    """The streamed multipart body of ``files/bulk-upload``."""

    def __init__(
        self, items: list[tuple[UploadReader, str]], progress: ProgressCallback | None
    ) -> None:
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
