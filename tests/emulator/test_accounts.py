"""Auth and org scoping, API keys, organizations, members, roles, invitations, users, runners,
preview checks, and the guard in front of the toolbox."""

from __future__ import annotations

import re
from typing import Any

import httpx
from daytona_emulator.testing import EmulatorServer

ADMIN = "daytona-emulator-user"


def test_missing_and_bad_tokens(server: EmulatorServer, nest: Any) -> None:
    with httpx.Client(base_url=server.base_url) as anon:
        body = nest(anon.get("/sandbox?x=1"), 401, "Unauthorized", "Http Exception")
        assert body["path"] == "/api/sandbox?x=1"
        nest(
            anon.get("/sandbox", headers={"Authorization": "Bearer nope"}),
            401,
            "Invalid API key",
            "Unauthorized",
        )
        nest(
            anon.get("/sandbox", headers={"Authorization": "Basic abc"}),
            401,
            "Unauthorized",
            "Http Exception",
        )


def test_jwt_needs_org_header_and_membership(
    server: EmulatorServer, jwt_client: Any, nest: Any
) -> None:
    alice = jwt_client("alice", email="alice@example.com")
    nest(alice.get("/sandbox"), 403, "Forbidden resource", "Forbidden")
    orgs = alice.get("/organizations").json()
    assert [o["name"] for o in orgs] == ["Personal"] and orgs[0]["personal"] is True
    own = orgs[0]["id"]
    alice_org = jwt_client("alice", own)
    assert alice_org.get("/sandbox").json() == []
    sb = alice_org.post("/sandbox", json={}).json()
    assert sb["organizationId"] == own
    # another org: not a member
    nest(
        jwt_client("alice", server.organization_id).get("/sandbox"),
        403,
        "Forbidden resource",
        "Forbidden",
    )
    # the API key's org never sees alice's sandbox: 404, not 403
    with httpx.Client(base_url=server.base_url, headers=server.headers) as owner:
        nest(
            owner.get(f"/sandbox/{sb['id']}"),
            404,
            f"Sandbox with ID {sb['id']} not found",
            "Not Found",
        )
        # the org header is ignored for API keys
        listed = owner.get("/sandbox", headers={"X-Daytona-Organization-ID": own}).json()
        assert sb["id"] not in {s["id"] for s in listed}
        # JWT-only endpoints refuse API keys
        nest(owner.get("/organizations"), 401, "Unauthorized", "Http Exception")
        nest(owner.get("/runners"), 401, "Unauthorized", "Http Exception")


def test_api_keys(client: httpx.Client, server: EmulatorServer, nest: Any) -> None:
    resp = client.post("/api-keys", json={"name": "ci", "permissions": ["write:sandboxes"]})
    assert resp.status_code == 201
    created = resp.json()
    assert set(created) == {"name", "value", "createdAt", "permissions", "expiresAt"}
    assert re.fullmatch(r"dtn_[0-9a-f]{64}", created["value"])
    assert created["expiresAt"] is None
    nest(
        client.post("/api-keys", json={"name": "ci", "permissions": ["write:sandboxes"]}),
        409,
        "API key with this name already exists",
        "Conflict",
    )
    nest(
        client.post("/api-keys", json={"name": "", "permissions": ["nope"]}),
        400,
        [
            "name should not be empty",
            "each value in permissions must be one of the following values: write:registries, "
            "delete:registries, write:snapshots, delete:snapshots, write:sandboxes, "
            "delete:sandboxes, read:volumes, write:volumes, delete:volumes",
        ],
        "Bad Request",
    )
    listed = {k["name"]: k for k in client.get("/api-keys").json()}
    assert set(listed) == {"ci", "emulator"}
    masked = listed["ci"]["value"]
    assert masked == "dtn" + "*" * 20 + created["value"][-3:]
    assert set(listed["ci"]) == {
        "name",
        "value",
        "createdAt",
        "permissions",
        "lastUsedAt",
        "expiresAt",
    }
    assert client.get("/api-keys/ci").json()["permissions"] == ["write:sandboxes"]
    nest(client.get("/api-keys/none"), 404, "API key not found", "Not Found")
    # the new key works, in the same org, with only its permissions
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {created['value']}"}
    ) as ci:
        current = ci.get("/api-keys/current").json()
        assert current["name"] == "ci" and current["lastUsedAt"] is not None
        sb = ci.post("/sandbox", json={}).json()
        assert sb["organizationId"] == server.organization_id
        nest(ci.delete(f"/sandbox/{sb['id']}"), 403, "Forbidden resource", "Forbidden")
        nest(ci.post("/volumes", json={"name": "v"}), 403, "Forbidden resource", "Forbidden")
    assert client.get("/api-keys/current").json()["name"] == "emulator"
    resp = client.delete("/api-keys/ci")
    assert resp.status_code == 204
    nest(
        httpx.get(
            f"{server.base_url}/sandbox", headers={"Authorization": f"Bearer {created['value']}"}
        ),
        401,
        "Invalid API key",
        "Unauthorized",
    )


