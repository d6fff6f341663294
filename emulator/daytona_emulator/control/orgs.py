"""Users, organizations, members and roles as stored documents, and their DTOs.

Plain functions over the :class:`~daytona_emulator.store.Store`: authentication (which creates
a JWT's user on first use) and the organization endpoints share them.
"""

from __future__ import annotations

from typing import Any

from daytona_emulator.control.common import PERMISSIONS, iso, new_id
from daytona_emulator.store import Doc, Store

DEFAULT_USER_ID = "daytona-emulator-user"
DEVELOPER_ROLE_ID = "00000000-0000-0000-0000-000000000001"

# default-organization-quota.ts
DEFAULT_QUOTA: dict[str, int] = {
    "totalCpuQuota": 10,
    "totalMemoryQuota": 10,
    "totalDiskQuota": 30,
    "maxCpuPerSandbox": 4,
    "maxMemoryPerSandbox": 8,
    "maxDiskPerSandbox": 10,
    "snapshotQuota": 100,
    "maxSnapshotSize": 20,
    "volumeQuota": 100,
}

_ROLE_TS = "2025-01-01T00:00:00.000Z"
_GLOBAL_ROLE_TABLE: tuple[tuple[int, str, str, list[str]], ...] = (
    (
        1,
        "Developer",
        "Grants the ability to create sandboxes and keys in the organization",
        ["write:sandboxes"],
    ),
    (
        2,
        "Sandboxes Admin",
        "Grants admin access to sandboxes in the organization",
        ["write:sandboxes", "delete:sandboxes"],
    ),
    (
        3,
        "Snapshots Admin",
        "Grants admin access to snapshots in the organization",
        ["write:snapshots", "delete:snapshots"],
    ),
    (
        4,
        "Registries Admin",
        "Grants admin access to registries in the organization",
        ["write:registries", "delete:registries"],
    ),
    (
        5,
        "Super Admin",
        "Grants full access to all resources in the organization",
        list(PERMISSIONS),
    ),
    (
        6,
        "Volumes Admin",
        "Grants admin access to volumes in the organization",
        ["read:volumes", "write:volumes", "delete:volumes"],
    ),
)
GLOBAL_ROLES: dict[str, Doc] = {
    f"00000000-0000-0000-0000-00000000000{i}": {
        "id": f"00000000-0000-0000-0000-00000000000{i}",
        "name": name,
        "description": desc,
        "permissions": perms,
        "isGlobal": True,
        "createdAt": _ROLE_TS,
        "updatedAt": _ROLE_TS,
    }
    for i, name, desc, perms in _GLOBAL_ROLE_TABLE
}
_ROLE_KEYS = ("id", "name", "description", "permissions", "isGlobal", "createdAt", "updatedAt")


def ensure_user(store: Store, payload: dict[str, Any]) -> Doc:
    """The user of a JWT, created (with a personal organization) on first use."""
    uid = str(payload["sub"])
    user = store.get("users", uid)
    if user is None:
        user = {
            "id": uid,
            "name": str(payload.get("name") or uid),
            "email": str(payload.get("email") or ""),
            "publicKeys": [],
            "role": "admin" if payload.get("role") == "admin" else "user",
            "emailVerified": bool(payload.get("email_verified", True)),
            "createdAt": iso(),
        }
        store.put("users", uid, user)
        create_org(store, "Personal", uid, personal=True)
    return user


def create_org(
    store: Store,
    name: str,
    owner_id: str,
    *,
    personal: bool = False,
    org_id: str | None = None,
    quota: dict[str, Any] | None = None,
) -> Doc:
    now = iso()
    oid = org_id or new_id()
    org: Doc = {
        "id": oid,
        "name": name,
        "createdBy": owner_id,
        "personal": personal,
        "createdAt": now,
        "updatedAt": now,
        "suspended": False,
        "suspendedAt": None,
        "suspensionReason": None,
        "suspendedUntil": None,
        "quota": {**DEFAULT_QUOTA, **{k: v for k, v in (quota or {}).items() if v is not None}},
    }
    store.put("orgs", oid, org)
    add_member(store, oid, owner_id, "owner", [])
    return org


def add_member(store: Store, org_id: str, user_id: str, role: str, role_ids: list[str]) -> Doc:
    now = iso()
    member = {
        "organizationId": org_id,
        "userId": user_id,
        "role": role,
        "assignedRoleIds": role_ids,
        "createdAt": now,
        "updatedAt": now,
    }
    return store.put("members", member_key(org_id, user_id), member)


def member_key(org_id: str, user_id: str) -> str:
    return f"{org_id}:{user_id}"


def find_member(store: Store, org_id: str, user_id: str) -> Doc | None:
    return store.get("members", member_key(org_id, user_id))


def find_role(store: Store, role_id: str) -> Doc | None:
    """A global role, or a custom role of any organization."""
    return GLOBAL_ROLES.get(role_id) or store.get("roles", role_id)


def org_dto(org: Doc) -> Doc:
    return {k: v for k, v in org.items() if k != "quota"}


def role_dto(role: Doc) -> Doc:
    return {k: role[k] for k in _ROLE_KEYS}


def roles_of(store: Store, ids: list[str]) -> list[Doc]:
    return [role_dto(r) for r in (find_role(store, i) for i in ids) if r is not None]


def member_dto(store: Store, member: Doc) -> Doc:
    user = store.get("users", member["userId"]) or {}
    return {
        "userId": member["userId"],
        "organizationId": member["organizationId"],
        "name": user.get("name", ""),
        "email": user.get("email", ""),
        "role": member["role"],
        "assignedRoles": roles_of(store, member["assignedRoleIds"]),
        "createdAt": member["createdAt"],
        "updatedAt": member["updatedAt"],
    }
