"""The SDK's httpx client: URLs joined like httpx does, no cookie jar."""

from __future__ import annotations

import httpx
import pytest
from daytona_async._http import SDKAsyncClient

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def recording_transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"Set-Cookie": "session=abc; Path=/"}, json={})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("base", ["http://h.test/api", "http://h.test/api/"])
async def test_urls_match_httpx_own_joining(base: str) -> None:
    seen: list[httpx.Request] = []
    paths = ["/sandbox/a%2F..%2Fb", "/toolbox/x/toolbox/files", "/sandbox"]
    async with SDKAsyncClient(base_url=base, transport=recording_transport(seen)) as ours:
        async with httpx.AsyncClient(base_url=base, transport=recording_transport(seen)) as theirs:
            for path in paths:
                for params in ({"path": "/home/daytona/a b"}, {}):
                    for client in (ours, theirs):
                        await client.get(path, params=params)
    urls = [str(r.url) for r in seen]
    assert urls[0::2] == urls[1::2]  # ours == httpx's, request by request
    assert urls[0] == "http://h.test/api/sandbox/a%2F..%2Fb?path=%2Fhome%2Fdaytona%2Fa+b"
    assert urls[2] == urls[3] == "http://h.test/api/sandbox/a%2F..%2Fb"


async def test_response_cookies_are_not_kept() -> None:
    seen: list[httpx.Request] = []
    async with SDKAsyncClient(
        base_url="http://h.test/api", transport=recording_transport(seen)
    ) as c:
        await c.get("/a")
        await c.get("/b")
        assert len(c.cookies) == 0
        with pytest.raises(ValueError):
            c.cookies = {"x": "y"}  # type: ignore[assignment]
    assert "cookie" not in seen[1].headers
