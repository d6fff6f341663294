"""The SDK's httpx client: URLs joined like httpx does, no cookie jar."""

from __future__ import annotations

from typing import Any

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


@pytest.mark.parametrize("method", ["GET", "get", "DELETE", "HEAD", "POST"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"params": {}},
        {"params": {"verbose": "true"}},
        {"headers": {"X-Daytona-Organization-ID": "org-1"}},
        {"headers": {"accept": "application/json"}},
        {"timeout": 3.0},
        {"extensions": {"trace": None}},
        {"extensions": {"timeout": {"connect": 1, "read": 2, "write": 3, "pool": 4}}},
        {"json": {"a": 1}},
    ],
)
async def test_requests_built_like_httpx_builds_them(method: str, kwargs: dict[str, Any]) -> None:
    # bodyless requests take a shortcut (one prepared header set); the result must be what
    # httpx's own build_request gives, header for header
    options: dict[str, Any] = {
        "base_url": "http://h.test:8080/api",
        "headers": {"Authorization": "Bearer t", "X-Daytona-Source": "daytona-async"},
        "timeout": httpx.Timeout(10.0, connect=5.0),
    }
    async with SDKAsyncClient(**options) as ours, httpx.AsyncClient(**options) as theirs:
        for _ in range(2):  # the second time from the prepared headers
            a = ours.build_request(method, "/sandbox/sb-1", **kwargs)
            b = theirs.build_request(method, "/sandbox/sb-1", **kwargs)
            assert (a.method, str(a.url)) == (b.method, str(b.url))
            assert a.headers.raw == b.headers.raw
            assert a.extensions == b.extensions
            assert a.content == b.content
        # a change to the client's headers applies to the next request
        ours.headers["X-Extra"] = "1"
        theirs.headers["X-Extra"] = "1"
        a = ours.build_request(method, "/sandbox/sb-1", **kwargs)
        b = theirs.build_request(method, "/sandbox/sb-1", **kwargs)
        assert a.headers.raw == b.headers.raw


def echo_transport() -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/fail"):
            raise httpx.ConnectError("refused")
        return httpx.Response(201, json={"path": request.url.path})

    return httpx.MockTransport(handle)


async def test_requests_go_straight_to_the_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx's auth/redirect/hook layer is not involved for the SDK's own client...
    async def not_here(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("sent through httpx's auth/redirect layer")

    monkeypatch.setattr(httpx.AsyncClient, "_send_handling_auth", not_here)
    async with SDKAsyncClient(base_url="http://h.test/api", transport=echo_transport()) as client:
        response = await client.get("/sandbox/x")
        # ...and the response is what httpx gives: read, request attached, elapsed known
        assert response.status_code == 201
        assert response.json() == {"path": "/api/sandbox/x"}
        assert response.request.url == "http://h.test/api/sandbox/x"
        assert response.elapsed.total_seconds() >= 0
        assert response.request.extensions["timeout"] == client.timeout.as_dict()
        streamed = await client.send(client.build_request("GET", "/s"), stream=True)
        assert await streamed.aread() == b'{"path":"/api/s"}'
        with pytest.raises(httpx.ConnectError) as info:
            await client.get("/fail")
        assert info.value.request.url.path == "/api/fail"
    with pytest.raises(RuntimeError, match="closed"):
        await client.get("/sandbox/x")


async def test_hooks_auth_and_redirects_still_take_httpx_path() -> None:
    seen: list[str] = []

    async def hook(response: httpx.Response) -> None:
        seen.append(response.request.url.path)

    async with SDKAsyncClient(
        base_url="http://h.test/api",
        transport=echo_transport(),
        event_hooks={"response": [hook]},
        auth=("user", "pw"),
    ) as client:
        response = await client.get("/sandbox/x")
        assert response.request.headers["authorization"].startswith("Basic ")
        assert seen == ["/api/sandbox/x"]
