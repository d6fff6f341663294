"""Sandboxes over loopback HTTP: create, list, lifecycle, errors, quotas, timers, logs."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from daytona_emulator.testing import EmulatorServer

SANDBOX_KEYS = {
    "id",
    "organizationId",
    "snapshot",
    "user",
    "env",
    "labels",
    "public",
    "target",
    "cpu",
    "gpu",
    "memory",
    "disk",
    "state",
    "errorReason",
    "backupState",
    "autoStopInterval",
    "autoArchiveInterval",
    "runnerDomain",
    "volumes",
    "createdAt",
    "updatedAt",
    "class",
}


def create(client: httpx.Client, **body: Any) -> dict[str, Any]:
    resp = client.post("/sandbox", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_create_from_default_snapshot_is_started(
    client: httpx.Client, server: EmulatorServer
) -> None:
    sb = create(client, labels={"a": "1"}, env={"X": "y"})
    assert set(sb) == SANDBOX_KEYS
    assert sb["state"] == "started"
    assert sb["snapshot"] == "daytonaio/sandbox:0.3.0"
    assert (sb["cpu"], sb["gpu"], sb["memory"], sb["disk"]) == (1, 0, 1, 3)
    assert sb["organizationId"] == server.organization_id
    assert sb["user"] == "daytona" and sb["target"] == "us" and sb["class"] == "small"
    assert sb["autoStopInterval"] == 15 and sb["autoArchiveInterval"] == 10080
    assert sb["backupState"] == "None" and sb["errorReason"] is None
    got = client.get(f"/sandbox/{sb['id']}", params={"verbose": "true"})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/json")
    assert got.json()["labels"] == {"a": "1"} and got.json()["env"] == {"X": "y"}


def test_create_errors(client: httpx.Client, nest: Any) -> None:
    nest(
        client.post(
            "/sandbox", json={"snapshot": "x", "buildInfo": {"dockerfileContent": "FROM a"}}
        ),
        400,
        "Cannot specify a snapshot when using a build info entry",
        "Http Exception",
    )
    nest(
        client.post("/sandbox", json={"cpu": 2}),
        400,
        "Cannot specify Sandbox resources when using a snapshot",
        "Http Exception",
    )
    nest(
        client.post("/sandbox", json={"snapshot": "nope:1"}),
        400,
        "Snapshot nope:1 not found. Did you add it through the Daytona Dashboard?",
        "Http Exception",
    )
    body = nest(
        client.post("/sandbox", json={"target": "mars", "public": "yes", "labels": 3}),
        400,
        [
            "labels must be an object",
            "public must be a boolean value",
            "target must be one of the following values: eu, us, asia",
        ],
        "Bad Request",
    )
    assert body["path"] == "/api/sandbox"
    nest(
        client.post("/sandbox", json={"autoArchiveInterval": -1}),
        400,
        "Auto-archive interval must be non-negative",
        "Http Exception",
    )
    resp = client.post("/sandbox", content=b"{bad", headers={"content-type": "application/json"})
    assert resp.status_code == 400 and resp.json()["error"] == "Bad Request"
    nest(
        client.post(
            "/sandbox",
            content=b'{"a":"' + b"x" * 200_000 + b'"}',
            headers={"content-type": "application/json"},
        ),
        500,
        "request entity too large",
        "Internal Server Error",
    )


def test_auto_archive_interval_on_create(client: httpx.Client) -> None:
    assert create(client, autoArchiveInterval=0)["autoArchiveInterval"] == 43200
    assert create(client, autoArchiveInterval=99999)["autoArchiveInterval"] == 43200


def test_get_unknown_and_not_found_paths(client: httpx.Client, nest: Any) -> None:
    body = nest(
        client.get("/sandbox/does-not-exist?verbose=true"),
        404,
        "Sandbox with ID does-not-exist not found",
        "Not Found",
    )
    assert body["path"] == "/api/sandbox/does-not-exist"  # NotFound filter: no query string
    body = nest(client.get("/nothing-here?x=1"), 404, "Cannot GET /api/nothing-here", "Not Found")
    nest(client.patch("/sandbox"), 404, "Cannot PATCH /api/sandbox", "Not Found")


def test_list_labels_filter_and_destroyed_hidden(
    client: httpx.Client, wait: Any, nest: Any
) -> None:
    a = create(client, labels={"team": "a", "env": "dev"})
    b = create(client, labels={"team": "b"})
    ids = {s["id"] for s in client.get("/sandbox").json()}
    assert {a["id"], b["id"]} <= ids
    for value in ("null", "{}"):
        assert {s["id"] for s in client.get("/sandbox", params={"labels": value}).json()} == ids
    only_a = client.get("/sandbox", params={"labels": json.dumps({"team": "a"})}).json()
    assert [s["id"] for s in only_a] == [a["id"]]
    assert (
        client.get("/sandbox", params={"labels": json.dumps({"team": "a", "env": "x"})}).json()
        == []
    )
    resp = client.get("/sandbox", params={"labels": "{nope"})
    assert resp.status_code == 500 and resp.json()["error"] == "Internal Server Error"
    # destroyed: readable, hidden from the list
    assert client.delete(f"/sandbox/{b['id']}", params={"force": "true"}).status_code == 200
    wait(client, b["id"], "destroyed")
    assert b["id"] not in {s["id"] for s in client.get("/sandbox").json()}
    assert client.get(f"/sandbox/{b['id']}").json()["state"] == "destroyed"


def test_stop_start_archive_delete_walk_states(make_client: Any) -> None:
    _, client = make_client(transition_delay=0.06)
    sid = create(client)["id"]
    seen: list[str] = []

    def watch(until: str) -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            state = client.get(f"/sandbox/{sid}").json()["state"]
            if not seen or seen[-1] != state:
                seen.append(state)
            if state == until:
                return
        raise AssertionError(seen)

    for action, until in (
        ("stop", "stopped"),
        ("start", "started"),
        ("stop", "stopped"),
        ("archive", "archived"),
        ("start", "started"),
    ):
        resp = client.post(f"/sandbox/{sid}/{action}")
        assert resp.status_code == 200 and resp.content == b""
        assert "content-type" not in resp.headers
        watch(until)
    assert client.delete(f"/sandbox/{sid}").status_code == 200
    watch("destroyed")
    assert seen == [
        "stopping",
        "stopped",
        "starting",
        "started",
        "stopping",
        "stopped",
        "archiving",
        "archived",
        "restoring",
        "starting",
        "started",
        "destroying",
        "destroyed",
    ]


def test_invalid_transitions(make_client: Any, wait: Any, nest: Any) -> None:
    server, client = make_client(transition_delay=0.3)
    sid = create(client)["id"]
    nest(
        client.post(f"/sandbox/{sid}/start"), 400, "Sandbox is not in valid state", "Http Exception"
    )
    nest(client.post(f"/sandbox/{sid}/archive"), 400, "Sandbox is not stopped", "Http Exception")
    # a user transition in flight sets `pending`
    assert client.post(f"/sandbox/{sid}/stop").status_code == 200
    for action in ("stop", "start", "archive"):
        nest(
            client.post(f"/sandbox/{sid}/{action}"),
            400,
            "Sandbox state change in progress",
            "Http Exception",
        )
    nest(
        client.delete(f"/sandbox/{sid}"), 400, "Sandbox state change in progress", "Http Exception"
    )
    wait(client, sid, "stopped", timeout=3)
    nest(client.post(f"/sandbox/{sid}/stop"), 400, "Sandbox is not started", "Http Exception")
    # auto-stop style: desired differs without pending -> "State change in progress"
    sb = server.app.state.control.store.get("sandboxes", sid)
    sb["desiredState"] = "archived"
    sb["state"] = "archiving"
    nest(client.post(f"/sandbox/{sid}/start"), 400, "State change in progress", "Http Exception")
    nest(
        client.delete(f"/sandbox/{sid}"),
        500,
        f"Sandbox {sid} is not in a valid state to be destroyed. State: archiving",
        "Internal Server Error",
    )


def test_delete_during_initial_creation_is_500(make_client: Any, nest: Any) -> None:
    _, client = make_client(build_step_delay=0.5)
    sb = create(client, buildInfo={"dockerfileContent": "FROM alpine:3\nRUN true\n"})
    assert sb["state"] == "pending_build"
    nest(
        client.delete(f"/sandbox/{sb['id']}"),
        500,
        f"Sandbox {sb['id']} is not in a valid state to be destroyed. State: pending_build",
        "Internal Server Error",
    )


def test_backup(client: httpx.Client, wait: Any, nest: Any) -> None:
    sid = create(client)["id"]
    resp = client.post(f"/sandbox/{sid}/backup")
    assert resp.status_code == 201 and resp.content == b""
    nest(
        client.post(f"/sandbox/{sid}/backup"),
        400,
        "Sandbox backup is already in progress",
        "Http Exception",
    )
    deadline = time.monotonic() + 3
    while client.get(f"/sandbox/{sid}").json()["backupState"] != "Completed":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert "backupCreatedAt" in client.get(f"/sandbox/{sid}").json()


def test_public_autostop_autoarchive_labels(client: httpx.Client, nest: Any) -> None:
    sid = create(client)["id"]
    for path, field, expected in (
        ("public/true", "public", True),
        ("autostop/0", "autoStopInterval", 0),
        ("autostop/30", "autoStopInterval", 30),
        ("autoarchive/0", "autoArchiveInterval", 0),  # quirk: 0 stored
        ("autoarchive/99999", "autoArchiveInterval", 43200),
    ):
        resp = client.post(f"/sandbox/{sid}/{path}")
        assert resp.status_code == 201 and resp.content == b""
        assert client.get(f"/sandbox/{sid}").json()[field] == expected
    nest(
        client.post(f"/sandbox/{sid}/autostop/-1"),
        400,
        "Auto-stop interval must be non-negative",
        "Http Exception",
    )
    nest(
        client.post(f"/sandbox/{sid}/autoarchive/-5"),
        400,
        "Auto-archive interval must be non-negative",
        "Http Exception",
    )
    assert client.post(f"/sandbox/{sid}/public/maybe").status_code == 500
    resp = client.put(f"/sandbox/{sid}/labels", json={"labels": {"new": "x"}})
    assert resp.status_code == 200 and resp.json() == {"labels": {"new": "x"}}
    assert client.get(f"/sandbox/{sid}").json()["labels"] == {"new": "x"}
    nest(
        client.put(f"/sandbox/{sid}/labels", json={}),
        400,
        ["labels must be an object"],
        "Bad Request",
    )


def test_preview_url_token_rotates_on_save(client: httpx.Client, wait: Any, nest: Any) -> None:
    sid = create(client)["id"]
    first = client.get(f"/sandbox/{sid}/ports/3000/preview-url")
    assert first.status_code == 200
    body = first.json()
    assert body["url"] == f"https://3000-{sid}.runner.emulator.localhost"
    assert len(body["token"]) == 32
    assert client.get(f"/sandbox/{sid}/ports/3000/preview-url").json()["token"] == body["token"]
    client.put(f"/sandbox/{sid}/labels", json={"labels": {}})
    assert client.get(f"/sandbox/{sid}/ports/3000/preview-url").json()["token"] != body["token"]
    nest(
        client.get(f"/sandbox/{sid}/ports/70000/preview-url"), 400, "Invalid port", "Http Exception"
    )
    client.post(f"/sandbox/{sid}/stop")
    wait(client, sid, "stopped")
    nest(
        client.get(f"/sandbox/{sid}/ports/3000/preview-url"),
        400,
        "Sandbox must be started to get port preview URL",
        "Http Exception",
    )


def test_quotas(client: httpx.Client, server: EmulatorServer, nest: Any, wait: Any) -> None:
    org = server.organization_id
    # per-sandbox maxima (the deprecated workspace route accepts resources)
    nest(
        client.post("/workspace", json={"cpu": 5}),
        403,
        "CPU request 5 exceeds maximum allowed per sandbox (4)",
        "Forbidden",
    )
    nest(
        client.post("/workspace", json={"memory": 9}),
        403,
        "Memory request 9GB exceeds maximum allowed per sandbox (8GB)",
        "Forbidden",
    )
    nest(
        client.post("/workspace", json={"disk": 11}),
        403,
        "Disk request 11GB exceeds maximum allowed per sandbox (10GB)",
        "Forbidden",
    )
    # totals: 10 default sandboxes use 30 GB of disk, the 11th exceeds it
    ids = [create(client)["id"] for _ in range(10)]
    nest(client.post("/sandbox", json={}), 403, "Total CPU quota exceeded (11 > 10)", "Forbidden")
    resp = client.patch(
        f"/organizations/{org}/quota", json={"totalCpuQuota": 100, "totalMemoryQuota": 100}
    )
    assert resp.status_code == 200 and resp.json()["id"] == org
    nest(
        client.post("/sandbox", json={}),
        403,
        "Total disk quota exceeded (33GB > 30GB)",
        "Forbidden",
    )
    # stopped sandboxes free CPU/memory but keep disk
    client.patch(f"/organizations/{org}/quota", json={"totalCpuQuota": 10, "totalDiskQuota": 100})
    client.post(f"/sandbox/{ids[0]}/stop")
    wait(client, ids[0], "stopped")
    create(client)
    nest(
        client.post(f"/sandbox/{ids[0]}/start"),
        403,
        "Total CPU quota exceeded (11 > 10)",
        "Forbidden",
    )
    # suspension blocks create and start
    assert (
        client.post(f"/organizations/{org}/suspend", json={"reason": "unpaid"}).status_code == 201
    )
    nest(client.post("/sandbox", json={}), 403, "Organization is suspended: unpaid", "Forbidden")
    assert client.post(f"/organizations/{org}/unsuspend").status_code == 201
    client.patch(f"/organizations/{org}/quota", json={"totalCpuQuota": 100})
    assert client.post(f"/sandbox/{ids[0]}/start").status_code == 200


def _store_empty_contexts(client: Any, hashes: list[str]) -> None:
    """Put empty tars where builds look for these contexts, with push-access credentials."""
    import boto3

    access = client.get("/object-storage/push-access").json()
    s3 = boto3.client(
        "s3",
        endpoint_url=access["storageUrl"],
        region_name="us-east-1",
        aws_access_key_id=access["accessKey"],
        aws_secret_access_key=access["secret"],
        aws_session_token=access["sessionToken"],
    )
    for h in hashes:
        key = f"{access['organizationId']}/{h}/context.tar"
        s3.put_object(Bucket=access["bucket"], Key=key, Body=bytes(1024))


def test_build_info_flow_and_logs(make_client: Any, nest: Any) -> None:
    _, client = make_client(build_step_delay=0.05)
    dockerfile = "FROM python:3.12-slim\nRUN pip install requests\nWORKDIR /app\n"
    _store_empty_contexts(client, ["a", "b"])  # a build whose contexts are missing fails
    sb = create(client, buildInfo={"dockerfileContent": dockerfile, "contextHashes": ["b", "a"]})
    assert sb["state"] == "pending_build" and sb["snapshot"] is None
    assert sb["buildInfo"]["dockerfileContent"] == dockerfile
    assert set(sb["buildInfo"]) == {"dockerfileContent", "contextHashes", "createdAt", "updatedAt"}
    assert (sb["cpu"], sb["memory"], sb["disk"]) == (1, 1, 3)
    sid = sb["id"]
    states = []
    deadline = time.monotonic() + 5
    while (state := client.get(f"/sandbox/{sid}").json()["state"]) != "started":
        if not states or states[-1] != state:
            states.append(state)
        assert time.monotonic() < deadline
    assert states[0] == "pending_build" and "building_snapshot" in states
    logs = client.get(f"/sandbox/{sid}/build-logs")
    assert logs.status_code == 200
    assert logs.headers["content-type"] == "application/octet-stream"
    assert b"Step 2/3 : RUN pip install requests" in logs.content
    nest(
        client.get(f"/sandbox/{sid}/build-logs", params={"follow": "yes"}),
        400,
        "Validation failed (boolean string is expected)",
        "Bad Request",
    )
    # same Dockerfile again: the image exists, no build
    again = create(client, buildInfo={"dockerfileContent": dockerfile, "contextHashes": ["a", "b"]})
    assert again["state"] == "creating"
    plain = create(client)
    nest(
        client.get(f"/sandbox/{plain['id']}/build-logs"),
        404,
        f"Sandbox with ID {plain['id']} has no build info",
        "Not Found",
    )


def test_build_logs_follow_streams_lines_and_ends(make_client: Any, wait: Any) -> None:
    _, client = make_client(build_step_delay=0.05)
    sb = create(client, buildInfo={"dockerfileContent": "FROM a:1\nRUN x\nRUN y\nRUN z\n"})
    sid = sb["id"]
    wait(client, sid, "building_snapshot", "creating", "started")
    chunks: list[bytes] = []
    # the stream must end by itself: a stream left open fails on the client's read timeout
    with client.stream("GET", f"/sandbox/{sid}/build-logs", params={"follow": "true"}) as resp:
        assert resp.headers["content-type"] == "application/octet-stream"
        assert "content-length" not in resp.headers
        for chunk in resp.iter_raw():
            chunks.append(chunk)
    text = b"".join(chunks).decode()
    assert "Step 4/4 : RUN z" in text and text.rstrip().endswith(":daytona")
    assert all(c.endswith(b"\n") for c in chunks)


def test_build_failure(client: httpx.Client, wait: Any) -> None:
    sb = create(client, buildInfo={"dockerfileContent": "RUN echo no base image\n"})
    failed = wait(client, sb["id"], "build_failed")
    assert "no build stage" in failed["errorReason"]
    assert client.post(f"/sandbox/{sb['id']}/start").status_code == 400
    assert client.delete(f"/sandbox/{sb['id']}").status_code == 200
    wait(client, sb["id"], "destroyed")


def test_auto_stop_and_auto_archive_fire(make_client: Any) -> None:
    _, client = make_client(seconds_per_minute=0.05, reaper_interval=0.02)
    sid = create(client, autoStopInterval=1, autoArchiveInterval=2)["id"]
    assert client.get(f"/sandbox/{sid}").json()["state"] == "started"
    deadline = time.monotonic() + 5
    states = []
    while (state := client.get(f"/sandbox/{sid}").json()["state"]) != "archived":
        if not states or states[-1] != state:
            states.append(state)
        assert time.monotonic() < deadline, states
        time.sleep(0.005)
    # nothing but the two timers moves a started sandbox to archived; polling may miss the
    # short states under load (it did), so what it saw need only follow the flow in order
    flow = ["started", "stopping", "stopped", "archiving"]
    assert states[0] == "started" and states == sorted(states, key=flow.index)


def test_toolbox_traffic_defers_auto_stop(make_client: Any, wait: Any) -> None:
    # idle limit 0.5 s; traffic spans 3 times that, so a stall of up to ~0.4 s between two
    # requests does not stop the sandbox (a 50 ms limit did, under load)
    _, client = make_client(seconds_per_minute=0.5, reaper_interval=0.02)
    keep = create(client, autoStopInterval=1)["id"]
    until = time.monotonic() + 1.5
    while time.monotonic() < until:
        # even a refused toolbox call counts as activity
        client.get(f"/toolbox/{keep}/toolbox/files/info", params={"path": "/nope"})
        time.sleep(0.05)
    assert client.get(f"/sandbox/{keep}").json()["state"] == "started"
    # plain GETs of the sandbox are not activity: the timer fires once the traffic stops
    wait(client, keep, "stopped", timeout=10)


def test_workspace_routes(client: httpx.Client, wait: Any, nest: Any) -> None:
    resp = client.post("/workspace", json={"image": "daytonaio/sandbox:0.3.0", "cpu": 2})
    assert resp.status_code == 200
    ws = resp.json()
    assert ws["state"] == "started" and ws["cpu"] == 2
    assert ws["name"] == ws["id"] and ws["image"] == "daytonaio/sandbox:0.3.0"
    assert ws["snapshotState"] == "None" and ws["info"]["name"] == ws["id"]
    nest(
        client.post("/workspace", json={"buildInfo": {"dockerfileContent": "FROM a"}}),
        403,
        "Build info is not supported in this deprecated API - please upgrade your client",
        "Forbidden",
    )
    wid = ws["id"]
    assert any(w["id"] == wid and "image" in w for w in client.get("/workspace").json())
    assert client.put(f"/workspace/{wid}/labels", json={"labels": {"k": "v"}}).json() == {
        "labels": {"k": "v"}
    }
    assert client.post(f"/workspace/{wid}/public/true").status_code == 201
    assert client.post(f"/workspace/{wid}/autostop/5").status_code == 201
    assert client.post(f"/workspace/{wid}/autoarchive/5").status_code == 201
    assert client.post(f"/workspace/{wid}/backup").status_code == 201
    assert (
        client.get(f"/workspace/{wid}/ports/8080/preview-url")
        .json()["url"]
        .startswith("https://8080-")
    )
    nest(
        client.get(f"/workspace/{wid}/build-logs"),
        404,
        f"Sandbox with ID {wid} has no build info",
        "Not Found",
    )
    assert client.post(f"/workspace/{wid}/stop").status_code == 200
    wait(client, wid, "stopped", path="workspace")
    assert client.post(f"/workspace/{wid}/archive").status_code == 200
    wait(client, wid, "archived", path="workspace")
    assert client.post(f"/workspace/{wid}/start").status_code == 200
    wait(client, wid, "started", path="workspace")
    assert client.delete(f"/workspace/{wid}", params={"force": "false"}).status_code == 200
    wait(client, wid, "destroyed", path="workspace")


def test_concurrent_creates_and_gets(make_client: Any) -> None:
    import anyio

    server, _ = make_client(
        default_quota=(
            ("totalCpuQuota", 1000),
            ("totalMemoryQuota", 1000),
            ("totalDiskQuota", 10000),
        )
    )

    async def main() -> None:
        async with httpx.AsyncClient(
            base_url=server.base_url,
            headers=server.headers,
            limits=httpx.Limits(max_connections=50),
        ) as ac:
            ids: list[str] = []

            async def one() -> None:
                resp = await ac.post("/sandbox", json={})
                assert resp.status_code == 200 and resp.json()["state"] == "started"
                ids.append(resp.json()["id"])

            async with anyio.create_task_group() as tg:
                for _ in range(100):
                    tg.start_soon(one)
            assert len(set(ids)) == 100
            listed = (await ac.get("/sandbox")).json()
            assert {s["id"] for s in listed} >= set(ids)

    anyio.run(main)
