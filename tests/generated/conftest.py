"""A tiny loopback HTTP server for the generated-client tests: it records every request it
receives and answers with canned payloads (the emulator has its own suites); and payloads built
from the YAML's schemas."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def make_sandbox_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": "sb-1",
        "organizationId": "org-1",
        "snapshot": "daytonaio/sandbox:0.3.0",
        "user": "daytona",
        "env": {"A": "1"},
        "labels": {"team": "x"},
        "public": False,
        "target": "us",
        "cpu": 1,
        "gpu": 0,
        "memory": 1,
        "disk": 3,
        "state": "started",
        "errorReason": None,
        "backupState": "None",
        "autoStopInterval": 15,
        "autoArchiveInterval": 10080,
        "volumes": [],
        "buildInfo": None,
        "createdAt": "2025-06-13T08:05:07.123Z",
        "updatedAt": "2025-06-13T08:05:07.123Z",
        "class": "small",
    }
    payload.update(overrides)
    return payload


@dataclass
class Recorder:
    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    # raw path -> (status, JSON body or bytes)
    answers: dict[str, tuple[int, Any]] = field(default_factory=dict)


def _app(rec: Recorder) -> Starlette:
    async def anything(request: Request) -> Response:
        raw_path = request.scope.get("raw_path", b"").decode()
        body = await request.body()
        rec.requests.append(
            {
                "method": request.method,
                "raw_path": raw_path,
                "query": request.url.query,
                "headers": dict(request.headers),
                "body": body,
            }
        )
        status, answer = rec.answers.get(raw_path, (200, make_sandbox_payload()))
        if isinstance(answer, bytes):
            return Response(answer, status_code=status, media_type="application/octet-stream")
        return JSONResponse(answer, status_code=status)

    return Starlette(
        routes=[Route("/{path:path}", anything, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])]
    )


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    rec = Recorder(base_url=f"http://127.0.0.1:{port}/api")
    config = uvicorn.Config(_app(rec), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "test server did not start"
        time.sleep(0.01)
    yield rec
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def rec(recorder: Recorder) -> Recorder:
    recorder.requests.clear()
    recorder.answers.clear()
    return recorder


@pytest.fixture
def sandbox_payload() -> Callable[..., dict[str, Any]]:
    return make_sandbox_payload


_SCHEMAS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi" / "daytona.yaml").read_text()
)["components"]["schemas"]


def sample(schema: dict[str, Any], depth: int = 0) -> Any:
    """A representative value: every property filled, enums take their first value."""
    if "$ref" in schema:
        return sample(_SCHEMAS[schema["$ref"].rsplit("/", 1)[1]], depth)
    if "allOf" in schema:
        return sample(schema["allOf"][0], depth)
    if "oneOf" in schema:
        return sample(schema["oneOf"][0], depth)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties")
        if props is None:
            extra = schema.get("additionalProperties")
            return {"k": sample(extra, depth + 1)} if isinstance(extra, dict) else {"k": "v"}
        return {name: sample(p, depth + 1) for name, p in props.items()}
    if kind == "array":
        return [sample(schema["items"], depth + 1)]
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2025-06-13T08:05:07.123000+00:00"
        return "text"
    if kind == "integer":
        return 7
    if kind == "number":
        return 2.5
    if kind == "boolean":
        return True
    raise AssertionError(schema)


@pytest.fixture
def schema_sample() -> Callable[[dict[str, Any]], Any]:
    """A payload for a schema of openapi/daytona.yaml, every property filled."""
    return sample
