"""Case 1 of the battery: proxies as httpx honours them, on every transport.

A logging forward proxy on loopback sees each request sent through it: ``CONNECT host:port``
for an https target (the TLS session runs inside the tunnel: the test CA's certificate is
checked end to end), the absolute-form request line for an http target. The environment
(``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY``, lower-case too), ``proxy=``,
``trust_env=False`` and credentials in the proxy URL, each checked through the public API
(a typed GET, ``daytona.list()``), and the same requests from plain ``httpx.AsyncClient()``
as the reference.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

import httpx
import pytest
from daytona_async import APIConnectionError, AsyncDaytona

from .conftest import CA
from .servers import SANDBOX_ID, ForwardProxy, RawServer

pytestmark = pytest.mark.anyio

SECRET = "s3cret-proxy-pw"


def _authority(server: RawServer) -> str:
    return f"127.0.0.1:{server.port}"


async def test_http_proxy_from_env_forwards_in_absolute_form(
    api: RawServer, proxy: ForwardProxy, client_kwargs: dict[str, Any], monkeypatch: Any
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    async with AsyncDaytona(api_url=api.url(), **client_kwargs) as daytona:
        sandboxes = await daytona.list()
    assert [s.id for s in sandboxes] == [SANDBOX_ID]
    assert proxy.log.targets("GET") == [f"http://{_authority(api)}/api/sandbox"]
    assert api.extra["paths"] == ["/api/sandbox"]


async def test_https_proxy_from_env_tunnels_with_connect(
    tls_api: RawServer,
    proxy: ForwardProxy,
    test_ca: CA,
    client_kwargs: dict[str, Any],
    monkeypatch: Any,
) -> None:
    # lower-case names count too; the CA comes from SSL_CERT_FILE (read as httpx reads it)
    monkeypatch.setenv("https_proxy", proxy.url)
    monkeypatch.setenv("SSL_CERT_FILE", test_ca.ca_file)
    async with AsyncDaytona(api_url=tls_api.url("https"), **client_kwargs) as daytona:
        sandboxes = await daytona.list()
        sandbox = await daytona.get(SANDBOX_ID)
        transport = daytona.context.transport
        assert transport is not None and transport.pool_stats()["idle"] == 1  # the tunnel
    assert [s.id for s in sandboxes] == [SANDBOX_ID] and sandbox.id == SANDBOX_ID
    assert proxy.log.targets("CONNECT") == [_authority(tls_api)]  # one tunnel, kept alive
    assert proxy.log.targets("GET") == []  # the requests themselves went inside the tunnel
    assert tls_api.extra["paths"] == ["/api/sandbox", f"/api/sandbox/{SANDBOX_ID}"]


async def test_all_proxy_from_env_carries_both_schemes(
    api: RawServer, proxy: ForwardProxy, client_kwargs: dict[str, Any], monkeypatch: Any
) -> None:
    monkeypatch.setenv("ALL_PROXY", proxy.url.removeprefix("http://"))  # no scheme: http://
    async with AsyncDaytona(api_url=api.url(), **client_kwargs) as daytona:
        await daytona.list()
    assert proxy.log.targets("GET") == [f"http://{_authority(api)}/api/sandbox"]


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost,127.0.0.1:{port}"])
async def test_no_proxy_bypasses_the_proxy(
    no_proxy: str,
    api: RawServer,
    proxy: ForwardProxy,
    client_kwargs: dict[str, Any],
    monkeypatch: Any,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy.format(port=api.port))
    async with AsyncDaytona(api_url=api.url(), **client_kwargs) as daytona:
        await daytona.list()
    assert proxy.log.lines == []
    assert api.extra["paths"] == ["/api/sandbox"]


async def test_no_proxy_is_decided_per_host(
    api: RawServer, proxy: ForwardProxy, client_kwargs: dict[str, Any], monkeypatch: Any
) -> None:
    """The API host goes through the proxy; another host of the same client (as a toolbox or
    preview URL may be) is in NO_PROXY and goes direct; a NO_PROXY entry with another port
    does not match."""
    monkeypatch.setenv("http_proxy", proxy.url)
    monkeypatch.setenv("no_proxy", f"localhost, 127.0.0.1:{api.port + 1}")
    async with AsyncDaytona(api_url=api.url(), **client_kwargs) as daytona:
        await daytona.list()
        other = await daytona.http.get(f"http://localhost:{api.port}/api/sandbox/other")
        await daytona.list()
    assert other.status_code == 200 and other.json()["id"] == "other"
    assert proxy.log.targets("GET") == [f"http://{_authority(api)}/api/sandbox"] * 2
    assert api.extra["paths"] == ["/api/sandbox", "/api/sandbox/other", "/api/sandbox"]


@pytest.mark.parametrize("as_object", [False, True], ids=["url", "httpx.Proxy"])
async def test_proxy_argument_wins_over_the_environment(
    as_object: bool,
    tls_api: RawServer,
    proxy: ForwardProxy,
    test_ca: CA,
    client_kwargs: dict[str, Any],
    monkeypatch: Any,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # an explicit proxy= takes every host (httpx)
    chosen: str | httpx.Proxy = httpx.Proxy(proxy.url) if as_object else proxy.url
    async with AsyncDaytona(
        api_url=tls_api.url("https"),
        proxy=chosen,
        verify=test_ca.client_context(),
        **client_kwargs,
    ) as daytona:
        await daytona.list()
    assert proxy.log.targets("CONNECT") == [_authority(tls_api)]


async def test_trust_env_false_ignores_proxies_and_ssl_cert_file(
    api: RawServer,
    tls_api: RawServer,
    proxy: ForwardProxy,
    test_ca: CA,
    client_kwargs: dict[str, Any],
    monkeypatch: Any,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("SSL_CERT_FILE", test_ca.ca_file)
    async with AsyncDaytona(api_url=api.url(), trust_env=False, **client_kwargs) as daytona:
        await daytona.list()
    assert proxy.log.lines == [] and api.extra["paths"] == ["/api/sandbox"]
    # without SSL_CERT_FILE the test CA is unknown: the certificate is refused
    async with AsyncDaytona(
        api_url=tls_api.url("https"), trust_env=False, max_retries=0, **client_kwargs
    ) as daytona:
        with pytest.raises(APIConnectionError):
            await daytona.list()
    assert proxy.log.lines == []
    assert tls_api.connections >= 1 and tls_api.extra.get("paths") is None


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_proxy_credentials_are_sent_and_never_shown(
    scheme: str,
    api: RawServer,
    tls_api: RawServer,
    test_ca: CA,
    client_kwargs: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    expected = "Basic " + base64.b64encode(f"battery:{SECRET}".encode()).decode()
    guarded = ForwardProxy(require_auth=expected).start()
    target = api if scheme == "http" else tls_api
    proxy_url = f"http://battery:{SECRET}@127.0.0.1:{guarded.port}"
    caplog.set_level(logging.DEBUG)
    try:
        daytona = AsyncDaytona(
            api_url=target.url(scheme),
            proxy=proxy_url,
            verify=test_ca.client_context(),
            **client_kwargs,
        )
        async with daytona:
            await daytona.list()
            assert SECRET not in repr(daytona) and "127.0.0.1" in repr(daytona)
            assert SECRET not in repr(daytona.context.transport)
        assert [auth for _, _, auth in guarded.log.lines] == [expected]
        method = "GET" if scheme == "http" else "CONNECT"
        assert [m for m, _, _ in guarded.log.lines] == [method]
    finally:
        guarded.stop()
    # a proxy that is gone: the error and the logs do not show the credentials
    async with AsyncDaytona(
        api_url=target.url(scheme),
        proxy=proxy_url,
        verify=test_ca.client_context(),
        max_retries=1,
        **client_kwargs,
    ) as daytona:
        with pytest.raises(APIConnectionError) as caught:
            await daytona.list()
    shown = f"{caught.value!s} {caught.value!r} {caught.value.cause!s}"
    assert SECRET not in shown
    assert SECRET not in caplog.text
    assert base64.b64encode(f"battery:{SECRET}".encode()).decode() not in caplog.text
