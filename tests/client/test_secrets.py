"""No secret in log output or in any exception's text or repr."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from daytona_async import AsyncDaytona, DaytonaError
from daytona_emulator.settings import FaultSettings

from .conftest import SECRET_KEY


@pytest.mark.anyio
async def test_no_secret_in_logs_or_exceptions(
    emulator_factory: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = emulator_factory(faults=FaultSettings(seed=3, bad_gateway=0.3, unavailable=0.2))
    texts: list[str] = []
    async with AsyncDaytona(api_key=server.api_key, api_url=server.base_url, max_retries=3) as d:
        texts += [repr(d), str(d), repr(d.api)]
        for sid in ("nope", "also-nope"):
            try:
                await d.get(sid)
            except DaytonaError as err:
                texts += [str(err), repr(err), str(err.__cause__), repr(getattr(err, "body", None))]
        try:
            await d.context.request("GET", f"/preview/x/validate/{SECRET_KEY}")
        except DaytonaError as err:
            texts += [str(err), repr(err)]
        logging.getLogger("daytona_async").info("header was Bearer %s", SECRET_KEY)
    async with AsyncDaytona(api_key="wrong-" + SECRET_KEY, api_url=server.base_url) as d:
        try:
            await d.list()
        except DaytonaError as err:
            texts += [str(err), repr(err)]
    assert caplog.records, "expected retry logs"
    assert SECRET_KEY not in caplog.text
    for text in texts:
        assert SECRET_KEY not in text, text


@pytest.mark.anyio
async def test_connection_errors_do_not_leak_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"failed with {request.headers['authorization']}", request=request)

    async with AsyncDaytona(
        api_key=SECRET_KEY,
        api_url="http://x/api",
        transport=httpx.MockTransport(handler),
        max_retries=1,
    ) as d:
        with pytest.raises(DaytonaError) as info:
            await d.list()
    assert SECRET_KEY not in str(info.value) and SECRET_KEY not in repr(info.value)
