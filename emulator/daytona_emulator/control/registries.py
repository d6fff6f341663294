"""Docker registries and object-storage push access."""

from __future__ import annotations

import asyncio
import secrets
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.common import (
    empty,
    forbidden,
    iso,
    json_response,
    new_id,
    org_doc,
    read_json,
)
from daytona_emulator.control.plane import Control
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.store import Doc

REGISTRY_TYPES = ("internal", "organization", "public", "transient")


class RegistryApi:
    """Docker registries. Responses are raw entities, password included, like the real API."""

    MAX_PER_ORG = 100

    def __init__(self, control: Control) -> None:
        self.c = control

    def _registry(self, request: Request, permission: str | None = None) -> Doc:
        _, org = self.c.auth.scoped(request, permission)
        rid = request.path_params["id"]
        return org_doc(
            self.c.store, "registries", rid, org, f"Docker registry with ID {rid} not found"
        )

    async def create(self, request: Request) -> Response:
        c = self.c
        _, org = c.auth.scoped(request, "write:registries")
        body = validate(
            await read_json(request),
            [
                Field("name", "string", optional=False),
                Field("url", "url", optional=False),
                Field("username", "string", optional=False),
                Field("password", "string", optional=False),
                Field("project", "string", optional=False),
                Field("registryType", "any", optional=False, enum=REGISTRY_TYPES),
                Field("isDefault", "boolean"),
            ],
        )
        if (
            sum(r["organizationId"] == org["id"] for r in c.store.all("registries"))
            >= self.MAX_PER_ORG
        ):
            raise forbidden("You have reached the maximum number of registries")
        now = iso()
        reg = {
            "id": new_id(),
            "name": body["name"],
            "url": body["url"],
            "username": body["username"],
            "password": body["password"],
            "isDefault": bool(body.get("isDefault", False)),
            "project": body["project"],
            "organizationId": org["id"],
            "registryType": body["registryType"],
            "createdAt": now,
            "updatedAt": now,
        }
        c.store.put("registries", reg["id"], reg)
        return json_response(reg, 201)

    async def list_all(self, request: Request) -> Response:
        _, org = self.c.auth.scoped(request)
        regs = [r for r in self.c.store.all("registries") if r["organizationId"] == org["id"]]
        regs.sort(key=lambda r: r["createdAt"], reverse=True)
        return json_response(regs)

    async def get(self, request: Request) -> Response:
        return json_response(self._registry(request))

    async def update(self, request: Request) -> Response:
        reg = self._registry(request, "write:registries")
        body = validate(
            await read_json(request),
            [
                Field("name", "string", optional=False),
                Field("username", "string", optional=False),
                Field("password", "string"),
            ],
        )
        reg["name"], reg["username"] = body["name"], body["username"]
        if body.get("password") is not None:
            reg["password"] = body["password"]
        reg["updatedAt"] = iso()
        self.c.store.put("registries", reg["id"], reg)
        return json_response(reg)

    async def delete(self, request: Request) -> Response:
        reg = self._registry(request, "delete:registries")
        self.c.store.delete("registries", reg["id"])
        return empty(204)

    async def set_default(self, request: Request) -> Response:
        reg = self._registry(request, "write:registries")
        for other in self.c.store.all("registries"):  # every default, in every organization
            if other["isDefault"] and other["id"] != reg["id"]:
                other["isDefault"] = False
                self.c.store.put("registries", other["id"], other)
        reg["isDefault"] = True
        reg["updatedAt"] = iso()
        self.c.store.put("registries", reg["id"], reg)
        return json_response(reg, 201)

    async def push_access(self, request: Request) -> Response:
        self.c.auth.scoped(request)
        return json_response(
            {
                "username": f"robot$emulator+{secrets.token_hex(4)}",
                "secret": secrets.token_urlsafe(32),
                "registryUrl": "registry.emulator.localhost",
                "registryId": self.c.registry_id,
                "project": "daytona",
                "expiresAt": iso(time.time() + 3600),
            }
        )

    async def storage_access(self, request: Request) -> Response:
        _, org = self.c.auth.scoped(request)
        # an S3 endpoint on loopback (moto), started on first use
        storage = self.c.builds.object_storage
        return json_response(await asyncio.to_thread(storage.push_access, org["id"]))

    def routes(self) -> list[Route]:
        return [
            Route("/api/docker-registry", self.list_all, methods=["GET"]),
            Route("/api/docker-registry", self.create, methods=["POST"]),
            Route("/api/docker-registry/registry-push-access", self.push_access, methods=["GET"]),
            Route("/api/docker-registry/{id}", self.get, methods=["GET"]),
            Route("/api/docker-registry/{id}", self.update, methods=["PATCH"]),
            Route("/api/docker-registry/{id}", self.delete, methods=["DELETE"]),
            Route("/api/docker-registry/{id}/set-default", self.set_default, methods=["POST"]),
            Route("/api/object-storage/push-access", self.storage_access, methods=["GET"]),
        ]
