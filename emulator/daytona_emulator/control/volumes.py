"""Volumes: create, list, get by id or name, delete (with their state flow)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.common import (
    bad_request,
    empty,
    forbidden,
    iso,
    json_response,
    new_id,
    not_found,
    read_json,
    sorted_recent_first,
    uuid_or_500,
)
from daytona_emulator.control.plane import Control
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.store import Doc


class VolumeApi:
    def __init__(self, control: Control) -> None:
        self.c = control

    @staticmethod
    def dto(vol: Doc) -> Doc:
        return {
            k: vol[k]
            for k in (
                "id",
                "name",
                "organizationId",
                "state",
                "createdAt",
                "updatedAt",
                "lastUsedAt",
                "errorReason",
            )
        }

    async def create(self, request: Request) -> Response:
        c = self.c
        _, org = c.auth.scoped(request, "write:volumes")
        body = validate(await read_json(request), [Field("name", "string", optional=False)])
        vid = new_id()
        name = body["name"] or vid
        vols = [v for v in c.store.all("volumes") if v["organizationId"] == org["id"]]
        if any(v["name"] == name and v["state"] != "deleted" for v in vols):
            raise bad_request(f"Volume with name {name} already exists")
        quota = org["quota"]["volumeQuota"]
        if sum(v["state"] not in ("deleted", "error") for v in vols) >= quota:
            raise forbidden(f"Volume quota exceeded. Maximum allowed: {quota}")
        now = iso()
        vol = {
            "id": vid,
            "name": name,
            "organizationId": org["id"],
            "state": "pending_create",
            "createdAt": now,
            "updatedAt": now,
            "lastUsedAt": None,
            "errorReason": None,
        }
        c.store.put("volumes", vid, vol)
        c.lifecycle.kick_volume(vid)
        return json_response(self.dto(vol))

    async def list_all(self, request: Request) -> Response:
        _, org = self.c.auth.scoped(request, "read:volumes")
        # any value of includeDeleted (even "false") is truthy on the real service
        with_deleted = "includeDeleted" in request.query_params
        vols = [
            v
            for v in self.c.store.all("volumes")
            if v["organizationId"] == org["id"] and (with_deleted or v["state"] != "deleted")
        ]
        return json_response([self.dto(v) for v in sorted_recent_first(vols)])

    def _volume(self, request: Request, permission: str) -> Doc:
        """The volume named by the path's id (500 if not a UUID, 404 if unknown)."""
        self.c.auth.scoped(request, permission)
        vid = request.path_params["volumeId"]
        uuid_or_500(vid)
        vol = self.c.store.get("volumes", vid)
        if vol is None:
            raise not_found(f"Volume with ID {vid} not found")
        return vol

    async def get(self, request: Request) -> Response:
        return json_response(self.dto(self._volume(request, "read:volumes")))

    async def by_name(self, request: Request) -> Response:
        _, org = self.c.auth.scoped(request, "read:volumes")
        name = request.path_params["name"]
        for vol in self.c.store.all("volumes"):
            if (
                vol["organizationId"] == org["id"]
                and vol["name"] == name
                and vol["state"] != "deleted"
            ):
                return json_response(self.dto(vol))
        raise not_found(f"Volume with name {name} not found")

    async def delete(self, request: Request) -> Response:
        vol = self._volume(request, "delete:volumes")
        vid = vol["id"]
        if vol["state"] != "ready":
            raise bad_request("Volume must be in 'ready' state in order to be deleted")
        vol["state"] = "pending_delete"
        vol["updatedAt"] = iso()
        self.c.store.put("volumes", vid, vol)
        self.c.lifecycle.kick_volume(vid)
        return empty()

    def routes(self) -> list[Route]:
        return [
            Route("/api/volumes", self.list_all, methods=["GET"]),
            Route("/api/volumes", self.create, methods=["POST"]),
            Route("/api/volumes/by-name/{name}", self.by_name, methods=["GET"]),
            Route("/api/volumes/{volumeId}", self.get, methods=["GET"]),
            Route("/api/volumes/{volumeId}", self.delete, methods=["DELETE"]),
        ]
