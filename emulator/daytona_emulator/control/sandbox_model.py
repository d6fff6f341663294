"""Sandboxes as stored documents: their state machine, entity saves, quota usage and DTOs."""

from __future__ import annotations

import hashlib
import json
import secrets
import string
import time

from daytona_emulator.control.common import iso
from daytona_emulator.store import Doc, Store

MAX_AUTO_ARCHIVE = 43200  # MAX_AUTO_ARCHIVE_INTERVAL default (minutes)
RUNNER_DOMAIN = "runner.emulator.localhost"

# states counted by quotas (validateOrganizationQuotas)
_DISK_EXCLUDED = {"destroyed", "archived", "error", "build_failed"}
_CPU_EXCLUDED = _DISK_EXCLUDED | {"stopped", "archiving"}
# desired=destroyed is allowed only from these DB states (entity validateDesiredState)
DESTROYABLE = {"destroyed", "destroying", "stopped", "started", "archived", "error", "build_failed"}

_NEXT_TO_STARTED: dict[str, str | None] = {
    "pending_build": "building_snapshot",
    "building_snapshot": "unknown",
    "unknown": "creating",
    "creating": "starting",
    "pulling_snapshot": "starting",
    "stopped": "starting",
    "archived": "restoring",
    "restoring": "starting",
    "starting": "started",
    "stopping": "stopped",
    "archiving": "archived",
}
_NEXT_TO_STOPPED: dict[str, str | None] = {
    **_NEXT_TO_STARTED,
    "started": "stopping",
    "archived": None,
    "archiving": "archived",
}
_NEXT_TO_ARCHIVED: dict[str, str | None] = {
    "stopped": "archiving",
    "archiving": "archived",
    "started": "stopping",
    "stopping": "stopped",
}
_NEXT_BY_DESIRED = {
    "started": _NEXT_TO_STARTED,
    "stopped": _NEXT_TO_STOPPED,
    "archived": _NEXT_TO_ARCHIVED,
}


def next_sandbox_state(state: str, desired: str) -> str | None:
    """The next DB state on the way from ``state`` to ``desired`` (None: nothing to do)."""
    if state == desired:
        return None
    if desired == "destroyed":
        return "destroyed" if state in ("archived", "destroying") else "destroying"
    if state in ("error", "build_failed", "destroyed", "destroying"):
        return None
    return _NEXT_BY_DESIRED.get(desired, {}).get(state)


def display_state(sb: Doc) -> str:
    """The API ``state``: DB state combined with the desired state (sandbox.dto getSandboxState)."""
    s: str = sb["state"]
    d: str = sb["desiredState"]
    if s == "started":
        return {"stopped": "stopping", "destroyed": "destroying"}.get(d, s)
    if s == "stopped":
        return {"started": "starting", "destroyed": "destroying", "archived": "archiving"}.get(d, s)
    if s == "unknown" and d == "started":
        return "creating"
    return str(s)


def auth_token() -> str:
    alphabet = string.ascii_lowercase + string.digits + "-_"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def build_ref(dockerfile: str, context_hashes: list[str] | None) -> str:
    digest = hashlib.sha256((dockerfile + "".join(sorted(context_hashes or []))).encode())
    return f"daytona-{digest.hexdigest()}:daytona"


def build_info_dto(info: Doc | None) -> Doc | None:
    if not info:
        return None
    return {k: info[k] for k in ("dockerfileContent", "contextHashes", "createdAt", "updatedAt")}


def save_sandbox(store: Store, sb: Doc) -> Doc:
    """An entity save: activity bump, pending flag, token rotation while started."""
    now = time.time()
    sb["updatedAt"] = iso(now)
    sb["lastActivityAt"] = now
    if sb["state"] == sb["desiredState"] or sb["state"] in ("error", "build_failed"):
        sb["pending"] = False
    if sb["state"] == "started":
        sb["authToken"] = auth_token()
    return store.put("sandboxes", sb["id"], sb)


def usage_of(sb: Doc) -> dict[str, float]:
    """What one sandbox counts against its organization's quota."""
    state = sb["state"]
    disk = sb["disk"] if state not in _DISK_EXCLUDED else 0
    counted = state not in _CPU_EXCLUDED
    return {
        "cpu": sb["cpu"] if counted else 0,
        "memory": sb["memory"] if counted else 0,
        "disk": disk,
    }


def org_usage(store: Store, org_id: str) -> dict[str, float]:
    total = {"cpu": 0.0, "memory": 0.0, "disk": 0.0}
    for sb in store.all("sandboxes"):
        if sb["organizationId"] == org_id:
            for k, v in usage_of(sb).items():
                total[k] += v
    return total


def sandbox_dto(store: Store, sb: Doc, state: str | None = None) -> Doc:
    out: Doc = {
        "id": sb["id"],
        "organizationId": sb["organizationId"],
        "snapshot": sb["snapshot"],
        "user": sb["user"],
        "env": sb["env"],
        "labels": sb["labels"],
        "public": sb["public"],
        "target": sb["target"],
        "cpu": sb["cpu"],
        "gpu": sb["gpu"],
        "memory": sb["memory"],
        "disk": sb["disk"],
        "state": state or display_state(sb),
        "errorReason": sb["errorReason"],
        "backupState": sb["backupState"],
    }
    if sb.get("backupCreatedAt"):
        out["backupCreatedAt"] = sb["backupCreatedAt"]
    out["autoStopInterval"] = sb["autoStopInterval"]
    out["autoArchiveInterval"] = sb["autoArchiveInterval"]
    runner = store.get("runners", sb["runnerId"]) if sb.get("runnerId") else None
    if runner is not None:
        out["runnerDomain"] = runner["domain"]
    out["volumes"] = sb["volumes"]
    if sb.get("buildInfo"):
        out["buildInfo"] = build_info_dto(sb["buildInfo"])
    out["createdAt"] = sb["createdAt"]
    out["updatedAt"] = sb["updatedAt"]
    out["class"] = sb["class"]
    return out


def workspace_dto(store: Store, sb: Doc, state: str | None = None) -> Doc:
    """The deprecated ``Workspace``: a Sandbox plus name, image, snapshot fields and ``info``."""
    out = sandbox_dto(store, sb, state)
    out["name"] = sb["id"]
    out["image"] = sb["snapshot"]
    out["snapshotState"] = sb["backupState"]
    if sb.get("backupCreatedAt"):
        out["snapshotCreatedAt"] = sb["backupCreatedAt"]
    meta = {
        "state": out["state"],
        "nodeDomain": out.get("runnerDomain"),
        "region": sb["target"],
        "class": sb["class"],
        "updatedAt": sb["updatedAt"],
        "lastSnapshot": sb.get("backupCreatedAt"),
        "cpu": sb["cpu"],
        "gpu": sb["gpu"],
        "memory": sb["memory"],
        "disk": sb["disk"],
        "autoStopInterval": sb["autoStopInterval"],
        "autoArchiveInterval": sb["autoArchiveInterval"],
    }
    # a JSON string (JSON.stringify of the deprecated DTO's metadata object)
    out["info"] = {
        "name": sb["id"],
        "created": sb["createdAt"],
        "providerMetadata": json.dumps(meta, separators=(",", ":")),
    }
    return out
