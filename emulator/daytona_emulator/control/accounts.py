"""API keys, organizations (members, roles, invitations, quota, suspension), users, runners,
preview checks."""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.auth import Principal, key_hash
from daytona_emulator.control.common import (
    PERMISSIONS,
    Field,
    empty,
    forbidden,
    internal,
    iso,
    json_response,
    new_id,
    not_found,
    parse_iso,
    pg_bool,
    read_json,
    text,
    validate,
)
from daytona_emulator.control.state import (
    DEFAULT_QUOTA,
    DEVELOPER_ROLE_ID,
    GLOBAL_ROLES,
    Control,
)
from daytona_emulator.errors import ApiError
from daytona_emulator.store import Doc

QUOTA_KEYS = tuple(DEFAULT_QUOTA)
INVITATION_DAYS = 7


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

    async def list(self, request: Request) -> Response:
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
            Route("/api/api-keys", self.list, methods=["GET"]),
            Route("/api/api-keys", self.create, methods=["POST"]),
            Route("/api/api-keys/current", self.current, methods=["GET"]),
            Route("/api/api-keys/{name}", self.get, methods=["GET"]),
            Route("/api/api-keys/{name}", self.delete, methods=["DELETE"]),
        ]


class OrganizationApi:
    """JWT-only organization endpoints, plus the admin quota/suspension endpoints."""

    def __init__(self, control: Control) -> None:
        self.c = control

    # --- helpers ---
    def _org(self, request: Request, owner: bool = False) -> tuple[Principal, Doc]:
        principal = self.c.auth.authenticate_jwt(request)
        org = self.c.auth.organization(principal, request.path_params["organizationId"])
        if owner:
            self.c.auth.require_owner(principal, org)
        return principal, org

    def _admin_org(self, request: Request) -> Doc:
        principal = self.c.auth.authenticate(request)
        self.c.auth.require_admin(principal)
        org = self.c.store.get("orgs", request.path_params["organizationId"])
        if org is None:
            raise forbidden()
        return org

    def role_dto(self, role: Doc) -> Doc:
        return {
            k: role[k]
            for k in (
                "id",
                "name",
                "description",
                "permissions",
                "isGlobal",
                "createdAt",
                "updatedAt",
            )
        }

    def roles_of(self, ids: list[str]) -> list[Doc]:
        return [self.role_dto(r) for r in (self.c.role(i) for i in ids) if r is not None]

    def member_dto(self, member: Doc) -> Doc:
        user = self.c.store.get("users", member["userId"]) or {}
        return {
            "userId": member["userId"],
            "organizationId": member["organizationId"],
            "name": user.get("name", ""),
            "email": user.get("email", ""),
            "role": member["role"],
            "assignedRoles": self.roles_of(member["assignedRoleIds"]),
            "createdAt": member["createdAt"],
            "updatedAt": member["updatedAt"],
        }

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
        out["assignedRoles"] = self.roles_of(inv["assignedRoleIds"])
        return out

    def _save_org(self, org: Doc) -> None:
        org["updatedAt"] = iso()
        self.c.store.put("orgs", org["id"], org)

    # --- organizations ---
    async def list(self, request: Request) -> Response:
        principal = self.c.auth.authenticate_jwt(request)
        orgs = [
            o
            for o in self.c.store.all("orgs")
            if self.c.auth.member(o["id"], principal.user_id) is not None
        ]
        return json_response([self.c.org_dto(o) for o in orgs])

    async def create(self, request: Request) -> Response:
        principal = self.c.auth.authenticate_jwt(request)
        body = validate(
            await read_json(request), [Field("name", "string", optional=False, not_empty=True)]
        )
        if not principal.user.get("emailVerified", True):
            raise forbidden("Please verify your email address")
        org = self.c.create_org(body["name"], principal.user_id)
        return json_response(self.c.org_dto(org), 201)

    async def get(self, request: Request) -> Response:
        _, org = self._org(request)
        return json_response(self.c.org_dto(org))

    async def delete(self, request: Request) -> Response:
        _, org = self._org(request, owner=True)
        if org["personal"]:
            raise forbidden("Cannot delete personal organization")
        for m in list(self.c.store.all("members")):
            if m["organizationId"] == org["id"]:
                self.c.store.delete("members", f"{org['id']}:{m['userId']}")
        self.c.store.delete("orgs", org["id"])
        return empty()

    async def usage(self, request: Request) -> Response:
        _, org = self._org(request)
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
        org = self._admin_org(request)
        body = validate(await read_json(request), [Field(k, "number") for k in QUOTA_KEYS])
        for k in QUOTA_KEYS:
            if body.get(k) is not None:
                org["quota"][k] = body[k]
        self._save_org(org)
        return json_response(self.c.org_dto(org))

    async def leave(self, request: Request) -> Response:
        principal, org = self._org(request)
        if org["personal"]:
            raise forbidden("You cannot leave your personal organization")
        self.c.store.delete("members", f"{org['id']}:{principal.user_id}")
        return empty(201)

    async def suspend(self, request: Request) -> Response:
        org = self._admin_org(request)
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
        org = self._admin_org(request)
        org.update(suspended=False, suspendedAt=None, suspensionReason=None, suspendedUntil=None)
        self._save_org(org)
        return empty(201)

    # --- members ---
    def _target(self, org: Doc, request: Request) -> Doc:
        member = self.c.auth.member(org["id"], request.path_params["userId"])
        if member is None:
            raise not_found(
                f"User with ID {request.path_params['userId']} not found in organization"
            )
        return member

    async def members(self, request: Request) -> Response:
        _, org = self._org(request)
        return json_response(
            [
                self.member_dto(m)
                for m in self.c.store.all("members")
                if m["organizationId"] == org["id"]
            ]
        )

    async def member_role(self, request: Request) -> Response:
        principal, org = self._org(request, owner=True)
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
        return json_response(self.member_dto(member), 201)

    async def member_roles(self, request: Request) -> Response:
        _, org = self._org(request, owner=True)
        body = validate(await read_json(request), [Field("roleIds", "array", optional=False)])
        member = self._target(org, request)
        member["assignedRoleIds"] = [r for r in body["roleIds"] if self.c.role(str(r))]
        member["updatedAt"] = iso()
        self.c.store.put("members", f"{org['id']}:{member['userId']}", member)
        return json_response(self.member_dto(member), 201)

    async def remove_member(self, request: Request) -> Response:
        _, org = self._org(request, owner=True)
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
        role = self.c.store.get("roles", rid)
        if role is None or role["organizationId"] != org["id"]:
            raise not_found(f"Organization role with ID {rid} not found")
        return role

    # The real roles controller carries its owner-only marker on the controller *class*, but
    # its member-role guard reads only the *handler's* metadata: any member passes on all four
    # roles endpoints. Users' code meets that in production, so the emulator does the same.
    async def roles(self, request: Request) -> Response:
        _, org = self._org(request)
        custom = [r for r in self.c.store.all("roles") if r["organizationId"] == org["id"]]
        return json_response([self.role_dto(r) for r in [*GLOBAL_ROLES.values(), *custom]])

    async def create_role(self, request: Request) -> Response:
        _, org = self._org(request)
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
        return json_response(self.role_dto(role), 201)

    async def update_role(self, request: Request) -> Response:
        _, org = self._org(request)
        role = self._custom_role(org, request, "updated")
        body = validate(await read_json(request), self.ROLE_FIELDS)
        role.update(
            name=body["name"],
            description=body["description"],
            permissions=body["permissions"],
            updatedAt=iso(),
        )
        self.c.store.put("roles", role["id"], role)
        return json_response(self.role_dto(role))

    async def delete_role(self, request: Request) -> Response:
        _, org = self._org(request)
        role = self._custom_role(org, request, "deleted")
        self.c.store.delete("roles", role["id"])
        for m in self.c.store.all("members"):
            if role["id"] in m["assignedRoleIds"]:
                m["assignedRoleIds"].remove(role["id"])
                self.c.store.put("members", f"{m['organizationId']}:{m['userId']}", m)
        return empty()

    # --- invitations ---
    INVITE_FIELDS = (
        Field("role", "any", optional=False, enum=("owner", "member")),
        Field("assignedRoleIds", "array", optional=False),
        Field("expiresAt", "date"),
    )

    def _check_role_ids(self, org: Doc, role_ids: list[Any]) -> None:
        for rid in role_ids:
            role = self.c.role(str(rid))
            if role is None or not (role["isGlobal"] or role["organizationId"] == org["id"]):
                raise ApiError(400, "Provided role IDs are invalid", "Bad Request")

    def _invitation(self, org: Doc, request: Request) -> Doc:
        iid = request.path_params["invitationId"]
        inv = self.c.store.get("invitations", iid)
        if inv is None or inv["organizationId"] != org["id"]:
            raise not_found(f"Organization invitation with ID {iid} not found")
        return inv

    async def invite(self, request: Request) -> Response:
        principal, org = self._org(request, owner=True)
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
        _, org = self._org(request, owner=True)
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
        _, org = self._org(request)  # no member-role requirement on this handler
        return json_response(
            [
                self.invitation_dto(i)
                for i in self.c.store.all("invitations")
                if i["organizationId"] == org["id"] and i["status"] == "pending"
            ]
        )

    async def cancel_invitation(self, request: Request) -> Response:
        _, org = self._org(request, owner=True)
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
            self.c.add_member(
                inv["organizationId"], principal.user_id, inv["role"], inv["assignedRoleIds"]
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
        return [
            Route("/api/organizations/invitations", self.my_invitations, methods=["GET"]),
            Route(
                "/api/organizations/invitations/count", self.my_invitation_count, methods=["GET"]
            ),
            Route(
                "/api/organizations/invitations/{invitationId}/accept",
                self.accept,
                methods=["POST"],
            ),
            Route(
                "/api/organizations/invitations/{invitationId}/decline",
                self.decline,
                methods=["POST"],
            ),
            Route("/api/organizations", self.list, methods=["GET"]),
            Route("/api/organizations", self.create, methods=["POST"]),
            Route(o, self.get, methods=["GET"]),
            Route(o, self.delete, methods=["DELETE"]),
            Route(f"{o}/usage", self.usage, methods=["GET"]),
            Route(f"{o}/quota", self.update_quota, methods=["PATCH"]),
            Route(f"{o}/leave", self.leave, methods=["POST"]),
            Route(f"{o}/suspend", self.suspend, methods=["POST"]),
            Route(f"{o}/unsuspend", self.unsuspend, methods=["POST"]),
            Route(f"{o}/users", self.members, methods=["GET"]),
            Route(f"{o}/users/{{userId}}/role", self.member_role, methods=["POST"]),
            Route(f"{o}/users/{{userId}}/assigned-roles", self.member_roles, methods=["POST"]),
            Route(f"{o}/users/{{userId}}", self.remove_member, methods=["DELETE"]),
            Route(f"{o}/roles", self.roles, methods=["GET"]),
            Route(f"{o}/roles", self.create_role, methods=["POST"]),
            Route(f"{o}/roles/{{roleId}}", self.update_role, methods=["PUT"]),
            Route(f"{o}/roles/{{roleId}}", self.delete_role, methods=["DELETE"]),
            Route(f"{o}/invitations", self.invitations, methods=["GET"]),
            Route(f"{o}/invitations", self.invite, methods=["POST"]),
            Route(f"{o}/invitations/{{invitationId}}", self.update_invitation, methods=["PUT"]),
            Route(
                f"{o}/invitations/{{invitationId}}/cancel", self.cancel_invitation, methods=["POST"]
            ),
        ]


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

    async def list(self, request: Request) -> Response:
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
        self.c.create_org(
            "Personal", user["id"], personal=True, quota=body.get("personalOrganizationQuota")
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
            Route("/api/users", self.list, methods=["GET"]),
            Route("/api/users", self.create, methods=["POST"]),
            Route(
                "/api/users/{id}/regenerate-key-pair", self.regenerate_key_pair, methods=["POST"]
            ),
            Route("/api/users/{id}", self.get, methods=["GET"]),
        ]


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

    async def list(self, request: Request) -> Response:
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
            Route("/api/runners", self.list, methods=["GET"]),
            Route("/api/runners", self.create, methods=["POST"]),
            Route("/api/runners/{id}/scheduling", self.scheduling, methods=["PATCH"]),
        ]


