"""Construction: credentials, environment variables, headers, repr without secrets, import cost."""

from __future__ import annotations

import json
import logging
import re
import socket
import subprocess
import sys
import traceback
from typing import Any

import httpx
import pytest
from daytona_async import (
    APIConnectionError,
    AsyncDaytona,
    ConfigurationError,
    DaytonaError,
    InvalidArgumentError,
    NotFoundError,
)


def _recording_transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    return httpx.MockTransport(handler)


def test_no_credentials_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="DAYTONA_API_KEY"):
        AsyncDaytona()


def test_jwt_without_organization_is_an_error_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="organization"):
        AsyncDaytona(jwt_token="eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig")


def test_jwt_from_env_without_org_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAYTONA_JWT_TOKEN", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig")
    with pytest.raises(ConfigurationError):
        AsyncDaytona()


@pytest.mark.anyio
async def test_env_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAYTONA_API_KEY", "env-key-123")
    monkeypatch.setenv("DAYTONA_SERVER_URL", "http://legacy.example/api/")
    monkeypatch.setenv("DAYTONA_TARGET", "eu")
    seen: list[httpx.Request] = []
    async with AsyncDaytona(transport=_recording_transport(seen)) as d:
        assert d.api_url == "http://legacy.example/api"
        assert d.target == "eu"
        await d.list()
    assert str(seen[0].url) == "http://legacy.example/api/sandbox"
    assert seen[0].headers["authorization"] == "Bearer env-key-123"
    # API key mode: no organization header even if one is configured
    assert "x-daytona-organization-id" not in seen[0].headers

    monkeypatch.setenv("DAYTONA_API_URL", "http://new.example/api")
    async with AsyncDaytona(transport=_recording_transport(seen)) as d:
        assert d.api_url == "http://new.example/api"


@pytest.mark.anyio
async def test_jwt_mode_sends_the_organization_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAYTONA_JWT_TOKEN", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig")
    monkeypatch.setenv("DAYTONA_ORGANIZATION_ID", "org-42")
    seen: list[httpx.Request] = []
    async with AsyncDaytona(api_url="http://x/api", transport=_recording_transport(seen)) as d:
        await d.list(labels={"a": "b"})
    assert seen[0].headers["x-daytona-organization-id"] == "org-42"
    assert seen[0].headers["authorization"].startswith("Bearer eyJ")
    assert json.loads(seen[0].url.params["labels"]) == {"a": "b"}


def test_explicit_arguments_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAYTONA_API_KEY", "env-key")
    monkeypatch.setenv("DAYTONA_API_URL", "http://env.example/api")
    d = AsyncDaytona(api_key="arg-key", api_url="http://arg.example/api")
    assert d.api_url == "http://arg.example/api"


def test_repr_and_generated_client_hold_no_secret() -> None:
    d = AsyncDaytona(api_key="super-secret-value-1", api_url="http://x/api")
    for text in (repr(d), str(d), repr(d.api), repr(d.http.headers), repr(d.context)):
        assert "super-secret-value-1" not in text


@pytest.mark.anyio
async def test_ids_are_validated_before_sending() -> None:
    seen: list[httpx.Request] = []
    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=_recording_transport(seen)
    ) as d:
        for bad in ("", ".", "..", "a/b", " ", "a\nb"):
            with pytest.raises(InvalidArgumentError):
                await d.get(bad)
            with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError
                await d.get(bad)
    assert seen == []


