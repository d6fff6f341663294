"""Snapshots: create (from an image or a Dockerfile build), list (paginated), get by id or
name, toggle, general flag, delete, build logs."""

from __future__ import annotations

import math
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.auth import Principal
from daytona_emulator.control.builds import parse_follow, validate_build_info
from daytona_emulator.control.common import (
    bad_request,
    empty,
    forbidden,
    is_uuid,
    iso,
    json_response,
    new_id,
    not_found,
    num,
    read_json,
    sorted_recent_first,
    uuid_or_500,
)
from daytona_emulator.control.plane import Control
from daytona_emulator.control.quota import check_per_sandbox_limits
from daytona_emulator.control.sandbox_model import build_info_dto, build_ref
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.errors import ApiError
from daytona_emulator.store import Doc

NAME_RE = re.compile(r"^[a-zA-Z0-9.\-:]+(/[a-zA-Z0-9.\-:]+)*$")
ORG_MISMATCH = "Request organization ID does not match resource organization ID"


class SnapshotApi:
    FIELDS = (
        Field("name", "string", optional=False, not_empty=True),
        Field("imageName", "string"),
        Field("entrypoint", "array"),
        Field("general", "boolean"),
        Field("cpu", "number"),
        Field("gpu", "number"),
        Field("memory", "number"),
        Field("disk", "number"),
        Field("buildInfo", "object"),
    )

    def __init__(self, control: Control) -> None:
        self.c = control

    @staticmethod
    def dto(sn: Doc) -> Doc:
        out = {
            k: sn[k]
            for k in (
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
            )
        }
        if sn.get("buildInfo"):
            out["buildInfo"] = build_info_dto(sn["buildInfo"])
        return out

    def _access(self, sn: Doc | None, org: Doc, principal: Principal, shown: str, by: str) -> Doc:
        if sn is None:
            raise not_found(f"Snapshot with {by} {shown} not found")
        if sn["organizationId"] != org["id"] and not principal.is_admin:
            raise forbidden(ORG_MISMATCH)
        return sn

    def by_id(self, request: Request, permission: str | None = None) -> tuple[Principal, Doc, Doc]:
        principal, org = self.c.auth.scoped(request, permission)
        sid = request.path_params["id"]
        uuid_or_500(sid)
        sn = self._access(self.c.store.get("snapshots", sid), org, principal, sid, "ID")
        return principal, org, sn

    async def create(self, request: Request) -> Response:
        c = self.c
        principal, org = c.auth.scoped(request, "write:snapshots")
        body = validate(await read_json(request), self.FIELDS)
        if body.get("general") and not principal.is_admin:
            raise forbidden("Insufficient permissions for creating general snapshots")
        build = body.get("buildInfo")
        image = body.get("imageName")
        if build is not None:
            validate_build_info(build)
            if image:
                raise bad_request("Cannot specify an image name when using a build info entry")
            if body.get("entrypoint"):
                raise bad_request("Cannot specify an entrypoint when using a build info entry")
        elif not image:
            raise bad_request("Must specify an image name when not using a build info entry")
        name = body["name"]
        if not NAME_RE.match(name):
            raise bad_request(
                "Invalid snapshot name format. May only contain letters, digits, "
                "dots, colons, slashes and dashes"
            )
        if image:
            if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":"):
                raise bad_request("Image name must include a tag (e.g., ubuntu:22.04)")
            if image.endswith(":latest"):
                raise bad_request('Images with tag ":latest" are not allowed')
            if not NAME_RE.match(image):
                raise bad_request(
                    "Invalid image name format. May only contain letters, digits, "
                    "dots, colons, slashes and dashes"
                )
        q = org["quota"]
        owned = [sn for sn in c.store.all("snapshots") if sn["organizationId"] == org["id"]]
        if len(owned) >= q["snapshotQuota"]:
            raise forbidden("Reached the maximum number of snapshots in the organization")
        cpu, gpu = body.get("cpu") or 1, body.get("gpu") or 0
        mem, disk = body.get("memory") or 1, body.get("disk") or 3
        check_per_sandbox_limits(q, cpu, mem, disk)
        if any(sn["name"] == name for sn in owned):
            raise ApiError(
                409, f'Snapshot with name "{name}" already exists for this organization', "Conflict"
            )
        now = iso()
        info = None
        if build is not None:
            hashes = [str(h) for h in build.get("contextHashes") or []]
            info = {
                "dockerfileContent": build["dockerfileContent"],
                "contextHashes": hashes,
                "createdAt": now,
                "updatedAt": now,
                "snapshotRef": build_ref(build["dockerfileContent"], hashes),
            }
        sn = {
            "id": new_id(),
            "organizationId": org["id"],
            "general": False,
            "name": name,
            "imageName": image,
            "enabled": True,
            "state": "build_pending" if info else "pending",
            "size": None,
            "entrypoint": body.get("entrypoint"),
            "cpu": num(cpu),
            "gpu": num(gpu),
            "mem": num(mem),
            "disk": num(disk),
            "errorReason": None,
            "createdAt": now,
            "updatedAt": now,
            "lastUsedAt": None,
            "buildInfo": info,
        }
        c.store.put("snapshots", sn["id"], sn)
        c.lifecycle.kick_snapshot(sn["id"])
        return json_response(self.dto(sn))

    async def list_all(self, request: Request) -> Response:
        _, org = self.c.auth.scoped(request)
        page = _positive_int(request.query_params.get("page"), 1)
        limit = _positive_int(request.query_params.get("limit"), 10)
        docs = [
            sn
            for sn in self.c.store.all("snapshots")
            if sn["organizationId"] == org["id"] or sn.get("general")
        ]
        docs = sorted_recent_first(docs)
        docs.sort(key=lambda sn: sn["organizationId"] != org["id"])
        start = (page - 1) * limit
        return json_response(
            {
                "items": [self.dto(sn) for sn in docs[start : start + limit]],
                "total": len(docs),
                "page": page,
                "totalPages": math.ceil(len(docs) / limit),
            }
        )

    async def get(self, request: Request) -> Response:
        principal, org = self.c.auth.scoped(request)
        ref = request.path_params["id"]
        snaps = list(self.c.store.all("snapshots"))
        sn = next((s for s in snaps if s["id"] == ref), None) if is_uuid(ref) else None
        sn = sn or next(
            (s for s in snaps if s["name"] == ref and s["organizationId"] == org["id"]), None
        )
        sn = sn or next((s for s in snaps if s["name"] == ref and s.get("general")), None)
        return json_response(self.dto(self._access(sn, org, principal, ref, "name")))

    async def delete(self, request: Request) -> Response:
        _, _, sn = self.by_id(request, "delete:snapshots")
        if sn.get("general"):
            raise forbidden("You cannot delete a general snapshot")
        sn["state"] = "removing"
        sn["updatedAt"] = iso()
        self.c.store.put("snapshots", sn["id"], sn)
        self.c.lifecycle.kick_snapshot(sn["id"])
        return empty()

    async def _set_flag(self, request: Request, sn: Doc, flag: str) -> Response:
        """Set the boolean ``flag`` of the snapshot from the body's field of that name."""
        body = validate(await read_json(request), [Field(flag, "boolean", optional=False)])
        sn[flag] = body[flag]
        sn["updatedAt"] = iso()
        self.c.store.put("snapshots", sn["id"], sn)
        return json_response(self.dto(sn))

    async def toggle(self, request: Request) -> Response:
        _, _, sn = self.by_id(request, "write:snapshots")
        return await self._set_flag(request, sn, "enabled")

    async def set_general(self, request: Request) -> Response:
        principal, _ = self.c.auth.scoped(request)
        self.c.auth.require_admin(principal)
        _, _, sn = self.by_id(request)
        return await self._set_flag(request, sn, "general")

    async def build_logs(self, request: Request) -> Response:
        _, _, sn = self.by_id(request)
        follow = parse_follow(request)
        if not sn.get("buildInfo"):
            raise not_found(f"Snapshot {sn['id']} has no build info")
        return self.c.builds.log_response(sn["buildInfo"]["snapshotRef"], follow)

    def routes(self) -> list[Route]:
        return [
            Route("/api/snapshots", self.list_all, methods=["GET"]),
            Route("/api/snapshots", self.create, methods=["POST"]),
            Route("/api/snapshots/{id}/toggle", self.toggle, methods=["PATCH"]),
            Route("/api/snapshots/{id}/general", self.set_general, methods=["PATCH"]),
            Route("/api/snapshots/{id}/build-logs", self.build_logs, methods=["GET"]),
            Route("/api/snapshots/{id}", self.delete, methods=["DELETE"]),
            # names may contain slashes (daytonaio/sandbox:0.3.0)
            Route("/api/snapshots/{id:path}", self.get, methods=["GET"]),
        ]


def _positive_int(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if value > 0 else default