class PreviewApi:
    """Checks used by the preview proxy. Answers are text bodies (`true`)."""

    def __init__(self, control: Control) -> None:
        self.c = control

    def _sandbox(self, request: Request) -> tuple[str, Doc | None]:
        sid = request.path_params["sandboxId"]
        return sid, self.c.store.get("sandboxes", sid)

    async def public(self, request: Request) -> Response:
        sid, sb = self._sandbox(request)
        if sb is None or not sb["public"]:
            raise not_found(f"Sandbox with ID {sid} not found")
        return text(True)

    async def validate_token(self, request: Request) -> Response:
        sid, sb = self._sandbox(request)
        if sb is None or sb["authToken"] != request.path_params["authToken"]:
            raise not_found(f"Sandbox with ID {sid} not found")
        return text(True)

    async def access(self, request: Request) -> Response:
        principal = self.c.auth.authenticate(request)
        sid, sb = self._sandbox(request)
        if sb is None or self.c.auth.member(sb["organizationId"], principal.user_id) is None:
            raise not_found(f"Sandbox with ID {sid} not found")
        return text(True)

    def routes(self) -> list[Route]:
        return [
            Route("/api/preview/{sandboxId}/public", self.public, methods=["GET"]),
            Route(
                "/api/preview/{sandboxId}/validate/{authToken}",
                self.validate_token,
                methods=["GET"],
            ),
            Route("/api/preview/{sandboxId}/access", self.access, methods=["GET"]),
        ]


def all_routes(control: Control) -> list[Any]:
    return [
        *ApiKeyApi(control).routes(),
        *OrganizationApi(control).routes(),
        *UserApi(control).routes(),
        *RunnerApi(control).routes(),
        *PreviewApi(control).routes(),
    ]
