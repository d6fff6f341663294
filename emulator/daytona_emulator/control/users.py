"""Users: me, the admin's list/get/create/key pair, and the linked-account stubs."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.common import (
    empty,
    iso,
    json_response,
    not_found,
    read_json,
)
from daytona_emulator.control.orgs import create_org
from daytona_emulator.control.plane import Control
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.errors import ApiError
from daytona_emulator.store import Doc

ACCOUNT_PROVIDERS = [
    {"name": "google-oauth2", "displayName": "Google"},
    {"name": "github", "displayName": "GitHub"},
]


class UserApi:
    """Users. Linked accounts are stubs (the real service calls Auth0)."""

    def __init__(self, control: Control) -> None:
        self.c = control

    @staticmethod
    def dto(user: Doc) -> Doc:
        return {
            "id": user["id"],
            "name": user["name"],
            "email": user["email"],
            "publicKeys": user["publicKeys"],
        }

    def _admin(self, request: Request) -> None:
        self.c.auth.require_admin(self.c.auth.authenticate(request))

    def _user(self, request: Request) -> Doc:
        uid = request.path_params["id"]
        user = self.c.store.get("users", uid)
        if user is None:
            raise not_found(f"User with ID {uid} not found")
        return user

    async def me(self, request: Request) -> Response:
        return json_response(self.dto(self.c.auth.authenticate(request).user))

    async def list_all(self, request: Request) -> Response:
        self._admin(request)
        return json_response([self.dto(u) for u in self.c.store.all("users")])

    async def get(self, request: Request) -> Response:
        self._admin(request)
        return json_response(self.dto(self._user(request)))

    async def create(self, request: Request) -> Response:
        self._admin(request)
        body = validate(
            await read_json(request),
            [
                Field("id", "string", optional=False, not_empty=True),
                Field("name", "string", optional=False),
                Field("email", "string"),
                Field("personalOrganizationQuota", "object"),
                Field("role", "any", enum=("admin", "user")),
                Field("emailVerified", "boolean"),
            ],
        )
        if self.c.store.get("users", body["id"]) is not None:
            raise ApiError(409, f"User with ID {body['id']} already exists", "Conflict")
        user = {
            "id": body["id"],
            "name": body["name"],
            "email": body.get("email") or "",
            "publicKeys": [],
            "role": body.get("role") or "user",
            "emailVerified": bool(body.get("emailVerified", False)),
            "createdAt": iso(),
        }
        self.c.store.put("users", user["id"], user)
        create_org(
            self.c.store,
            "Personal",
            user["id"],
            personal=True,
            quota=body.get("personalOrganizationQuota"),
        )
        return json_response(self.dto(user), 201)

    async def regenerate_key_pair(self, request: Request) -> Response:
        self._admin(request)
        user = self._user(request)
        user["publicKeys"] = [
            {"key": f"ssh-ed25519 {secrets.token_urlsafe(48)} emulator", "name": "daytona"}
        ]
        self.c.store.put("users", user["id"], user)
        return json_response(self.dto(user), 201)

    async def providers(self, request: Request) -> Response:
        self.c.auth.authenticate(request)
        return json_response(ACCOUNT_PROVIDERS)

    async def link(self, request: Request) -> Response:
        self.c.auth.authenticate(request)
        validate(
            await read_json(request),
            [
                Field("provider", "string", optional=False),
                Field("userId", "string", optional=False),
            ],
        )
        return empty(201)

    async def unlink(self, request: Request) -> Response:
        self.c.auth.authenticate(request)
        return empty()

    def routes(self) -> list[Route]:
        return [
            Route("/api/users/me", self.me, methods=["GET"]),
            Route("/api/users/account-providers", self.providers, methods=["GET"]),
            Route("/api/users/linked-accounts", self.link, methods=["POST"]),
            Route(
                "/api/users/linked-accounts/{provider}/{providerUserId}",
                self.unlink,
                methods=["DELETE"],
            ),
            Route("/api/users", self.list_all, methods=["GET"]),
            Route("/api/users", self.create, methods=["POST"]),
            Route(
                "/api/users/{id}/regenerate-key-pair", self.regenerate_key_pair, methods=["POST"]
            ),
            Route("/api/users/{id}", self.get, methods=["GET"]),
        ]
