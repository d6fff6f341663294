"""Fault injection: fractions, Retry-After, gateway errors, dropped connections, cut streams."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
import pytest
from daytona_emulator.settings import FaultSettings
from daytona_emulator.testing import EmulatorServer


def outcomes(server: EmulatorServer, n: int, path: str = "/sandbox") -> list[str]:
    out = []
    # a fresh connection per request: a dropped connection must not spoil the next one
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(headers=server.headers, timeout=5, limits=no_reuse) as client:
        for _ in range(n):
            try:
                out.append(str(client.get(f"{server.base_url}{path}").status_code))
            except httpx.RemoteProtocolError:
                out.append("dropped")
    return out


def test_rate_limit_fraction_is_seeded_and_repeatable() -> None:
    runs = []
    for _ in range(2):
        with EmulatorServer(faults=FaultSettings(seed=7, rate_limit=0.3, retry_after=2)) as srv:
            runs.append(outcomes(srv, 200))
    assert runs[0] == runs[1]
    counts = Counter(runs[0])
    assert set(counts) == {"200", "429"}
    assert 35 <= counts["429"] <= 85  # 30% of 200, loosely
    with EmulatorServer(faults=FaultSettings(seed=7, rate_limit=1.0, retry_after=2)) as srv:
        resp = httpx.get(f"{srv.base_url}/sandbox?x=1", headers=srv.headers)
        assert resp.status_code == 429 and resp.headers["retry-after"] == "2"
        body = resp.json()
        assert body["message"] == "ThrottlerException: Too Many Requests"
        assert body["statusCode"] == 429 and body["path"] == "/api/sandbox?x=1"


def test_gateway_errors_and_paths_filter() -> None:
    faults = FaultSettings(seed=1, bad_gateway=0.5, unavailable=0.5, paths=("/snapshots",))
    with EmulatorServer(faults=faults) as srv:
        assert set(outcomes(srv, 20, "/snapshots")) == {"502", "503"}
        assert set(outcomes(srv, 10, "/sandbox")) == {"200"}
        resp = httpx.get(f"{srv.base_url}/snapshots", headers=srv.headers)
        assert resp.headers["content-type"] == "text/html"
        assert f"<h1>{resp.status_code} " in resp.text


@pytest.mark.parametrize("kind", ["drop_before", "drop_after"])
def test_dropped_connections(kind: str) -> None:
    with EmulatorServer(faults=FaultSettings(seed=3, **{kind: 1.0}), transition_delay=0.01) as srv:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(f"{srv.base_url}/sandbox", headers=srv.headers, json={}, timeout=10)
        time.sleep(0.05)
        sandboxes = srv.app.state.control.store.count("sandboxes")
        # before: never processed; after: processed, answer lost
        assert sandboxes == (0 if kind == "drop_before" else 1)
        assert srv.app.fault_injector.counts[kind] == 1


def test_drop_fraction_mix() -> None:
    with EmulatorServer(faults=FaultSettings(seed=11, drop_before=0.25)) as srv:
        counts = Counter(outcomes(srv, 120))
        assert set(counts) == {"200", "dropped"}
        assert 12 <= counts["dropped"] <= 50


def test_cut_stream_and_latency(make_client: Any) -> None:
    faults = FaultSettings(seed=5, cut_stream=1.0, cut_after_bytes=40, latency=0.05)
    _, client = make_client(faults=faults)
    sb = client.post(
        "/sandbox", json={"buildInfo": {"dockerfileContent": "FROM a:1\n" + "RUN echo step\n" * 10}}
    ).json()
    deadline = time.monotonic() + 5
    while client.get(f"/sandbox/{sb['id']}").json()["state"] != "started":
        assert time.monotonic() < deadline
    started = time.monotonic()
    client.get("/sandbox")
    assert time.monotonic() - started >= 0.05
    received = b""
    with pytest.raises(httpx.RemoteProtocolError):
        with client.stream("GET", f"/sandbox/{sb['id']}/build-logs") as resp:
            for chunk in resp.iter_raw():
                received += chunk
    assert len(received) == 40
    # JSON answers with a Content-Length are not streams: untouched
    assert client.get("/sandbox").status_code == 200
