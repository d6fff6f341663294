"""``autoStopInterval``/``autoArchiveInterval`` in a create body answer as the service does
(its ``resolveAutoStopInterval``/``resolveAutoArchiveInterval``, then the insert into two
``integer NOT NULL`` columns): a negative value is a 400 and nothing is created (never a
sandbox stopped at once), ``null`` and values Postgres refuses are the service's 500 in its
error body (never an emulator traceback), absent values keep the defaults."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

NOT_NULL = (
    'null value in column "autoStopInterval" of relation "sandbox" violates not-null constraint'
)


@pytest.mark.parametrize("path", ["/sandbox", "/workspace"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"autoStopInterval": -1}, "Auto-stop interval must be non-negative"),
        ({"autoStopInterval": -0.5}, "Auto-stop interval must be non-negative"),
        ({"autoStopInterval": -(2**40)}, "Auto-stop interval must be non-negative"),
        ({"autoArchiveInterval": -1}, "Auto-archive interval must be non-negative"),
    ],
)
def test_a_negative_interval_is_a_400_and_creates_nothing(
    client: httpx.Client, nest: Any, path: str, body: dict[str, Any], message: str
) -> None:
    nest(client.post(path, json=body), 400, message, "Http Exception")
    assert client.get("/sandbox").json() == []


@pytest.mark.parametrize("path", ["/sandbox", "/workspace"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"autoStopInterval": None}, NOT_NULL),
        ({"autoStopInterval": 2.5}, 'invalid input syntax for type integer: "2.5"'),
        ({"autoStopInterval": 3e9}, 'value "3000000000" is out of range for type integer'),
        ({"autoStopInterval": 1e21}, 'invalid input syntax for type integer: "1e+21"'),
        ({"autoArchiveInterval": 0.5}, 'invalid input syntax for type integer: "0.5"'),
    ],
)
def test_what_postgres_refuses_is_the_services_500_without_a_traceback(
    client: httpx.Client,
    nest: Any,
    caplog: pytest.LogCaptureFixture,
    path: str,
    body: dict[str, Any],
    message: str,
) -> None:
    with caplog.at_level(logging.ERROR):
        nest(client.post(path, json=body), 500, message, "Internal Server Error")
    assert not [r for r in caplog.records if r.exc_info], "the emulator logged a traceback"
    assert client.get("/sandbox").json() == []


def test_absent_zero_and_null_archive_intervals(client: httpx.Client) -> None:
    cases: list[tuple[dict[str, Any], int, int]] = [
        ({}, 15, 10080),  # the columns' defaults
        ({"autoStopInterval": 0, "autoArchiveInterval": 0}, 0, 43200),  # 0: off / the max
        ({"autoStopInterval": 30.0, "autoArchiveInterval": 99999}, 30, 43200),
        # present, so resolved: Math.min(null, max) is 0 (the service's quirk)
        ({"autoArchiveInterval": None}, 15, 0),
    ]
    for body, stop, archive in cases:
        created = client.post("/sandbox", json=body)
        assert created.status_code == 200, created.text
        sb = client.get(f"/sandbox/{created.json()['id']}").json()
        assert (sb["autoStopInterval"], sb["autoArchiveInterval"]) == (stop, archive), body
        assert created.json()["autoStopInterval"] == stop


def test_a_refused_interval_never_stops_a_sandbox(
    client: httpx.Client, wait: Any, nest: Any
) -> None:
    sid = client.post("/sandbox", json={}).json()["id"]
    wait(client, sid, "started")
    nest(
        client.post(f"/sandbox/{sid}/autostop/-1"),
        400,
        "Auto-stop interval must be non-negative",
        "Http Exception",
    )
    assert client.post("/sandbox", json={"autoStopInterval": -1}).status_code == 400
    listed = client.get("/sandbox").json()
    assert [(s["id"], s["state"], s["autoStopInterval"]) for s in listed] == [(sid, "started", 15)]
