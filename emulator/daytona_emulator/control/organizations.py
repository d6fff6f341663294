"""Organizations (JWT only): list, create, get, delete, usage, leave; and the system admin's
quota and suspension endpoints (combined auth)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.common import empty, forbidden, iso, json_response, read_json
from daytona_emulator.control.orgs import DEFAULT_QUOTA, create_org, org_dto
from daytona_emulator.control.plane import Control
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.store import Doc

QUOTA_KEYS = tuple(DEFAULT_QUOTA)


class OrganizationApi:
    def __init__(self, control: Control) -> None:
        self.c = control

    def _save_org(self, org: Doc) -> None:
        org["updatedAt"] = iso()
        self.c.store.put("orgs", org["id"], org)

    # --- organizations ---
    async def list_all(self, request: Request) -> Response:
        principal = self.c.auth.authenticate_jwt(request)
        orgs = [
            o
            for o in self.c.store.all("orgs")
            if self.c.auth.member(o["id"], principal.user_id) is not None
        ]
        return json_response([org_dto(o) for o in orgs])

    async def create(self, request: Request) -> Response:
        principal = self.c.auth.authenticate_jwt(request)
        body = validate(
            await read_json(request), [Field("name", "string", optional=False, not_empty=True)]
        )
        if not principal.user.get("emailVerified", True):
            raise forbidden("Please verify your email address")
        org = create_org(self.c.store, body["name"], principal.user_id)
        return json_response(org_dto(org), 201)

    async def get(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request)
        return json_response(org_dto(org))

    async def delete(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request, owner=True)
        if org["personal"]:
            raise forbidden("Cannot delete personal organization")
        for m in list(self.c.store.all("members")):
            if m["organizationId"] == org["id"]:
                self.c.store.delete("members", f"{org['id']}:{m['userId']}")
        # its sandboxes go with it (their processes end); nobody could delete them later
        for sb in list(self.c.store.all("sandboxes")):
            if sb["organizationId"] == org["id"] and sb["desiredState"] != "destroyed":
                sb["desiredState"] = "destroyed"
                sb["pending"] = True
                self.c.save_sandbox(sb)
                self.c.lifecycle.kick_sandbox(sb["id"])
        self.c.store.delete("orgs", org["id"])
        return empty()

    async def usage(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request)
        cpu = mem = disk = 0
        for sb in self.c.store.all("sandboxes"):
            if sb["organizationId"] != org["id"]:
                continue
            if sb["state"] == "started":
                cpu += sb["cpu"]
                mem += sb["memory"]
            if sb["state"] not in ("destroyed", "error", "build_failed", "archived"):
                disk += sb["disk"]
        q = org["quota"]
        return json_response(
            {
                "totalCpuQuota": q["totalCpuQuota"],
                "totalGpuQuota": 0,
                "totalMemoryQuota": q["totalMemoryQuota"],
                "totalDiskQuota": q["totalDiskQuota"],
                "currentCpuUsage": cpu,
                "currentMemoryUsage": mem,
                "currentDiskUsage": disk,
            }
        )

    async def update_quota(self, request: Request) -> Response:
        org = self.c.auth.admin_org(request)
        body = validate(await read_json(request), [Field(k, "number") for k in QUOTA_KEYS])
        for k in QUOTA_KEYS:
            if body.get(k) is not None:
                org["quota"][k] = body[k]
        self._save_org(org)
        return json_response(org_dto(org))

    async def leave(self, request: Request) -> Response:
        principal, org = self.c.auth.jwt_org(request)
        if org["personal"]:
            raise forbidden("You cannot leave your personal organization")
        self.c.store.delete("members", f"{org['id']}:{principal.user_id}")
        return empty(201)

    async def suspend(self, request: Request) -> Response:
        org = self.c.auth.admin_org(request)
        body = validate(
            await read_json(request), [Field("reason", "string"), Field("until", "date")]
        )
        org.update(
            suspended=True,
            suspendedAt=iso(),
            suspensionReason=body.get("reason"),
            suspendedUntil=body.get("until"),
        )
        self._save_org(org)
        return empty(201)

    async def unsuspend(self, request: Request) -> Response:
        org = self.c.auth.admin_org(request)
        org.update(suspended=False, suspendedAt=None, suspensionReason=None, suspendedUntil=None)
        self._save_org(org)
        return empty(201)

    def routes(self) -> list[Route]:
        o = "/api/organizations/{organizationId}"
        return [
            Route("/api/organizations", self.list_all, methods=["GET"]),
            Route("/api/organizations", self.create, methods=["POST"]),
            Route(o, self.get, methods=["GET"]),
            Route(o, self.delete, methods=["DELETE"]),
            Route(f"{o}/usage", self.usage, methods=["GET"]),
            Route(f"{o}/quota", self.update_quota, methods=["PATCH"]),
            Route(f"{o}/leave", self.leave, methods=["POST"]),
            Route(f"{o}/suspend", self.suspend, methods=["POST"]),
            Route(f"{o}/unsuspend", self.unsuspend, methods=["POST"]),
        ]
