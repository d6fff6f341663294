"""``DAYTONA_LOG``: ``debug`` gives one line per request (method, path, status, ms, retries),
``info`` the retries and their waits; neither ever shows a secret."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from daytona_async import AsyncDaytona, _logging
from daytona_async._logging import redact

from .conftest import SECRET_KEY

PASSWORD = "hunter2-" + "p4ss" * 3


@pytest.fixture
def daytona_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Undo what ``DAYTONA_LOG`` configures (a handler, a level) after the test."""
    logger = logging.getLogger("daytona_async")
    handlers, level = list(logger.handlers), logger.level
    monkeypatch.setattr(_logging, "_configured", False)
    yield monkeypatch
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_userinfo_and_tokens_are_redacted_from_urls() -> None:
    assert redact(f"http://user:{PASSWORD}@host:8/api") == "http://***@host:8/api"
    assert redact("https://token@example.com/x") == "https://***@example.com/x"
    assert redact("http://user:p@ss@host/api") == "http://***@host/api"
    assert redact("see http://h/x and mail a@b") == "see http://h/x and mail a@b"
    assert redact(f"GET http://u:{PASSWORD}@h/api/sandbox?token=abc") == (
        "GET http://***@h/api/sandbox?token=***"
    )
    assert redact("an email a@b.c is not a URL") == "an email a@b.c is not a URL"


def _handler() -> httpx.MockTransport:
    answers = [503]

    def handler(request: httpx.Request) -> httpx.Response:
        if answers and request.method == "GET":
            return httpx.Response(answers.pop(0), headers={"retry-after": "0"}, json={})
        return httpx.Response(200, json=[])

    return httpx.MockTransport(handler)


@pytest.mark.anyio
async def test_debug_logs_one_line_per_request_without_secrets(
    daytona_log: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    daytona_log.setenv("DAYTONA_LOG", "debug")
    async with AsyncDaytona(
        api_key=SECRET_KEY,
        api_url=f"http://user:{PASSWORD}@x/api",
        transport=_handler(),
    ) as d:
        await d.list()  # a 503, then 200 after one retry
        await d.list()
    err = capsys.readouterr().err
    request_lines = [line for line in err.splitlines() if re.search(r"GET \S+ -> ", line)]
    assert len(request_lines) == 2, err
    assert re.search(
        r"DEBUG daytona_async: GET /api/sandbox -> 200 in [\d.]+ ms, 1 retries$", request_lines[0]
    ), request_lines
    assert request_lines[1].endswith("-> 200 in " + request_lines[1].split(" in ")[1])
    assert ", 0 retries" in request_lines[1]
    assert re.search(
        r"INFO daytona_async: retry 1/2 of GET http://\*\*\*@x/api/sandbox "
        r"in 0\.00s after HTTP 503",
        err,
    ), err
    assert PASSWORD not in err and SECRET_KEY not in err


@pytest.mark.anyio
async def test_info_logs_retries_but_not_every_request(
    daytona_log: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    daytona_log.setenv("DAYTONA_LOG", "info")
    async with AsyncDaytona(api_key=SECRET_KEY, api_url="http://x/api", transport=_handler()) as d:
        await d.list()
    err = capsys.readouterr().err
    assert "retry 1/2 of GET" in err
    assert " -> 200 in " not in err
    assert SECRET_KEY not in err
