"""Image builds (Dockerfile ``buildInfo`` of sandboxes and snapshots) and their logs.

A build is keyed by its ref (``daytona-<sha256>:daytona``), so identical builds are shared. It
writes docker-build-like lines to a log file, one step per ``build_step_delay``; the log is
served as the runner serves it (``GET /snapshots/logs``): the whole file, or with ``follow``
one chunk per line until the build is over. Unlike the real snapshot stream, a followed stream
here always ends (``build_logs_linger`` after the build finished).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from daytona_emulator import image_build
from daytona_emulator.control.common import iso, json_response
from daytona_emulator.control.drivers import Drivers
from daytona_emulator.control.validation import Field, validate
from daytona_emulator.errors import ApiError, js_now
from daytona_emulator.object_storage import ObjectStorage
from daytona_emulator.settings import EmulatorSettings
from daytona_emulator.store import Doc, Store

BUILD_INFO = [
    Field("buildInfo.dockerfileContent", "string", optional=False, not_empty=True),
    Field("buildInfo.contextHashes", "array"),
]


def validate_build_info(build: Doc) -> None:
    """ValidateNested on ``buildInfo``: messages carry the ``buildInfo.`` prefix."""
    validate({f"buildInfo.{k}": v for k, v in build.items()}, BUILD_INFO)


def parse_follow(request: Request) -> bool:
    """ParseBoolPipe({optional: true}) on ``follow``."""
    value = request.query_params.get("follow")
    if value is None:
        return False
    if value in ("true", "false"):
        return value == "true"
    raise ApiError(400, "Validation failed (boolean string is expected)", "Bad Request")


class Builds:
    def __init__(self, store: Store, settings: EmulatorSettings, drivers: Drivers) -> None:
        self.store = store
        self.settings = settings
        self.drivers = drivers
        # build contexts (S3 on loopback, moto), started on first push-access
        self.object_storage = ObjectStorage()

    async def aclose(self) -> None:
        await asyncio.to_thread(self.object_storage.close)

    def log_path(self, ref: str) -> Path:
        return self.settings.data_dir / "build-logs" / f"{ref.split(':')[0]}.log"

    def start(self, ref: str, dockerfile: str) -> None:
        build = self.store.get("builds", ref)
        if build is None or build["state"] == "failed":
            build = self.store.put(
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
        if build["state"] == "building":
            self.resume(ref)

    def resume(self, ref: str) -> asyncio.Task[None]:
        return self.drivers.kick(f"build:{ref}", lambda: self._run(ref))

    def state(self, ref: str) -> str | None:
        build = self.store.get("builds", ref)
        return str(build["state"]) if build else None

    async def wait(self, ref: str) -> tuple[bool, str | None]:
        """Wait for the build to end: (succeeded, error reason)."""
        build = self.store.get("builds", ref)
        if build is None:
            return False, "Build not found"
        if build["state"] == "building":
            await asyncio.shield(self.resume(ref))
            build = self.store.get("builds", ref) or build
        return build["state"] == "done", build.get("errorReason")

    async def _run(self, ref: str) -> None:
        """Write docker-build-like log lines, one step per ``build_step_delay``."""
        if image_build.handles(self, ref):  # contexts, COPY/ADD or executed RUN steps
            return await image_build.run_build(self, ref)
        build = self.store.get("builds", ref)
        if build is None:
            return
        path = self.log_path(ref)
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

    # ------------------------------------------------------------------ logs
    def log_response(self, ref: str, follow: bool) -> Response:
        """The runner's ``GET /snapshots/logs``: the whole file, or one chunk per line."""
        path = self.log_path(ref)
        if not path.exists():
            return _runner_error(404, f"build logs not found for ref: {ref}", "/snapshots/logs")
        if not follow:
            return Response(path.read_bytes(), media_type="application/octet-stream")
        return StreamingResponse(
            self._follow_lines(path, ref), media_type="application/octet-stream"
        )

    async def _follow_lines(self, path: Path, ref: str) -> AsyncIterator[bytes]:
        linger = self.settings.build_logs_linger
        done_at: float | None = None
        pending = b""
        with path.open("rb") as f:
            while True:
                chunk = f.read()
                if chunk:
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        yield line + b"\n"
                    continue
                if self.state(ref) != "building":
                    done_at = done_at or time.monotonic()
                    if time.monotonic() - done_at >= linger:
                        if pending:
                            yield pending
                        return
                await asyncio.sleep(0.05)


def _runner_error(status: int, message: str, path: str) -> Response:
    body = {
        "statusCode": status,
        "message": message,
        "code": "NOT_FOUND",
        "timestamp": js_now(),
        "path": path,
        "method": "GET",
    }
    return json_response(body, status)
