"""Snapshots, volumes, docker registries, object storage."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from daytona_emulator.testing import EmulatorServer

SNAPSHOT_KEYS = {
    "id",
    "organizationId",
    "general",
    "name",
    "imageName",
    "enabled",
    "state",
    "size",
    "entrypoint",
    "cpu",
    "gpu",
    "mem",
    "disk",
    "errorReason",
    "createdAt",
    "updatedAt",
    "lastUsedAt",
}


def wait_for(client: httpx.Client, path: str, state: str, timeout: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (body := client.get(path).json())["state"] != state:
        assert time.monotonic() < deadline, body
        time.sleep(0.005)
    return body


def test_snapshot_create_rules(client: httpx.Client, nest: Any) -> None:
    resp = client.post("/snapshots", json={"name": "my-snap", "imageName": "ubuntu:22.04"})
    assert resp.status_code == 200
    snap = resp.json()
    assert set(snap) == SNAPSHOT_KEYS
    assert snap["state"] == "pending" and snap["general"] is False
    assert (snap["cpu"], snap["gpu"], snap["mem"], snap["disk"]) == (1, 0, 1, 3)
    active = wait_for(client, f"/snapshots/{snap['id']}", "active")
    assert active["entrypoint"] == ["sleep", "infinity"] and active["size"] is not None
    nest(
        client.post("/snapshots", json={"name": "my-snap", "imageName": "ubuntu:22.04"}),
        409,
        'Snapshot with name "my-snap" already exists for this organization',
        "Conflict",
    )
    nest(
        client.post("/snapshots", json={"name": "x", "imageName": "ubuntu"}),
        400,
        "Image name must include a tag (e.g., ubuntu:22.04)",
        "Bad Request",
    )
    nest(
        client.post("/snapshots", json={"name": "x", "imageName": "ubuntu:latest"}),
        400,
        'Images with tag ":latest" are not allowed',
        "Bad Request",
    )
    assert (
        client.post("/snapshots", json={"name": "bad name!", "imageName": "a:1"}).status_code == 400
    )
    nest(
        client.post("/snapshots", json={"name": "x"}),
        400,
        "Must specify an image name when not using a build info entry",
        "Bad Request",
    )
    nest(
        client.post(
            "/snapshots",
            json={"name": "x", "imageName": "a:1", "buildInfo": {"dockerfileContent": "FROM a"}},
        ),
        400,
        "Cannot specify an image name when using a build info entry",
        "Bad Request",
    )
    nest(
        client.post(
            "/snapshots",
            json={"name": "x", "entrypoint": ["sh"], "buildInfo": {"dockerfileContent": "FROM a"}},
        ),
        400,
        "Cannot specify an entrypoint when using a build info entry",
        "Bad Request",
    )
    nest(
        client.post("/snapshots", json={"name": "x", "imageName": "a:1", "cpu": 8}),
        403,
        "CPU request 8 exceeds maximum allowed per sandbox (4)",
        "Forbidden",
    )
    nest(
        client.post("/snapshots", json={}),
        400,
        ["name should not be empty", "name must be a string"],
        "Bad Request",
    )
    # an active org snapshot can back a sandbox, with its resources
    sb = client.post("/sandbox", json={"snapshot": "my-snap"}).json()
    assert sb["state"] == "started" and sb["snapshot"] == "my-snap"
    assert client.get(f"/snapshots/{snap['id']}").json()["lastUsedAt"] is not None


def test_snapshot_pending_cannot_back_sandbox(make_client: Any, nest: Any) -> None:
    _, client = make_client(snapshot_step_delay=1.0)
    client.post("/snapshots", json={"name": "slow", "imageName": "a:1"})
    nest(
        client.post("/sandbox", json={"snapshot": "slow"}),
        400,
        "Snapshot slow not found. Did you add it through the Daytona Dashboard?",
        "Http Exception",
    )


def test_snapshot_build_states_and_logs(make_client: Any, nest: Any) -> None:
    _, client = make_client(build_step_delay=0.03)
    resp = client.post(
        "/snapshots",
        json={
            "name": "built",
            "buildInfo": {
                "dockerfileContent": "FROM alpine:3.20\nRUN echo hi\n",
                "contextHashes": [],
            },
        },
    )
    snap = resp.json()
    assert snap["state"] == "build_pending" and snap["buildInfo"]["dockerfileContent"].startswith(
        "FROM"
    )
    seen = []
    deadline = time.monotonic() + 5
    while (state := client.get(f"/snapshots/{snap['id']}").json()["state"]) != "active":
        if not seen or seen[-1] != state:
            seen.append(state)
        assert time.monotonic() < deadline
    # polling may miss short states under load: what it saw follows the build flow in order
    flow = ["build_pending", "building", "pending", "pulling", "pending_validation", "validating"]
    assert seen == sorted(seen, key=flow.index)
    logs = client.get(f"/snapshots/{snap['id']}/build-logs")
    assert logs.status_code == 200 and b"Step 2/2 : RUN echo hi" in logs.content
    with client.stream(
        "GET", f"/snapshots/{snap['id']}/build-logs", params={"follow": "true"}
    ) as stream:
        body = b"".join(stream.iter_raw())
    assert body == logs.content
    plain = client.post("/snapshots", json={"name": "plain", "imageName": "a:1"}).json()
    nest(
        client.get(f"/snapshots/{plain['id']}/build-logs"),
        404,
        f"Snapshot {plain['id']} has no build info",
        "Not Found",
    )


def test_snapshot_list_get_toggle_general_delete(
    client: httpx.Client, nest: Any, server: EmulatorServer
) -> None:
    ids = [
        client.post("/snapshots", json={"name": f"s{i}", "imageName": "a:1"}).json()["id"]
        for i in range(3)
    ]
    page = client.get("/snapshots", params={"page": 1, "limit": 2}).json()
    assert page["total"] == 4 and page["page"] == 1 and page["totalPages"] == 2
    assert len(page["items"]) == 2
    page2 = client.get("/snapshots", params={"page": "2", "limit": "2"}).json()
    assert [i["id"] for i in page["items"] + page2["items"]][:3] == ids[::-1]  # newest first
    assert page2["items"][-1]["general"] is True  # general after org-owned
    default = client.get("/snapshots/daytonaio/sandbox:0.3.0").json()
    assert default["general"] and default["state"] == "active"
    assert client.get(f"/snapshots/{ids[0]}").json()["name"] == "s0"
    assert client.get("/snapshots/s1").json()["id"] == ids[1]
    nest(client.get("/snapshots/nope"), 404, "Snapshot with name nope not found", "Not Found")
    resp = client.patch(f"/snapshots/{ids[0]}/toggle", json={"enabled": False})
    assert resp.status_code == 200 and resp.json()["enabled"] is False
    resp = client.patch(f"/snapshots/{ids[0]}/general", json={"general": True})
    assert resp.status_code == 200 and resp.json()["general"] is True
    nest(
        client.delete(f"/snapshots/{ids[0]}"),
        403,
        "You cannot delete a general snapshot",
        "Forbidden",
    )
    assert client.patch("/snapshots/not-a-uuid/toggle", json={"enabled": True}).status_code == 500
    missing = str(uuid.uuid4())
    nest(
        client.delete(f"/snapshots/{missing}"),
        404,
        f"Snapshot with ID {missing} not found",
        "Not Found",
    )
    resp = client.delete(f"/snapshots/{ids[1]}")
    assert resp.status_code == 200 and resp.content == b""
    # on this fast clock "removing" lasts ~5 ms, so it is not asserted here (a stall between
    # the two requests made that flaky): test_snapshot_delete_is_removing_until_done does it
    deadline = time.monotonic() + 3
    while client.get(f"/snapshots/{ids[1]}").status_code != 404:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_snapshot_delete_is_removing_until_done(
    make_client: Callable[..., tuple[EmulatorServer, httpx.Client]],
) -> None:
    # a clock slow enough that the removal cannot finish while the test looks at it
    _, slow = make_client(snapshot_step_delay=3600)
    sid = slow.post("/snapshots", json={"name": "s", "imageName": "a:1"}).json()["id"]
    resp = slow.delete(f"/snapshots/{sid}")
    assert resp.status_code == 200 and resp.content == b""
    assert slow.get(f"/snapshots/{sid}").json()["state"] == "removing"
    listed = slow.get("/snapshots").json()["items"]
    assert [sn["state"] for sn in listed if sn["id"] == sid] == ["removing"]


def test_volumes(client: httpx.Client, nest: Any, server: EmulatorServer) -> None:
    resp = client.post("/volumes", json={"name": "data"})
    assert resp.status_code == 200
    vol = resp.json()
    assert set(vol) == {
        "id",
        "name",
        "organizationId",
        "state",
        "createdAt",
        "updatedAt",
        "lastUsedAt",
        "errorReason",
    }
    assert vol["state"] == "pending_create" and vol["errorReason"] is None
    assert wait_for(client, f"/volumes/{vol['id']}", "ready")["name"] == "data"
    nest(
        client.post("/volumes", json={"name": "data"}),
        400,
        "Volume with name data already exists",
        "Bad Request",
    )
    nest(client.post("/volumes", json={}), 400, ["name must be a string"], "Bad Request")
    unnamed = client.post("/volumes", json={"name": ""}).json()
    assert unnamed["name"] == unnamed["id"]
    assert client.get("/volumes/by-name/data").json()["id"] == vol["id"]
    nest(
        client.get("/volumes/by-name/missing"),
        404,
        "Volume with name missing not found",
        "Not Found",
    )
    missing = str(uuid.uuid4())
    nest(client.get(f"/volumes/{missing}"), 404, f"Volume with ID {missing} not found", "Not Found")
    assert client.get("/volumes/not-a-uuid").status_code == 500
    resp = client.delete(f"/volumes/{vol['id']}")
    assert resp.status_code == 200 and resp.content == b""
    wait_for(client, f"/volumes/{vol['id']}", "deleted")
    names = {v["id"] for v in client.get("/volumes").json()}
    assert vol["id"] not in names
    # quirk: any includeDeleted value, even "false", includes deleted volumes
    assert vol["id"] in {v["id"] for v in client.get("/volumes?includeDeleted=false").json()}
    nest(client.get("/volumes/by-name/data"), 404, "Volume with name data not found", "Not Found")
    # the name is free again
    assert client.post("/volumes", json={"name": "data"}).status_code == 200


def test_volume_not_ready_cannot_be_deleted(make_client: Any, nest: Any) -> None:
    _, client = make_client(volume_step_delay=1.0)
    vol = client.post("/volumes", json={"name": "v"}).json()
    nest(
        client.delete(f"/volumes/{vol['id']}"),
        400,
        "Volume must be in 'ready' state in order to be deleted",
        "Bad Request",
    )


def test_volume_quota(client: httpx.Client, server: EmulatorServer, nest: Any) -> None:
    org = server.organization_id
    client.patch(f"/organizations/{org}/quota", json={"volumeQuota": 1})
    client.post("/volumes", json={"name": "one"})
    nest(
        client.post("/volumes", json={"name": "two"}),
        403,
        "Volume quota exceeded. Maximum allowed: 1",
        "Forbidden",
    )


REGISTRY = {
    "name": "hub",
    "url": "https://registry.hub.docker.com",
    "username": "me",
    "password": "pw",
    "project": "proj",
    "registryType": "organization",
}


def test_docker_registries(client: httpx.Client, nest: Any, server: EmulatorServer) -> None:
    resp = client.post("/docker-registry", json=REGISTRY)
    assert resp.status_code == 201
    reg = resp.json()
    assert set(reg) == {
        "id",
        "name",
        "url",
        "username",
        "password",
        "isDefault",
        "project",
        "organizationId",
        "registryType",
        "createdAt",
        "updatedAt",
    }
    assert reg["password"] == "pw" and reg["isDefault"] is False
    other = client.post("/docker-registry", json={**REGISTRY, "name": "other"}).json()
    assert [r["id"] for r in client.get("/docker-registry").json()] == [other["id"], reg["id"]]
    assert client.get(f"/docker-registry/{reg['id']}").json()["name"] == "hub"
    resp = client.patch(f"/docker-registry/{reg['id']}", json={"name": "hub2", "username": "u2"})
    assert resp.status_code == 200 and resp.json()["name"] == "hub2"
    assert resp.json()["password"] == "pw"
    resp = client.post(f"/docker-registry/{reg['id']}/set-default")
    assert resp.status_code == 201 and resp.json()["isDefault"] is True
    client.post(f"/docker-registry/{other['id']}/set-default")
    assert client.get(f"/docker-registry/{reg['id']}").json()["isDefault"] is False
    body = nest(
        client.post("/docker-registry", json={"name": "x"}),
        400,
        [
            "url must be a URL address",
            "username must be a string",
            "password must be a string",
            "project must be a string",
            "registryType must be one of the following values: internal, organization, "
            "public, transient",
        ],
        "Bad Request",
    )
    assert body["path"] == "/api/docker-registry"
    resp = client.delete(f"/docker-registry/{reg['id']}")
    assert resp.status_code == 204 and resp.content == b""
    nest(
        client.get(f"/docker-registry/{reg['id']}"),
        404,
        f"Docker registry with ID {reg['id']} not found",
        "Not Found",
    )
    push = client.get("/docker-registry/registry-push-access")
    assert push.status_code == 200
    assert set(push.json()) == {
        "username",
        "secret",
        "registryUrl",
        "registryId",
        "project",
        "expiresAt",
    }


def test_object_storage_push_access(client: httpx.Client, server: EmulatorServer) -> None:
    resp = client.get("/object-storage/push-access")
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {
        "accessKey",
        "secret",
        "sessionToken",
        "storageUrl",
        "organizationId",
        "bucket",
    }
    assert body["organizationId"] == server.organization_id and body["bucket"] == "daytona"
