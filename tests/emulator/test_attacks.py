"""Attacks on authentication that hold: regression tests over loopback HTTP.

Tokens with other algorithms (``none``, HS512 with the emulator's own secret, HS256 with the
API key or a guessed key, ``kid``/``jku`` headers), tokens of another user aimed at the
owner's organization or sandbox, and toolbox paths with encoded slashes or dot segments: each
is refused with the real service's status, never reaches a handler, and runs nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from daytona_emulator.testing import EmulatorServer

from .conftest import FAST


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(header: dict[str, Any], payload: dict[str, Any], key: bytes | None) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    if key is None:
        return signing_input + "."
    digest = hashlib.sha512 if header["alg"] == "HS512" else hashlib.sha256
    return f"{signing_input}.{_b64(hmac.new(key, signing_input.encode(), digest).digest())}"


@pytest.fixture(scope="module")
def emu() -> Iterator[tuple[EmulatorServer, str]]:
    with EmulatorServer(**FAST) as srv:
        with httpx.Client(base_url=srv.base_url, headers=srv.headers, timeout=30) as c:
            sandbox_id = c.post("/sandbox", json={}).json()["id"]
        yield srv, sandbox_id


def _forged(srv: EmulatorServer) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": srv.user_id, "exp": now + 600, "role": "admin"}
    secret = srv.settings.jwt_secret.encode()
    return {
        "alg none": _token({"alg": "none", "typ": "JWT"}, claims, None),
        "alg NONE": _token({"alg": "NONE"}, claims, None),
        "HS512 with the real secret": _token({"alg": "HS512"}, claims, secret),
        "HS256 keyed with the API key": _token({"alg": "HS256"}, claims, srv.api_key.encode()),
        "HS256 with a guessed key": _token({"alg": "HS256"}, claims, b"k" * 32),
        "HS256 expired": _token({"alg": "HS256"}, {**claims, "exp": now - 5}, secret),
        "HS256 not yet valid": _token({"alg": "HS256"}, {**claims, "nbf": now + 600}, secret),
        "HS256 kid to /dev/null, empty key": _token(
            {"alg": "HS256", "kid": "../../../../dev/null"}, claims, b""
        ),
        "HS256 jku": _token({"alg": "HS256", "jku": "http://127.0.0.1:1/k"}, claims, b"a" * 32),
        "RS256 unsigned": _token({"alg": "RS256"}, claims, None),
        "sub not a string": _token({"alg": "HS256"}, {**claims, "sub": 7}, secret),
    }


def test_forged_tokens_get_401_everywhere(emu: tuple[EmulatorServer, str]) -> None:
    srv, sandbox_id = emu
    forged = _forged(srv)
    assert len(forged) == 11
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        for name, token in forged.items():
            headers = {
                "Authorization": f"Bearer {token}",
                "X-Daytona-Organization-ID": srv.organization_id,
            }
            for method, path, body in [
                ("GET", "/sandbox", None),
                ("GET", f"/organizations/{srv.organization_id}/users", None),
                ("POST", "/api-keys", {"name": "x", "permissions": ["write:sandboxes"]}),
                ("POST", f"/toolbox/{sandbox_id}/toolbox/process/execute", {"command": "id"}),
            ]:
                r = c.request(method, path, json=body, headers=headers)
                assert r.status_code == 401, (name, path, r.text)
                assert "uid=" not in r.text


def test_another_users_token_reaches_no_foreign_sandbox(emu: tuple[EmulatorServer, str]) -> None:
    srv, sandbox_id = emu
    token = srv.mint_jwt("intruder")
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        own_org = c.get("/organizations", headers=auth).json()[0]["id"]
        victim = {**auth, "X-Daytona-Organization-ID": srv.organization_id}
        mine = {**auth, "X-Daytona-Organization-ID": own_org}
        run = f"/toolbox/{sandbox_id}/toolbox/process/execute"
        assert c.get("/sandbox", headers=victim).status_code == 403
        assert c.post(run, json={"command": "id"}, headers=victim).status_code == 403
        assert c.post(run, json={"command": "id"}, headers=mine).status_code == 404
        assert c.get(f"/sandbox/{sandbox_id}", headers=mine).status_code == 404
        assert c.get(f"/preview/{sandbox_id}/access", headers=auth).status_code == 404


@pytest.mark.parametrize(
    "template",
    [
        "/api/toolbox/{id}/toolbox/process/execute",
        "/api/toolbox/{id}%2Ftoolbox/process/execute",
        "/api/toolbox/{id}/toolbox%2Fprocess%2Fexecute",
        "/api/toolbox/{id}/toolbox/../toolbox/process/execute",
        "/api/toolbox/x/../{id}/toolbox/process/execute",
        "/api/toolbox/{id}/toolbox//process/execute",
        "//api/toolbox/{id}/toolbox/process/execute",
        "/api/toolbox/{id}/Toolbox/process/execute",
    ],
)
def test_toolbox_paths_without_a_key_run_nothing(
    emu: tuple[EmulatorServer, str], template: str
) -> None:
    """Sent raw (no client normalises the path): 401 or 404, never a command."""
    srv, sandbox_id = emu
    body = b'{"command":"id"}'
    head = (
        f"POST {template.format(id=sandbox_id)} HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(head.encode() + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = data.split(b" ", 2)[1]
    assert status in (b"401", b"404"), data[:200]
    assert b"uid=" not in data