def test_expired_key_and_jwt_current(
    client: httpx.Client, server: EmulatorServer, jwt_client: Any, nest: Any
) -> None:
    key = client.post(
        "/api-keys",
        json={
            "name": "old",
            "permissions": ["write:sandboxes"],
            "expiresAt": "2020-01-01T00:00:00.000Z",
        },
    ).json()
    assert key["expiresAt"] == "2020-01-01T00:00:00.000Z"
    nest(
        httpx.get(
            f"{server.base_url}/sandbox", headers={"Authorization": f"Bearer {key['value']}"}
        ),
        401,
        "This API key has expired",
        "Unauthorized",
    )
    admin = jwt_client(ADMIN, server.organization_id)
    nest(
        admin.get("/api-keys/current"),
        403,
        "Authenticate with an API key to use this endpoint",
        "Forbidden",
    )


def test_organizations_members_roles_invitations(
    server: EmulatorServer, jwt_client: Any, nest: Any
) -> None:
    owner = jwt_client("olivia", email="olivia@example.com", name="Olivia")
    resp = owner.post("/organizations", json={"name": "Team"})
    assert resp.status_code == 201
    org = resp.json()
    assert set(org) == {
        "id",
        "name",
        "createdBy",
        "personal",
        "createdAt",
        "updatedAt",
        "suspended",
        "suspendedAt",
        "suspensionReason",
        "suspendedUntil",
    }
    oid = org["id"]
    assert org["createdBy"] == "olivia" and org["personal"] is False
    assert owner.get(f"/organizations/{oid}").json()["name"] == "Team"
    usage = owner.get(f"/organizations/{oid}/usage").json()
    assert usage == {
        "totalCpuQuota": 10,
        "totalGpuQuota": 0,
        "totalMemoryQuota": 10,
        "totalDiskQuota": 30,
        "currentCpuUsage": 0,
        "currentMemoryUsage": 0,
        "currentDiskUsage": 0,
    }
    # roles: 6 global ones, plus custom
    roles = owner.get(f"/organizations/{oid}/roles").json()
    assert [r["id"] for r in roles] == [
        f"00000000-0000-0000-0000-00000000000{i}" for i in range(1, 7)
    ]
    resp = owner.post(
        f"/organizations/{oid}/roles",
        json={"name": "Vols", "description": "volumes", "permissions": ["read:volumes"]},
    )
    assert resp.status_code == 201
    role = resp.json()
    assert role["isGlobal"] is False
    resp = owner.put(
        f"/organizations/{oid}/roles/{role['id']}",
        json={
            "name": "Vols",
            "description": "volumes rw",
            "permissions": ["read:volumes", "write:volumes"],
        },
    )
    assert resp.status_code == 200 and resp.json()["description"] == "volumes rw"
    nest(
        owner.post(
            f"/organizations/{oid}/roles", json={"name": "x", "description": "d", "permissions": []}
        ),
        400,
        ["permissions should not be empty"],
        "Bad Request",
    )
    # invitation -> accept -> member with the developer role
    resp = owner.post(f"/organizations/{oid}/invitations", json={"email": "bob@example.com"})
    assert resp.status_code == 201
    inv = resp.json()
    assert inv["status"] == "pending" and inv["role"] == "member"
    assert inv["organizationName"] == "Team"
    assert [r["name"] for r in inv["assignedRoles"]] == ["Developer"]
    resp = owner.put(
        f"/organizations/{oid}/invitations/{inv['id']}",
        json={
            "role": "member",
            "assignedRoleIds": ["00000000-0000-0000-0000-000000000001", role["id"]],
        },
    )
    assert resp.status_code == 200 and len(resp.json()["assignedRoles"]) == 2
    assert [i["id"] for i in owner.get(f"/organizations/{oid}/invitations").json()] == [inv["id"]]
    bob = jwt_client("bob", email="bob@example.com")
    count = bob.get("/organizations/invitations/count")
    assert count.status_code == 200 and count.text == "1"
    assert [i["id"] for i in bob.get("/organizations/invitations").json()] == [inv["id"]]
    nest(
        jwt_client("eve", email="eve@example.com").post(
            f"/organizations/invitations/{inv['id']}/accept"
        ),
        404,
        f"Organization invitation with ID {inv['id']} not found",
        "Not Found",
    )
    resp = bob.post(f"/organizations/invitations/{inv['id']}/accept")
    assert resp.status_code == 201 and resp.content == b""
    members = {m["userId"]: m for m in owner.get(f"/organizations/{oid}/users").json()}
    assert members["bob"]["role"] == "member" and members["olivia"]["role"] == "owner"
    assert members["bob"]["email"] == "bob@example.com"
    # bob: developer + volumes role -> can create sandboxes and volumes, cannot delete sandboxes
    bob_org = jwt_client("bob", oid, email="bob@example.com")
    sb = bob_org.post("/sandbox", json={}).json()
    nest(bob_org.delete(f"/sandbox/{sb['id']}"), 403, "Forbidden resource", "Forbidden")
    assert bob_org.post("/volumes", json={"name": "v"}).status_code == 200
    assert bob_org.get(f"/organizations/{oid}/roles").status_code == 200  # any member (issue 12)
    resp = owner.post(
        f"/organizations/{oid}/users/bob/assigned-roles",
        json={"roleIds": ["00000000-0000-0000-0000-000000000002"]},
    )
    assert resp.status_code == 201 and resp.json()["assignedRoles"][0]["name"] == "Sandboxes Admin"
    assert bob_org.delete(f"/sandbox/{sb['id']}").status_code == 200
    resp = owner.post(f"/organizations/{oid}/users/bob/role", json={"role": "owner"})
    assert resp.status_code == 201 and resp.json()["role"] == "owner"
    nest(
        owner.post(f"/organizations/{oid}/users/olivia/role", json={"role": "member"}),
        403,
        "You cannot update your own role",
        "Forbidden",
    )
    # a second invitation, declined; a third, cancelled
    inv2 = owner.post(
        f"/organizations/{oid}/invitations", json={"email": "carl@example.com"}
    ).json()
    carl = jwt_client("carl", email="carl@example.com")
    assert carl.post(f"/organizations/invitations/{inv2['id']}/decline").status_code == 201
    inv3 = owner.post(f"/organizations/{oid}/invitations", json={"email": "dan@example.com"}).json()
    assert owner.post(f"/organizations/{oid}/invitations/{inv3['id']}/cancel").status_code == 201
    assert owner.get(f"/organizations/{oid}/invitations").json() == []
    # leave, remove member, delete role, delete org
    assert bob.post(f"/organizations/{oid}/leave").status_code == 201
    assert "bob" not in {m["userId"] for m in owner.get(f"/organizations/{oid}/users").json()}
    owner.post(f"/organizations/{oid}/invitations", json={"email": "carl@example.com"})
    inv4 = carl.get("/organizations/invitations").json()[0]
    carl.post(f"/organizations/invitations/{inv4['id']}/accept")
    resp = owner.delete(f"/organizations/{oid}/users/carl")
    assert resp.status_code == 200 and resp.content == b""
    resp = owner.delete(f"/organizations/{oid}/roles/{role['id']}")
    assert resp.status_code == 200
    resp = owner.delete(f"/organizations/{oid}")
    assert resp.status_code == 200 and resp.content == b""
    assert [o["name"] for o in owner.get("/organizations").json()] == ["Personal"]