def test_import_is_light() -> None:
    code = (
        "import sys, time; t=time.perf_counter(); import daytona_async; "
        "from daytona_async import AsyncDaytona, NotFoundError; "
        "print(time.perf_counter()-t); "
        "print(sorted(m for m in ('httpx','anyio','aiohttp','daytona_api.models') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[1] == "[]", lines


def test_construction_builds_no_http_stack() -> None:
    """The HTTP stack (httpx, the generated client, the transports) is built on first use:
    constructing a client imports none of it, and still checks its configuration."""
    code = (
        "import sys; from daytona_async import AsyncDaytona; "
        "d = AsyncDaytona(api_key='k', api_url='https://example.invalid/api'); "
        "print(sorted(m for m in ('httpx','anyio','aiohttp','daytona_api') if m in sys.modules)); "
        "d.api; print('httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[]", "True"]


@pytest.mark.anyio
async def test_a_client_closed_before_first_use_stays_closed() -> None:
    from daytona_async import ClientClosedError

    seen: list[httpx.Request] = []
    d = AsyncDaytona(
        api_key="k", api_url="http://127.0.0.1:9/api", transport=_recording_transport(seen)
    )
    await d.aclose()
    with pytest.raises(ClientClosedError):
        await d.list()
    assert seen == []
    await d.aclose()  # idempotent


@pytest.mark.anyio
async def test_own_http_client_is_used_and_not_closed() -> None:
    seen: list[httpx.Request] = []
    own = httpx.AsyncClient(transport=_recording_transport(seen))
    async with AsyncDaytona(
        api_key="own-key", api_url="http://own.example/api", http_client=own
    ) as d:
        assert d.http is own
        await d.list()
    assert str(seen[0].url) == "http://own.example/api/sandbox"
    assert seen[0].headers["authorization"] == "Bearer own-key"
    assert not own.is_closed
    await own.aclose()


@pytest.mark.anyio
async def test_generated_client_shares_the_pool_and_policy() -> None:
    from daytona_api.api.sandbox import list_sandboxes

    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(503, text="busy")
        return httpx.Response(200, json=[])

    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=httpx.MockTransport(handler)
    ) as d:
        response = await list_sandboxes.asyncio_detailed(client=d.api)
    assert response.status_code == 200 and response.parsed == []
    assert len(calls) == 2  # the retry policy applies to direct use of the generated client


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("localhost:3000/api", "http://"),
        ("app.daytona.io/api", "http://"),
        ("ftp://example.com/api", "http://"),
        ("http://localhost:3000", "/api"),
        ("https://app.daytona.io/", "/api"),
        ("http://localhost:99999/api", "not a valid URL"),
    ],
)
def test_api_url_is_checked_at_construction(url: str, hint: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(hint)):
        AsyncDaytona(api_key="k", api_url=url)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.anyio
async def test_unreachable_url_is_one_typed_error_without_a_chain() -> None:
    async with AsyncDaytona(
        api_key="k", api_url=f"http://127.0.0.1:{_closed_port()}/api", max_retries=0
    ) as d:
        with pytest.raises(APIConnectionError) as info:
            await d.list()
    err = info.value
    assert err.cause is not None  # the library's exception, kept for whoever needs it
    assert err.__cause__ is None and err.__suppress_context__
    text = "".join(traceback.format_exception(err))
    assert "direct cause" not in text and "During handling" not in text
    assert text.count("Traceback") == 1
    assert "ssl:default" not in str(err) and "could not connect to http://127.0.0.1" in str(err)


@pytest.mark.anyio
async def test_password_in_api_url_is_never_shown(
    emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    password = "pw-" + "s3cr3t" * 3
    caplog.set_level(logging.DEBUG)
    url = emulator.base_url.replace("http://", f"http://user:{password}@")
    async with AsyncDaytona(api_key=emulator.api_key, api_url=url, max_retries=0) as d:
        shown = [repr(d), str(d), repr(d.sandboxes), repr(d.snapshots)]
        with pytest.raises(DaytonaError) as info:
            await d.get("00000000-0000-0000-0000-000000000000")
        shown += [str(info.value), repr(info.value)]
    assert "***@" in repr(d)
    for text in [*shown, caplog.text]:
        assert password not in text


@pytest.mark.anyio
async def test_404_from_an_api_url_without_api_gives_a_hint(emulator: Any) -> None:
    root = emulator.base_url.removesuffix("/api")
    async with AsyncDaytona(api_key=emulator.api_key, api_url=root + "/v1") as d:
        with pytest.raises(NotFoundError) as info:
            await d.list()
    assert any("served under /api" in note for note in info.value.__notes__)
    async with AsyncDaytona(api_key=emulator.api_key, api_url=emulator.base_url) as d:
        with pytest.raises(NotFoundError) as info:
            await d.get("00000000-0000-0000-0000-000000000000")
    assert not getattr(info.value, "__notes__", [])


# -- proxies (the requests themselves: tests/network/test_proxy.py) -------------------------

_PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD")


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _PROXY_ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("proxy", "hint"),
    [
        ("ftp://proxy.example:21", "http://"),
        ("proxy.example:3128", "http://"),  # an argument needs its scheme (the env does not)
        ("http://", "naming a host"),
        ("http://proxy.example:99999", "not a valid proxy URL"),
        ("http://user:pw-s3cret-1@proxy.example:bad", "not a valid proxy URL"),
    ],
)
def test_a_proxy_argument_is_checked_at_construction(proxy: str, hint: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(hint)) as info:
        AsyncDaytona(api_key="k", api_url="http://x/api", proxy=proxy)
    assert "pw-s3cret-1" not in str(info.value)


