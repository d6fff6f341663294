"""State survives a restart with the same data dir; transitions in flight resume."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from daytona_emulator.testing import EmulatorServer


def test_restart_keeps_state_and_resumes_transitions(tmp_path: Path) -> None:
    with EmulatorServer(data_dir=tmp_path, transition_delay=0.01) as first:
        with httpx.Client(base_url=first.base_url, headers=first.headers) as c:
            sb = c.post("/sandbox", json={"labels": {"keep": "me"}}).json()
            gone = c.post("/sandbox", json={}).json()
            c.delete(f"/sandbox/{gone['id']}")
            key = c.post("/api-keys", json={"name": "k", "permissions": ["write:sandboxes"]}).json()
            vol = c.post("/volumes", json={"name": "v"}).json()
            snap = c.post("/snapshots", json={"name": "s", "imageName": "a:1"}).json()
            org_id = first.organization_id
    # a clock slow enough that the stop below is surely still in flight when the server goes
    # down (0.4 s was not: a stall between two requests under load let it finish)
    with EmulatorServer(data_dir=tmp_path, transition_delay=30) as second:
        assert second.organization_id == org_id
        with httpx.Client(base_url=second.base_url, headers=second.headers) as c:
            got = c.get(f"/sandbox/{sb['id']}").json()
            assert got["labels"] == {"keep": "me"} and got["state"] == "started"
            assert c.get(f"/sandbox/{gone['id']}").json()["state"] == "destroyed"
            assert c.get(f"/volumes/{vol['id']}").json()["name"] == "v"
            assert c.get(f"/snapshots/{snap['id']}").json()["name"] == "s"
            assert c.post(f"/sandbox/{sb['id']}/stop").status_code == 200
            assert c.get(f"/sandbox/{sb['id']}").json()["state"] == "stopping"
        headers = {"Authorization": f"Bearer {key['value']}"}
        assert (
            httpx.get(f"{second.base_url}/api-keys/current", headers=headers).json()["name"] == "k"
        )
    # a different configured key replaces the old one; the stop completes after the restart
    with EmulatorServer(api_key="other-key", data_dir=tmp_path, transition_delay=0.01) as third:
        assert (
            httpx.get(
                f"{third.base_url}/sandbox", headers={"Authorization": "Bearer test-key"}
            ).status_code
            == 401
        )
        with httpx.Client(base_url=third.base_url, headers=third.headers) as c:
            deadline = time.monotonic() + 5
            while c.get(f"/sandbox/{sb['id']}").json()["state"] != "stopped":
                assert time.monotonic() < deadline
                time.sleep(0.01)
            assert c.get("/api-keys/k").status_code == 200
