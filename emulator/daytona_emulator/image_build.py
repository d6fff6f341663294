"""Builds of Dockerfiles with build contexts, as the runner does them, on the host.

A build that names ``contextHashes``, copies local files (``COPY``/``ADD``), or runs with
``--build-run-commands`` is done here: the contexts are fetched from the emulator's object
storage (``{organizationId}/{hash}/context.tar``) and unpacked into one build context; a hash
missing from storage fails the build (``build_failed`` with the reason). Each instruction is
logged as the runner's ``docker build`` log shows it (``Step i/n : ...`` then `` ---> id``).
``COPY``/``ADD`` content lands in an image root under ``data_dir/images/``, which is copied into
the root of every sandbox created from the build (directly, or through a snapshot).

``RUN`` steps are logged; they are executed only with ``--build-run-commands``
(``EmulatorSettings.build_run_commands``), inside the isolation a sandbox gets
(``daytona_emulator.isolation``: own namespaces, no capabilities) with the image root being
built as ``/``, never on the host; where isolation is unavailable the step fails the build,
unless the emulator runs with ``--unsafe-run-commands-on-host``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import glob
import hashlib
import json
import os
import posixpath
import shlex
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from daytona_emulator import isolation

if TYPE_CHECKING:
    from collections.abc import Callable

    from daytona_emulator.object_storage import ObjectStorage
    from daytona_emulator.settings import EmulatorSettings
    from daytona_emulator.store import Store

__all__ = ["handles", "populate_sandbox", "run_build"]

Doc = dict[str, Any]

RUN_OUTPUT_LIMIT = 1 << 20  # bytes of a RUN step's output copied into the log


class Control(Protocol):
    """What a build needs from the control plane (its ``Builds``): no import of it here."""

    settings: EmulatorSettings
    store: Store
    object_storage: ObjectStorage

    def log_path(self, ref: str) -> Path: ...


class BuildError(Exception):
    """The build failed; the message becomes ``Failed to build image: <message>``."""


def _ref_name(ref: str) -> str:
    return ref.split(":")[0]


def image_root(control: Control, ref: str) -> Path:
    """Where the files of a finished build live."""
    return control.settings.data_dir / "images" / _ref_name(ref) / "rootfs"


def _sources(control: Control, ref: str) -> tuple[list[str], list[str]]:
    """(organization ids, context hashes) of the sandboxes and snapshots built from ``ref``."""
    orgs: list[str] = []
    hashes: list[str] = []
    for table in ("sandboxes", "snapshots"):
        for doc in control.store.all(table):
            info = doc.get("buildInfo") or {}
            if info.get("snapshotRef") != ref:
                continue
            if doc["organizationId"] not in orgs:
                orgs.append(doc["organizationId"])
            hashes = [str(h) for h in info.get("contextHashes") or []]
    return orgs, hashes


def _instructions(dockerfile: str) -> list[str]:
    """Logical lines: continuations (a trailing ``\\``) joined, comments and blanks dropped."""
    out: list[str] = []
    pending = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append((pending + line).strip())
        pending = ""
    if pending.strip():
        out.append(pending.strip())
    return out


def handles(control: Control, ref: str) -> bool:
    """Is this build one for this module (contexts, COPY/ADD, or RUN execution on)?"""
    build = control.store.get("builds", ref)
    if build is None:
        return False
    if control.settings.build_run_commands:
        return True
    if _sources(control, ref)[1]:
        return True
    return any(
        ln.split(None, 1)[0].upper() in ("COPY", "ADD") for ln in _instructions(build["dockerfile"])
    )


def _words(args: str) -> list[str]:
    if args.startswith("["):
        with contextlib.suppress(ValueError):
            parsed = json.loads(args)
            if isinstance(parsed, list):
                return [str(w) for w in parsed]
    return shlex.split(args)


def _inside(root: Path, path: str) -> Path:
    """``path`` (absolute in the image) under ``root``; never outside it."""
    return root / posixpath.normpath("/" + path).lstrip("/")


@dataclass
class _Builder:
    control: Control
    ref: str
    context: Path
    rootfs: Path
    emit: Callable[[str], None]
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)

    def copy(self, args: str) -> None:
        words = [w for w in _words(args) if not w.startswith("--")]
        if len(words) < 2:
            raise BuildError("COPY requires at least two arguments")
        *patterns, dest = words
        dest_abs = posixpath.join(self.workdir, dest)
        sources: list[str] = []
        for pattern in patterns:
            sources += sorted(glob.glob(pattern, root_dir=self.context)) or [pattern]
        into_dir = dest.endswith("/") or len(sources) > 1
        for src in sources:
            local = self.context / posixpath.normpath("/" + src).lstrip("/")
            if not local.exists() and not local.is_symlink():
                raise BuildError(
                    "COPY failed: file not found in build context or excluded by "
                    f".dockerignore: stat {src}: file does not exist"
                )
            target = _inside(self.rootfs, dest_abs)
            if local.is_dir() and not local.is_symlink():
                self._check_inside(target)
                shutil.copytree(local, target, symlinks=True, dirs_exist_ok=True)
                continue
            if into_dir or target.is_dir():
                target = target / local.name
            target.parent.mkdir(parents=True, exist_ok=True)
            self._check_inside(target.parent)
            if target.is_symlink():  # replace the link, never write through it
                target.unlink()
            shutil.copy2(local, target, follow_symlinks=False)

    def _check_inside(self, path: Path) -> None:
        """A symlink copied in earlier must not lead a later COPY out of the image root."""
        if not path.resolve().is_relative_to(self.rootfs.resolve()):
            raise BuildError(f"COPY failed: destination {path.name} leaves the image root")

    async def run(self, args: str) -> None:
        argv = _words(args) if args.startswith("[") else ["/bin/sh", "-c", args]
        self.emit(f" ---> Running in {secrets_hex(self.ref, args)}\n")
        if not self.control.settings.build_run_commands:
            self.emit(" ---> RUN not executed (start the emulator with --build-run-commands)\n")
            return
        cwd = _inside(self.rootfs, self.workdir)
        cwd.mkdir(parents=True, exist_ok=True)
        settings = self.control.settings
        if settings.unsafe_run_commands_on_host:  # the old way: on the host
            command, run_cwd, env = argv, str(cwd), {**os.environ, **self.env}
        else:
            status = await asyncio.to_thread(isolation.probe_once, not settings.isolation)
            if not status.available:
                raise BuildError(
                    f"RUN needs sandbox isolation, unavailable here ({status.reason}); start "
                    "the emulator with --unsafe-run-commands-on-host to run it on this host"
                )
            inner_env = {"HOME": "/root", "PATH": isolation.SANDBOX_PATH, **self.env}
            wrap = await asyncio.to_thread(
                functools.partial(
                    isolation.bwrap_argv,
                    status,
                    self.rootfs,
                    hostname="buildkitsandbox",
                    cwd=posixpath.normpath("/" + self.workdir),
                    env=inner_env,
                )
            )
            command, run_cwd, env = [*wrap, "--", *argv], "/", None
        proc = await asyncio.create_subprocess_exec(
            *command,
            cwd=run_cwd,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert proc.stdout is not None
        logged = 0
        async for line in proc.stdout:
            if logged < RUN_OUTPUT_LIMIT:
                self.emit(line.decode("utf-8", "replace"))
                logged += len(line)
        code = await proc.wait()
        if code != 0:
            shown = " ".join(argv) if not args.startswith("[") else args
            raise BuildError(f"The command '{shown}' returned a non-zero code: {code}")

    async def step(self, line: str) -> None:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword in ("COPY", "ADD"):
            if "--from=" in args:
                return
            await asyncio.to_thread(self.copy, args)
        elif keyword == "WORKDIR":
            words = shlex.split(args)
            self.workdir = posixpath.join(self.workdir, words[0] if words else "/")
            _inside(self.rootfs, self.workdir).mkdir(parents=True, exist_ok=True)
        elif keyword == "ENV":
            for word in shlex.split(args):
                key, sep, value = word.partition("=")
                if sep:
                    self.env[key] = value
        elif keyword == "RUN":
            await self.run(args)


def secrets_hex(*parts: str) -> str:
    """A 12-hex id like docker's, stable for the same build step."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]


