"""Streaming ``multipart/form-data``: request body → parts, file parts written straight to disk.

``python_multipart``'s push parser is fed the request stream chunk by chunk; its callbacks only
record events, which :func:`parse_stream` then hands to the part sinks, awaiting their writes.
Memory stays bounded by one request chunk plus one write buffer per open file part.

A file part is written into a temporary file beside its destination and renamed over it only
once the part is complete (:class:`TempFileSink`); anything that goes wrong (a client that
disconnects, a malformed body, a cancelled request) removes the temporary file, so a failed
upload never leaves a partial file behind.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

import anyio.to_thread
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

__all__ = [
    "MAX_PARTS",
    "TOO_LARGE",
    "MultipartError",
    "PartSink",
    "TempFileSink",
    "TextSink",
    "parse_stream",
]

WRITE_BUFFER = 1024 * 1024
# Go's multipart.Reader.ReadForm (the daemon's c.MultipartForm / c.FormFile) refuses a body of
# more than 1000 parts with ErrMessageTooLarge; without it, bulk-upload's per-part bookkeeping
# grows with every part of an endless body
MAX_PARTS = 1000
TOO_LARGE = "multipart: message too large"


class MultipartError(Exception):
    pass


class PartSink(Protocol):
    async def write(self, data: bytes) -> None: ...

    async def finish(self) -> None: ...

    async def abort(self) -> None: ...


class TextSink:
    """A small text field kept in memory (at most ``limit`` bytes)."""

    def __init__(self, limit: int = 64 * 1024) -> None:
        self.limit = limit
        self.data = bytearray()
        self.done = False

    async def write(self, data: bytes) -> None:
        if len(self.data) + len(data) > self.limit:
            raise MultipartError("form field too large")
        self.data += data

    async def finish(self) -> None:
        self.done = True

    async def abort(self) -> None:
        self.data.clear()

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


class DiscardSink:
    async def write(self, data: bytes) -> None:
        return None

    async def finish(self) -> None:
        return None

    async def abort(self) -> None:
        return None


class TempFileSink:
    """Writes a part into ``.daytona-upload-*`` beside ``dest``; ``finish`` renames it over
    ``dest`` (mode 0644); ``abort`` removes it. ``dest``'s parent must exist."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.tmp = dest.parent / f".daytona-upload-{secrets.token_hex(8)}"
        self.fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        self.buffer = bytearray()
        self.size = 0

    async def write(self, data: bytes) -> None:
        self.buffer += data
        self.size += len(data)
        if len(self.buffer) >= WRITE_BUFFER:
            await self._flush()

    async def _flush(self) -> None:
        if not self.buffer:
            return
        chunk = bytes(self.buffer)
        self.buffer.clear()
        await anyio.to_thread.run_sync(_write_all, self.fd, chunk)

    async def finish(self) -> None:
        try:
            await self._flush()
        except BaseException:
            await self.abort()
            raise
        fd, self.fd = self.fd, -1
        os.close(fd)
        try:
            os.chmod(self.tmp, 0o644)
            os.replace(self.tmp, self.dest)
        except BaseException:
            _unlink(self.tmp)
            raise

    async def abort(self) -> None:
        self.buffer.clear()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        _unlink(self.tmp)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def boundary_of(request: Request) -> bytes:
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise MultipartError("request Content-Type isn't multipart/form-data")
    return params[b"boundary"]


# on_part(name, filename) -> the sink of that part's data
PartOpener = Callable[[str, str | None], Awaitable[PartSink]]


async def parse_stream(request: Request, on_part: PartOpener) -> None:
    """Parse the request body, streaming each part's data into the sink ``on_part`` returns.

    Raises :class:`MultipartError` for a malformed body; the open sink (if any) is aborted
    on every failure, including cancellation and client disconnects.
    """
    boundary = boundary_of(request)
    events: list[tuple[str, bytes]] = []
    header_field = bytearray()
    header_value = bytearray()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        events.append(("header", bytes(header_field).lower() + b"\x00" + bytes(header_value)))
        header_field.clear()
        header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        events.append(("data", bytes(data[start:end])))

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": lambda: events.append(("begin", b"")),
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": lambda: events.append(("headers_done", b"")),
            "on_part_data": on_part_data,
            "on_part_end": lambda: events.append(("end", b"")),
            "on_end": lambda: events.append(("eof", b"")),
        },
    )
    sink: PartSink | None = None
    headers: dict[bytes, bytes] = {}
    seen_eof = False
    parts = 0
    try:
        async for chunk in request.stream():
            if not chunk:
                continue
            try:
                parser.write(chunk)
            except Exception as exc:
                raise MultipartError(f"malformed multipart body: {exc}") from None
            for kind, payload in events:
                if kind == "begin":
                    parts += 1
                    if parts > MAX_PARTS:
                        raise MultipartError(TOO_LARGE)
                    headers = {}
                elif kind == "header":
                    key, _, value = payload.partition(b"\x00")
                    headers[key] = value
                elif kind == "headers_done":
                    _disp, opts = parse_options_header(headers.get(b"content-disposition", b""))
                    name = opts.get(b"name", b"").decode("utf-8", "replace")
                    fname = opts.get(b"filename")
                    sink = await on_part(
                        name, None if fname is None else fname.decode("utf-8", "replace")
                    )
                elif kind == "data":
                    if sink is not None:
                        await sink.write(payload)
                elif kind == "end":
                    if sink is not None:
                        current, sink = sink, None
                        await current.finish()
                elif kind == "eof":
                    seen_eof = True
            events.clear()
        if not seen_eof:
            raise MultipartError("malformed multipart body: unexpected EOF")
    except BaseException:
        if sink is not None:
            await sink.abort()
        raise
