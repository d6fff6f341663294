"""The caps layer (:mod:`daytona_async._caps`) and the parser's head/trailer caps, in process:
the bounded decoder against zlib/gzip's own output, which codings it takes, the caps' rules.
The same over real sockets, on every transport: ``test_network_core.py``."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from daytona_async._caps import (
    EXPANSION_SLACK,
    ResponseCaps,
    apply_caps,
    decoded_pieces,
)
from daytona_async._h1_wire import MAX_HEAD_SIZE, MAX_TRAILER_SIZE, ResponseParser
from daytona_async._wire import RECEIVE_EXTENSION, ResponseCapExceeded

TEXT = b"".join(b"%d bottles of beer on the wall\n" % i for i in range(20_000))


def deflate_raw(data: bytes) -> bytes:
    obj = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


@pytest.mark.parametrize(
    ("codings", "encoded"),
    [
        (["gzip"], gzip.compress(TEXT)),
        (["deflate"], zlib.compress(TEXT)),
        (["deflate"], deflate_raw(TEXT)),  # raw deflate, as some servers send it
        (["gzip", "gzip"], gzip.compress(gzip.compress(TEXT))),
        (["deflate", "gzip"], gzip.compress(zlib.compress(TEXT))),
    ],
)
def test_the_decoder_undoes_each_coding_in_bounded_pieces(
    codings: list[str], encoded: bytes
) -> None:
    pieces = list(decoded_pieces(codings, encoded))
    assert b"".join(pieces) == TEXT
    assert max(len(p) for p in pieces) <= 64 * 1024


def test_a_body_that_does_not_decode_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError):
        list(decoded_pieces(["gzip"], b"not gzip at all"))


class Chunks(httpx.AsyncByteStream):
    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    async def aclose(self) -> None:
        self.closed = True


def response(encoding: str | None, *chunks: bytes) -> httpx.Response:
    headers = {"content-length": str(sum(map(len, chunks)))}
    if encoding is not None:
        headers["content-encoding"] = encoding
    return httpx.Response(
        200,
        headers=headers,
        stream=Chunks(*chunks),
        extensions={RECEIVE_EXTENSION: object()},
        request=httpx.Request("GET", "http://h/"),
    )


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_decoded_body_loses_its_coding_headers_and_the_direct_read(
    anyio_backend: str,
) -> None:
    encoded = gzip.compress(TEXT)
    r = response("gzip", encoded[:1000], encoded[1000:])
    apply_caps(r, ResponseCaps(), streamed=False)
    assert "content-encoding" not in r.headers
    assert "content-length" not in r.headers
    assert RECEIVE_EXTENSION not in r.extensions
    assert await r.aread() == TEXT  # httpx does not decode it again


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_codings_not_decoded_here_are_left_to_httpx(anyio_backend: str) -> None:
    r = response("br", b"\x0b\x02\x80hello\x03")
    stream = r.stream
    apply_caps(r, ResponseCaps(), streamed=False)
    assert r.headers["content-encoding"] == "br"
    assert r.stream is stream


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_body_cap_counts_bytes_as_received(anyio_backend: str) -> None:
    r = response(None, b"a" * 600, b"b" * 600)
    apply_caps(r, ResponseCaps(max_body=1000), streamed=False)
    with pytest.raises(ResponseCapExceeded) as info:
        await r.aread()
    assert (info.value.cap, info.value.limit) == ("body", 1000)
    # streamed: no body cap, and an uncoded streamed body is left as it is
    s = response(None, b"a" * 600, b"b" * 600)
    stream = s.stream
    apply_caps(s, ResponseCaps(max_body=1000), streamed=True)
    assert s.stream is stream


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_expansion_cap_lets_honest_gzip_through(anyio_backend: str) -> None:
    zeros = bytes(8 * EXPANSION_SLACK)  # zeros: gzip's best case, ~1000:1
    r = response("gzip", gzip.compress(zeros, 9))
    apply_caps(r, ResponseCaps(), streamed=True)
    assert await r.aread() == zeros
    nested = response("gzip, gzip", gzip.compress(gzip.compress(zeros, 9), 9))
    apply_caps(nested, ResponseCaps(), streamed=True)
    with pytest.raises(ResponseCapExceeded) as info:
        await nested.aread()
    assert info.value.cap == "expansion"


def chunked_head() -> bytes:
    return b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"


def test_the_head_cap_is_a_typed_cap_error() -> None:
    parser = ResponseParser("GET")
    with pytest.raises(ResponseCapExceeded) as info:
        parser.feed(b"HTTP/1.1 200 OK\r\n")
        for _ in range(MAX_HEAD_SIZE // 1000 + 1):
            parser.feed(b"x-h: " + b"v" * 993 + b"\r\n")
    assert info.value.cap == "head"
    assert isinstance(info.value, httpx.RemoteProtocolError)


def test_trailers_are_capped_and_not_kept() -> None:
    parser = ResponseParser("GET")
    parser.feed(chunked_head() + b"5\r\nhello\r\n0\r\nx-t: 1\r\n\r\n")
    assert parser.complete
    assert parser.take_body() == b"hello"
    assert (b"x-t", b"1") not in parser.headers
    endless = ResponseParser("GET")
    endless.feed(chunked_head() + b"5\r\nhello\r\n0\r\n")
    with pytest.raises(ResponseCapExceeded) as info:
        for _ in range(MAX_TRAILER_SIZE // 1000 + 1):
            endless.feed(b"x-t: " + b"v" * 993 + b"\r\n")
    assert (info.value.cap, info.value.limit) == ("trailers", MAX_TRAILER_SIZE)


def test_many_tiny_chunks_are_not_trailers() -> None:
    parser = ResponseParser("GET")
    parser.feed(chunked_head())
    # 1-byte chunks: six bytes of framing for each body byte, far past the trailer cap in all
    data = b"1\r\nx\r\n" * (4 * MAX_TRAILER_SIZE)
    for start in range(0, len(data), 65536):
        parser.feed(data[start : start + 65536])
    parser.feed(b"0\r\n\r\n")
    assert parser.complete
    assert len(parser.take_body()) == 4 * MAX_TRAILER_SIZE
