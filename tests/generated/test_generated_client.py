"""The generated layer (daytona_api) against a real loopback server."""

from __future__ import annotations

import email.parser
import email.policy
import importlib
import io
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import daytona_api
import daytona_api.api
import httpx
import pytest
from daytona_api import AuthenticatedClient
from daytona_api.api.sandbox import (
    get_port_preview_url,
    get_sandbox,
    list_sandboxes,
    set_autostop_interval,
    update_public_status,
)
from daytona_api.api.toolbox_files import download_file, upload_file
from daytona_api.models import Sandbox, SandboxState, UploadFileRequest
from daytona_api.types import File

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def client(rec: Any) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=rec.base_url, token="secret-token", raise_on_unexpected_status=True
    )


async def test_typed_call_round_trips_a_sandbox(rec: Any) -> None:
    async with client(rec) as c:
        sb = await get_sandbox.asyncio("sb-1", client=c)
    assert isinstance(sb, Sandbox)
    assert sb.id == "sb-1"
    assert sb.state is SandboxState.STARTED
    assert sb.env.additional_properties == {"A": "1"}
    assert sb.to_dict() == Sandbox.from_dict(sb.to_dict()).to_dict()
    sent = rec.requests[0]
    assert sent["raw_path"] == "/api/sandbox/sb-1"
    assert sent["headers"]["authorization"] == "Bearer secret-token"


async def test_unknown_enum_value_and_extra_fields_parse(
    rec: Any, sandbox_payload: Callable[..., dict[str, Any]]
) -> None:
    rec.answers["/api/sandbox"] = (
        200,
        [sandbox_payload(state="resizing", brandNew={"x": 1}), sandbox_payload(id="sb-2")],
    )
    async with client(rec) as c:
        items = await list_sandboxes.asyncio(client=c)
    assert isinstance(items, list) and len(items) == 2
    odd = items[0]
    assert isinstance(odd, Sandbox)
    assert odd.state == "resizing" and isinstance(odd.state, SandboxState)
    assert odd.additional_properties["brandNew"] == {"x": 1}
    assert odd.to_dict()["state"] == "resizing"
    assert items[1].state is SandboxState.STARTED


async def test_bool_and_int_path_parameters_rendered_as_the_server_expects(rec: Any) -> None:
    rec.answers["/api/sandbox/sb-1/ports/3000/preview-url"] = (
        200,
        {"url": "https://u", "token": "t"},
    )
    async with AuthenticatedClient(base_url=rec.base_url, token="t") as c:
        await update_public_status.asyncio_detailed("sb-1", True, client=c)
        await update_public_status.asyncio_detailed("sb-1", False, client=c)
        await set_autostop_interval.asyncio_detailed("sb-1", 30, client=c)
        await get_port_preview_url.asyncio_detailed("sb-1", 3000, client=c)
    paths = [r["raw_path"] for r in rec.requests]
    assert paths == [
        "/api/sandbox/sb-1/public/true",
        "/api/sandbox/sb-1/public/false",
        "/api/sandbox/sb-1/autostop/30",
        "/api/sandbox/sb-1/ports/3000/preview-url",
    ]


@pytest.mark.parametrize(
    ("sandbox_id", "raw"),
    [("a/../b", "a%2F..%2Fb"), ("x?y", "x%3Fy"), ("a#b", "a%23b"), ("%2F", "%252F")],
)
async def test_path_ids_are_percent_encoded(rec: Any, sandbox_id: str, raw: str) -> None:
    async with client(rec) as c:
        await get_sandbox.asyncio_detailed(sandbox_id, client=c)
    assert rec.requests[0]["raw_path"] == f"/api/sandbox/{raw}"


async def test_status_codes_unknown_to_httpstatus_do_not_crash(rec: Any) -> None:
    rec.answers["/api/sandbox/odd"] = (520, {"message": "origin error"})
    async with AuthenticatedClient(base_url=rec.base_url, token="t") as c:
        resp = await get_sandbox.asyncio_detailed("odd", client=c)
    assert resp.status_code == 520
    assert resp.parsed is None


async def test_documented_error_parses_into_the_shared_error_model(rec: Any) -> None:
    rec.answers["/api/sandbox/missing"] = (
        404,
        {"statusCode": 404, "error": "Not Found", "message": "Sandbox with ID missing not found"},
    )
    rec.answers["/api/sandbox/invalid"] = (
        400,
        {"statusCode": 400, "message": ["cpu must be a number"]},
    )
    async with client(rec) as c:
        missing = await get_sandbox.asyncio("missing", client=c)
        invalid = await get_sandbox.asyncio("invalid", client=c)
    assert isinstance(missing, daytona_api.models.ErrorResponse)
    assert missing.message == "Sandbox with ID missing not found"
    assert isinstance(invalid, daytona_api.models.ErrorResponse)
    assert invalid.message == ["cpu must be a number"]


async def test_multipart_upload_uses_a_random_boundary(rec: Any) -> None:
    evil = b'hello\r\n--+++\r\nContent-Disposition: form-data; name="evil"\r\n\r\nx\r\n--+++--\r\n'
    async with client(rec) as c:
        body = UploadFileRequest(file=File(payload=io.BytesIO(evil), file_name="f.bin"))
        await upload_file.asyncio_detailed("sb-1", client=c, path="/home/daytona/f.bin", body=body)
    sent = rec.requests[0]
    ctype = sent["headers"]["content-type"]
    assert "boundary=+++" not in ctype
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + sent["body"]
    )
    parts = [
        (p.get_param("name", header="content-disposition"), p.get_payload(decode=True))
        for p in msg.iter_parts()
    ]
    assert parts == [("file", evil)]


async def test_download_streams_bytes(rec: Any) -> None:
    blob = bytes(range(256)) * 1000
    rec.answers["/api/toolbox/sb-1/toolbox/files/download"] = (200, blob)
    async with client(rec) as c:
        whole = await download_file.asyncio("sb-1", client=c, path="/x")
        async with download_file.asyncio_stream("sb-1", client=c, path="/x") as resp:
            chunks = [chunk async for chunk in resp.aiter_bytes()]
    assert whole is not None and whole.payload.read() == blob
    assert b"".join(chunks) == blob
    assert rec.requests[0]["query"] == "path=%2Fx"


def test_every_endpoint_module_imports() -> None:
    names = [m.name for m in pkgutil.walk_packages(daytona_api.api.__path__, "daytona_api.api.")]
    modules = [importlib.import_module(n) for n in names]
    endpoints = [m for m in modules if hasattr(m, "asyncio_detailed")]
    import yaml

    spec = yaml.safe_load((Path(__file__).parents[2] / "openapi" / "daytona.yaml").read_text())
    methods = {"get", "post", "put", "patch", "delete"}
    assert len(endpoints) == sum(len(methods & set(item)) for item in spec["paths"].values())
    assert all(hasattr(m, "sync_detailed") and hasattr(m, "_get_kwargs") for m in endpoints)


def test_package_is_typed() -> None:
    assert (Path(daytona_api.__file__).parent / "py.typed").exists()


def test_httpx_is_the_transport(rec: Any) -> None:
    c = client(rec)
    assert isinstance(c.get_async_httpx_client(), httpx.AsyncClient)
