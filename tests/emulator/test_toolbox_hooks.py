"""The control plane drives a toolbox runtime: lifecycle hooks, mounted routes, shutdown."""

from __future__ import annotations

import time
from typing import Any, ClassVar

import daytona_emulator.app as emulator_app
import httpx
import pytest
from daytona_emulator.errors import daemon_error
from daytona_emulator.testing import EmulatorServer
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class FakeRuntime:
    instances: ClassVar[list[FakeRuntime]] = []

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.events: list[tuple[str, str]] = []
        FakeRuntime.instances.append(self)

    async def start(self) -> None:
        self.events.append(("start", ""))

    async def aclose(self) -> None:
        self.events.append(("aclose", ""))

    async def sandbox_created(
        self, sandbox_id: str, disk_gib: float = 0, cpu: float = 0, memory_gib: float = 0
    ) -> None:
        self.events.append(("created", sandbox_id))

    async def sandbox_stopped(self, sandbox_id: str) -> None:
        self.events.append(("stopped", sandbox_id))

    async def sandbox_destroyed(self, sandbox_id: str) -> None:
        self.events.append(("destroyed", sandbox_id))

    def routes(self) -> list[Route]:
        async def project_dir(request: Request) -> JSONResponse:
            return JSONResponse({"dir": "/home/daytona", "sandbox": request.state.sandbox_id})

        async def missing(request: Request) -> Any:
            return daemon_error(request, 404, "stat /x: no such file or directory")

        return [Route("/project-dir", project_dir), Route("/files/info", missing)]


@pytest.fixture
def fake_toolbox(monkeypatch: pytest.MonkeyPatch) -> type[FakeRuntime]:
    FakeRuntime.instances.clear()
    monkeypatch.setattr(emulator_app, "make_toolbox", FakeRuntime)
    return FakeRuntime


def test_hooks_routes_and_shutdown(fake_toolbox: type[FakeRuntime]) -> None:
    with EmulatorServer(transition_delay=0.01) as srv:
        runtime = fake_toolbox.instances[0]
        assert srv.app.state.toolbox is runtime
        with httpx.Client(base_url=srv.base_url, headers=srv.headers) as c:
            sid = c.post("/sandbox", json={}).json()["id"]
            resp = c.get(f"/toolbox/{sid}/toolbox/project-dir")
            assert resp.json() == {"dir": "/home/daytona", "sandbox": sid}
            resp = c.get(f"/toolbox/{sid}/toolbox/files/info", params={"path": "/x"})
            body = resp.json()
            assert resp.status_code == 404 and body["path"] == "/files/info"
            assert body["code"] == "Not Found" and body["method"] == "GET"
            for action, state in (
                ("stop", "stopped"),
                ("start", "started"),
                ("stop", "stopped"),
                ("archive", "archived"),
            ):
                c.post(f"/sandbox/{sid}/{action}")
                deadline = time.monotonic() + 5
                while c.get(f"/sandbox/{sid}").json()["state"] != state:
                    assert time.monotonic() < deadline
            c.delete(f"/sandbox/{sid}")
            deadline = time.monotonic() + 5
            while c.get(f"/sandbox/{sid}").json()["state"] != "destroyed":
                assert time.monotonic() < deadline
    assert runtime.events == [
        ("start", ""),
        ("created", sid),
        ("stopped", sid),
        ("stopped", sid),
        ("destroyed", sid),
        ("aclose", ""),
    ]
