"""Sandboxes that are sandboxes: Linux namespaces through bubblewrap, one holder per sandbox.

Every process a sandbox runs (an ``execute`` command, a session's shell, a ``git`` run, a RUN
step of a build) runs in the sandbox's own mount, PID, IPC and UTS namespaces (the network is
shared with the host), with the sandbox's directory as ``/`` over read-only binds of the host's
system directories (``/usr`` and its ``/bin``, ``/lib*`` links, a few files of ``/etc``), a
``/proc`` of its PID namespace and a minimal ``/dev``. Inside: uid 0 without any capability
(bounding set empty, ``no_new_privs``), ``HOME=/home/daytona`` and the same paths the file API
shows.

One **holder** per started sandbox keeps the namespaces: ``bwrap --unshare-pid ...
--die-with-parent`` running ``cat`` on a pipe from the emulator. Each command enters it with
``nsenter`` and drops its capabilities with ``setpriv`` (measured: about half the cost of a
``bwrap`` per command, see DIFFERENCES.md). Killing the holder's PID 1 ends every process of the
sandbox, daemonised or not; the holder itself dies with the emulator (``PR_SET_PDEATHSIG`` and
the end of its stdin), so a ``kill -9`` of the emulator leaves nothing running.

A sandbox's ``disk`` quota is a sparse ext4 image (``<sandbox dir>/disk.ext4``) mounted on its
root through a loop device, when the emulator may mount (root, ``mkfs.ext4``): writes beyond
it fail with ENOSPC. Without that, the quota is recorded only. CPU and memory limits are cgroup
v1 groups under the emulator's own (:class:`Cgroups`), where the machine offers them.

Where isolation is unavailable (not Linux, no ``bwrap``/``nsenter``/``setpriv``, namespaces not
permitted), commands are refused unless the emulator was started with
``--unsafe-run-commands-on-host``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]

__all__ = [
    "HOME",
    "SANDBOX_PATH",
    "Cgroups",
    "DiskImages",
    "Holder",
    "IsolationStatus",
    "IsolationUnavailable",
    "bwrap_argv",
    "prepare_root",
    "probe",
    "probe_once",
]

log = logging.getLogger("daytona_emulator.isolation")

HOME = "/home/daytona"
SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# read-only binds of the host's system (a symlink on the host becomes the same link inside)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# what python3, git, sh, ps and TLS/DNS need of /etc; nothing else of the host's /etc
ETC_FILES = (
    "passwd",
    "group",
    "hosts",
    "host.conf",
    "resolv.conf",
    "nsswitch.conf",
    "gai.conf",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "ssl",
    "ca-certificates",
    "ca-certificates.conf",
    "alternatives",
    "protocols",
    "services",
    "mime.types",
    "os-release",
    "debian_version",
    "python3",
    "python3.11",
    "python3.12",
    "python3.13",
    "inputrc",
    "bash.bashrc",
    "profile",
)
ENV_NO_ISOLATION = "DAYTONA_EMULATOR_NO_ISOLATION"  # "1": behave as if isolation were missing
READY = b"daytona-sandbox-ready\n"


class IsolationUnavailable(Exception):
    """Commands are refused: no isolation here, and the unsafe flag was not given."""


@dataclass(frozen=True)
class IsolationStatus:
    available: bool
    reason: str  # why not, when not
    bwrap: str = ""
    nsenter: str = ""
    setpriv: str = ""
    env: str = ""


@functools.cache
def probe_once(disabled: bool = False) -> IsolationStatus:
    """:func:`probe`, run once per process (for the builds)."""
    return probe(disabled)


def probe(disabled: bool = False) -> IsolationStatus:
    """Can this machine isolate commands? Runs one ``bwrap`` (blocking, ~20 ms)."""
    if disabled or os.environ.get(ENV_NO_ISOLATION) == "1":
        return IsolationStatus(
            False, "isolation turned off (setting or DAYTONA_EMULATOR_NO_ISOLATION)"
        )
    if not sys.platform.startswith("linux"):
        return IsolationStatus(False, f"no Linux namespaces on {sys.platform}")
    tools = {name: shutil.which(name) or "" for name in ("bwrap", "nsenter", "setpriv", "env")}
    missing = [name for name, path in tools.items() if not path]
    if missing:
        hint = " (Debian/Ubuntu: apt-get install bubblewrap)" if "bwrap" in missing else ""
        return IsolationStatus(False, f"{', '.join(missing)} not found{hint}")
    try:
        done = subprocess.run(
            [
                tools["bwrap"],
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--cap-drop",
                "ALL",
                "--ro-bind",
                "/",
                "/",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "true",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return IsolationStatus(False, f"bwrap cannot run: {exc}")
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        return IsolationStatus(False, f"bwrap cannot create namespaces here: {why[0]}")
    return IsolationStatus(
        True, "", tools["bwrap"], tools["nsenter"], tools["setpriv"], tools["env"]
    )


# --------------------------------------------------------------------------- the root


def _no_links_below(root: Path, inner: str) -> None:
    """Every component of ``inner`` under ``root`` that is a symlink (or not a directory,
    except the last) is removed: bwrap creates its mount points by following paths, and a link
    the sandbox planted must never lead it out of the root."""
    parts = [p for p in inner.split("/") if p]
    cur = root
    for i, part in enumerate(parts):
        cur = cur / part
        try:
            st = os.lstat(cur)
        except FileNotFoundError:
            return
        last = i == len(parts) - 1
        if stat.S_ISLNK(st.st_mode) or (not last and not stat.S_ISDIR(st.st_mode)):
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(cur)
            else:
                cur.unlink()
            return


def prepare_root(root: Path) -> list[str]:
    """Make ``root`` ready to be ``/`` (mount points, the host's system links) and return the
    bwrap arguments of the binds. Blocking; call it while no process of the sandbox runs."""
    args: list[str] = []
    for d in SYSTEM_DIRS:
        if not os.path.lexists(d):
            continue
        inner = root / d.lstrip("/")
        if os.path.islink(d):
            target = os.readlink(d)
            try:
                same = os.path.islink(inner) and os.readlink(inner) == target
            except OSError:
                same = False
            if not same:
                if inner.is_dir() and not inner.is_symlink():
                    continue  # the image brought its own directory there: leave it
                with contextlib.suppress(FileNotFoundError):
                    inner.unlink()
                inner.symlink_to(target)
            continue
        _no_links_below(root, d)
        inner.mkdir(parents=True, exist_ok=True)
        args += ["--ro-bind", d, d]
    for name in ("etc", "tmp", "proc", "dev", "home/daytona"):
        _no_links_below(root, "/" + name)
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "tmp").chmod(0o1777)
    for name in ETC_FILES:
        host = f"/etc/{name}"
        if not os.path.exists(host):
            continue
        _no_links_below(root, host)
        inner = root / "etc" / name
        if os.path.isdir(host):
            inner.mkdir(exist_ok=True)
        elif not inner.exists():
            inner.touch()
        args += ["--ro-bind", host, host]
    return args


def bwrap_argv(
    status: IsolationStatus,
    root: Path,
    *,
    hostname: str,
    cwd: str = HOME,
    env: Mapping[str, str] | None = None,
    die_with_parent: bool = True,
) -> list[str]:
    """The ``bwrap`` command (without the command to run) that makes ``root`` the ``/`` of new
    namespaces. Blocking (prepares the root)."""
    binds = prepare_root(root)
    argv = [
        status.bwrap,
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--hostname",
        hostname[:63] or "sandbox",
        "--cap-drop",
        "ALL",
        "--bind",
        str(root),
        "/",
        *binds,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--chdir",
        cwd,
    ]
    if die_with_parent:
        argv.append("--die-with-parent")
    if env is not None:
        argv.append("--clearenv")
        for key, value in env.items():
            argv += ["--setenv", key, value]
    return argv


# --------------------------------------------------------------------------- the holder


class Holder:
    """The namespaces of one started sandbox, kept by a ``bwrap`` running ``cat``."""

    def __init__(self, proc: asyncio.subprocess.Process, inner_pid: int) -> None:
        self.proc = proc
        self.inner_pid = inner_pid  # a process inside the namespaces (the host's pid of it)
        self.user_ns = _ns(inner_pid, "user") != _ns(os.getpid(), "user")

    @classmethod
    async def start(
        cls,
        status: IsolationStatus,
        root: Path,
        hostname: str,
        launch: Callable[[list[str]], list[str]] = list,
    ) -> Holder:
        """Start the namespaces; ``launch`` wraps the command (into the sandbox's cgroups)."""
        argv = await asyncio.to_thread(bwrap_argv, status, root, hostname=hostname)
        ready = f"printf '{READY.decode().strip()}\\n'; exec cat >/dev/null"
        # the options through a pipe (--args): the sandbox's `ps` shows `bwrap --args N` as
        # its PID 1, not the host paths of the binds
        options = "".join(f"{a}\0" for a in argv[1:]).encode()
        rfd, wfd = os.pipe()
        try:
            os.write(wfd, options)  # far below a pipe's buffer
            os.close(wfd)
            wfd = -1
            # spawned from the event loop's thread: PR_SET_PDEATHSIG fires when that thread ends
            proc = await asyncio.create_subprocess_exec(
                *launch([argv[0], "--args", str(rfd), "--", "/bin/sh", "-c", ready]),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
                pass_fds=(rfd,),
            )
        finally:
            os.close(rfd)
            if wfd >= 0:
                os.close(wfd)
        assert proc.stdout is not None and proc.stderr is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
        except TimeoutError:
            line = b""
        if line != READY:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            err = (await proc.stderr.read()).decode("utf-8", "replace").strip()
            await proc.wait()
            raise OSError(errno.EPERM, f"cannot start the sandbox's namespaces: {err}")
        inner = _leaf(proc.pid)
        if inner is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise OSError(errno.ESRCH, "the sandbox's namespaces ended at once")
        return cls(proc, inner)

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None and psutil.pid_exists(self.inner_pid)

    def wrap(self, status: IsolationStatus, argv: Sequence[str], cwd: str) -> list[str]:
        """``argv`` run inside the namespaces, in ``cwd`` (a sandbox path), without caps."""
        enter = [
            status.nsenter,
            f"--target={self.inner_pid}",
            "--mount",
            "--uts",
            "--ipc",
            "--pid",
            "--root",
            "--wd",
        ]
        if self.user_ns:
            enter += ["--user", "--preserve-credentials"]
        return [
            *enter,
            status.setpriv,
            "--no-new-privs",
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--",
            status.env,
            "-C",
            cwd,
            "--",
            *argv,
        ]

    async def kill(self) -> None:
        """End the namespaces and every process in them; waits for the holder."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.inner_pid, signal.SIGKILL)  # PID 1 gone: the kernel kills the rest
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.proc.wait(), 10)


def _ns(pid: int, kind: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/ns/{kind}")
    except OSError:
        return ""


def _leaf(pid: int) -> int | None:
    """The host pid of the holder's PID 1 (bwrap's init inside the namespaces)."""
    try:
        children = psutil.Process(pid).children()
    except psutil.Error:
        return None
    mine = _ns(os.getpid(), "pid")
    for child in children:
        if _ns(child.pid, "pid") != mine:
            return int(child.pid)
    return None


def which_inside(root: Path, name: str, path: str = SANDBOX_PATH) -> str | None:
    """Where ``name`` is found on ``path`` inside the sandbox (system dirs are the host's)."""
    if "/" in name:
        return name
    for d in path.split(":"):
        if not d.startswith("/"):
            continue
        system = any(d == s or d.startswith(s + "/") for s in SYSTEM_DIRS)
        base = Path(d) if system else root / d.lstrip("/")
        cand = base / name
        try:
            if cand.is_file() and os.access(cand, os.X_OK):
                return f"{d}/{name}"
        except OSError:
            continue
    return None


# --------------------------------------------------------------------------- the disk quota


class DiskImages:
    """A sparse ext4 image per sandbox, mounted on its root: the ``disk`` quota (GiB)."""

    IMAGE = "disk.ext4"

    def __init__(self, sandboxes_dir: Path, enabled: bool) -> None:
        self.sandboxes_dir = sandboxes_dir
        self.reason = ""
        self.enabled = enabled and self._usable()

    def _usable(self) -> bool:
        if not sys.platform.startswith("linux"):
            self.reason = "not Linux"
        elif os.geteuid() != 0:
            self.reason = "the emulator is not root (mounting a loop device needs it)"
        elif not (shutil.which("mkfs.ext4") and shutil.which("mount") and shutil.which("umount")):
            self.reason = "mkfs.ext4/mount not found"
        elif not os.path.exists("/dev/loop-control"):
            self.reason = "no loop devices"
        return not self.reason

    def create(self, sandbox_id: str, gib: float) -> None:
        """A new image for a new sandbox, mounted on its (empty) root. Blocking."""
        if not self.enabled or gib <= 0:
            return
        sdir = self.sandboxes_dir / sandbox_id
        root = sdir / "root"
        image = sdir / self.IMAGE
        if image.exists() or (root.exists() and any(root.iterdir())):
            self.mount(sandbox_id)  # an existing sandbox keeps what it has
            return
        root.mkdir(parents=True, exist_ok=True)
        size = int(gib * 1024**3)
        try:
            subprocess.run(
                [
                    "mkfs.ext4",
                    "-q",
                    "-F",
                    "-O",
                    "^has_journal",
                    "-m",
                    "0",
                    "-E",
                    "lazy_itable_init=1,nodiscard",
                    str(image),
                    f"{size // 1024}k",
                ],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning(
                "disk quota of sandbox %s not enforced: mkfs.ext4 failed: %s", sandbox_id, exc
            )
            with contextlib.suppress(OSError):
                image.unlink()
            return
        if self.mount(sandbox_id):
            shutil.rmtree(root / "lost+found", ignore_errors=True)

    def mount(self, sandbox_id: str) -> bool:
        sdir = self.sandboxes_dir / sandbox_id
        image, root = sdir / self.IMAGE, sdir / "root"
        if not self.enabled or not image.is_file():
            return False
        if os.path.ismount(root):
            return True
        root.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-o", "loop,nodev,nosuid", str(image), str(root)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            timeout=60,
        )
        if done.returncode != 0:
            log.warning(
                "disk image of sandbox %s not mounted: %s",
                sandbox_id,
                done.stderr.decode("utf-8", "replace").strip(),
            )
            return False
        return True

    def unmount(self, sandbox_id: str) -> None:
        """Unmount (the loop device goes with it: ``autoclear``). Blocking."""
        root = self.sandboxes_dir / sandbox_id / "root"
        if not os.path.ismount(root):
            return
        done = subprocess.run(
            ["umount", str(root)], stdin=subprocess.DEVNULL, capture_output=True, check=False
        )
        if done.returncode != 0:  # still busy: detach now, freed when the last user goes
            subprocess.run(
                ["umount", "-l", str(root)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )

    def mounted(self) -> list[str]:
        """Ids of the sandboxes whose image is mounted now."""
        try:
            ids = os.listdir(self.sandboxes_dir)
        except OSError:
            return []
        return [s for s in ids if os.path.ismount(self.sandboxes_dir / s / "root")]

    def images(self) -> list[str]:
        try:
            ids = os.listdir(self.sandboxes_dir)
        except OSError:
            return []
        return [s for s in ids if (self.sandboxes_dir / s / self.IMAGE).is_file()]


# --------------------------------------------------------------------------- cpu and memory


class Cgroups:
    """CPU and memory limits of the sandboxes, through cgroup v1 (``memory``, ``cpu``, ``pids``
    hierarchies), as children of the emulator's own cgroups (so a limit set on the emulator
    still holds its sandboxes). cgroup v2 is not used (its no-internal-processes rule wants a
    delegated subtree): there the limits are recorded only."""

    CONTROLLERS = ("memory", "cpu", "pids")
    PERIOD_US = 100_000

    def __init__(self, enabled: bool) -> None:
        self.reason = ""
        self.base: dict[str, Path] = {}
        if enabled:
            self._detect()
        else:
            self.reason = "turned off"

    @property
    def enabled(self) -> bool:
        return bool(self.base)

    def _detect(self) -> None:
        if not sys.platform.startswith("linux"):
            self.reason = "not Linux"
            return
        try:
            lines = Path("/proc/self/cgroup").read_text().splitlines()
        except OSError:
            self.reason = "no /proc/self/cgroup"
            return
        mine: dict[str, str] = {}
        for line in lines:
            _, names, path = line.split(":", 2)
            for name in names.split(","):
                mine[name] = path
        base: dict[str, Path] = {}
        for ctl in self.CONTROLLERS:
            mount = Path("/sys/fs/cgroup") / ctl
            if ctl not in mine or not (mount / "cgroup.procs").exists():
                self.reason = f"no cgroup v1 {ctl} hierarchy"
                return
            parent = mount / mine[ctl].lstrip("/")
            group = parent / f"daytona-emulator-{os.getpid()}"
            try:
                group.mkdir(exist_ok=True)
            except OSError as exc:
                self.reason = f"cannot create a {ctl} cgroup: {exc.strerror}"
                self.base = base
                self.close()
                return
            base[ctl] = group
        self.base = base
        self._sweep()

    def _sweep(self) -> None:
        """Remove the (empty) groups emulators that died left beside ours."""
        for group in self.base.values():
            for other in group.parent.glob("daytona-emulator-*"):
                pid = other.name.rsplit("-", 1)[-1]
                if other != group and pid.isdigit() and not psutil.pid_exists(int(pid)):
                    for child in other.glob("*/"):
                        with contextlib.suppress(OSError):
                            child.rmdir()
                    with contextlib.suppress(OSError):
                        other.rmdir()

    def create(self, sandbox_id: str, cpu: float, memory_gib: float) -> None:
        """The sandbox's groups with its limits (blocking; idempotent)."""
        for ctl, group in self.base.items():
            g = group / sandbox_id
            g.mkdir(exist_ok=True)
            if ctl == "memory" and memory_gib > 0:
                (g / "memory.limit_in_bytes").write_text(str(int(memory_gib * 1024**3)))
            elif ctl == "cpu" and cpu > 0:
                (g / "cpu.cfs_period_us").write_text(str(self.PERIOD_US))
                (g / "cpu.cfs_quota_us").write_text(str(int(cpu * self.PERIOD_US)))

    def procs_files(self, sandbox_id: str) -> list[str]:
        return [str(g / sandbox_id / "cgroup.procs") for g in self.base.values()]

    def enter(self, sandbox_id: str, argv: Sequence[str]) -> list[str]:
        """``argv`` started inside the sandbox's groups (a ``sh`` moves itself, then execs)."""
        files = self.procs_files(sandbox_id)
        if not files or not all(os.path.exists(f) for f in files):
            return list(argv)
        script = 'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f" || exit 126; done; '
        script += 'while [ "$1" != -- ]; do shift; done; shift; exec "$@"'
        return ["/bin/sh", "-c", script, "sh", *files, "--", *argv]

    def remove(self, sandbox_id: str) -> None:
        """Remove the sandbox's groups (once its processes are gone)."""
        for group in self.base.values():
            with contextlib.suppress(OSError):
                (group / sandbox_id).rmdir()

    def close(self) -> None:
        for group in self.base.values():
            for child in group.glob("*/"):
                with contextlib.suppress(OSError):
                    child.rmdir()
            with contextlib.suppress(OSError):
                group.rmdir()
        self.base = {}
