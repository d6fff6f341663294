"""Authentication, organization resolution and permission checks (service-behaviour §1).

Bearer tokens are either API keys (looked up by sha256) or JWTs signed with the emulator's
secret (``control.tokens``). A valid token authenticates as its ``sub`` (created on first use,
with a personal organization); an unsigned, forged, ``alg: none`` or expired token is not a
JWT, so it falls through to the API-key check and gets the real service's 401. A claim
``"role": "admin"`` makes the user a system admin; the default user (owner of the configured
API key) is a system admin too.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from daytona_emulator.control.common import PERMISSIONS, forbidden, iso, parse_iso
from daytona_emulator.control.orgs import ensure_user, find_member, find_role
from daytona_emulator.control.tokens import verify_jwt
from daytona_emulator.errors import HTTP_EXCEPTION, ApiError
from daytona_emulator.store import Doc, Store

ORG_HEADER = "x-daytona-organization-id"


def unauthorized() -> ApiError:
    """``new UnauthorizedException()``: no token, or a JWT-only endpoint without a JWT."""
    return ApiError(401, "Unauthorized", HTTP_EXCEPTION)


def key_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class Principal:
    user: dict[str, Any]
    api_key: dict[str, Any] | None  # the key used, None for a JWT
    org_id: str | None  # the key's organization, or the header value for a JWT
    is_admin: bool

    @property
    def user_id(self) -> str:
        return str(self.user["id"])


class Auth:
    """The guards of the API, over the store and the emulator's JWT secret."""

    def __init__(self, store: Store, jwt_secret: str) -> None:
        self.store = store
        self._jwt_secret = jwt_secret

    # --- authentication ---
    def authenticate(self, request: Request) -> Principal:
        """CombinedAuthGuard: JWT first, then API key."""
        token = self._token(request)
        if not token:
            raise unauthorized()
        payload = verify_jwt(self._jwt_secret, token)
        if payload is not None:
            return self._jwt_principal(request, payload)
        store = self.store
        key = store.get("apikeys", key_hash(token))
        if key is None:
            raise ApiError(401, "Invalid API key", "Unauthorized")
        expires = key.get("expiresAt")
        if expires and (parse_iso(expires) or 0) < time.time():
            raise ApiError(401, "This API key has expired", "Unauthorized")
        member = store.get("members", f"{key['organizationId']}:{key['userId']}")
        user = store.get("users", key["userId"])
        if member is None or user is None:
            raise ApiError(401, "Invalid API key", "Unauthorized")
        key["lastUsedAt"] = iso()
        store.touch("apikeys", key["keyHash"])
        return Principal(user, key, key["organizationId"], bool(user.get("role") == "admin"))

    def authenticate_jwt(self, request: Request) -> Principal:
        """``AuthGuard('jwt')``: API keys and bad tokens get the bare 401."""
        token = self._token(request)
        payload = verify_jwt(self._jwt_secret, token) if token else None
        if payload is None:
            raise unauthorized()
        return self._jwt_principal(request, payload)

    @staticmethod
    def _token(request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return ""
        return value.strip()

    def _jwt_principal(self, request: Request, payload: dict[str, Any]) -> Principal:
        user = ensure_user(self.store, payload)
        is_admin = user.get("role") == "admin" or payload.get("role") == "admin"
        org_id = request.headers.get(ORG_HEADER) or None
        return Principal(user, None, org_id, is_admin)

    # --- organization and permissions ---
    def organization(self, principal: Principal, path_org: str | None = None) -> dict[str, Any]:
        """OrganizationAccessGuard: the org of the request, or 403 ``Forbidden resource``."""
        org_id = path_org or principal.org_id
        if not org_id:
            raise forbidden()
        if principal.api_key is not None and path_org and path_org != principal.org_id:
            raise forbidden()
        org = self.store.get("orgs", org_id)
        if org is None:
            raise forbidden()
        if not principal.is_admin and self.member(org_id, principal.user_id) is None:
            raise forbidden()
        return org

    def member(self, org_id: str, user_id: str) -> Doc | None:
        return find_member(self.store, org_id, user_id)

    def member_permissions(self, org_id: str, user_id: str) -> set[str]:
        member = self.member(org_id, user_id)
        if member is None:
            return set()
        if member["role"] == "owner":
            return set(PERMISSIONS)
        perms: set[str] = set()
        for role_id in member.get("assignedRoleIds", []):
            role = find_role(self.store, role_id)
            if role is not None:
                perms.update(role["permissions"])
        return perms

    def permissions(self, principal: Principal, org: dict[str, Any]) -> set[str]:
        """Effective permissions of the caller in ``org``."""
        user_perms = self.member_permissions(org["id"], principal.user_id)
        if principal.api_key is not None:
            return set(principal.api_key["permissions"]) & user_perms
        if principal.is_admin:
            return set(PERMISSIONS)
        return user_perms

    def require(self, principal: Principal, org: dict[str, Any], permission: str) -> None:
        if permission not in self.permissions(principal, org):
            raise forbidden()

    def require_owner(self, principal: Principal, org: dict[str, Any]) -> None:
        member = self.member(org["id"], principal.user_id)
        if (member is None or member["role"] != "owner") and not principal.is_admin:
            raise forbidden()

    @staticmethod
    def require_admin(principal: Principal) -> None:
        if not principal.is_admin:
            raise forbidden()

    def jwt_org(self, request: Request, owner: bool = False) -> tuple[Principal, Doc]:
        """JWT only + the path's organization (+ the owner role): the organization endpoints."""
        principal = self.authenticate_jwt(request)
        org = self.organization(principal, request.path_params["organizationId"])
        if owner:
            self.require_owner(principal, org)
        return principal, org

    def admin_org(self, request: Request) -> Doc:
        """Combined auth + system admin + the path's organization (quota, suspension)."""
        principal = self.authenticate(request)
        self.require_admin(principal)
        org = self.store.get("orgs", request.path_params["organizationId"])
        if org is None:
            raise forbidden()
        return org

    def scoped(
        self, request: Request, permission: str | None = None
    ) -> tuple[Principal, dict[str, Any]]:
        """Combined auth + organization (+ one permission): the usual guard chain."""
        principal = self.authenticate(request)
        org = self.organization(principal)
        if permission is not None:
            self.require(principal, org, permission)
        return principal, org
