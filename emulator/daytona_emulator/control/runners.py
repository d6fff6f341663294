"""Runners (JWT only, system admin): list, register, scheduling."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.common import (
    internal,
    iso,
    json_response,
    new_id,
    pg_bool,
    read_json,
)
from daytona_emulator.control.plane import Control
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.store import Doc


class RunnerApi:
    """Runners: JWT only and system admin. The emulator has one built-in runner."""

    FIELDS = (
        Field("domain", "string", optional=False),
        Field("apiUrl", "string", optional=False),
        Field("apiKey", "string", optional=False),
        Field("cpu", "number", optional=False),
        Field("memory", "number", optional=False),
        Field("disk", "number", optional=False),
        Field("gpu", "number", optional=False),
        Field("gpuType", "string", optional=False),
        Field("class", "any", optional=False, enum=("small", "medium", "large")),
        Field("capacity", "number", optional=False),
        Field("region", "any", optional=False, enum=("eu", "us", "asia")),
    )

    def __init__(self, control: Control) -> None:
        self.c = control

    def _admin(self, request: Request) -> None:
        self.c.auth.require_admin(self.c.auth.authenticate_jwt(request))

    def dto(self, runner: Doc) -> Doc:
        used = sum(
            1
            for sb in self.c.store.all("sandboxes")
            if sb.get("runnerId") == runner["id"] and sb["state"] != "destroyed"
        )
        return {**runner, "used": used}

    async def list_all(self, request: Request) -> Response:
        self._admin(request)
        return json_response([self.dto(r) for r in self.c.store.all("runners")])

    async def create(self, request: Request) -> Response:
        self._admin(request)
        body = validate(await read_json(request), self.FIELDS)
        now = iso()
        runner = {
            "id": new_id(),
            **{f.name: body[f.name] for f in self.FIELDS},
            "used": 0,
            "state": "ready",
            "lastChecked": now,
            "unschedulable": False,
            "createdAt": now,
            "updatedAt": now,
        }
        self.c.store.put("runners", runner["id"], runner)
        return json_response(self.dto(runner), 201)

    async def scheduling(self, request: Request) -> Response:
        """``@Body('unschedulable')`` without a DTO: a missing value is ignored (the generated
        official client can only send this request without a body); an unknown id is a plain
        ``Error`` in the service, a 500."""
        self._admin(request)
        rid = request.path_params["id"]
        body = await read_json(request)
        runner = self.c.store.get("runners", rid)
        if runner is None:
            raise internal("Runner not found")
        value = body.get("unschedulable") if isinstance(body, dict) else None
        if value is not None:
            runner["unschedulable"] = value if isinstance(value, bool) else pg_bool(str(value))
        runner["updatedAt"] = iso()
        self.c.store.put("runners", rid, runner)
        return json_response(self.dto(runner))

    def routes(self) -> list[Route]:
        return [
            Route("/api/runners", self.list_all, methods=["GET"]),
            Route("/api/runners", self.create, methods=["POST"]),
            Route("/api/runners/{id}/scheduling", self.scheduling, methods=["PATCH"]),
        ]
