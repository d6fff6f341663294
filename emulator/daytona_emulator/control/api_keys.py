"""API keys: create (shown once), list (masked), current, get, delete."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.auth import Principal, key_hash
from daytona_emulator.control.common import (
    PERMISSIONS,
    empty,
    forbidden,
    iso,
    json_response,
    not_found,
    parse_iso,
    read_json,
)
from daytona_emulator.control.plane import Control
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.errors import ApiError
from daytona_emulator.store import Doc


def mask(key: Doc) -> str:
    return f"{key['keyPrefix']}{'*' * 20}{key['keySuffix']}"


class ApiKeyApi:
    def __init__(self, control: Control) -> None:
        self.c = control

    def dto(self, key: Doc) -> Doc:
        perms = set(key["permissions"]) & self.c.auth.member_permissions(
            key["organizationId"], key["userId"]
        )
        return {
            "name": key["name"],
            "value": mask(key),
            "createdAt": key["createdAt"],
            "permissions": [p for p in key["permissions"] if p in perms],
            "lastUsedAt": key["lastUsedAt"],
            "expiresAt": key["expiresAt"],
        }

    def _own(self, principal: Principal, org: Doc) -> list[Doc]:
        return [
            k
            for k in self.c.store.all("apikeys")
            if k["organizationId"] == org["id"] and k["userId"] == principal.user_id
        ]

    async def create(self, request: Request) -> Response:
        c = self.c
        principal, org = c.auth.scoped(request)
        body = validate(
            await read_json(request),
            [
                Field("name", "string", optional=False, not_empty=True),
                Field(
                    "permissions", "array", optional=False, not_empty=True, each_enum=PERMISSIONS
                ),
                Field("expiresAt", "date"),
            ],
        )
        member = c.auth.member(org["id"], principal.user_id)
        if member is None or member["role"] != "owner":
            allowed = c.auth.member_permissions(org["id"], principal.user_id)
            missing = [p for p in body["permissions"] if p not in allowed]
            if missing:
                raise forbidden(f"Insufficient permissions for assigning: {', '.join(missing)}")
        if any(k["name"] == body["name"] for k in self._own(principal, org)):
            raise ApiError(409, "API key with this name already exists", "Conflict")
        value = "dtn_" + secrets.token_hex(32)
        expires = body.get("expiresAt")
        expires_iso = iso(parse_iso(expires)) if expires else None
        key = {
            "name": body["name"],
            "keyHash": key_hash(value),
            "keyPrefix": value[:3],
            "keySuffix": value[-3:],
            "organizationId": org["id"],
            "userId": principal.user_id,
            "permissions": list(dict.fromkeys(body["permissions"])),
            "createdAt": iso(),
            "lastUsedAt": None,
            "expiresAt": expires_iso,
        }
        c.store.put("apikeys", key["keyHash"], key)
        return json_response(
            {
                "name": key["name"],
                "value": value,
                "createdAt": key["createdAt"],
                "permissions": key["permissions"],
                "expiresAt": expires_iso,
            },
            201,
        )

    async def list_all(self, request: Request) -> Response:
        principal, org = self.c.auth.scoped(request)
        keys = sorted(self._own(principal, org), key=lambda k: k["createdAt"], reverse=True)
        keys.sort(key=lambda k: k["lastUsedAt"] or "", reverse=True)
        return json_response([self.dto(k) for k in keys])

    async def current(self, request: Request) -> Response:
        principal, _ = self.c.auth.scoped(request)
        if principal.api_key is None:
            raise forbidden("Authenticate with an API key to use this endpoint")
        return json_response(self.dto(principal.api_key))

    def _named(self, request: Request) -> Doc:
        principal, org = self.c.auth.scoped(request)
        name = request.path_params["name"]
        for key in self._own(principal, org):
            if key["name"] == name:
                return key
        raise not_found("API key not found")

    async def get(self, request: Request) -> Response:
        return json_response(self.dto(self._named(request)))

    async def delete(self, request: Request) -> Response:
        key = self._named(request)
        self.c.store.delete("apikeys", key["keyHash"])
        return empty(204)

    def routes(self) -> list[Route]:
        return [
            Route("/api/api-keys", self.list_all, methods=["GET"]),
            Route("/api/api-keys", self.create, methods=["POST"]),
            Route("/api/api-keys/current", self.current, methods=["GET"]),
            Route("/api/api-keys/{name}", self.get, methods=["GET"]),
            Route("/api/api-keys/{name}", self.delete, methods=["DELETE"]),
        ]
