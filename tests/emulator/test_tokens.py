"""JWTs must be signed by the emulator's secret: forged, unsigned, alg=none and expired tokens
get the real service's 401 and create nothing (issue 10 §1)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from typing import Any

import httpx
import jwt
import pytest
from daytona_emulator.testing import EmulatorProcess, EmulatorServer

FORGER_SECRET = "not-the-emulator-secret-but-long-enough-for-hs256"


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def unsigned(sub: str, alg: str = "none", signature: str = "emulator") -> str:
    return f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64({'sub': sub})}.{signature}"


def _get(server: EmulatorServer, path: str, token: str, **headers: str) -> httpx.Response:
    return httpx.get(
        f"{server.base_url}{path}", headers={"Authorization": f"Bearer {token}", **headers}
    )


def _known_user_ids(client: httpx.Client) -> set[str]:
    return {u["id"] for u in client.get("/users").json()}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(unsigned("mallory"), id="unsigned-made-up-sub"),
        pytest.param(unsigned("mallory", alg="HS256", signature=""), id="empty-signature"),
        pytest.param(
            jwt.encode({"sub": "mallory"}, FORGER_SECRET, algorithm="HS256"), id="other-secret"
        ),
    ],
)
def test_forged_token_gets_401_and_creates_nothing(
    server: EmulatorServer, client: httpx.Client, nest: Any, token: str
) -> None:
    users_before = _known_user_ids(client)
    auth = {"Authorization": f"Bearer {token}"}
    # combined-auth endpoints: the JWT strategy fails, then the API-key strategy
    nest(_get(server, "/sandbox", token), 401, "Invalid API key", "Unauthorized")
    resp = httpx.post(f"{server.base_url}/sandbox", json={}, headers=auth)
    nest(resp, 401, "Invalid API key", "Unauthorized")
    # JWT-only endpoints: the bare UnauthorizedException
    nest(_get(server, "/organizations", token), 401, "Unauthorized", "Http Exception")
    assert _known_user_ids(client) == users_before  # no user, hence no personal org
    assert client.get("/sandbox").json() == []


def test_owner_sub_unsigned_or_alg_none_is_401(
    server: EmulatorServer, client: httpx.Client, nest: Any
) -> None:
    org = {"X-Daytona-Organization-ID": server.organization_id}
    for token in (unsigned(server.user_id), unsigned(server.user_id, alg="HS256")):
        nest(_get(server, "/sandbox", token, **org), 401, "Invalid API key", "Unauthorized")
        nest(_get(server, "/users/me", token), 401, "Invalid API key", "Unauthorized")
    # the owner's claims signed with another key, and with alg=none by the library itself
    forged = jwt.encode({"sub": server.user_id}, FORGER_SECRET, algorithm="HS256")
    none_alg = jwt.encode({"sub": server.user_id}, None, algorithm="none")
    for token in (forged, none_alg):
        nest(_get(server, "/api-keys", token, **org), 401, "Invalid API key", "Unauthorized")


def test_expired_token_is_401(server: EmulatorServer, nest: Any) -> None:
    token = server.mint_jwt(server.user_id, ttl=-60)
    org = {"X-Daytona-Organization-ID": server.organization_id}
    nest(_get(server, "/sandbox", token, **org), 401, "Invalid API key", "Unauthorized")
    nest(_get(server, "/organizations", token), 401, "Unauthorized", "Http Exception")


def test_minted_token_works(server: EmulatorServer, client: httpx.Client) -> None:
    token = server.mint_jwt("alice", email="alice@example.com")
    orgs = _get(server, "/organizations", token)
    assert orgs.status_code == 200
    own = orgs.json()[0]["id"]
    assert _get(server, "/users/me", token).json()["email"] == "alice@example.com"
    assert _get(server, "/sandbox", token, **{"X-Daytona-Organization-ID": own}).json() == []
    assert "alice" in _known_user_ids(client)
    admin = server.mint_jwt("root", admin=True)
    assert _get(server, "/runners", admin).status_code == 200
    assert _get(server, "/runners", token).status_code == 403


def test_secret_is_not_in_settings_repr(server: EmulatorServer) -> None:
    assert server.settings.jwt_secret not in repr(server.settings)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        EmulatorServer(jwt_secret="short")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "daytona_emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_remote_bind_refused_without_flag() -> None:
    result = _cli("--host", "0.0.0.0", "--port", "0", "--api-key", "k")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--allow-remote" in lines[0] and "unsandboxed" in lines[0]
    assert result.stdout == ""


def test_cli_mint_jwt_against_a_shared_secret() -> None:
    with EmulatorProcess() as emu:
        minted = _cli(
            "mint-jwt", "--sub", "carol", env={"DAYTONA_EMULATOR_JWT_SECRET": emu.jwt_secret}
        )
        assert minted.returncode == 0, minted.stderr
        token = minted.stdout.strip()
        resp = httpx.get(
            f"{emu.base_url}/organizations", headers={"Authorization": f"Bearer {token}"}
        )
        assert resp.status_code == 200 and len(resp.json()) == 1
        other = _cli("mint-jwt", "--sub", "carol", "--jwt-secret", FORGER_SECRET).stdout.strip()
        resp = httpx.get(
            f"{emu.base_url}/organizations", headers={"Authorization": f"Bearer {other}"}
        )
        assert resp.status_code == 401
