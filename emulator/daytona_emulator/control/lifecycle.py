"""The lifecycle clock: sandboxes, backups, snapshots and volumes walking to their desired state.

Transitions run on drivers (one task per object in motion) that move the object one step per
clock tick (``transition_delay`` and friends) until it reaches its desired state. ``resume()``
re-creates drivers at startup for objects left mid-transition, so a restart with the same data
dir carries on. The reaper applies auto-stop / auto-archive, removes long-destroyed sandboxes
and flushes the store. The toolbox (if any) hears of sandboxes created, stopped and destroyed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable

from daytona_emulator import image_build
from daytona_emulator.control.builds import Builds
from daytona_emulator.control.common import iso
from daytona_emulator.control.drivers import Drivers
from daytona_emulator.control.sandbox_model import next_sandbox_state, save_sandbox
from daytona_emulator.ports import SandboxToolbox
from daytona_emulator.settings import EmulatorSettings
from daytona_emulator.store import Doc, Store

log = logging.getLogger("daytona_emulator")

CREATE_WAIT = 30.0  # POST /sandbox waits this long for `started`
DESTROYED_RETENTION_MINUTES = 24 * 60

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


class Lifecycle:
    def __init__(
        self,
        store: Store,
        settings: EmulatorSettings,
        drivers: Drivers,
        builds: Builds,
        default_runner_id: str,
    ) -> None:
        self.store = store
        self.settings = settings
        self.drivers = drivers
        self.builds = builds
        self.default_runner_id = default_runner_id
        self.toolbox: SandboxToolbox | None = None
        self._closing = False
        self._reaper: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ start / stop
    def start(self) -> None:
        self.resume()
        self._reaper = asyncio.create_task(self._reap_forever(), name="daytona-emulator-reaper")

    def closing(self) -> None:
        """Shutdown started: lifecycle hooks no longer reach the toolbox."""
        self._closing = True

    async def aclose(self) -> None:
        self._closing = True
        await self.drivers.aclose(self._reaper)
        self._reaper = None

    def resume(self) -> None:
        for sb in self.store.all("sandboxes"):
            if next_sandbox_state(sb["state"], sb["desiredState"]) is not None:
                self.kick_sandbox(sb["id"])
            if sb.get("backupState") in ("Pending", "InProgress"):
                self.kick_backup(sb["id"])
        for build in self.store.all("builds"):
            if build["state"] == "building":
                self.builds.resume(build["ref"])
        for sn in self.store.all("snapshots"):
            if sn["state"] in SNAPSHOT_FLOW or sn["state"] == "removing":
                self.kick_snapshot(sn["id"])
        for vol in self.store.all("volumes"):
            if vol["state"] in VOLUME_FLOW:
                self.kick_volume(vol["id"])

    # ------------------------------------------------------------------ toolbox hooks
    async def _tell_toolbox(self, hook: Callable[[str], Awaitable[None]], sid: str) -> None:
        try:
            await hook(sid)
        except Exception:  # a toolbox failure must not stop the lifecycle
            log.exception("toolbox %s(%s) failed", getattr(hook, "__name__", "hook"), sid)

    def _toolbox(self) -> SandboxToolbox | None:
        return None if self._closing else self.toolbox

    async def sandbox_created(self, sb: Doc) -> None:
        """The toolbox prepares the sandbox (once per sandbox)."""
        toolbox = self._toolbox()
        if toolbox is not None:
            hook = functools.partial(
                toolbox.sandbox_created,
                disk_gib=float(sb.get("disk") or 0),
                cpu=float(sb.get("cpu") or 0),
                memory_gib=float(sb.get("memory") or 0),
            )
            await self._tell_toolbox(hook, sb["id"])
        sb["toolboxCreated"] = True

    # ------------------------------------------------------------------ sandboxes
    def kick_sandbox(self, sid: str) -> asyncio.Task[None]:
        return self.drivers.kick(f"sandbox:{sid}", lambda: self._drive_sandbox(sid))

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

    async def _drive_sandbox(self, sid: str) -> None:
        store, s = self.store, self.settings
        while True:
            sb = store.get("sandboxes", sid)
            if sb is None or next_sandbox_state(sb["state"], sb["desiredState"]) is None:
                return
            if sb["state"] == "building_snapshot":
                ok, reason = await self.builds.wait(sb["buildInfo"]["snapshotRef"])
                if not ok:
                    sb["state"] = "build_failed"
                    sb["errorReason"] = reason
                    save_sandbox(store, sb)
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
        toolbox = self._toolbox()
        if nxt == "stopped" and prev == "stopping":
            if toolbox is not None:
                await self._tell_toolbox(toolbox.sandbox_stopped, sb["id"])
            sb["backupState"] = "None"
        elif nxt == "destroyed":
            if toolbox is not None:
                await self._tell_toolbox(toolbox.sandbox_destroyed, sb["id"])
        elif nxt == "building_snapshot":
            info = sb["buildInfo"]
            self.builds.start(info["snapshotRef"], info["dockerfileContent"])
        elif nxt == "archived":
            sb["backupState"] = "Completed"
            sb["backupCreatedAt"] = iso()
            sb["runnerId"] = None
        elif nxt == "started" and not sb.get("toolboxCreated"):
            await self.sandbox_created(sb)
        if nxt == "started":  # a built image's files, copied once into a new sandbox's root
            await image_build.populate_sandbox(self.builds, sb)
        if nxt in ("building_snapshot", "unknown", "creating", "restoring") and not sb["runnerId"]:
            sb["runnerId"] = self.default_runner_id
        sb["state"] = nxt
        save_sandbox(self.store, sb)

    # ------------------------------------------------------------------ backups
    def kick_backup(self, sid: str) -> None:
        self.drivers.kick(f"backup:{sid}", lambda: self._drive_backup(sid))

    async def _drive_backup(self, sid: str) -> None:
        for nxt in ("InProgress", "Completed"):
            await asyncio.sleep(self.settings.transition_delay)
            sb = self.store.get("sandboxes", sid)
            if sb is None or sb.get("backupState") not in ("Pending", "InProgress"):
                return
            sb["backupState"] = nxt
            if nxt == "Completed":
                sb["backupCreatedAt"] = iso()
            save_sandbox(self.store, sb)

    # ------------------------------------------------------------------ snapshots
    def kick_snapshot(self, snap_id: str) -> None:
        self.drivers.kick(f"snapshot:{snap_id}", lambda: self._drive_snapshot(snap_id))

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
                ok, reason = await self.builds.wait(sn["buildInfo"]["snapshotRef"])
                if not ok:
                    nxt = "build_failed"
                    sn["errorReason"] = reason
            else:
                await asyncio.sleep(self.settings.snapshot_step_delay)
            sn = store.get("snapshots", snap_id)
            if sn is None or sn["state"] != state:
                continue
            if nxt == "building":
                info = sn["buildInfo"]
                self.builds.start(info["snapshotRef"], info["dockerfileContent"])
            if nxt == "active":
                sn["size"] = 0.5
                if not sn.get("entrypoint"):
                    sn["entrypoint"] = ["sleep", "infinity"]
            sn["state"] = nxt
            sn["updatedAt"] = iso()
            store.put("snapshots", snap_id, sn)

    # ------------------------------------------------------------------ volumes
    def kick_volume(self, vol_id: str) -> None:
        self.drivers.kick(f"volume:{vol_id}", lambda: self._drive_volume(vol_id))

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
                    save_sandbox(store, sb)
                    self.kick_sandbox(sb["id"])
            elif state == "stopped" and desired == "stopped":
                if idle > sb["autoArchiveInterval"] * minute:
                    sb["desiredState"] = "archived"
                    save_sandbox(store, sb)
                    self.kick_sandbox(sb["id"])
            elif state == "destroyed" and idle > DESTROYED_RETENTION_MINUTES * minute:
                store.delete("sandboxes", sb["id"])