def test_a_proxy_of_another_type_or_with_an_own_transport_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"httpx\.Proxy"):
        AsyncDaytona(api_key="k", api_url="http://x/api", proxy=3128)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="transport"):
        AsyncDaytona(
            api_key="k",
            api_url="http://x/api",
            proxy="http://proxy.example:3128",
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        )


def test_a_proxy_argument_builds_no_http_stack_and_shows_no_credentials() -> None:
    code = (
        "import sys; from daytona_async import AsyncDaytona; "
        "d = AsyncDaytona(api_key='k', api_url='https://example.invalid/api', "
        "proxy='http://me:pw-s3cret-2@proxy.example:3128'); "
        "print('httpx' in sys.modules); print(repr(d))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "False"
    assert "proxy='http://***@proxy.example:3128'" in lines[1] and "pw-s3cret-2" not in lines[1]


def test_an_unusable_proxy_in_the_environment_is_a_configuration_error(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", "ftp://me:pw-s3cret-3@proxy.example")
    d = AsyncDaytona(api_key="k", api_url="https://x.example/api")
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY") as info:
        d.context  # noqa: B018 -- the HTTP stack (and its proxy routes) is built on first use
    assert "pw-s3cret-3" not in str(info.value)
    # trust_env=False: the environment is not read at all
    AsyncDaytona(api_key="k", api_url="https://x.example/api", trust_env=False).context  # noqa: B018


_ENV_CASES = [
    {"HTTP_PROXY": "http://p:1"},
    {"HTTPS_PROXY": "p:2"},
    {"https_proxy": "http://lower:3", "HTTPS_PROXY": "http://upper:4"},
    {"ALL_PROXY": "http://p:5", "NO_PROXY": "example.com"},
    {"ALL_PROXY": "http://p:5", "NO_PROXY": ".example.com, 10.1.2.3"},
    {"ALL_PROXY": "http://p:5", "NO_PROXY": "localhost,example.org:8080,::1"},
    {"HTTP_PROXY": "http://p:1", "HTTPS_PROXY": "http://p:2", "NO_PROXY": "*"},
    {"HTTP_PROXY": "http://p:1", "no_proxy": "sub.example.com"},
]
_URLS = [
    "http://example.com/api",
    "https://example.com/api",
    "https://www.example.com/api",
    "http://wwwexample.com/api",
    "http://sub.example.com/x",
    "https://10.1.2.3/api",
    "http://localhost:3000/api",
    "http://[::1]:3000/api",
    "http://example.org:8080/api",
    "http://example.org/api",
]


@pytest.mark.parametrize("env", _ENV_CASES, ids=[str(i) for i in range(len(_ENV_CASES))])
def test_routes_from_the_environment_are_httpx_own(
    env: dict[str, str], no_proxy_env: pytest.MonkeyPatch
) -> None:
    """Per URL, the SDK's proxy (or none) is the one ``httpx.AsyncClient()`` would use: the
    same reading of the environment (pins the private httpx helpers it relies on)."""
    from daytona_async._proxy import proxy_routes

    for name, value in env.items():
        no_proxy_env.setenv(name, value)
    routes = proxy_routes(None, trust_env=True)
    client = httpx.AsyncClient()
    try:
        for url in _URLS:
            parsed = httpx.URL(url)
            theirs = client._transport_for_url(parsed)
            proxied_by_httpx = theirs is not client._transport
            ours = None if routes is None else routes.proxy_for(parsed)
            assert (ours is not None) == proxied_by_httpx, (env, url)
            if ours is not None:
                pool = theirs._pool  # type: ignore[attr-defined]
                assert pool._proxy_url.host == ours.url.raw_host, (env, url)
                assert pool._proxy_url.port == ours.url.port, (env, url)
    finally:
        import anyio

        anyio.run(client.aclose)