def test_admin_only_endpoints(
    server: EmulatorServer, jwt_client: Any, client: httpx.Client, nest: Any
) -> None:
    mallory = jwt_client("mallory")
    own = mallory.get("/organizations").json()[0]["id"]
    nest(
        mallory.patch(f"/organizations/{own}/quota", json={"totalCpuQuota": 99}),
        403,
        "Forbidden resource",
        "Forbidden",
    )
    nest(
        mallory.post(f"/organizations/{own}/suspend", json={"reason": "x"}),
        403,
        "Forbidden resource",
        "Forbidden",
    )
    nest(mallory.get("/runners"), 403, "Forbidden resource", "Forbidden")
    nest(mallory.get("/users"), 403, "Forbidden resource", "Forbidden")
    # general snapshots of another org are refused to non-admins
    nest(
        jwt_client("mallory", own).get("/snapshots/daytonaio/sandbox:0.3.0"),
        403,
        "Request organization ID does not match resource organization ID",
        "Forbidden",
    )
    assert jwt_client("mallory", own).post("/sandbox", json={}).json()["state"] == "started"
    # a JWT with role=admin is a system admin
    root = jwt_client("root", role="admin")
    assert (
        root.patch(f"/organizations/{own}/quota", json={"maxCpuPerSandbox": 2}).status_code == 200
    )
    assert client.post(f"/organizations/{own}/suspend", json={"reason": "x"}).status_code == 201
    nest(
        jwt_client("mallory", own).post("/sandbox", json={}),
        403,
        "Organization is suspended: x",
        "Forbidden",
    )


