"""Snapshots, volumes, docker registries, object storage."""

from __future__ import annotations

import math
import re
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.common import (
    Field,
    empty,
    forbidden,
    internal,
    is_uuid,
    iso,
    json_response,
    new_id,
    not_found,
    read_json,
    validate,
)
from daytona_emulator.control.sandboxes import (
    build_log_response,
    check_per_sandbox_limits,
    num,
    parse_follow,
    validate_build_info,
)
from daytona_emulator.control.state import Control, build_info_dto, build_ref
from daytona_emulator.errors import ApiError
from daytona_emulator.store import Doc

NAME_RE = re.compile(r"^[a-zA-Z0-9.\-:]+(/[a-zA-Z0-9.\-:]+)*$")
ORG_MISMATCH = "Request organization ID does not match resource organization ID"


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "Bad Request")


def uuid_or_500(value: str) -> None:
    """A non-UUID value reaching a Postgres uuid column."""
    if not is_uuid(value):
        raise internal(f'invalid input syntax for type uuid: "{value}"')


def _sorted_recent_first(docs: list[Doc]) -> list[Doc]:
    """``lastUsedAt DESC NULLS LAST, createdAt DESC``.

    Timestamps have millisecond precision: documents created in the same millisecond keep
    newest-first order because the (stable) sort starts from the reversed insertion order.
    """
    docs = sorted(reversed(docs), key=lambda d: d["createdAt"], reverse=True)
    docs.sort(key=lambda d: d.get("lastUsedAt") or "", reverse=True)
    return docs


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

    def _access(self, sn: Doc | None, org: Doc, principal: Any, shown: str, by: str) -> Doc:
        if sn is None:
            raise not_found(f"Snapshot with {by} {shown} not found")
        if sn["organizationId"] != org["id"] and not principal.is_admin:
            raise forbidden(ORG_MISMATCH)
        return sn

    def by_id(self, request: Request, permission: str | None = None) -> tuple[Any, Doc, Doc]:
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
        c.kick_snapshot(sn["id"])
        return json_response(self.dto(sn))

    async def list(self, request: Request) -> Response:
        _, org = self.c.auth.scoped(request)
        page = _positive_int(request.query_params.get("page"), 1)
        limit = _positive_int(request.query_params.get("limit"), 10)
        docs = [
            sn
            for sn in self.c.store.all("snapshots")
            if sn["organizationId"] == org["id"] or sn.get("general")
        ]
        docs = _sorted_recent_first(docs)
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
        self.c.kick_snapshot(sn["id"])
        return empty()

    async def toggle(self, request: Request) -> Response:
        _, _, sn = self.by_id(request, "write:snapshots")
        body = validate(await read_json(request), [Field("enabled", "boolean", optional=False)])
        sn["enabled"] = body["enabled"]
        sn["updatedAt"] = iso()
        self.c.store.put("snapshots", sn["id"], sn)
        return json_response(self.dto(sn))

    async def set_general(self, request: Request) -> Response:
        principal, _ = self.c.auth.scoped(request)
        self.c.auth.require_admin(principal)
        _, _, sn = self.by_id(request)
        body = validate(await read_json(request), [Field("general", "boolean", optional=False)])
        sn["general"] = body["general"]
        sn["updatedAt"] = iso()
        self.c.store.put("snapshots", sn["id"], sn)
        return json_response(self.dto(sn))

    async def build_logs(self, request: Request) -> Response:
        _, _, sn = self.by_id(request)
        follow = parse_follow(request)
        if not sn.get("buildInfo"):
            raise not_found(f"Snapshot {sn['id']} has no build info")
        return build_log_response(self.c, sn["buildInfo"]["snapshotRef"], follow)

    def routes(self) -> list[Route]:
        return [
            Route("/api/snapshots", self.list, methods=["GET"]),
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
        c.kick_volume(vid)
        return json_response(self.dto(vol))

    async def list(self, request: Request) -> Response:
        _, org = self.c.auth.scoped(request, "read:volumes")
        # any value of includeDeleted (even "false") is truthy on the real service
        with_deleted = "includeDeleted" in request.query_params
        vols = [
            v
            for v in self.c.store.all("volumes")
            if v["organizationId"] == org["id"] and (with_deleted or v["state"] != "deleted")
        ]
        return json_response([self.dto(v) for v in _sorted_recent_first(vols)])

    async def get(self, request: Request) -> Response:
        self.c.auth.scoped(request, "read:volumes")
        vid = request.path_params["volumeId"]
        uuid_or_500(vid)
        vol = self.c.store.get("volumes", vid)
        if vol is None:
            raise not_found(f"Volume with ID {vid} not found")
        return json_response(self.dto(vol))

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
        self.c.auth.scoped(request, "delete:volumes")
        vid = request.path_params["volumeId"]
        uuid_or_500(vid)
        vol = self.c.store.get("volumes", vid)
        if vol is None:
            raise not_found(f"Volume with ID {vid} not found")
        if vol["state"] != "ready":
            raise bad_request("Volume must be in 'ready' state in order to be deleted")
        vol["state"] = "pending_delete"
        vol["updatedAt"] = iso()
        self.c.store.put("volumes", vid, vol)
        self.c.kick_volume(vid)
        return empty()

    def routes(self) -> list[Route]:
        return [
            Route("/api/volumes", self.list, methods=["GET"]),
            Route("/api/volumes", self.create, methods=["POST"]),
            Route("/api/volumes/by-name/{name}", self.by_name, methods=["GET"]),
            Route("/api/volumes/{volumeId}", self.get, methods=["GET"]),
            Route("/api/volumes/{volumeId}", self.delete, methods=["DELETE"]),
        ]


REGISTRY_TYPES = ("internal", "organization", "public", "transient")


class RegistryApi:
    """Docker registries. Responses are raw entities, password included, like the real API."""

    MAX_PER_ORG = 100

    def __init__(self, control: Control) -> None:
        self.c = control

    def _registry(self, request: Request, permission: str | None = None) -> Doc:
        _, org = self.c.auth.scoped(request, permission)
        rid = request.path_params["id"]
        reg = self.c.store.get("registries", rid)
        if reg is None or reg["organizationId"] != org["id"]:
            raise not_found(f"Docker registry with ID {rid} not found")
        return reg

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

    async def list(self, request: Request) -> Response:
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
        return json_response(
            {
                "accessKey": f"EMULATOR{secrets.token_hex(6).upper()}",
                "secret": secrets.token_urlsafe(30),
                "sessionToken": secrets.token_urlsafe(48),
                "storageUrl": "http://storage.emulator.localhost",
                "organizationId": org["id"],
                "bucket": "daytona",
            }
        )

    def routes(self) -> list[Route]:
        return [
            Route("/api/docker-registry", self.list, methods=["GET"]),
            Route("/api/docker-registry", self.create, methods=["POST"]),
            Route("/api/docker-registry/registry-push-access", self.push_access, methods=["GET"]),
            Route("/api/docker-registry/{id}", self.get, methods=["GET"]),
            Route("/api/docker-registry/{id}", self.update, methods=["PATCH"]),
            Route("/api/docker-registry/{id}", self.delete, methods=["DELETE"]),
            Route("/api/docker-registry/{id}/set-default", self.set_default, methods=["POST"]),
            Route("/api/object-storage/push-access", self.storage_access, methods=["GET"]),
        ]
