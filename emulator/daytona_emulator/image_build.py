"""Builds of Dockerfiles with build contexts, as the runner does them, on the host.

A build that names ``contextHashes``, copies local files (``COPY``/``ADD``), or runs with
``--build-run-commands`` is done here: the contexts are fetched from the emulator's object
storage (``{organizationId}/{hash}/context.tar``) and unpacked into one build context; a hash
missing from storage fails the build (``build_failed`` with the reason). Each instruction is
logged as the runner's ``docker build`` log shows it (``Step i/n : ...`` then `` ---> id``).
``COPY``/``ADD`` content lands in an image root under ``data_dir/images/``, which is copied into
the root of every sandbox created from the build (directly, or through a snapshot). ``ADD``
unpacks a local tar archive (plain, gzip, bzip2 or xz) into its destination, as the runner's
builder does; it fetches no URL.

Files never leave their trees: the contexts are unpacked, and ``COPY``/``ADD`` (globs
included) read the context and write the image root, through directory descriptors opened
level by level with ``O_NOFOLLOW`` (:class:`_Tree`). A symlink met on the way is interpreted
inside its own tree, as if that tree were ``/`` (as the runner's builder does: a link to
``/usr/lib`` in the image means the image's ``/usr/lib``), never by the kernel against the
host's filesystem; symlinks are copied as symlinks. An archive member with an absolute name,
``..``, a link leaving the context or a device is refused (``build_failed``), and a failed
build's reason names only paths of the context or of the image.

``RUN`` steps are logged; they are executed only with ``--build-run-commands``
(``EmulatorSettings.build_run_commands``), inside the isolation a sandbox gets
(``daytona_emulator.isolation``: own namespaces, no capabilities) with the image root being
built as ``/``, never on the host; where isolation is unavailable the step fails the build,
unless the emulator runs with ``--unsafe-run-commands-on-host``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fnmatch
import functools
import hashlib
import json
import os
import posixpath
import shlex
import shutil
import stat
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from daytona_emulator import isolation

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

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


# ---------------------------------------------------------------------- trees by descriptor

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_LINKS = 40  # symlinks followed in one path, as Linux's ELOOP bound
_CHUNK = 1 << 20
_MAGIC = frozenset("*?[")


def _parts(path: str) -> list[str]:
    """The components of ``path`` taken from ``/``: ``..`` cannot climb above it."""
    return [p for p in posixpath.normpath("/" + path).split("/") if p]


def _shown(parts: Sequence[str]) -> str:
    return "/" + "/".join(parts)


class _Tree:
    """A directory addressed only through descriptors (``openat`` with ``O_NOFOLLOW`` at
    every level): nothing done through it reaches outside it.

    A symlink met inside a path is interpreted here, inside the tree (an absolute target
    starts again from the tree's top, ``..`` stops there), never by the kernel: as the
    runner's builder resolves paths in an image, and as ``openat2(RESOLVE_IN_ROOT)`` does.
    ``what`` names the tree in errors ("build context", "image"); no host path is shown."""

    def __init__(self, path: Path | int, what: str) -> None:
        """The tree at ``path``, or at a directory descriptor (duplicated: the caller keeps
        its own)."""
        self.what = what
        if isinstance(path, int):
            self.fd = os.dup(path)
        else:
            self.fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> _Tree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open_dir(self, parts: Sequence[str], *, create: bool) -> tuple[int, list[str]]:
        """A descriptor of the directory at ``parts`` (symlinks followed inside the tree;
        missing levels made with ``create``) and the path it resolved to. Caller closes."""
        stack = [os.dup(self.fd)]
        names: list[str] = []
        todo = list(reversed(parts))
        links = retries = 0
        try:
            while todo:
                name = todo.pop()
                if name in ("", "."):
                    continue
                if name == "..":
                    if len(stack) > 1:
                        os.close(stack.pop())
                        names.pop()
                    continue
                here = stack[-1]
                try:
                    fd = os.open(name, _DIR_FLAGS, dir_fd=here)
                except FileNotFoundError:
                    if not create:
                        raise BuildError(
                            f"{_shown([*names, name])}: no such directory in the {self.what}"
                        ) from None
                    with contextlib.suppress(FileExistsError):  # mkdir never follows a link
                        os.mkdir(name, 0o755, dir_fd=here)
                    retries += 1  # should the entry keep vanishing under a racing writer
                    if retries > 3:
                        raise BuildError(f"{_shown([*names, name])}: cannot be created") from None
                    todo.append(name)  # open it (or whatever won a race) on the next turn
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                        raise
                    mode = os.stat(name, dir_fd=here, follow_symlinks=False).st_mode
                    if not stat.S_ISLNK(mode):
                        raise BuildError(
                            f"{_shown([*names, name])} is not a directory in the {self.what}"
                        ) from None
                    links += 1
                    if links > _MAX_LINKS:
                        raise BuildError(
                            f"{_shown([*names, name])}: too many levels of symbolic links"
                        ) from None
                    target = os.readlink(name, dir_fd=here)
                    if target.startswith("/"):
                        while len(stack) > 1:
                            os.close(stack.pop())
                        names.clear()
                    todo.extend(reversed(target.split("/")))
                    continue
                stack.append(fd)
                names.append(name)
                retries = 0
            return stack.pop(), names
        finally:
            for fd in stack:
                os.close(fd)

    def parent(self, parts: Sequence[str], *, create: bool) -> tuple[int, list[str], str]:
        """(descriptor of the directory holding ``parts[-1]``, its path, the last name)."""
        fd, where = self.open_dir(parts[:-1], create=create)
        return fd, where, parts[-1]

    def glob(self, pattern: str) -> list[list[str]]:
        """What ``pattern`` (a path of this tree, ``*?[`` per level as Go's
        ``filepath.Match``) names here; only names of this tree are ever listed."""
        parts = _parts(pattern)
        found: list[list[str]] = [[]]
        for i, part in enumerate(parts):
            if not _MAGIC.intersection(part):
                found = [[*f, part] for f in found]
                continue
            matched: list[list[str]] = []
            for prefix in found:
                try:
                    fd, _ = self.open_dir(prefix, create=False)
                except (BuildError, OSError):
                    continue
                try:
                    names = sorted(os.listdir(fd))
                finally:
                    os.close(fd)
                matched += [[*prefix, n] for n in names if fnmatch.fnmatchcase(n, part)]
            found = matched
            if not found:
                return []
            if i == len(parts) - 1:
                return found
        return [f for f in found if self.lexists(f)] if _MAGIC.intersection(pattern) else found

    def lexists(self, parts: Sequence[str]) -> bool:
        if not parts:
            return True
        try:
            fd, _, name = self.parent(parts, create=False)
        except (BuildError, OSError):
            return False
        try:
            os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            return False
        finally:
            os.close(fd)
        return True


def _remove_entry(dir_fd: int, name: str, shown: str) -> None:
    """Make room for a new entry ``name``: a file or link goes; a directory is refused."""
    try:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise BuildError(f"cannot replace the directory {shown} with a file")
    os.unlink(name, dir_fd=dir_fd)


def _write_file(
    src: Iterator[bytes] | int, dst_fd: int, name: str, mode: int, shown: str, mtime_ns: int
) -> None:
    """Create ``name`` in ``dst_fd`` (replacing a file or link, never writing through one)
    with the bytes of ``src`` (a descriptor, copied by the kernel; or chunks)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        out = os.open(name, flags, 0o600, dir_fd=dst_fd)
    except FileExistsError:
        _remove_entry(dst_fd, name, shown)
        out = os.open(name, flags, 0o600, dir_fd=dst_fd)
    try:
        if isinstance(src, int):
            _copy_fd(src, out)
        else:
            for chunk in src:
                _write_all(out, chunk)
        os.fchmod(out, mode & 0o777)  # no set-id or sticky bit
        os.utime(out, ns=(mtime_ns, mtime_ns))
    finally:
        os.close(out)


def _write_all(out: int, chunk: bytes) -> None:
    view = memoryview(chunk)
    while view:
        view = view[os.write(out, view) :]


def _copy_fd(src: int, out: int) -> None:
    """All of ``src`` into ``out``: ``sendfile`` (in the kernel, as shutil does), or
    read/write where the filesystem refuses it."""
    try:
        while os.sendfile(out, src, None, _CHUNK * 8):
            pass
        return
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
            raise
    for chunk in iter(functools.partial(os.read, src, _CHUNK), b""):
        _write_all(out, chunk)


def _put(src_dir: int, name: str, dst_dir: int, dst_name: str, shown: str) -> None:
    """Copy the entry ``name`` of ``src_dir`` (a file, or a symlink as a symlink) to
    ``dst_name`` in ``dst_dir``."""
    st = os.stat(name, dir_fd=src_dir, follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(name, dir_fd=src_dir)
        _remove_entry(dst_dir, dst_name, shown)
        os.symlink(target, dst_name, dir_fd=dst_dir)
        return
    if not stat.S_ISREG(st.st_mode):
        raise BuildError(f"{shown}: not a regular file, directory or symlink")
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=src_dir)
    try:
        _write_file(fd, dst_dir, dst_name, st.st_mode, shown, st.st_mtime_ns)
    finally:
        os.close(fd)


def _merge(src_top: int, dst: _Tree, dst_top: int, dst_where: list[str]) -> None:
    """Copy the contents of the directory ``src_top`` into ``dst_top`` (at ``dst_where`` in
    ``dst``), merging with what is there: the source's links are copied, not followed; a
    directory of the destination that is a symlink is followed inside ``dst``."""
    # an explicit stack, not recursion: a deep context cannot exhaust Python's stack
    pending: list[tuple[int, int, list[str], list[str]]] = []

    def push(src_fd: int, dst_fd: int, where: list[str], mode: int | None) -> None:
        try:
            if mode is not None:
                os.fchmod(dst_fd, (mode & 0o777) | 0o700)
            names = sorted(os.listdir(src_fd))
        except BaseException:
            os.close(src_fd)
            os.close(dst_fd)
            raise
        pending.append((src_fd, dst_fd, where, names))

    try:
        push(os.dup(src_top), os.dup(dst_top), dst_where, None)
        while pending:
            src_fd, dst_fd, where, names = pending[-1]
            if not names:
                pending.pop()
                os.close(src_fd)
                os.close(dst_fd)
                continue
            name = names.pop(0)
            shown = _shown([*where, name])
            st = os.stat(name, dir_fd=src_fd, follow_symlinks=False)
            if not stat.S_ISDIR(st.st_mode):
                _put(src_fd, name, dst_fd, name, shown)
                continue
            sub_src = os.open(name, _DIR_FLAGS, dir_fd=src_fd)
            try:
                sub_dst, sub_where = dst.open_dir([*where, name], create=True)
            except BaseException:
                os.close(sub_src)
                raise
            push(sub_src, sub_dst, sub_where, st.st_mode)
    finally:
        for src_fd, dst_fd, _, _ in pending:
            os.close(src_fd)
            os.close(dst_fd)


def copy_tree(source: Path, dest: Path) -> None:
    """Merge the tree ``source`` into ``dest`` (made if missing), never leaving ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    with _Tree(source, "image") as src, _Tree(dest, "sandbox") as dst:
        _merge(src.fd, dst, dst.fd, [])


@dataclass
class _Builder:
    control: Control
    ref: str
    context: Path
    rootfs: Path
    emit: Callable[[str], None]
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)

    def copy(self, args: str, *, add: bool = False) -> None:
        """``COPY`` (or ``ADD``: a local tar archive, compressed or not, is unpacked into the
        destination; URLs are not fetched)."""
        keyword = "ADD" if add else "COPY"
        try:
            words = [w for w in _words(args) if not w.startswith("--")]
        except ValueError as exc:  # shlex: an unclosed quote
            raise BuildError(f"{keyword} failed: {exc}") from None
        if len(words) < 2:
            raise BuildError(f"{keyword} requires at least two arguments")
        *patterns, dest = words
        dest_parts = _parts(posixpath.join(self.workdir, dest))
        with _Tree(self.context, "build context") as ctx, _Tree(self.rootfs, "image") as img:
            sources: list[list[str]] = []
            for pattern in patterns:
                matched = ctx.glob(pattern)
                if not matched or not ctx.lexists(matched[0]):
                    # the pattern as the context sees it: never a name found elsewhere
                    raise BuildError(
                        f"{keyword} failed: file not found in build context or excluded by "
                        f".dockerignore: stat {'/'.join(_parts(pattern))}: file does not exist"
                    )
                sources += matched
            into_dir = dest.endswith("/") or len(sources) > 1
            for src in sources:
                try:
                    self._copy_one(ctx, src, img, dest_parts, into_dir, add)
                except OSError as exc:  # names of the trees only, as the errors say them
                    raise BuildError(
                        f"{keyword} failed: {exc.strerror or exc}: {'/'.join(src) or '.'}"
                    ) from None

    @staticmethod
    def _copy_one(
        ctx: _Tree, src: list[str], img: _Tree, dest: list[str], into_dir: bool, add: bool
    ) -> None:
        """Copy the context's ``src`` to the image's ``dest``: a directory's contents merge
        into ``dest``; a file or link lands at ``dest`` or, for a directory, in it; with
        ``add``, a tar archive's members are unpacked into the directory ``dest``."""
        if src:
            src_dir, _, name = ctx.parent(src, create=False)
        else:  # the whole context
            src_dir, name = os.dup(ctx.fd), "."
        try:
            st = os.stat(name, dir_fd=src_dir, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                top = os.open(name, _DIR_FLAGS, dir_fd=src_dir)
                try:
                    dst_fd, where = img.open_dir(dest, create=True)
                    try:
                        _merge(top, img, dst_fd, where)
                    finally:
                        os.close(dst_fd)
                finally:
                    os.close(top)
                return
            archive = _open_archive(src_dir, name) if add and stat.S_ISREG(st.st_mode) else None
            if archive is not None:
                with archive:
                    dst_fd, _ = img.open_dir(dest, create=True)
                    try:
                        with _Tree(dst_fd, "image") as into:
                            _unpack(archive, into, f"ADD {'/'.join(src)}", "its destination")
                    finally:
                        os.close(dst_fd)
                return
            if into_dir or not dest:
                dst_fd, where = img.open_dir(dest, create=True)
                dst_name = name
            else:
                dst_fd, where, dst_name = img.parent(dest, create=True)
                try:
                    mode = os.stat(dst_name, dir_fd=dst_fd, follow_symlinks=False).st_mode
                except FileNotFoundError:
                    mode = 0
                if stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
                    # an existing directory (or a link to one, inside the image) takes it in;
                    # a link to anything else is replaced
                    with contextlib.suppress(BuildError, OSError):
                        inner, inner_where = img.open_dir(dest, create=False)
                        os.close(dst_fd)
                        dst_fd, where, dst_name = inner, inner_where, name
            try:
                _put(src_dir, name, dst_fd, dst_name, _shown([*where, dst_name]))
            finally:
                os.close(dst_fd)
        finally:
            os.close(src_dir)

    def _make_workdir(self) -> None:
        """``WORKDIR`` makes its directory inside the image (links followed in the image)."""
        with _Tree(self.rootfs, "image") as img:
            fd, _ = img.open_dir(_parts(self.workdir), create=True)
            os.close(fd)

    async def run(self, args: str) -> None:
        argv = _words(args) if args.startswith("[") else ["/bin/sh", "-c", args]
        self.emit(f" ---> Running in {secrets_hex(self.ref, args)}\n")
        if not self.control.settings.build_run_commands:
            self.emit(" ---> RUN not executed (start the emulator with --build-run-commands)\n")
            return
        self._make_workdir()  # inside the image: links resolved there, never on the host
        cwd = _inside(self.rootfs, self.workdir)
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
            await asyncio.to_thread(functools.partial(self.copy, args, add=keyword == "ADD"))
        elif keyword == "WORKDIR":
            words = shlex.split(args)
            self.workdir = posixpath.join(self.workdir, words[0] if words else "/")
            await asyncio.to_thread(self._make_workdir)
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


def _member_parts(name: str, label: str, within: str) -> list[str]:
    """The path of an archive member under where it is unpacked: absolute names, ``..`` and
    NULs are refused (tarfile's ``data`` filter would, but see :func:`_unpack`)."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if name.startswith("/") or ".." in parts or "\x00" in name or not parts:
        raise BuildError(f"{label}: member {name!r} leaves {within}")
    return parts


def _unpack(tar: tarfile.TarFile, tree: _Tree, label: str, within: str) -> None:
    """Unpack ``tar`` into ``tree`` member by member through descriptors.

    tarfile's ``extractall(filter="data")`` checks paths with ``os.path.realpath`` and
    then writes by path, which symlink chains have defeated (CVE-2025-4517 and its kin,
    fixed only in recent Pythons); here every member is written by :class:`_Tree`, and the
    data filter's rules are kept: no absolute or ``..`` names, no links leaving ``tree``
    (``within`` names it in errors, ``label`` the archive), no devices or fifos; modes lose
    set-id and group/other write bits."""
    for member in tar:
        parts = _member_parts(member.name, label, within)
        shown = "/".join(parts)
        if member.isdir():
            fd, _ = tree.open_dir(parts, create=True)
            try:
                os.fchmod(fd, (member.mode & 0o755) | 0o700)
            finally:
                os.close(fd)
            continue
        dir_fd, _, name = tree.parent(parts, create=True)
        try:
            if member.issym():
                target = member.linkname
                landing = posixpath.normpath(posixpath.join(posixpath.dirname(shown), target))
                if target.startswith("/") or landing == ".." or landing.startswith("../"):
                    raise BuildError(f"{label}: link {shown} -> {target} leaves {within}")
                _remove_entry(dir_fd, name, shown)
                os.symlink(target, name, dir_fd=dir_fd)
            elif member.islnk():  # a hard link: a copy of a file unpacked before
                linked = _member_parts(member.linkname, label, within)
                src_dir, _, src_name = tree.parent(linked, create=False)
                try:
                    _put(src_dir, src_name, dir_fd, name, shown)
                finally:
                    os.close(src_dir)
            elif member.isreg():
                data = tar.extractfile(member)
                assert data is not None
                chunks = iter(functools.partial(data.read, _CHUNK), b"")
                mode = (member.mode & 0o755) | 0o600
                _write_file(chunks, dir_fd, name, mode, shown, int(member.mtime) * 10**9)
            else:
                raise BuildError(f"{label}: {shown} is a device, fifo or other special file")
        finally:
            os.close(dir_fd)


def _open_archive(src_dir: int, name: str) -> tarfile.TarFile | None:
    """``name`` as a tar archive (plain, gzip, bzip2 or xz, told by its content as the
    builder does), or None when it is not one."""
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=src_dir)
    file = os.fdopen(fd, "rb")
    try:
        return tarfile.open(fileobj=file, mode="r:*")
    except tarfile.TarError:
        file.close()
        return None
    except BaseException:
        file.close()
        raise


def _relative_name(name: object) -> bool:
    return isinstance(name, str) and not name.startswith("/")


def _fetch_contexts(control: Control, orgs: list[str], hashes: list[str], context: Path) -> None:
    storage = control.object_storage
    for context_hash in hashes:
        with tempfile.TemporaryDirectory(dir=context.parent) as tmp:
            tar_path = Path(tmp) / "context.tar"
            if not any(storage.fetch(org, context_hash, tar_path) for org in orgs):
                raise BuildError(f"build context {context_hash} not found in object storage")
            try:
                with _Tree(context, "build context") as ctx, tarfile.open(tar_path) as tar:
                    _unpack(tar, ctx, f"build context {context_hash}", "the context")
            except OSError as exc:  # named inside the context only, never by host path
                raise BuildError(
                    f"build context {context_hash}: {exc.strerror or exc}"
                    + (f": {exc.filename}" if _relative_name(exc.filename) else "")
                ) from None


def _reason(exc: Exception) -> str:
    """Why a build failed, naming no host path: an ``OSError`` of the emulator's own files
    (its data folder) is told by its ``strerror`` and a relative name only."""
    if isinstance(exc, OSError) and exc.strerror:
        names = [n for n in (exc.filename, exc.filename2) if _relative_name(n)]
        return ": ".join([exc.strerror, *map(str, names)])
    return str(exc)


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
        except (BuildError, OSError, tarfile.TarError, ValueError) as exc:
            reason = _reason(exc)
            emit(f"ERROR: {reason}\n")
            build["state"] = "failed"
            build["errorReason"] = f"Failed to build image: {reason}"
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
        # links in either tree are never followed out of it (a link the sandbox's setup made
        # in its root, a link a build's RUN step left in the image)
        await asyncio.to_thread(copy_tree, source, root)
    sb["imageRootCopied"] = True