def test_users(client: httpx.Client, server: EmulatorServer, jwt_client: Any, nest: Any) -> None:
    me = client.get("/users/me").json()
    assert me == {
        "id": ADMIN,
        "name": "Emulator User",
        "email": "user@emulator.localhost",
        "publicKeys": [],
    }
    resp = client.post(
        "/users",
        json={
            "id": "u1",
            "name": "User One",
            "email": "u1@example.com",
            "personalOrganizationQuota": {"totalCpuQuota": 2},
        },
    )
    assert resp.status_code == 201 and resp.json()["id"] == "u1"
    nest(
        client.post("/users", json={"id": "u1", "name": "again"}),
        409,
        "User with ID u1 already exists",
        "Conflict",
    )
    assert {u["id"] for u in client.get("/users").json()} >= {ADMIN, "u1"}
    assert client.get("/users/u1").json()["name"] == "User One"
    nest(client.get("/users/zzz"), 404, "User with ID zzz not found", "Not Found")
    resp = client.post("/users/u1/regenerate-key-pair")
    assert resp.status_code == 201 and len(resp.json()["publicKeys"]) == 1
    providers = client.get("/users/account-providers").json()
    assert {"name", "displayName"} == set(providers[0])
    resp = client.post("/users/linked-accounts", json={"provider": "github", "userId": "42"})
    assert resp.status_code == 201 and resp.content == b""
    resp = client.delete("/users/linked-accounts/github/42")
    assert resp.status_code == 200 and resp.content == b""
    u1 = jwt_client("u1")
    org = u1.get("/organizations").json()[0]["id"]
    assert u1.get(f"/organizations/{org}/usage").json()["totalCpuQuota"] == 2
    assert jwt_client("u1", org).get("/users/me").json()["email"] == "u1@example.com"


