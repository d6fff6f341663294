"""Bounds on what an answer may make the client hold, and the decoder of compressed bodies:
one layer every network transport's responses go through (``RetryTransport`` applies it to
the response it returns, whichever transport produced it; the transports themselves bound the
head and the trailers, :mod:`._h1_wire`).

The rule (:class:`ResponseCaps`):

- a body read whole (a typed call's answer: not streamed) may be at most ``max_body`` bytes as
  received (64 MiB) and ``max_decoded`` bytes once decompressed (64 MiB): an endless chunked
  or close-delimited body ends in an error after that many bytes, not in memory exhaustion;
- a streamed body (downloads, log follows: ``RequestState.stream``, or a request the SDK did
  not make) may be as long as it likes, but its decompressed size may be at most
  ``max_expansion`` times the bytes received (plus 1 MiB): 1100, above the most a single
  gzip/deflate layer can expand (1032:1), so no honest compressed body trips it, while a
  nested bomb (``Content-Encoding: gzip, gzip``: 3.4 KB → 2 GB) fails after a few MiB;
- going past a cap raises :class:`~daytona_async._wire.ResponseCapExceeded` naming the cap
  (never retried; the SDK's :class:`~daytona_async.ResponseTooLargeError`).

Decoding happens here, not in httpx (which decodes without any bound): for a body with a
``Content-Encoding`` made only of ``gzip``/``x-gzip``/``deflate``/``identity``, the body is
decoded piece by piece (``zlib`` with ``max_length``: at most 64 KiB of output per step, so
memory stays bounded whatever the ratio), and ``Content-Encoding``/``Content-Length`` are
dropped from the response so httpx passes the decoded bytes through as they are. Another coding
(``br``, ``zstd``: the SDK does not ask for them, httpx's optional decoders are not installed
with it) is left to httpx. A body that does not decode is ``httpx.DecodingError``, as httpx's
own decoder says.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx

from ._wire import RECEIVE_EXTENSION, ResponseCapExceeded

__all__ = [
    "DEFAULT_CAPS",
    "MAX_BODY_SIZE",
    "MAX_DECODED_SIZE",
    "MAX_EXPANSION",
    "ResponseCaps",
    "apply_caps",
    "decoded_pieces",
]

#: bytes of a body read whole, as received
MAX_BODY_SIZE = 64 * 1024 * 1024
#: bytes of a body read whole, decompressed
MAX_DECODED_SIZE = 64 * 1024 * 1024
#: decompressed / received bytes of a streamed body (deflate's own maximum is 1032:1)
MAX_EXPANSION = 1100.0
#: decompressed bytes a streamed body may always reach, whatever the ratio (a tiny compressed
#: body of repeated bytes)
EXPANSION_SLACK = 1024 * 1024
#: decoder output per step
_PIECE = 64 * 1024

_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "identity"})


@dataclass(frozen=True)
class ResponseCaps:
    """The caps of :mod:`._caps` (``None``: no cap)."""

    max_body: int | None = MAX_BODY_SIZE
    max_decoded: int | None = MAX_DECODED_SIZE
    max_expansion: float | None = MAX_EXPANSION


DEFAULT_CAPS = ResponseCaps()


def _codings(value: str) -> list[str] | None:
    """The codings of a ``Content-Encoding`` value in the order they were applied, without
    ``identity``; ``None`` if one of them is not decoded here."""
    codings = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not all(coding in _CODINGS for coding in codings):
        return None
    return [coding for coding in codings if coding != "identity"]


def apply_caps(response: httpx.Response, caps: ResponseCaps, streamed: bool) -> None:
    """Put ``response``'s body under ``caps`` (read whole unless ``streamed``), decoding a
    compressed one here. Cheap when there is nothing to do: a body already in memory
    (``httpx.ByteStream``: the transports read a small one whole) without ``Content-Encoding``,
    or a streamed one without."""
    encoding = response.headers.get("content-encoding")
    codings: list[str] | None = None
    if encoding is not None:
        codings = _codings(encoding)
        if codings is None:
            return  # not a coding decoded here: httpx's business
    stream = response.stream
    if not codings:
        if streamed or caps.max_body is None or isinstance(stream, httpx.ByteStream):
            return
    else:
        headers = response.headers
        del headers["content-encoding"]
        if "content-length" in headers:
            del headers["content-length"]
    if not isinstance(stream, httpx.AsyncByteStream):
        return  # a synchronous body: not from the SDK's async transports
    response.stream = _CappedBody(stream, codings or [], caps, streamed)
    # the log follower's direct read would bypass the decoding and the caps
    response.extensions.pop(RECEIVE_EXTENSION, None)


class _CappedBody(httpx.AsyncByteStream):
    """A response body counted against the caps, and decoded if it has codings."""

    __slots__ = ("_caps", "_codings", "_inner", "_streamed")

    def __init__(
        self, inner: httpx.AsyncByteStream, codings: list[str], caps: ResponseCaps, streamed: bool
    ) -> None:
        self._inner = inner
        self._codings = codings
        self._caps = caps
        self._streamed = streamed

    async def __aiter__(self) -> AsyncIterator[bytes]:
        caps = self._caps
        max_body = None if self._streamed else caps.max_body
        decoder = _Decoder(self._codings) if self._codings else None
        received = 0
        decoded = 0
        async for chunk in self._inner:
            received += len(chunk)
            if max_body is not None and received > max_body:
                raise ResponseCapExceeded(
                    "body", max_body, f"more than {max_body} bytes in a body read whole"
                )
            if decoder is None:
                yield chunk
                continue
            for piece in decoder.decode(chunk):
                decoded += len(piece)
                self._check(received, decoded)
                yield piece
        if decoder is not None:
            for piece in decoder.flush():
                decoded += len(piece)
                self._check(received, decoded)
                yield piece

    def _check(self, received: int, decoded: int) -> None:
        caps = self._caps
        if self._streamed:
            ratio = caps.max_expansion
            if ratio is not None and decoded > ratio * received + EXPANSION_SLACK:
                raise ResponseCapExceeded(
                    "expansion",
                    ratio,
                    f"{received} bytes received decompressed to more than {decoded} "
                    "(a decompression bomb)",
                )
        elif caps.max_decoded is not None and decoded > caps.max_decoded:
            raise ResponseCapExceeded(
                "decoded",
                caps.max_decoded,
                f"{received} bytes received decompressed to more than {caps.max_decoded}",
            )

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Decoder:
    """The codings of a body undone in reverse order, each step bounded to ``_PIECE`` bytes of
    output (``zlib``'s ``max_length``), so a bomb never expands in memory at once."""

    __slots__ = ("_stages",)

    def __init__(self, codings: list[str]) -> None:
        self._stages = [_Stage(coding) for coding in reversed(codings)]

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        stages = self._stages
        last = index == len(stages) - 1
        for piece in stages[index].decode(data):
            if last:
                yield piece
            else:
                yield from self._through(index + 1, piece)

    def flush(self) -> Iterator[bytes]:
        stages = self._stages
        for index, stage in enumerate(stages):
            for piece in stage.flush():
                if index == len(stages) - 1:
                    yield piece
                else:
                    yield from self._through(index + 1, piece)


class _Stage:
    """One coding undone: gzip, or deflate (zlib-wrapped, or raw as some servers send it)."""

    __slots__ = ("_deflate", "_object", "_started")

    def __init__(self, coding: str) -> None:
        self._deflate = coding == "deflate"
        self._object = zlib.decompressobj(zlib.MAX_WBITS if self._deflate else zlib.MAX_WBITS | 16)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        obj = self._object
        while True:
            try:
                out = obj.decompress(data, _PIECE)
            except zlib.error as exc:
                if self._deflate and not self._started:
                    # not zlib-wrapped: raw deflate (httpx's decoder does the same)
                    self._deflate = False
                    self._object = obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise httpx.DecodingError(f"the response body does not decode: {exc}") from exc
            self._started = True
            data = obj.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < _PIECE:
                return

    def flush(self) -> Iterator[bytes]:
        try:
            out = self._object.flush()
        except zlib.error as exc:  # pragma: no cover (flush after a full decode raises nothing)
            raise httpx.DecodingError(f"the response body does not decode: {exc}") from exc
        for start in range(0, len(out), _PIECE):
            yield out[start : start + _PIECE]


def decoded_pieces(codings: list[str], data: bytes) -> Iterator[bytes]:
    """``data`` (a whole body) decoded, piece by piece (tests and tools)."""
    decoder = _Decoder(codings)
    yield from decoder.decode(data)
    yield from decoder.flush()
