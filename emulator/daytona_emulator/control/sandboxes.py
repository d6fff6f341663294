"""Sandboxes (and the deprecated ``/workspace`` mirror): create, list, lifecycle, logs."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.builds import parse_follow, validate_build_info
from daytona_emulator.control.common import (
    bad,
    empty,
    forbidden,
    internal,
    is_uuid,
    iso,
    json_response,
    new_id,
    not_found,
    num,
    org_doc,
    pg_bool,
    read_json,
)
from daytona_emulator.control.plane import Control
from daytona_emulator.control.quota import check_quota
from daytona_emulator.control.sandbox_model import (
    DESTROYABLE,
    MAX_AUTO_ARCHIVE,
    auth_token,
    build_ref,
)
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.store import Doc

Handler = Callable[[Request], Awaitable[Response]]
INT_RE = re.compile(r"^\s*[+-]?\d+\s*$", re.ASCII)  # Postgres int4 input syntax

_COMMON_FIELDS = [
    Field("user", "string"),
    Field("env", "object"),
    Field("labels", "object"),
    Field("public", "boolean"),
    Field("class", "any", enum=("small", "medium", "large")),
    Field("target", "any", enum=("eu", "us", "asia")),
    Field("cpu", "number"),
    Field("gpu", "number"),
    Field("memory", "number"),
    Field("disk", "number"),
    Field("autoStopInterval", "number"),
    Field("autoArchiveInterval", "number"),
    Field("volumes", "array"),
    Field("buildInfo", "object"),
]
CREATE_SANDBOX = [Field("snapshot", "string"), *_COMMON_FIELDS]
CREATE_WORKSPACE = [Field("image", "string"), *_COMMON_FIELDS]


DEFAULT_AUTO_STOP = 15  # minutes: the column's default
DEFAULT_AUTO_ARCHIVE = 10080  # minutes (7 days): the column's default


def _auto_intervals(body: Doc) -> tuple[float | None, float | None]:
    """``autoStopInterval`` and ``autoArchiveInterval`` of a create body, as the service's
    ``resolveAutoStopInterval``/``resolveAutoArchiveInterval`` leave them for the insert.

    A field that is absent keeps the column's default; one that is present, ``null``
    included, goes through the resolver (the service tests ``!== undefined``): a negative
    value is a 400; ``null`` passes (``null < 0`` is false), so ``autoStopInterval: null``
    reaches the insert as NULL (:func:`_pg_int`: a 500, as Postgres answers it) and
    ``autoArchiveInterval: null`` becomes ``Math.min(null, max)``, that is 0."""
    auto_stop = body.get("autoStopInterval", DEFAULT_AUTO_STOP)
    if auto_stop is not None and auto_stop < 0:
        raise bad("Auto-stop interval must be non-negative")
    if "autoArchiveInterval" not in body:
        return auto_stop, DEFAULT_AUTO_ARCHIVE
    auto_archive = body["autoArchiveInterval"]
    if auto_archive is None:
        return auto_stop, 0  # JavaScript's Math.min(null, max)
    if auto_archive < 0:
        raise bad("Auto-archive interval must be non-negative")
    return auto_stop, MAX_AUTO_ARCHIVE if auto_archive == 0 else min(auto_archive, MAX_AUTO_ARCHIVE)


def _js_number(value: float) -> str:
    """A number as JavaScript's ``String()`` prints it (what reaches Postgres' input)."""
    if float(value).is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(float(value))
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa.removesuffix('.0')}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def _pg_int(column: str, value: float | None) -> int:
    """The value an ``integer NOT NULL`` column of the ``sandbox`` table takes, or the 500
    (a plain ``Error`` from the driver, in the service's error body) Postgres answers."""
    if value is None:
        raise internal(
            f'null value in column "{column}" of relation "sandbox" violates not-null constraint'
        )
    if not float(value).is_integer() or abs(value) >= 1e21:
        raise internal(f'invalid input syntax for type integer: "{_js_number(value)}"')
    if not -(2**31) <= int(value) < 2**31:
        raise internal(f'value "{_js_number(value)}" is out of range for type integer')
    return int(value)


class SandboxApi:
    def __init__(self, control: Control) -> None:
        self.c = control

    # ------------------------------------------------------------------ helpers
    def sandbox_for(self, sid: str, org: Doc) -> Doc:
        """SandboxAccessGuard: unknown, non-UUID and other-org ids are all 404."""
        return org_doc(self.c.store, "sandboxes", sid, org, f"Sandbox with ID {sid} not found")

    def guarded(self, request: Request, permission: str | None = None) -> tuple[Doc, Doc]:
        _, org = self.c.auth.scoped(request, permission)
        return org, self.sandbox_for(request.path_params["sandboxId"], org)

    def find_snapshot(self, org_id: str, ref: str) -> Doc | None:
        found = [
            sn
            for sn in self.c.store.all("snapshots")
            if (sn["name"] == ref or (is_uuid(ref) and sn["id"] == ref))
            and (sn["organizationId"] == org_id or sn.get("general"))
        ]
        found.sort(key=lambda sn: sn["organizationId"] != org_id)
        return found[0] if found else None

    def pick_runner(self) -> Doc:
        runners = [
            r
            for r in self.c.store.all("runners")
            if r["state"] == "ready" and not r["unschedulable"]
        ]
        if not runners:
            raise bad("No available runners")
        runners.sort(key=lambda r: r["id"] != self.c.default_runner_id)
        return runners[0]

    def dto(self, sb: Doc, workspace: bool, state: str | None = None) -> Doc:
        return self.c.workspace_dto(sb, state) if workspace else self.c.sandbox_dto(sb, state)

    # ------------------------------------------------------------------ create / read
    async def create(self, request: Request, workspace: bool) -> Response:
        c = self.c
        _, org = c.auth.scoped(request, "write:sandboxes")
        body = validate(await read_json(request), CREATE_WORKSPACE if workspace else CREATE_SANDBOX)
        build = body.get("buildInfo")
        snapshot_name = body.get("image" if workspace else "snapshot")
        if workspace and build is not None:
            raise forbidden(
                "Build info is not supported in this deprecated API - please upgrade your client"
            )
        if build is not None and snapshot_name:
            raise bad("Cannot specify a snapshot when using a build info entry")
        auto_stop, auto_archive = _auto_intervals(body)
        resources = {k: body.get(k) for k in ("cpu", "gpu", "memory", "disk")}
        now = time.time()
        sid = new_id()
        if build is not None:
            validate_build_info(build)
            cpu, gpu, mem, disk = (
                resources["cpu"] or 1,
                resources["gpu"] or 0,
                resources["memory"] or 1,
                resources["disk"] or 3,
            )
            hashes = [str(h) for h in build.get("contextHashes") or []]
            ref = build_ref(build["dockerfileContent"], hashes)
            built = c.builds.state(ref) == "done"
            build_info: Doc | None = {
                "dockerfileContent": build["dockerfileContent"],
                "contextHashes": hashes,
                "createdAt": iso(now),
                "updatedAt": iso(now),
                "snapshotRef": ref,
            }
            snapshot_value = None
            state = "unknown" if built else "pending_build"
        else:
            if any(resources.values()) and not workspace:
                raise bad("Cannot specify Sandbox resources when using a snapshot")
            ref = snapshot_name or c.settings.default_snapshot
            snap = self.find_snapshot(org["id"], ref)
            if snap is None or snap["state"] != "active":
                raise bad(
                    f"Snapshot {ref} not found. Did you add it through the Daytona Dashboard?"
                )
            cpu = resources["cpu"] or snap["cpu"]
            gpu = resources["gpu"] or snap["gpu"]
            mem = resources["memory"] or snap["mem"]
            disk = resources["disk"] or snap["disk"]
            build_info = None
            snapshot_value = snap["name"]
            state = "unknown"
            snap["lastUsedAt"] = iso(now)
            c.store.touch("snapshots", snap["id"])
        check_quota(c.store, org, cpu, mem, disk)
        runner = self.pick_runner()
        # the row's insert: what Postgres refuses in the two integer columns
        auto_stop = _pg_int("autoStopInterval", auto_stop)
        auto_archive = _pg_int("autoArchiveInterval", auto_archive)
        sb: Doc = {
            "id": sid,
            "organizationId": org["id"],
            "snapshot": snapshot_value,
            "user": body.get("user") or "daytona",
            "env": body.get("env") or {},
            "labels": body.get("labels") or {},
            "public": bool(body.get("public", False)),
            "target": body.get("target") or "us",
            "cpu": num(cpu),
            "gpu": num(gpu),
            "memory": num(mem),
            "disk": num(disk),
            "state": state,
            "desiredState": "started",
            "pending": False,
            "errorReason": None,
            "backupState": "None",
            "backupCreatedAt": None,
            "autoStopInterval": auto_stop,
            "autoArchiveInterval": auto_archive,
            "runnerId": runner["id"] if state == "unknown" else None,
            "volumes": body.get("volumes") or [],
            "buildInfo": build_info,
            "createdAt": iso(now),
            "updatedAt": iso(now),
            "lastActivityAt": now,
            "authToken": auth_token(),
            "class": body.get("class") or "small",
            "toolboxCreated": False,
        }
        c.store.put("sandboxes", sid, sb)
        await c.lifecycle.sandbox_created(sb)
        if build is not None:
            c.lifecycle.kick_sandbox(sid)
            return json_response(self.dto(sb, workspace))
        sb = await c.lifecycle.wait_for_create(sid)
        return json_response(self.dto(sb, workspace, state=sb["state"]))

    async def list_all(self, request: Request, workspace: bool) -> Response:
        _, org = self.c.auth.scoped(request)
        raw = request.query_params.get("labels")
        wanted: Any = None
        if raw is not None:
            try:
                wanted = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise internal(f"Unexpected token in JSON at position {exc.pos}") from exc
            except RecursionError:
                raise internal("Maximum call stack size exceeded") from None
        out = []
        for sb in self.c.store.all("sandboxes"):
            if sb["organizationId"] != org["id"] or sb["state"] == "destroyed":
                continue
            if wanted is not None:
                if not isinstance(wanted, dict):
                    continue
                labels = sb["labels"]
                if any(labels.get(k) != v for k, v in wanted.items()):
                    continue
            out.append(self.dto(sb, workspace))
        return json_response(out)

    async def get(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request)
        return json_response(self.dto(sb, workspace))

    # ------------------------------------------------------------------ lifecycle
    async def start(self, request: Request, workspace: bool) -> Response:
        org, sb = self.guarded(request, "write:sandboxes")
        if sb["pending"]:
            raise bad("Sandbox state change in progress")
        if sb["state"] != sb["desiredState"]:
            raise bad("State change in progress")
        if sb["state"] not in ("stopped", "archived"):
            raise bad("Sandbox is not in valid state")
        check_quota(self.c.store, org, sb["cpu"], sb["memory"], sb["disk"], exclude=sb["id"])
        if sb["backupState"] in ("Completed", "Error"):
            sb["backupState"] = "None"
        self._desire(sb, "started")
        return empty()

    async def stop(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request, "write:sandboxes")
        if sb["pending"]:
            raise bad("Sandbox state change in progress")
        if sb["state"] != sb["desiredState"]:
            raise bad("State change in progress")
        if sb["state"] != "started":
            raise bad("Sandbox is not started")
        self._desire(sb, "stopped")
        return empty()

    async def archive(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request, "write:sandboxes")
        if sb["pending"]:
            raise bad("Sandbox state change in progress")
        if sb["state"] != sb["desiredState"]:
            raise bad("State change in progress")
        if sb["state"] != "stopped":
            raise bad("Sandbox is not stopped")
        self._desire(sb, "archived")
        return empty()

    async def delete(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request, "delete:sandboxes")
        if sb["pending"]:
            raise bad("Sandbox state change in progress")
        if sb["state"] not in DESTROYABLE:
            raise internal(
                f"Sandbox {sb['id']} is not in a valid state to be destroyed. State: {sb['state']}"
            )
        if sb["state"] != "destroyed":
            self._desire(sb, "destroyed")
        return empty()

    def _desire(self, sb: Doc, desired: str) -> None:
        sb["desiredState"] = desired
        sb["pending"] = True
        self.c.save_sandbox(sb)
        self.c.lifecycle.kick_sandbox(sb["id"])

    async def backup(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request, "write:sandboxes")
        if sb["backupState"] in ("Pending", "InProgress"):
            raise bad("Sandbox backup is already in progress")
        sb["backupState"] = "Pending"
        self.c.save_sandbox(sb)
        self.c.lifecycle.kick_backup(sb["id"])
        return empty(201)

    async def set_public(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request, "write:sandboxes")
        # the handler gets the path string; Postgres casts it (`True`, `FALSE`, `1`, ...)
        sb["public"] = pg_bool(request.path_params["isPublic"])
        self.c.save_sandbox(sb)
        return empty(201)

    @staticmethod
    def _interval(request: Request) -> int:
        """The path string as Postgres reads it into an ``integer`` column (or its 500)."""
        raw = request.path_params["interval"]
        if not INT_RE.match(raw):
            raise internal(f'invalid input syntax for type integer: "{raw}"')
        value = int(raw)
        if not -(2**31) <= value < 2**31:
            raise internal(f'value "{raw.strip()}" is out of range for type integer')
        return value

    async def set_autostop(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request, "write:sandboxes")
        value = self._interval(request)
        if value < 0:
            raise bad("Auto-stop interval must be non-negative")
        sb["autoStopInterval"] = value
        self.c.save_sandbox(sb)
        return empty(201)

    async def set_autoarchive(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request, "write:sandboxes")
        value = self._interval(request)
        if value < 0:
            raise bad("Auto-archive interval must be non-negative")
        # the path value is a string: the `=== 0 -> max` branch never fires, 0 is stored
        sb["autoArchiveInterval"] = min(value, MAX_AUTO_ARCHIVE)
        self.c.save_sandbox(sb)
        return empty(201)

    async def replace_labels(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request, "write:sandboxes")
        body = validate(await read_json(request), [Field("labels", "object", optional=False)])
        sb["labels"] = body["labels"]
        self.c.save_sandbox(sb)
        return json_response({"labels": sb["labels"]})

    async def preview_url(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request)
        raw = request.path_params["port"]
        try:
            port = float(raw)
        except ValueError:
            port = float("nan")
        if not (1 <= port <= 65535):
            raise bad("Invalid port")
        if sb["state"] != "started":
            raise bad("Sandbox must be started to get port preview URL")
        runner = self.c.store.get("runners", sb["runnerId"] or "")
        domain = runner["domain"] if runner else ""
        return json_response(
            {"url": f"https://{num(port)}-{sb['id']}.{domain}", "token": sb["authToken"]}
        )

    async def build_logs(self, request: Request, workspace: bool) -> Response:
        _, sb = self.guarded(request)
        follow = parse_follow(request)
        if not sb.get("runnerId"):
            raise not_found(f"Sandbox with ID {sb['id']} not found or has no runner assigned")
        if not sb.get("buildInfo"):
            raise not_found(f"Sandbox with ID {sb['id']} has no build info")
        ref = sb["buildInfo"]["snapshotRef"]
        return self.c.builds.log_response(ref, follow)

    # ------------------------------------------------------------------ routes
    def routes(self) -> list[Route]:
        out: list[Route] = []
        for prefix, workspace in (("/api/sandbox", False), ("/api/workspace", True)):
            one = f"{prefix}/{{sandboxId}}"
            table: list[tuple[str, str, Callable[[Request, bool], Awaitable[Response]]]] = [
                (one, "GET", self.get),
                (prefix, "GET", self.list_all),
                (prefix, "POST", self.create),
                (one, "DELETE", self.delete),
                (f"{one}/start", "POST", self.start),
                (f"{one}/stop", "POST", self.stop),
                (f"{one}/archive", "POST", self.archive),
                (f"{one}/backup", "POST", self.backup),
                (f"{one}/labels", "PUT", self.replace_labels),
                (f"{one}/public/{{isPublic}}", "POST", self.set_public),
                (f"{one}/autostop/{{interval}}", "POST", self.set_autostop),
                (f"{one}/autoarchive/{{interval}}", "POST", self.set_autoarchive),
                (f"{one}/ports/{{port}}/preview-url", "GET", self.preview_url),
                (f"{one}/build-logs", "GET", self.build_logs),
            ]
            for path, method, fn in table:
                out.append(
                    Route(
                        path,
                        _bind(fn, workspace),
                        methods=[method],
                        name=f"{'workspace' if workspace else 'sandbox'}:{method}:{path}",
                    )
                )
        return out


def _bind(fn: Callable[[Request, bool], Awaitable[Response]], workspace: bool) -> Handler:
    async def endpoint(request: Request) -> Response:
        return await fn(request, workspace)

    return endpoint