def test_runners(server: EmulatorServer, jwt_client: Any, client: httpx.Client, nest: Any) -> None:
    admin = jwt_client(ADMIN)
    runners = admin.get("/runners").json()
    assert len(runners) == 1 and runners[0]["state"] == "ready"
    assert {
        "id",
        "domain",
        "apiUrl",
        "apiKey",
        "cpu",
        "memory",
        "disk",
        "gpu",
        "gpuType",
        "class",
        "used",
        "capacity",
        "region",
        "state",
        "lastChecked",
        "unschedulable",
        "createdAt",
        "updatedAt",
    } == set(runners[0])
    rid = runners[0]["id"]
    resp = admin.patch(f"/runners/{rid}/scheduling", json={"unschedulable": True})
    assert resp.status_code == 200 and resp.json()["unschedulable"] is True
    nest(client.post("/sandbox", json={}), 400, "No available runners", "Http Exception")
    resp = admin.post(
        "/runners",
        json={
            "domain": "r2.local",
            "apiUrl": "http://r2",
            "apiKey": "k",
            "cpu": 4,
            "memory": 8,
            "disk": 50,
            "gpu": 0,
            "gpuType": "none",
            "class": "small",
            "capacity": 10,
            "region": "eu",
        },
    )
    assert resp.status_code == 201
    sb = client.post("/sandbox", json={}).json()
    assert sb["runnerDomain"] == "r2.local"
    invalid = admin.post("/runners", json={"domain": "x"})
    assert invalid.status_code == 400 and "apiUrl must be a string" in invalid.json()["message"]


def test_preview_endpoints(
    client: httpx.Client, server: EmulatorServer, jwt_client: Any, nest: Any
) -> None:
    sb = client.post("/sandbox", json={}).json()
    sid = sb["id"]
    with httpx.Client(base_url=server.base_url) as anon:
        nest(
            anon.get(f"/preview/{sid}/public"), 404, f"Sandbox with ID {sid} not found", "Not Found"
        )
        client.post(f"/sandbox/{sid}/public/true")
        resp = anon.get(f"/preview/{sid}/public")
        assert resp.status_code == 200 and resp.text == "true"
        assert resp.headers["content-type"].startswith("text/html")
        token = client.get(f"/sandbox/{sid}/ports/1234/preview-url").json()["token"]
        assert anon.get(f"/preview/{sid}/validate/{token}").text == "true"
        assert anon.get(f"/preview/{sid}/validate/wrong").status_code == 404
    assert client.get(f"/preview/{sid}/access").text == "true"
    nest(
        jwt_client("stranger").get(f"/preview/{sid}/access"),
        404,
        f"Sandbox with ID {sid} not found",
        "Not Found",
    )


NOT_RUNNING = {
    "response": {"message": "Sandbox is not running", "error": "Bad Request", "statusCode": 400},
    "status": 400,
    "options": {},
    "message": "Sandbox is not running",
    "name": "BadRequestException",
}


def test_toolbox_guard(client: httpx.Client, server: EmulatorServer, wait: Any, nest: Any) -> None:
    sid = client.post("/sandbox", json={}).json()["id"]
    with httpx.Client(base_url=server.base_url) as anon:
        nest(anon.get(f"/toolbox/{sid}/toolbox/files"), 401, "Unauthorized", "Http Exception")
    nest(
        client.get("/toolbox/unknown/toolbox/files"),
        404,
        "Sandbox with ID unknown not found",
        "Not Found",
    )
    key = client.post("/api-keys", json={"name": "vols", "permissions": ["read:volumes"]}).json()
    nest(
        httpx.get(
            f"{server.base_url}/toolbox/{sid}/toolbox/files",
            headers={"Authorization": f"Bearer {key['value']}"},
        ),
        403,
        "Forbidden resource",
        "Forbidden",
    )
    # passes the guard when started (404 page not found from an unknown daemon route)
    resp = client.get(f"/toolbox/{sid}/toolbox/no-such-daemon-route")
    assert resp.status_code == 404 and resp.text == "404 page not found"
    client.post(f"/sandbox/{sid}/stop")
    wait(client, sid, "stopped")
    resp = client.get(f"/toolbox/{sid}/toolbox/files", params={"path": "/"})
    assert resp.status_code == 400 and resp.json() == NOT_RUNNING
    nest(
        client.post(f"/toolbox/{sid}/toolbox/process/execute", json={"command": "ls"}),
        400,
        "Sandbox is not running",
        "Bad Request",
    )
    other = server.mint_jwt("outsider")
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {other}"}
    ) as outsider:
        own = outsider.get("/organizations").json()[0]["id"]
        nest(
            outsider.get(
                f"/toolbox/{sid}/toolbox/files", headers={"X-Daytona-Organization-ID": own}
            ),
            404,
            f"Sandbox with ID {sid} not found",
            "Not Found",
        )
