"""Fixtures of the conformance battery: every transport the SDK ships (found, not listed by
hand), its event loop, the test CA, clean proxy/TLS environment variables."""

from __future__ import annotations

import importlib.util
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

#: environment variables that change where and how the SDK connects: cleared for every test
#: of the battery (a developer's or CI's own proxy settings must not leak in)
NETWORK_ENV = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUEST_METHOD",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


@dataclass(frozen=True)
class Transport:
    """One transport of the SDK under one event loop."""

    library: str  # "asyncio" or "trio"
    backend: str  # AsyncDaytona(backend=...)

    @property
    def id(self) -> str:
        return f"{self.library}-{self.backend}"


# backends the SDK's own transport modules implement, and the loops each runs under; a
# backend is part of the battery when the SDK accepts its name and ships its module
_CANDIDATES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("h1", "daytona_async._h1_asyncio", ("asyncio",)),
    ("httpcore2", "daytona_async._httpcore2", ("trio", "asyncio")),
    ("httpx", None, ("asyncio", "trio")),
    ("aiohttp", "daytona_async._aiohttp", ("asyncio",)),
)


def shipped_transports() -> list[Transport]:
    from daytona_async import AsyncDaytona, ConfigurationError

    found: list[Transport] = []
    for backend, module, libraries in _CANDIDATES:
        if module is not None and importlib.util.find_spec(module) is None:
            continue
        try:
            AsyncDaytona(api_key="probe-key", api_url="http://127.0.0.1:9/api", backend=backend)
        except ConfigurationError:
            continue
        found.extend(Transport(library, backend) for library in libraries)
    return found


TRANSPORTS = shipped_transports()


@pytest.fixture(params=TRANSPORTS, ids=[t.id for t in TRANSPORTS])
def transport(request: pytest.FixtureRequest) -> Transport:
    value: Transport = request.param
    return value


@pytest.fixture
def anyio_backend(transport: Transport) -> str:
    return transport.library


@pytest.fixture(autouse=True)
def _clean_network_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NETWORK_ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@dataclass
class CA:
    """A private CA (trustme) and a server certificate for 127.0.0.1 and localhost."""

    ca: Any
    server_context: ssl.SSLContext
    ca_file: str

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_file)
        return context


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> CA:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server)
    server.set_alpn_protocols(["http/1.1"])
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return CA(ca=ca, server_context=server, ca_file=str(path))


@pytest.fixture
def client_kwargs(transport: Transport) -> dict[str, Any]:
    """What every battery client gets: the transport under test, a test key."""
    return {"api_key": "battery-key", "backend": transport.backend, "timeout": 10.0}


@pytest.fixture
def proxy() -> Iterator[Any]:
    """A logging forward proxy (one per test: its log is the test's own)."""
    from .servers import ForwardProxy

    server = ForwardProxy().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api() -> Iterator[Any]:
    """The fake API over plain HTTP."""
    from .servers import api_handler, raw_server

    with raw_server(api_handler) as server:
        yield server


@pytest.fixture
def tls_api(test_ca: CA) -> Iterator[Any]:
    """The fake API over TLS (certificate of the test CA for 127.0.0.1 and localhost)."""
    from .servers import api_handler, raw_server

    with raw_server(api_handler, tls=test_ca.server_context) as server:
        yield server
