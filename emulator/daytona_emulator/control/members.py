"""Organization members (role, assigned roles, removal) and custom roles (JWT only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.common import (
    PERMISSIONS,
    empty,
    forbidden,
    iso,
    json_response,
    new_id,
    not_found,
    org_doc,
    read_json,
)
from daytona_emulator.control.orgs import (
    GLOBAL_ROLES,
    find_role,
    member_dto,
    role_dto,
)
from daytona_emulator.control.plane import Control
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.store import Doc


class MemberApi:
    def __init__(self, control: Control) -> None:
        self.c = control

    # --- members ---
    def _target(self, org: Doc, request: Request) -> Doc:
        member = self.c.auth.member(org["id"], request.path_params["userId"])
        if member is None:
            raise not_found(
                f"User with ID {request.path_params['userId']} not found in organization"
            )
        return member

    async def members(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request)
        return json_response(
            [
                member_dto(self.c.store, m)
                for m in self.c.store.all("members")
                if m["organizationId"] == org["id"]
            ]
        )

    async def member_role(self, request: Request) -> Response:
        principal, org = self.c.auth.jwt_org(request, owner=True)
        body = validate(
            await read_json(request),
            [Field("role", "any", optional=False, enum=("owner", "member"))],
        )
        if request.path_params["userId"] == principal.user_id:
            raise forbidden("You cannot update your own role")
        member = self._target(org, request)
        member["role"] = body["role"]
        member["updatedAt"] = iso()
        self.c.store.put("members", f"{org['id']}:{member['userId']}", member)
        return json_response(member_dto(self.c.store, member), 201)

    async def member_roles(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request, owner=True)
        body = validate(await read_json(request), [Field("roleIds", "array", optional=False)])
        member = self._target(org, request)
        member["assignedRoleIds"] = [r for r in body["roleIds"] if find_role(self.c.store, str(r))]
        member["updatedAt"] = iso()
        self.c.store.put("members", f"{org['id']}:{member['userId']}", member)
        return json_response(member_dto(self.c.store, member), 201)

    async def remove_member(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request, owner=True)
        member = self._target(org, request)
        self.c.store.delete("members", f"{org['id']}:{member['userId']}")
        return empty()

    # --- roles ---
    ROLE_FIELDS = (
        Field("name", "string", optional=False, not_empty=True),
        Field("description", "string", optional=False),
        Field("permissions", "array", optional=False, not_empty=True, each_enum=PERMISSIONS),
    )

    def _custom_role(self, org: Doc, request: Request, action: str) -> Doc:
        rid = request.path_params["roleId"]
        if rid in GLOBAL_ROLES:
            raise forbidden(f"Global roles cannot be {action}")
        return org_doc(
            self.c.store, "roles", rid, org, f"Organization role with ID {rid} not found"
        )

    # The real roles controller carries its owner-only marker on the controller *class*, but
    # its member-role guard reads only the *handler's* metadata: any member passes on all four
    # roles endpoints. Users' code meets that in production, so the emulator does the same.
    async def roles(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request)
        custom = [r for r in self.c.store.all("roles") if r["organizationId"] == org["id"]]
        return json_response([role_dto(r) for r in [*GLOBAL_ROLES.values(), *custom]])

    async def create_role(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request)
        body = validate(await read_json(request), self.ROLE_FIELDS)
        now = iso()
        role = {
            "id": new_id(),
            "organizationId": org["id"],
            "name": body["name"],
            "description": body["description"],
            "permissions": body["permissions"],
            "isGlobal": False,
            "createdAt": now,
            "updatedAt": now,
        }
        self.c.store.put("roles", role["id"], role)
        return json_response(role_dto(role), 201)

    async def update_role(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request)
        role = self._custom_role(org, request, "updated")
        body = validate(await read_json(request), self.ROLE_FIELDS)
        role.update(
            name=body["name"],
            description=body["description"],
            permissions=body["permissions"],
            updatedAt=iso(),
        )
        self.c.store.put("roles", role["id"], role)
        return json_response(role_dto(role))

    async def delete_role(self, request: Request) -> Response:
        _, org = self.c.auth.jwt_org(request)
        role = self._custom_role(org, request, "deleted")
        self.c.store.delete("roles", role["id"])
        for m in self.c.store.all("members"):
            if role["id"] in m["assignedRoleIds"]:
                m["assignedRoleIds"].remove(role["id"])
                self.c.store.put("members", f"{m['organizationId']}:{m['userId']}", m)
        return empty()

    def routes(self) -> list[Route]:
        o = "/api/organizations/{organizationId}"
        return [
            Route(f"{o}/users", self.members, methods=["GET"]),
            Route(f"{o}/users/{{userId}}/role", self.member_role, methods=["POST"]),
            Route(f"{o}/users/{{userId}}/assigned-roles", self.member_roles, methods=["POST"]),
            Route(f"{o}/users/{{userId}}", self.remove_member, methods=["DELETE"]),
            Route(f"{o}/roles", self.roles, methods=["GET"]),
            Route(f"{o}/roles", self.create_role, methods=["POST"]),
            Route(f"{o}/roles/{{roleId}}", self.update_role, methods=["PUT"]),
            Route(f"{o}/roles/{{roleId}}", self.delete_role, methods=["DELETE"]),
        ]
