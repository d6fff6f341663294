"""Issue 12 items 1-6, 8, 9: the emulator answers as the real service of June 2025 does."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from daytona_emulator.testing import EmulatorServer

DEVELOPER = "00000000-0000-0000-0000-000000000001"
SUPER_ADMIN = "00000000-0000-0000-0000-000000000005"


@pytest.mark.parametrize("prefix", ["sandbox", "workspace"])
@pytest.mark.parametrize(
    ("raw", "expected"),
    [("True", True), ("False", False), ("TRUE", True), ("false", False), ("true", True)],
)
def test_public_flag_accepts_any_case(
    client: httpx.Client, prefix: str, raw: str, expected: bool
) -> None:
    """Item 1: generated clients format booleans with str(); Postgres casts any case."""
    sid = client.post("/sandbox", json={}).json()["id"]
    client.post(f"/sandbox/{sid}/public/{str(not expected).lower()}")
    resp = client.post(f"/{prefix}/{sid}/public/{raw}")
    assert resp.status_code == 201 and resp.content == b""
    assert client.get(f"/sandbox/{sid}").json()["public"] is expected


def test_public_flag_not_a_boolean_is_the_cast_error(client: httpx.Client, nest: Any) -> None:
    sid = client.post("/sandbox", json={}).json()["id"]
    nest(
        client.post(f"/sandbox/{sid}/public/maybe"),
        500,
        'invalid input syntax for type boolean: "maybe"',
        "Internal Server Error",
    )


@pytest.fixture
def team(jwt_client: Any) -> tuple[httpx.Client, str]:
    owner = jwt_client("olivia", email="olivia@example.com")
    oid = owner.post("/organizations", json={"name": "Team"}).json()["id"]
    return owner, oid


def _add_member(
    jwt_client: Any, owner: httpx.Client, oid: str, sub: str
) -> tuple[httpx.Client, str]:
    email = f"{sub}@example.com"
    inv = owner.post(f"/organizations/{oid}/invitations", json={"email": email}).json()
    user = jwt_client(sub, email=email)
    assert user.post(f"/organizations/invitations/{inv['id']}/accept").status_code == 201
    return jwt_client(sub, oid, email=email), email


def test_invitation_checks(team: tuple[httpx.Client, str], jwt_client: Any, nest: Any) -> None:
    """Item 2: @IsEmail, personal organization, existing member, pending duplicate, role ids."""
    owner, oid = team
    url = f"/organizations/{oid}/invitations"
    nest(
        owner.post(url, json={"email": "not-an-email"}),
        400,
        ["email must be an email"],
        "Bad Request",
    )
    personal = next(o for o in owner.get("/organizations").json() if o["personal"])
    nest(
        owner.post(f"/organizations/{personal['id']}/invitations", json={"email": "x@example.com"}),
        403,
        "Cannot invite users to personal organization",
        "Forbidden",
    )
    nest(
        owner.post(url, json={"email": "olivia@example.com"}),
        409,
        "User with email olivia@example.com is already associated with this organization",
        "Conflict",
    )
    assert owner.post(url, json={"email": "pat@example.com"}).status_code == 201
    nest(
        owner.post(url, json={"email": "pat@example.com"}),
        409,
        'User with email "pat@example.com" already invited to this organization',
        "Conflict",
    )
    unknown = "11111111-1111-1111-1111-111111111111"
    for role_ids in ([unknown], [DEVELOPER, unknown], ["not-a-uuid"]):
        resp = owner.post(url, json={"email": "quinn@example.com", "assignedRoleIds": role_ids})
        nest(resp, 400, "Provided role IDs are invalid", "Bad Request")
    # a custom role of another organization is unknown here too
    other = jwt_client("oscar", email="oscar@example.com")
    other_org = other.post("/organizations", json={"name": "Other"}).json()["id"]
    foreign = other.post(
        f"/organizations/{other_org}/roles",
        json={"name": "r", "description": "d", "permissions": ["read:volumes"]},
    ).json()["id"]
    resp = owner.post(url, json={"email": "quinn@example.com", "assignedRoleIds": [foreign]})
    nest(resp, 400, "Provided role IDs are invalid", "Bad Request")
    assert {i["email"] for i in owner.get(url).json()} == {"pat@example.com"}


def test_invitations_list_allowed_for_members(
    team: tuple[httpx.Client, str], jwt_client: Any, nest: Any
) -> None:
    """Item 3: no member-role requirement on GET …/invitations."""
    owner, oid = team
    member, _ = _add_member(jwt_client, owner, oid, "mia")
    owner.post(f"/organizations/{oid}/invitations", json={"email": "zed@example.com"})
    resp = member.get(f"/organizations/{oid}/invitations")
    assert resp.status_code == 200 and [i["email"] for i in resp.json()] == ["zed@example.com"]
    # creating one stays owner-only; outsiders stay out
    nest(
        member.post(f"/organizations/{oid}/invitations", json={"email": "y@example.com"}),
        403,
        "Forbidden resource",
        "Forbidden",
    )
    outsider = jwt_client("otto")
    nest(outsider.get(f"/organizations/{oid}/invitations"), 403, "Forbidden resource", "Forbidden")


def test_roles_endpoints_let_any_member_through(
    team: tuple[httpx.Client, str], jwt_client: Any, nest: Any
) -> None:
    """Item 4: the owner-only marker is on the class; the guard reads the handler only."""
    owner, oid = team
    member, _ = _add_member(jwt_client, owner, oid, "max")
    base = f"/organizations/{oid}/roles"
    assert len(member.get(base).json()) == 6
    body = {"name": "Vols", "description": "volumes", "permissions": ["read:volumes"]}
    created = member.post(base, json=body)
    assert created.status_code == 201
    rid = created.json()["id"]
    body["description"] = "changed"
    assert member.put(f"{base}/{rid}", json=body).json()["description"] == "changed"
    assert member.delete(f"{base}/{rid}").status_code == 200
    assert len(owner.get(base).json()) == 6
    nest(jwt_client("otto").get(base), 403, "Forbidden resource", "Forbidden")


def test_global_roles_cannot_be_updated_or_deleted(
    team: tuple[httpx.Client, str], nest: Any
) -> None:
    """Item 5."""
    owner, oid = team
    url = f"/organizations/{oid}/roles/{SUPER_ADMIN}"
    body = {"name": "x", "description": "d", "permissions": ["read:volumes"]}
    nest(owner.put(url, json=body), 403, "Global roles cannot be updated", "Forbidden")
    nest(owner.delete(url), 403, "Global roles cannot be deleted", "Forbidden")
    assert any(r["id"] == SUPER_ADMIN for r in owner.get(f"/organizations/{oid}/roles").json())


def test_runner_scheduling_without_body_and_unknown_id(
    server: EmulatorServer, jwt_client: Any, nest: Any
) -> None:
    """Item 6: no body -> 200 with the runner; unknown id -> 500 (a plain Error)."""
    admin = jwt_client("root", role="admin")
    runner = admin.get("/runners").json()[0]
    resp = admin.patch(f"/runners/{runner['id']}/scheduling")
    assert resp.status_code == 200
    assert resp.json()["id"] == runner["id"] and resp.json()["unschedulable"] is False
    resp = admin.patch(f"/runners/{runner['id']}/scheduling", json={"unschedulable": True})
    assert resp.status_code == 200 and resp.json()["unschedulable"] is True
    assert admin.patch(f"/runners/{runner['id']}/scheduling").json()["unschedulable"] is True
    admin.patch(f"/runners/{runner['id']}/scheduling", json={"unschedulable": False})
    nest(
        admin.patch("/runners/22222222-2222-2222-2222-222222222222/scheduling"),
        500,
        "Runner not found",
        "Internal Server Error",
    )


def test_workspace_provider_metadata(client: httpx.Client) -> None:
    """Item 8: a JSON string of the workspace's metadata."""
    ws = client.post("/workspace", json={}).json()
    for doc in (
        ws,
        client.get(f"/workspace/{ws['id']}").json(),
        client.get("/workspace").json()[0],
    ):
        meta = json.loads(doc["info"]["providerMetadata"])
        assert list(meta) == [
            "state",
            "nodeDomain",
            "region",
            "class",
            "updatedAt",
            "lastSnapshot",
            "cpu",
            "gpu",
            "memory",
            "disk",
            "autoStopInterval",
            "autoArchiveInterval",
        ]
        assert meta["state"] == doc["state"] == "started"
        assert meta["nodeDomain"] == doc["runnerDomain"]
        assert meta["region"] == doc["target"] and meta["class"] == doc["class"]
        assert (meta["cpu"], meta["memory"], meta["disk"]) == (
            doc["cpu"],
            doc["memory"],
            doc["disk"],
        )
        assert meta["autoStopInterval"] == doc["autoStopInterval"]


def test_cors(server: EmulatorServer, client: httpx.Client) -> None:
    """Item 9: origin reflected, credentials allowed, preflight answered."""
    origin = "https://app.example.test"
    preflight = httpx.options(
        f"{server.base_url}/sandbox",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 204 and preflight.content == b""
    h = preflight.headers
    assert h["access-control-allow-origin"] == origin
    assert h["access-control-allow-credentials"] == "true"
    assert h["access-control-allow-methods"] == "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS"
    assert h["access-control-allow-headers"] == "authorization,content-type"
    # actual requests, errors included, carry the headers too
    for resp in (
        client.get("/sandbox", headers={"Origin": origin}),
        client.get("/sandbox/nope", headers={"Origin": origin}),
        httpx.get(f"{server.base_url}/sandbox", headers={"Origin": origin}),
    ):
        assert resp.headers["access-control-allow-origin"] == origin, resp.status_code
        assert resp.headers["access-control-allow-credentials"] == "true"
    # no Origin: no CORS headers
    assert "access-control-allow-origin" not in client.get("/sandbox").headers
