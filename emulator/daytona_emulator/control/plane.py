"""The control plane of one emulator instance: store, guards, builds, lifecycle clock, toolbox.

One :class:`Control` per app. Documents (plain dicts) live in the
:class:`~daytona_emulator.store.Store`; handlers mutate them in place on the event-loop thread
and save them with ``store.put``. The store, the guards and the clock exist from
:meth:`Control.start` (the app's startup) on.
"""

from __future__ import annotations

import secrets
import time

from daytona_emulator.control.auth import Auth, key_hash
from daytona_emulator.control.builds import Builds
from daytona_emulator.control.common import PERMISSIONS, iso, new_id
from daytona_emulator.control.drivers import Drivers
from daytona_emulator.control.lifecycle import Lifecycle
from daytona_emulator.control.orgs import DEFAULT_USER_ID, create_org
from daytona_emulator.control.sandbox_model import (
    RUNNER_DOMAIN,
    sandbox_dto,
    save_sandbox,
    workspace_dto,
)
from daytona_emulator.ports import SandboxToolbox
from daytona_emulator.settings import EmulatorSettings
from daytona_emulator.store import Doc, Store


class Control:
    """State and clock of one emulator instance."""

    store: Store
    auth: Auth
    builds: Builds
    lifecycle: Lifecycle

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.default_org_id = ""
        self.default_user_id = DEFAULT_USER_ID
        self.default_runner_id = ""
        self.registry_id = ""
        self._toolbox: SandboxToolbox | None = None
        self._started = False

    @property
    def toolbox(self) -> SandboxToolbox | None:
        return self._toolbox

    @toolbox.setter
    def toolbox(self, toolbox: SandboxToolbox | None) -> None:
        self._toolbox = toolbox
        if self._started:
            self.lifecycle.toolbox = toolbox

    # ------------------------------------------------------------------ startup / shutdown
    async def start(self) -> None:
        self.store = Store(self.settings.db_path)
        self.auth = Auth(self.store, self.settings.jwt_secret)
        self._bootstrap()
        drivers = Drivers()
        self.builds = Builds(self.store, self.settings, drivers)
        self.lifecycle = Lifecycle(
            self.store, self.settings, drivers, self.builds, self.default_runner_id
        )
        self.lifecycle.toolbox = self._toolbox
        self._started = True
        self.lifecycle.start()

    def closing(self) -> None:
        """Shutdown started: lifecycle hooks no longer reach the toolbox."""
        if self._started:
            self.lifecycle.closing()

    async def aclose(self) -> None:
        if self._started:
            await self.lifecycle.aclose()
            await self.builds.aclose()
            self.store.close()
            self._started = False

    # ------------------------------------------------------------------ sandbox documents
    def touch_activity(self, sb: Doc) -> None:
        """A toolbox request: bump ``lastActivityAt`` (no entity save, no token rotation)."""
        sb["lastActivityAt"] = time.time()
        self.store.touch("sandboxes", sb["id"])

    def save_sandbox(self, sb: Doc) -> Doc:
        return save_sandbox(self.store, sb)

    def sandbox_dto(self, sb: Doc, state: str | None = None) -> Doc:
        return sandbox_dto(self.store, sb, state)

    def workspace_dto(self, sb: Doc, state: str | None = None) -> Doc:
        return workspace_dto(self.store, sb, state)

    # ------------------------------------------------------------------ bootstrap
    def _bootstrap(self) -> None:
        """The instance's fixed objects: default user, organization, key, runner, snapshot."""
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
            create_org(
                store, "Personal", DEFAULT_USER_ID, personal=True, org_id=self.default_org_id
            )
        org = store.get("orgs", self.default_org_id)
        assert org is not None
        if s.default_quota:
            org["quota"].update(dict(s.default_quota))
            store.put("orgs", org["id"], org)
        self._bootstrap_key(now)
        self._bootstrap_runner(now)
        self._bootstrap_snapshot(now)

    def _bootstrap_key(self, now: str) -> None:
        """The configured key: owner key of the default organization, all permissions."""
        store, api_key = self.store, self.settings.api_key
        h = key_hash(api_key)
        for key in list(store.all("apikeys")):
            if key.get("configured") and key["keyHash"] != h:
                store.delete("apikeys", key["keyHash"])
        if store.get("apikeys", h) is None:
            store.put(
                "apikeys",
                h,
                {
                    "name": "emulator",
                    "keyHash": h,
                    "keyPrefix": api_key[:3],
                    "keySuffix": api_key[-3:],
                    "organizationId": self.default_org_id,
                    "userId": DEFAULT_USER_ID,
                    "permissions": list(PERMISSIONS),
                    "createdAt": now,
                    "lastUsedAt": None,
                    "expiresAt": None,
                    "configured": True,
                },
            )

    def _bootstrap_runner(self, now: str) -> None:
        if self.store.get("runners", self.default_runner_id) is not None:
            return
        self.store.put(
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

    def _bootstrap_snapshot(self, now: str) -> None:
        store, name = self.store, self.settings.default_snapshot
        if any(sn["name"] == name and sn.get("general") for sn in store.all("snapshots")):
            return
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