def _fetch_contexts(control: Control, orgs: list[str], hashes: list[str], context: Path) -> None:
    storage = control.object_storage
    for context_hash in hashes:
        with tempfile.TemporaryDirectory(dir=context.parent) as tmp:
            tar_path = Path(tmp) / "context.tar"
            if not any(storage.fetch(org, context_hash, tar_path) for org in orgs):
                raise BuildError(f"build context {context_hash} not found in object storage")
            with tarfile.open(tar_path) as tar:
                tar.extractall(context, filter="data")


async def run_build(control: Control, ref: str) -> None:
    """Run build ``ref`` (a row of ``builds`` in state ``building``) to ``done`` or ``failed``."""
    build = control.store.get("builds", ref)
    if build is None:
        return
    orgs, hashes = _sources(control, ref)
    lines = _instructions(build["dockerfile"])
    log_path = control.log_path(ref)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    work = control.settings.data_dir / "images" / f"{_ref_name(ref)}.partial"
    await asyncio.to_thread(shutil.rmtree, work, True)
    context, rootfs = work / "context", work / "rootfs"
    context.mkdir(parents=True)
    rootfs.mkdir()
    delay = control.settings.build_step_delay
    with log_path.open("w", encoding="utf-8") as f:

        def emit(text: str) -> None:
            f.write(text)
            f.flush()

        builder = _Builder(control, ref, context, rootfs, emit)
        emit(f"Building image {ref}\n")
        try:
            await asyncio.to_thread(_fetch_contexts, control, orgs, hashes, context)
            if not any(ln.split(None, 1)[0].upper() == "FROM" for ln in lines):
                raise BuildError("failed to solve: no build stage in current context")
            for i, line in enumerate(lines, 1):
                emit(f"Step {i}/{len(lines)} : {line}\n")
                await asyncio.sleep(delay)
                await builder.step(line)
                emit(f" ---> {secrets_hex(ref, str(i), line)}\n")
        except (BuildError, OSError, tarfile.TarError) as exc:
            emit(f"ERROR: {exc}\n")
            build["state"] = "failed"
            build["errorReason"] = f"Failed to build image: {exc}"
        else:
            final = image_root(control, ref)
            await asyncio.to_thread(shutil.rmtree, final.parent, True)
            final.parent.mkdir(parents=True)
            rootfs.rename(final)
            emit(f"Successfully built {secrets_hex(ref)}\nSuccessfully tagged {ref}\n")
            build["state"] = "done"
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)
    control.store.put("builds", ref, build)


def _sandbox_ref(control: Control, sb: Doc) -> str | None:
    info = sb.get("buildInfo")
    if info:
        return str(info["snapshotRef"])
    name = sb.get("snapshot")
    for sn in control.store.all("snapshots"):
        if sn.get("name") == name and sn.get("buildInfo"):
            if sn["organizationId"] == sb["organizationId"] or sn.get("general"):
                return str(sn["buildInfo"]["snapshotRef"])
    return None


async def populate_sandbox(control: Control, sb: Doc) -> None:
    """Copy the files of the sandbox's build (if it has one) into its root, once: a restart
    keeps what the sandbox changed since."""
    if sb.get("imageRootCopied"):
        return
    ref = _sandbox_ref(control, sb)
    source = image_root(control, ref) if ref else None
    if source is not None and source.is_dir():
        root = control.settings.sandboxes_dir / sb["id"] / "root"
        await asyncio.to_thread(shutil.copytree, source, root, symlinks=True, dirs_exist_ok=True)
    sb["imageRootCopied"] = True
