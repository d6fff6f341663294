"""The reference for the battery: what plain ``httpx.AsyncClient()`` does with the same
settings, under both event loops. The SDK's transports are held to this behaviour."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import CA
from .servers import ForwardProxy, RawServer

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _authority(server: RawServer) -> str:
    return f"127.0.0.1:{server.port}"


async def test_reference_httpx_honours_the_same_environment(
    api: RawServer, tls_api: RawServer, proxy: ForwardProxy, test_ca: CA, monkeypatch: Any
) -> None:
    """What plain ``httpx.AsyncClient()`` does with the same settings: the behaviour the SDK's
    transports are held to (test_proxy.py)."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("https_proxy", proxy.url)
    monkeypatch.setenv("SSL_CERT_FILE", test_ca.ca_file)
    monkeypatch.setenv("NO_PROXY", "localhost")
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{api.url()}/sandbox")).status_code == 200
        assert (await client.get(f"{tls_api.url('https')}/sandbox")).status_code == 200
        assert (await client.get(f"http://localhost:{api.port}/api/x")).status_code == 404
    assert proxy.log.targets("GET") == [f"http://{_authority(api)}/api/sandbox"]
    assert proxy.log.targets("CONNECT") == [_authority(tls_api)]
    async with httpx.AsyncClient(trust_env=False) as client:
        assert (await client.get(f"{api.url()}/sandbox")).status_code == 200
    assert len(proxy.log.lines) == 2
