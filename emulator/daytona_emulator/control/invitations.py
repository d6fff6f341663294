"""Organization invitations: the owner's (create, update, cancel; list for members) and the
invited user's (list, count, accept, decline). JWT only."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.auth import Principal
from daytona_emulator.control.common import (
    empty,
    forbidden,
    iso,
    json_response,
    new_id,
    not_found,
    org_doc,
    parse_iso,
    read_json,
    text,
)
from daytona_emulator.control.orgs import (
    DEVELOPER_ROLE_ID,
    add_member,
    find_role,
    roles_of,
)
from daytona_emulator.control.plane import Control
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.errors import ApiError
from daytona_emulator.store import Doc

INVITATION_DAYS = 7


class InvitationApi:
    def __init__(self, control: Control) -> None:
        self.c = control

    def invitation_dto(self, inv: Doc) -> Doc:
        org = self.c.store.get("orgs", inv["organizationId"]) or {}
        out = {
            k: inv[k]
            for k in (
                "id",
                "email",
                "invitedBy",
                "organizationId",
                "expiresAt",
                "status",
                "role",
                "createdAt",
                "updatedAt",
            )
        }
        out["organizationName"] = org.get("name", "")
        out["assignedRoles"] = roles_of(self.c.store, inv["assignedRoleIds"])
        return out

    # --- invitations ---
    INVITE_FIELDS = (
        Field("role", "any", optional=False, enum=("owner", "member")),
        Field("assignedRoleIds", "array", optional=False),
        Field("expiresAt", "date"),
    )

    def _check_role_ids(self, org: Doc, role_ids: list[Any]) -> None:
        for rid in role_ids:
            role = find_role(self.c.store, str(rid))
            if role is None or not (role["isGlobal"] or role["organizationId"] == org["id"]):
                raise ApiError(400, "Provided role IDs are invalid", "Bad Request")

    def _invitation(self, org: Doc, request: Request) -> Doc:
        iid = request.path_params["invitationId"]
        return org_doc(
            self.c.store,
            "invitations",
            iid,
            org,
            f"Organization invitation with ID {iid} not found",
        )

    async def invite(self, request: Request) -> Response:
        principal, org = self.c.auth.jwt_org(request, owner=True)
        body = await read_json(request)
        if isinstance(body, dict):
            body.setdefault("role", "member")
            body.setdefault("assignedRoleIds", [DEVELOPER_ROLE_ID])
        body = validate(body, [Field("email", "email", optional=False), *self.INVITE_FIELDS])
        if org["personal"]:
            raise forbidden("Cannot invite users to personal organization")
        email = body["email"]
        for member in self.c.store.all("members"):
            user = (
                self.c.store.get("users", member["userId"])
                if member["organizationId"] == org["id"]
                else None
            )
            if user is not None and user.get("email") == email:
                raise ApiError(
                    409,
                    f"User with email {email} is already associated with this organization",
                    "Conflict",
                )
        if any(
            i["email"] == email
            and i["organizationId"] == org["id"]
            and i["status"] == "pending"
            and (parse_iso(i["expiresAt"]) or 0) > time.time()
            for i in self.c.store.all("invitations")
        ):
            raise ApiError(
                409, f'User with email "{email}" already invited to this organization', "Conflict"
            )
        self._check_role_ids(org, body["assignedRoleIds"])
        now = time.time()
        expires = body.get("expiresAt")
        inv = {
            "id": new_id(),
            "email": body["email"],
            "invitedBy": principal.user.get("email") or principal.user["name"],
            "organizationId": org["id"],
            "expiresAt": iso(parse_iso(expires)) if expires else iso(now + INVITATION_DAYS * 86400),
            "status": "pending",
            "role": body["role"],
            "assignedRoleIds": [str(r) for r in body["assignedRoleIds"]],
            "createdAt": iso(now),
            "updatedAt": iso(now),
        }
        self.c.store.put("invitations", inv["id"], inv)
        return json_response(self.invitation_dto(inv), 201)

    async def update_invitation(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request, owner=True)
        inv = self._invitation(org, request)
        body = validate(await read_json(request), self.INVITE_FIELDS)
        self._check_role_ids(org, body["assignedRoleIds"])
        inv.update(
            role=body["role"],
            assignedRoleIds=[str(r) for r in body["assignedRoleIds"]],
            updatedAt=iso(),
        )
        if body.get("expiresAt"):
            inv["expiresAt"] = iso(parse_iso(body["expiresAt"]))
        self.c.store.put("invitations", inv["id"], inv)
        return json_response(self.invitation_dto(inv))

    async def invitations(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request)  # no member-role requirement on this handler
        return json_response(
            [
                self.invitation_dto(i)
                for i in self.c.store.all("invitations")
                if i["organizationId"] == org["id"] and i["status"] == "pending"
            ]
        )

    async def cancel_invitation(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request, owner=True)
        inv = self._invitation(org, request)
        inv.update(status="cancelled", updatedAt=iso())
        self.c.store.put("invitations", inv["id"], inv)
        return empty(201)

    def _my_invitations(self, principal: Principal) -> list[Doc]:
        email = principal.user.get("email")
        now = time.time()
        return [
            i
            for i in self.c.store.all("invitations")
            if email
            and i["email"] == email
            and i["status"] == "pending"
            and (parse_iso(i["expiresAt"]) or 0) > now
        ]

    async def my_invitations(self, request: Request) -> Response:
        principal = self.c.auth.authenticate_jwt(request)
        return json_response([self.invitation_dto(i) for i in self._my_invitations(principal)])

    async def my_invitation_count(self, request: Request) -> Response:
        principal = self.c.auth.authenticate_jwt(request)
        return text(len(self._my_invitations(principal)))

    async def _answer(self, request: Request, accept: bool) -> Response:
        principal = self.c.auth.authenticate_jwt(request)
        iid = request.path_params["invitationId"]
        inv = next((i for i in self._my_invitations(principal) if i["id"] == iid), None)
        if inv is None:
            raise not_found(f"Organization invitation with ID {iid} not found")
        if accept:
            add_member(
                self.c.store,
                inv["organizationId"],
                principal.user_id,
                inv["role"],
                inv["assignedRoleIds"],
            )
        inv.update(status="accepted" if accept else "declined", updatedAt=iso())
        self.c.store.put("invitations", inv["id"], inv)
        return empty(201)

    async def accept(self, request: Request) -> Response:
        return await self._answer(request, True)

    async def decline(self, request: Request) -> Response:
        return await self._answer(request, False)

    def routes(self) -> list[Route]:
        o = "/api/organizations/{organizationId}"
        mine = "/api/organizations/invitations"
        return [
            # before /organizations/{organizationId}: "invitations" is not an organization id
            Route(mine, self.my_invitations, methods=["GET"]),
            Route(f"{mine}/count", self.my_invitation_count, methods=["GET"]),
            Route(f"{mine}/{{invitationId}}/accept", self.accept, methods=["POST"]),
            Route(f"{mine}/{{invitationId}}/decline", self.decline, methods=["POST"]),
            Route(f"{o}/invitations", self.invitations, methods=["GET"]),
            Route(f"{o}/invitations", self.invite, methods=["POST"]),
            Route(f"{o}/invitations/{{invitationId}}", self.update_invitation, methods=["PUT"]),
            Route(
                f"{o}/invitations/{{invitationId}}/cancel", self.cancel_invitation, methods=["POST"]
            ),
        ]
