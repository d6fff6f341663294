"""Error bodies of every shape the service produces → typed errors; no raw exception escapes."""

from __future__ import annotations

import json

import httpx
import pytest
from daytona_async import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AsyncDaytona,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DaytonaError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from daytona_async._context import error_from_body


def _b(obj: object) -> bytes:
    return json.dumps(obj).encode()


def test_nest_shape() -> None:
    err = error_from_body(
        404,
        _b(
            {
                "statusCode": 404,
                "path": "/api/sandbox/x",
                "error": "Not Found",
                "message": "Sandbox with ID x not found",
            }
        ),
        method="GET",
        url="http://h/api/sandbox/x",
    )
    assert isinstance(err, NotFoundError)
    assert err.message == "Sandbox with ID x not found"
    assert err.error == "Not Found" and err.status_code == 404
    assert err.method == "GET" and err.url == "http://h/api/sandbox/x"
    assert "404" in str(err) and "GET http://h/api/sandbox/x" in str(err)


def test_validation_list_is_joined() -> None:
    err = error_from_body(
        400,
        _b(
            {
                "statusCode": 400,
                "error": "Bad Request",
                "message": ["cpu must be a number", "disk must be a number"],
            }
        ),
    )
    assert isinstance(err, BadRequestError)
    assert err.message == "cpu must be a number; disk must be a number"


def test_daemon_shape() -> None:
    err = error_from_body(
        409,
        _b(
            {
                "statusCode": 409,
                "message": "destination already exists",
                "code": "Conflict",
                "path": "/files/move",
            }
        ),
    )
    assert isinstance(err, ConflictError)
    assert err.message == "destination already exists" and err.error == "Conflict"


def test_toolbox_proxy_odd_400() -> None:
    body = {
        "response": {
            "message": "Sandbox is not running",
            "error": "Bad Request",
            "statusCode": 400,
        },
        "status": 400,
        "options": {},
        "message": "Sandbox is not running",
        "name": "BadRequestException",
    }
    err = error_from_body(400, _b(body))
    assert isinstance(err, BadRequestError)
    assert err.message == "Sandbox is not running" and err.error == "Bad Request"


def test_bulk_upload_errors_and_plain_text() -> None:
    err = error_from_body(400, _b({"errors": ["a: denied", "b: denied"]}))
    assert err.message == "a: denied; b: denied"
    err = error_from_body(404, b"404 page not found", content_type="text/plain")
    assert isinstance(err, NotFoundError) and err.message == "404 page not found"
    err = error_from_body(502, b"<html>bad gateway</html>", content_type="text/html")
    assert isinstance(err, InternalServerError)
    err = error_from_body(520, b"", reason="")
    assert isinstance(err, InternalServerError) and err.message == "HTTP 520"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (429, RateLimitError),
        (418, APIStatusError),
    ],
)
def test_status_classes(status: int, cls: type[APIStatusError]) -> None:
    err = error_from_body(status, _b({"message": "m"}))
    assert type(err) is cls


@pytest.mark.anyio
async def test_no_raw_exception_escapes() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/html"):
            return httpx.Response(200, text="<html>proxy page</html>")
        if path.endswith("/missing-field"):
            return httpx.Response(200, json={"id": "x"})
        if path.endswith("/bad-enum"):
            return httpx.Response(200, json={"id": "x"})
        if path.endswith("/weird-status"):
            return httpx.Response(520, text="cloudflare")
        raise httpx.ReadError("boom", request=request)

    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=httpx.MockTransport(handler), max_retries=0
    ) as d:
        for sid, cls in [
            ("html", APIResponseValidationError),
            ("missing-field", APIResponseValidationError),
            ("weird-status", InternalServerError),
            ("other", APIConnectionError),
        ]:
            with pytest.raises(DaytonaError) as info:
                await d.get(sid)
            assert isinstance(info.value, cls), (sid, info.value)
