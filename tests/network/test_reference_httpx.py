"""The reference for the battery: what plain ``httpx.AsyncClient()`` does with the same
settings and the same servers, under both event loops. The SDK's transports are held to this
behaviour (caps and the wording of errors are the SDK's own: httpx has no caps, and says
``ReadError`` for a reset and ``[Errno -2]`` for a name it cannot resolve)."""

from __future__ import annotations

import socket
import ssl
import time
from typing import Any

import httpx
import pytest

from .conftest import CA
from .servers import SANDBOX_ID, ForwardProxy, RawServer, api_handler, raw_server
from .test_conformance import _answer_once_then_close, _slow_answer, _stall_uploads

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


# -- cases 2-6 under plain httpx (the handlers of test_conformance.py) ----------------------


async def test_reference_a_connection_the_server_closed_is_not_reused() -> None:
    with raw_server(_answer_once_then_close) as server:
        async with httpx.AsyncClient() as client:
            for i in range(50):
                response = await client.post(f"{server.url()}/volumes", json={"name": f"v{i}"})
                assert response.json()["name"] == f"v{i}"
                assert server.closed.acquire(timeout=10)
            for i in range(2):
                time.sleep(0.5)  # noqa: ASYNC251 -- the loop busy, as in the SDK's case
                response = await client.post(f"{server.url()}/volumes", json={"name": f"b{i}"})
                assert response.json()["name"] == f"b{i}"
                assert server.closed.acquire(timeout=10)
    assert server.connections == 52


async def test_reference_timeouts_per_read_and_per_write() -> None:
    with raw_server(_slow_answer) as server:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=1.0)) as client:
            response = await client.get(f"{server.url()}/sandbox/{SANDBOX_ID}")
    assert response.json()["id"] == SANDBOX_ID
    with raw_server(_stall_uploads, rcvbuf=4096) as server:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, write=0.5)) as client:
            with pytest.raises(httpx.WriteTimeout):
                await client.post(f"{server.url()}/x/bulk-upload", content=b"x" * (32 << 20))


async def test_reference_alpn_and_certificate_errors(test_ca: CA) -> None:
    with raw_server(api_handler, tls=test_ca.server_context) as server:
        async with httpx.AsyncClient(verify=test_ca.client_context()) as client:
            assert (await client.get(f"{server.url('https')}/sandbox")).status_code == 200
        assert server.alpn == ["http/1.1"]
        async with httpx.AsyncClient() as client:  # certifi: the test CA is unknown
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(f"{server.url('https')}/sandbox")
        # the cause is in the chain (httpx's own message may be empty: under trio it is)
        assert any(isinstance(e, ssl.SSLCertVerificationError) for e in _chain(caught.value))
        assert server.connections == 2  # the trusted call, then one attempt only


async def test_reference_refused_is_in_the_chain() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(f"http://127.0.0.1:{port}/api/sandbox")
    # httpx says "All connection attempts failed"; the reason is in the chain
    assert any(isinstance(e, ConnectionRefusedError) for e in _chain(caught.value))


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, its causes and contexts, and the members of exception groups among them."""
    out: list[BaseException] = []
    todo = [exc]
    while todo:
        current = todo.pop()
        if any(current is seen for seen in out):
            continue
        out.append(current)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return out
