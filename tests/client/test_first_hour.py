"""Rough edges of the first hour: an unknown ``DAYTONA_LOG`` level warns, and a proxy's HTML
error page becomes a short message (status, reason, first line) with the page kept on ``body``."""

from __future__ import annotations

import logging

import pytest
from anyio.abc import SocketStream
from daytona_async import AsyncDaytona, InternalServerError
from daytona_async import _logging as sdk_logging
from daytona_async._context import error_from_body

from .loopback import read_request, serve_loopback

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n"
    b"</body>\r\n</html>\r\n" + b"<!-- a padding comment -->\r\n" * 20
)


@pytest.fixture
def fresh_logging(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(sdk_logging, "_warned", set())
    monkeypatch.setattr(sdk_logging, "_configured", False)
    return monkeypatch


def test_an_unknown_log_level_warns_once_naming_the_valid_ones(
    fresh_logging: pytest.MonkeyPatch,
) -> None:
    fresh_logging.setenv("DAYTONA_LOG", "verbose")
    with pytest.warns(UserWarning) as record:
        AsyncDaytona(api_key="k", api_url="http://127.0.0.1:9/api")
        AsyncDaytona(api_key="k", api_url="http://127.0.0.1:9/api")  # once per value
    assert len(record) == 1
    text = str(record[0].message)
    assert "'verbose'" in text and "debug" in text and "info" in text
    assert record[0].filename == __file__  # points at the caller, not the SDK
    assert not logging.getLogger("daytona_async").handlers


@pytest.mark.parametrize("value", ["", "debug", "INFO"])
def test_known_levels_and_no_level_do_not_warn(
    fresh_logging: pytest.MonkeyPatch, value: str
) -> None:
    fresh_logging.setenv("DAYTONA_LOG", value)
    logger = logging.getLogger("daytona_async")
    handlers, level = list(logger.handlers), logger.level
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            AsyncDaytona(api_key="k", api_url="http://127.0.0.1:9/api")
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)


def test_an_html_error_page_gives_its_first_line() -> None:
    err = error_from_body(502, NGINX_502, content_type="text/html", reason="Bad Gateway")
    assert isinstance(err, InternalServerError)
    assert err.message == "502 Bad Gateway"  # the title, tags stripped; it says the reason
    assert str(err).startswith("502: 502 Bad Gateway")
    assert err.body == NGINX_502.decode()  # the whole page is still there


def test_long_text_is_cut_and_the_reason_prefixed() -> None:
    page = b"<html><body><p>" + b"upstream said no " * 40 + b"</p><script>x()</script></html>"
    err = error_from_body(503, page, content_type="text/html; charset=utf-8", reason="Unavailable")
    assert err.message.startswith("Unavailable: upstream said no")
    assert len(err.message) <= len("Unavailable: ") + 200 and err.message.endswith("…")
    assert "<" not in err.message and "x()" not in err.message
    # plain text: the first non-blank line
    err = error_from_body(500, b"\n\n  boom\nTraceback ...\n", content_type="text/plain")
    assert err.message == "boom"


@pytest.mark.anyio
async def test_a_proxy_502_page_over_http_is_a_short_typed_error() -> None:
    async def proxy(stream: SocketStream) -> None:
        buf = bytearray()
        async with stream:
            while await read_request(stream, buf) is not None:
                await stream.send(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(NGINX_502) + NGINX_502
                )

    async with serve_loopback(proxy) as port:
        async with AsyncDaytona(
            api_key="k", api_url=f"http://127.0.0.1:{port}/api", max_retries=0
        ) as daytona:
            with pytest.raises(InternalServerError) as caught:
                await daytona.get("sb-1")
    err = caught.value
    assert err.status_code == 502
    assert err.message == "502 Bad Gateway"
    assert "<" not in str(err) and len(str(err)) < 200
