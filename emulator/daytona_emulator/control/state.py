"""The control plane's model: bootstrap data, documents, DTOs and the lifecycle clock.

One :class:`Control` per app. Documents (plain dicts) live in :class:`~daytona_emulator.store.Store`;
they are mutated in place on the event-loop thread and saved with ``store.put``.

Lifecycle transitions run on "drivers": one asyncio task per object in motion, which walks the
object one step per clock tick (``transition_delay`` and friends) until it reaches its desired
state. Drivers are re-created at startup for objects left mid-transition, so a restart with the
same data dir resumes them. A reaper task applies auto-stop / auto-archive and flushes the store.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import string
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from daytona_emulator.control.auth import Auth, key_hash
from daytona_emulator.control.common import PERMISSIONS, iso, new_id
from daytona_emulator.settings import EmulatorSettings
from daytona_emulator.store import Doc, Store

log = logging.getLogger("daytona_emulator")

DEFAULT_USER_ID = "daytona-emulator-user"
MAX_AUTO_ARCHIVE = 43200  # MAX_AUTO_ARCHIVE_INTERVAL default (minutes)
DESTROYED_RETENTION_MINUTES = 24 * 60
CREATE_WAIT = 30.0  # POST /sandbox waits this long for `started`
RUNNER_DOMAIN = "runner.emulator.localhost"

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
GLOBAL_ROLES: dict[str, Doc] = {
    r["id"]: r
    for r in (
        {
            "id": f"00000000-0000-0000-0000-00000000000{i}",
            "name": name,
            "description": desc,
            "permissions": perms,
            "isGlobal": True,
            "createdAt": _ROLE_TS,
            "updatedAt": _ROLE_TS,
        }
        for i, name, desc, perms in (
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
    )
}
DEVELOPER_ROLE_ID = "00000000-0000-0000-0000-000000000001"

# states counted by quotas (validateOrganizationQuotas)
_DISK_EXCLUDED = {"destroyed", "archived", "error", "build_failed"}
_CPU_EXCLUDED = _DISK_EXCLUDED | {"stopped", "archiving"}
# desired=destroyed is allowed only from these DB states (entity validateDesiredState)
DESTROYABLE = {"destroyed", "destroying", "stopped", "started", "archived", "error", "build_failed"}

_NEXT_TO_STARTED = {
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
_NEXT_TO_STOPPED = {
    **_NEXT_TO_STARTED,
    "started": "stopping",
    "archived": None,
    "archiving": "archived",
}
_NEXT_TO_ARCHIVED = {
    "stopped": "archiving",
    "archiving": "archived",
    "started": "stopping",
    "stopping": "stopped",
}

SNAPSHOT_FLOW = {
    "build_pending": "building",
    "building": "pending",
    "pending": "pulling",
    "pulling": "pending_validation",
    "pending_validation": "validating",
    "validating": "active",
}
VOLUME_FLOW = {
    "pending_create": "creating",
    "creating": "ready",
    "pending_delete": "deleting",
    "deleting": "deleted",
}


def next_sandbox_state(state: str, desired: str) -> str | None:
    """The next DB state on the way from ``state`` to ``desired`` (None: nothing to do)."""
    if state == desired:
        return None
    if desired == "destroyed":
        return "destroyed" if state in ("archived", "destroying") else "destroying"
    if state in ("error", "build_failed", "destroyed", "destroying"):
        return None
    table = {
        "started": _NEXT_TO_STARTED,
        "stopped": _NEXT_TO_STOPPED,
        "archived": _NEXT_TO_ARCHIVED,
    }.get(desired, {})
    return table.get(state)


def display_state(sb: Doc) -> str:
    """The API ``state``: DB state combined with the desired state (sandbox.dto getSandboxState)."""
    s, d = sb["state"], sb["desiredState"]
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


class Control:
    """State and clock of one emulator instance."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.store: Store = None  # type: ignore[assignment]  # opened by start()
        self.auth = Auth(self)
        self.toolbox: Any = None
        self.default_org_id = ""
        self.default_user_id = DEFAULT_USER_ID
        self.default_runner_id = ""
        self.registry_id = ""
        self._drivers: dict[str, asyncio.Task[None]] = {}
        self._reaper: asyncio.Task[None] | None = None
        self._closing = False

    # ------------------------------------------------------------------ startup / shutdown
    async def start(self) -> None:
        self.store = Store(self.settings.db_path)
        self._bootstrap()
        self._resume()
        self._reaper = asyncio.create_task(self._reap_forever(), name="daytona-emulator-reaper")

    async def aclose(self) -> None:
        self._closing = True
        tasks = [t for t in (self._reaper, *self._drivers.values()) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            try:
                await t
            except BaseException:
                pass
        self._drivers.clear()
        if self.store is not None:
            self.store.close()

    def closing(self) -> None:
        """Shutdown started: lifecycle hooks no longer reach the toolbox."""
        self._closing = True

    def touch_activity(self, sb: Doc) -> None:
        """A toolbox request: bump ``lastActivityAt`` (no entity save, no token rotation)."""
        sb["lastActivityAt"] = time.time()
        self.store.touch("sandboxes", sb["id"])

    def _bootstrap(self) -> None:
        store, s = self.store, self.settings
        meta = store.get("meta", "instance")
        if meta is None:
            meta = {"defaultOrgId": new_id(), "runnerId": new_id(), "registryId": new_id()}
            store.put("meta", "instance", meta)
        self.default_org_id = meta["defaultOrgId"]
        self.default_runner_id = meta["runnerId"]
        self.registry_id = meta["registryId"]
        now = iso()
        if store.get("users", DEFAULT_USER_ID) is None:
            store.put(
                "users",
                DEFAULT_USER_ID,
                {
                    "id": DEFAULT_USER_ID,
                    "name": "Emulator User",
                    "email": "user@emulator.localhost",
                    "publicKeys": [],
                    "role": "admin",
                    "emailVerified": True,
                    "createdAt": now,
                },
            )
        if store.get("orgs", self.default_org_id) is None:
            self.create_org("Personal", DEFAULT_USER_ID, personal=True, org_id=self.default_org_id)
        org = store.get("orgs", self.default_org_id)
        assert org is not None
        if s.default_quota:
            org["quota"].update(dict(s.default_quota))
            store.put("orgs", org["id"], org)
        # the configured key: owner key of the default org, all permissions
        for key in list(store.all("apikeys")):
            if key.get("configured") and key["keyHash"] != key_hash(s.api_key):
                store.delete("apikeys", key["keyHash"])
        h = key_hash(s.api_key)
        if store.get("apikeys", h) is None:
            store.put(
                "apikeys",
                h,
                {
                    "name": "emulator",
                    "keyHash": h,
                    "keyPrefix": s.api_key[:3],
                    "keySuffix": s.api_key[-3:],
                    "organizationId": self.default_org_id,
                    "userId": DEFAULT_USER_ID,
                    "permissions": list(PERMISSIONS),
                    "createdAt": now,
                    "lastUsedAt": None,
                    "expiresAt": None,
                    "configured": True,
                },
            )
        if store.get("runners", self.default_runner_id) is None:
            store.put(
                "runners",
                self.default_runner_id,
                {
                    "id": self.default_runner_id,
                    "domain": RUNNER_DOMAIN,
                    "apiUrl": "http://127.0.0.1/runner",
                    "apiKey": secrets.token_hex(16),
                    "cpu": 1024,
                    "memory": 4096,
                    "disk": 100000,
                    "gpu": 0,
                    "gpuType": "none",
                    "class": "small",
                    "used": 0,
                    "capacity": 100000,
                    "region": "us",
                    "state": "ready",
                    "lastChecked": now,
                    "unschedulable": False,
                    "createdAt": now,
                    "updatedAt": now,
                },
            )
        name = s.default_snapshot
        if not any(sn["name"] == name and sn.get("general") for sn in store.all("snapshots")):
            sid = new_id()
            store.put(
                "snapshots",
                sid,
                {
                    "id": sid,
                    "organizationId": self.default_org_id,
                    "general": True,
                    "name": name,
                    "imageName": name,
                    "enabled": True,
                    "state": "active",
                    "size": 1.2,
                    "entrypoint": ["sleep", "infinity"],
                    "cpu": 1,
                    "gpu": 0,
                    "mem": 1,
                    "disk": 3,
                    "errorReason": None,
                    "createdAt": now,
                    "updatedAt": now,
                    "lastUsedAt": None,
                    "buildInfo": None,
                },
            )

    def _resume(self) -> None:
        for sb in self.store.all("sandboxes"):
            if next_sandbox_state(sb["state"], sb["desiredState"]) is not None:
                self.kick_sandbox(sb["id"])
            if sb.get("backupState") in ("Pending", "InProgress"):
                self.kick_backup(sb["id"])
        for build in self.store.all("builds"):
            if build["state"] == "building":
                self.kick(f"build:{build['ref']}", lambda r=build["ref"]: self._run_build(r))
        for sn in self.store.all("snapshots"):
            if sn["state"] in SNAPSHOT_FLOW or sn["state"] == "removing":
                self.kick_snapshot(sn["id"])
        for vol in self.store.all("volumes"):
            if vol["state"] in VOLUME_FLOW:
                self.kick_volume(vol["id"])

    # ------------------------------------------------------------------ users, orgs, roles
    def ensure_user(self, payload: dict[str, Any]) -> Doc:
        """The user of a JWT, created (with a personal organization) on first use."""
        uid = str(payload["sub"])
        user = self.store.get("users", uid)
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
            self.store.put("users", uid, user)
            self.create_org("Personal", uid, personal=True)
        return user

    def create_org(
        self,
        name: str,
        owner_id: str,
        *,
        personal: bool = False,
        org_id: str | None = None,
        quota: dict[str, Any] | None = None,
    ) -> Doc:
        now = iso()
        org = {
            "id": org_id or new_id(),
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
        self.store.put("orgs", org["id"], org)
        self.add_member(org["id"], owner_id, "owner", [])
        return org

    def add_member(self, org_id: str, user_id: str, role: str, role_ids: list[str]) -> Doc:
        now = iso()
        member = {
            "organizationId": org_id,
            "userId": user_id,
            "role": role,
            "assignedRoleIds": role_ids,
            "createdAt": now,
            "updatedAt": now,
        }
        return self.store.put("members", f"{org_id}:{user_id}", member)

    def role(self, role_id: str) -> Doc | None:
        return GLOBAL_ROLES.get(role_id) or self.store.get("roles", role_id)

    @staticmethod
    def org_dto(org: Doc) -> Doc:
        return {k: v for k, v in org.items() if k != "quota"}

    @staticmethod
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

    def usage(self, org_id: str) -> dict[str, float]:
        total = {"cpu": 0.0, "memory": 0.0, "disk": 0.0}
        for sb in self.store.all("sandboxes"):
            if sb["organizationId"] == org_id:
                for k, v in self.usage_of(sb).items():
                    total[k] += v
        return total

    # ------------------------------------------------------------------ sandboxes
    def save_sandbox(self, sb: Doc) -> Doc:
        """An entity save: activity bump, pending flag, token rotation while started."""
        now = time.time()
        sb["updatedAt"] = iso(now)
        sb["lastActivityAt"] = now
        if sb["state"] == sb["desiredState"] or sb["state"] in ("error", "build_failed"):
            sb["pending"] = False
        if sb["state"] == "started":
            sb["authToken"] = auth_token()
        return self.store.put("sandboxes", sb["id"], sb)

    def sandbox_dto(self, sb: Doc, state: str | None = None) -> Doc:
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
        runner = self.store.get("runners", sb["runnerId"]) if sb.get("runnerId") else None
        if runner is not None:
            out["runnerDomain"] = runner["domain"]
        out["volumes"] = sb["volumes"]
        if sb.get("buildInfo"):
            out["buildInfo"] = build_info_dto(sb["buildInfo"])
        out["createdAt"] = sb["createdAt"]
        out["updatedAt"] = sb["updatedAt"]
        out["class"] = sb["class"]
        return out

    def workspace_dto(self, sb: Doc, state: str | None = None) -> Doc:
        out = self.sandbox_dto(sb, state)
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

    def kick_sandbox(self, sid: str) -> asyncio.Task[None]:
        return self.kick(f"sandbox:{sid}", lambda: self._drive_sandbox(sid))

    def kick(self, key: str, factory: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        task = self._drivers.get(key)
        if task is not None and not task.done():
            return task

        async def run() -> None:
            try:
                await factory()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("emulator driver %s failed", key)
            finally:
                if self._drivers.get(key) is asyncio.current_task():
                    del self._drivers[key]

        task = asyncio.create_task(run(), name=f"daytona-emulator-{key}")
        self._drivers[key] = task
        return task

    async def _hook(self, name: str, sid: str) -> None:
        if self.toolbox is None or self._closing:
            return
        try:
            await getattr(self.toolbox, name)(sid)
        except Exception:
            log.exception("toolbox %s(%s) failed", name, sid)

    async def _drive_sandbox(self, sid: str) -> None:
        store, s = self.store, self.settings
        while True:
            sb = store.get("sandboxes", sid)
            if sb is None or next_sandbox_state(sb["state"], sb["desiredState"]) is None:
                return
            if sb["state"] == "building_snapshot":
                ok, reason = await self.wait_build(sb["buildInfo"]["snapshotRef"])
                if not ok:
                    sb["state"] = "build_failed"
                    sb["errorReason"] = reason
                    self.save_sandbox(sb)
                    return
            else:
                await asyncio.sleep(
                    s.build_step_delay if sb["state"] == "pending_build" else s.transition_delay
                )
            sb = store.get("sandboxes", sid)
            if sb is None:
                return
            nxt = next_sandbox_state(sb["state"], sb["desiredState"])
            if nxt is None:
                continue
            await self._enter(sb, nxt)

    async def _enter(self, sb: Doc, nxt: str) -> None:
        prev = sb["state"]
        if nxt == "stopped" and prev == "stopping":
            await self._hook("sandbox_stopped", sb["id"])
            sb["backupState"] = "None"
        elif nxt == "destroyed":
            await self._hook("sandbox_destroyed", sb["id"])
        elif nxt == "building_snapshot":
            self.start_build(sb["buildInfo"]["snapshotRef"], sb["buildInfo"]["dockerfileContent"])
        elif nxt == "archived":
            sb["backupState"] = "Completed"
            sb["backupCreatedAt"] = iso()
            sb["runnerId"] = None
        elif nxt == "started" and not sb.get("toolboxCreated"):
            await self.hook_created(sb)
        if nxt in ("building_snapshot", "unknown", "creating", "restoring") and not sb["runnerId"]:
            sb["runnerId"] = self.default_runner_id
        sb["state"] = nxt
        self.save_sandbox(sb)

    async def hook_created(self, sb: Doc) -> None:
        await self._hook("sandbox_created", sb["id"])
        sb["toolboxCreated"] = True

    def kick_backup(self, sid: str) -> None:
        self.kick(f"backup:{sid}", lambda: self._drive_backup(sid))

    async def wait_for_create(self, sid: str) -> Doc:
        """POST /sandbox: wait (up to 30 s) until the DB state is started, error or build_failed."""
        task = self.kick_sandbox(sid)
        try:
            await asyncio.wait_for(asyncio.shield(task), CREATE_WAIT)
        except TimeoutError:
            pass
        sb = self.store.get("sandboxes", sid)
        assert sb is not None
        return sb

    async def _drive_backup(self, sid: str) -> None:
        for nxt in ("InProgress", "Completed"):
            await asyncio.sleep(self.settings.transition_delay)
            sb = self.store.get("sandboxes", sid)
            if sb is None or sb.get("backupState") not in ("Pending", "InProgress"):
                return
            sb["backupState"] = nxt
            if nxt == "Completed":
                sb["backupCreatedAt"] = iso()
            self.save_sandbox(sb)

    # ------------------------------------------------------------------ builds
    def build_log_path(self, ref: str) -> Path:
        return self.settings.data_dir / "build-logs" / f"{ref.split(':')[0]}.log"

    def start_build(self, ref: str, dockerfile: str) -> None:
        build = self.store.get("builds", ref)
        if build is None or build["state"] == "failed":
            self.store.put(
                "builds",
                ref,
                {
                    "ref": ref,
                    "state": "building",
                    "dockerfile": dockerfile,
                    "errorReason": None,
                    "createdAt": iso(),
                },
            )
        if self.store.get("builds", ref)["state"] == "building":  # type: ignore[index]
            self.kick(f"build:{ref}", lambda: self._run_build(ref))

    def build_state(self, ref: str) -> str | None:
        build = self.store.get("builds", ref)
        return build["state"] if build else None

    async def wait_build(self, ref: str) -> tuple[bool, str | None]:
        build = self.store.get("builds", ref)
        if build is None:
            return False, "Build not found"
        if build["state"] == "building":
            task = self.kick(f"build:{ref}", lambda: self._run_build(ref))
            await asyncio.shield(task)
            build = self.store.get("builds", ref) or build
        return build["state"] == "done", build.get("errorReason")

    async def _run_build(self, ref: str) -> None:
        """Write docker-build-like log lines, one step per ``build_step_delay``."""
        build = self.store.get("builds", ref)
        if build is None:
            return
        path = self.build_log_path(ref)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            ln.strip()
            for ln in build["dockerfile"].splitlines()
            if ln.strip() and not ln.strip().startswith("#")
        ]
        has_from = any(ln.upper().startswith("FROM ") for ln in lines)
        delay = self.settings.build_step_delay
        with path.open("w", encoding="utf-8") as f:

            def emit(text: str) -> None:
                f.write(text)
                f.flush()

            emit(f"Building image {ref}\n")
            failed: str | None = None
            for i, line in enumerate(lines or ["<empty Dockerfile>"], 1):
                emit(f"Step {i}/{max(len(lines), 1)} : {line}\n")
                await asyncio.sleep(delay)
                if not has_from:
                    failed = "failed to solve: no build stage in current context"
                    break
                emit(f" ---> {secrets.token_hex(6)}\n")
            if failed:
                emit(f"ERROR: {failed}\n")
                build["state"] = "failed"
                build["errorReason"] = f"Failed to build image: {failed}"
            else:
                emit(f"Successfully built {secrets.token_hex(6)}\nSuccessfully tagged {ref}\n")
                build["state"] = "done"
        self.store.put("builds", ref, build)

    # ------------------------------------------------------------------ snapshots
    def kick_snapshot(self, snap_id: str) -> None:
        self.kick(f"snapshot:{snap_id}", lambda: self._drive_snapshot(snap_id))

    async def _drive_snapshot(self, snap_id: str) -> None:
        store = self.store
        while True:
            sn = store.get("snapshots", snap_id)
            if sn is None:
                return
            state = sn["state"]
            if state == "removing":
                await asyncio.sleep(self.settings.snapshot_step_delay)
                store.delete("snapshots", snap_id)
                return
            nxt = SNAPSHOT_FLOW.get(state)
            if nxt is None:
                return
            if state == "building":
                ok, reason = await self.wait_build(sn["buildInfo"]["snapshotRef"])
                if not ok:
                    nxt = "build_failed"
                    sn["errorReason"] = reason
            else:
                await asyncio.sleep(self.settings.snapshot_step_delay)
            sn = store.get("snapshots", snap_id)
            if sn is None or sn["state"] != state:
                continue
            if nxt == "building":
                self.start_build(
                    sn["buildInfo"]["snapshotRef"], sn["buildInfo"]["dockerfileContent"]
                )
            if nxt == "active":
                sn["size"] = 0.5
                if not sn.get("entrypoint"):
                    sn["entrypoint"] = ["sleep", "infinity"]
            sn["state"] = nxt
            sn["updatedAt"] = iso()
            store.put("snapshots", snap_id, sn)

    # ------------------------------------------------------------------ volumes
    def kick_volume(self, vol_id: str) -> None:
        self.kick(f"volume:{vol_id}", lambda: self._drive_volume(vol_id))

    async def _drive_volume(self, vol_id: str) -> None:
        while True:
            vol = self.store.get("volumes", vol_id)
            if vol is None or vol["state"] not in VOLUME_FLOW:
                return
            state = vol["state"]
            await asyncio.sleep(self.settings.volume_step_delay)
            vol = self.store.get("volumes", vol_id)
            if vol is None or vol["state"] != state:
                continue
            vol["state"] = VOLUME_FLOW[state]
            vol["updatedAt"] = iso()
            self.store.put("volumes", vol_id, vol)

    # ------------------------------------------------------------------ reaper
    async def _reap_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reaper_interval)
            try:
                self.reap()
            except Exception:
                log.exception("emulator reaper failed")

    def reap(self) -> None:
        """Auto-stop, auto-archive, cleanup of old destroyed sandboxes; flush touched rows."""
        store = self.store
        store.flush()
        now = time.time()
        minute = self.settings.seconds_per_minute
        for sb in store.all("sandboxes"):
            state, desired = sb["state"], sb["desiredState"]
            if sb.get("pending"):
                continue
            idle = now - sb.get("lastActivityAt", now)
            if state == "started" and desired == "started":
                if sb["autoStopInterval"] and idle > sb["autoStopInterval"] * minute:
                    sb["desiredState"] = "stopped"
                    self.save_sandbox(sb)
                    self.kick_sandbox(sb["id"])
            elif state == "stopped" and desired == "stopped":
                if idle > sb["autoArchiveInterval"] * minute:
                    sb["desiredState"] = "archived"
                    self.save_sandbox(sb)
                    self.kick_sandbox(sb["id"])
            elif state == "destroyed" and idle > DESTROYED_RETENTION_MINUTES * minute:
                store.delete("sandboxes", sb["id"])
