"""The sans-IO HTTP/1.1 core (``_h1_wire``): what a request looks like on the wire, and what the
parser makes of response bytes however they are split."""

from __future__ import annotations

import httpx
import pytest
from daytona_async._h1_wire import (
    LAST_CHUNK,
    MAX_HEAD_SIZE,
    ResponseParser,
    body_framing,
    encode_chunk,
    request_head,
)


def parse(method: str, data: bytes, *, step: int = 0) -> ResponseParser:
    parser = ResponseParser(method)
    if step:
        for i in range(0, len(data), step):
            parser.feed(data[i : i + step])
    else:
        parser.feed(data)
    return parser


# -- requests --------------------------------------------------------------------------------


def test_request_head_is_the_request_line_and_httpx_headers() -> None:
    request = httpx.Request(
        "GET", "http://example.test:8080/a%20b/c?x=1&y=%2F", headers={"X-Token": "t"}
    )
    head = request_head(request)
    assert head == (
        b"GET /a%20b/c?x=1&y=%2F HTTP/1.1\r\nHost: example.test:8080\r\nX-Token: t\r\n\r\n"
    )


def test_request_head_refuses_a_header_injection() -> None:
    request = httpx.Request("GET", "http://example.test/")
    request.headers["X-Evil"] = "a\r\nX-Injected: 1"
    with pytest.raises(httpx.LocalProtocolError):
        request_head(request)


def test_request_head_refuses_a_method_that_cannot_be_sent() -> None:
    with pytest.raises(httpx.LocalProtocolError):
        request_head(httpx.Request("GËT", "http://example.test/"))
    with pytest.raises(httpx.LocalProtocolError):
        request_head(httpx.Request("GET\r\nX: 1", "http://example.test/"))


def test_body_framing_follows_the_headers_httpx_built() -> None:
    assert body_framing(httpx.Request("GET", "http://h/")) == "none"
    assert body_framing(httpx.Request("POST", "http://h/", content=b"abc")) == "length"
    assert body_framing(httpx.Request("POST", "http://h/", content=b"")) == "length"

    async def parts():  # type: ignore[no-untyped-def]
        yield b"a"

    assert body_framing(httpx.Request("POST", "http://h/", content=parts())) == "chunked"


def test_chunk_encoding() -> None:
    assert encode_chunk(b"hello") == b"5\r\nhello\r\n"
    assert encode_chunk(b"x" * 255) == b"ff\r\n" + b"x" * 255 + b"\r\n"
    assert encode_chunk(b"") == b""  # an empty chunk would end the body
    assert LAST_CHUNK == b"0\r\n\r\n"


# -- responses -------------------------------------------------------------------------------


@pytest.mark.parametrize("step", [0, 1, 7])
def test_content_length_response_split_anywhere(step: int) -> None:
    parser = parse("GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", step=step)
    assert parser.head_complete and parser.complete and parser.keep_alive
    assert parser.status == 200
    assert parser.headers == [(b"Content-Length", b"5"), (b"X-A", b"b")]
    assert parser.content_length == 5
    assert parser.buffered == 5
    assert parser.take_body() == b"hello"
    assert parser.buffered == 0 and parser.take_body() == b""


def test_head_is_known_before_the_body_and_body_comes_in_pieces() -> None:
    parser = ResponseParser("GET")
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab")
    assert parser.head_complete and not parser.complete
    assert parser.take_body() == b"ab"
    parser.feed(b"cd")
    parser.feed(b"ef")
    assert parser.buffered == 4 and parser.complete
    assert parser.take_body() == b"cdef"


@pytest.mark.parametrize("step", [0, 3])
def test_chunked_response_is_joined(step: int) -> None:
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"".join(
        encode_chunk(b"%d" % i * 10) for i in range(10)
    )
    parser = parse("GET", data, step=step)
    assert parser.head_complete and not parser.complete
    assert parser.content_length is None
    parser.feed(LAST_CHUNK)
    assert parser.complete and parser.keep_alive
    assert parser.take_body() == b"".join(b"%d" % i * 10 for i in range(10))


def test_body_until_close() -> None:
    parser = parse("GET", b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nsome")
    assert parser.head_complete and not parser.complete
    parser.feed(b" more")
    parser.feed_eof()
    assert parser.complete and not parser.keep_alive
    assert parser.take_body() == b"some more"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"HTTP/1.1 200 OK\r\nContent-",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    ],
)
def test_close_before_the_end_is_a_protocol_error(data: bytes) -> None:
    parser = parse("GET", data)
    with pytest.raises(httpx.RemoteProtocolError):
        parser.feed_eof()
    assert not parser.complete and not parser.keep_alive


@pytest.mark.parametrize(
    "data",
    [
        b"HTTX/1.1 200 OK\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
    ],
)
def test_malformed_response_is_a_protocol_error(data: bytes) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        parse("GET", data)


def test_endless_head_is_refused() -> None:
    parser = ResponseParser("GET")
    parser.feed(b"HTTP/1.1 200 OK\r\n")
    with pytest.raises(httpx.RemoteProtocolError):
        for _ in range(MAX_HEAD_SIZE // 1000 + 2):
            parser.feed(b"X-Pad: " + b"a" * 991 + b"\r\n")


@pytest.mark.parametrize("status", [204, 304])
def test_no_body_statuses(status: int) -> None:
    parser = parse("GET", b"HTTP/1.1 %d X\r\nContent-Length: 5\r\n\r\n" % status)
    assert parser.complete and parser.keep_alive and parser.status == status
    assert parser.take_body() == b""


def test_head_response_has_no_body_though_it_has_a_length() -> None:
    parser = parse("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n")
    assert parser.complete and parser.keep_alive
    assert parser.content_length == 500 and parser.take_body() == b""


def test_bytes_after_a_head_response_make_the_connection_unusable() -> None:
    parser = parse("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
    assert parser.complete and not parser.keep_alive
    assert parser.take_body() == b""


def test_informational_responses_are_skipped() -> None:
    parser = parse(
        "POST",
        b"HTTP/1.1 100 Continue\r\nX-Info: 1\r\n\r\n"
        b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        step=5,
    )
    assert parser.complete and parser.keep_alive
    assert parser.status == 201
    assert parser.headers == [(b"Content-Length", b"2")]
    assert parser.take_body() == b"ok"


@pytest.mark.parametrize(
    "extra", [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", b"garbage", b"x"]
)
@pytest.mark.parametrize("separate", [False, True])
def test_bytes_after_the_response_make_the_connection_unusable(
    extra: bytes, separate: bool
) -> None:
    message = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    parser = ResponseParser("GET")
    if separate:
        parser.feed(message)
        assert parser.keep_alive
        parser.feed(extra)
    else:
        parser.feed(message + extra)
    assert parser.complete and not parser.keep_alive
    assert parser.take_body() == b"ok"


def test_connection_close_and_http_1_0_are_not_kept_alive() -> None:
    closing = parse("GET", b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    assert closing.complete and not closing.keep_alive
    old = parse("GET", b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert old.complete and not old.keep_alive
