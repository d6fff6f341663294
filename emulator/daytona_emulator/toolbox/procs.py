"""Processes the toolbox starts: isolation, limits, process groups, the daemon's tokeniser.

Every process (an ``execute`` command, a session's shell, a ``git`` run) is started through
:meth:`ProcessTracker.run`, which picks one of three modes once at start:

* **isolated** (the default where the machine allows it): the process runs inside the
  sandbox's namespaces (``daytona_emulator.isolation``): ``/`` is the sandbox's root, ``HOME``
  and the working directory are under ``/home/daytona``, and every process it starts, however
  it daemonises, dies when the sandbox's holder is killed (stop, delete, emulator stop, or the
  emulator's death);
* **host** (``--unsafe-run-commands-on-host``): the old way, on the host as the emulator's
  user, cwd under the sandbox's root, ``HOME=<root>/home/daytona``; a process that changes its
  ``HOME`` and leaves its process group escapes the kill sweep;
* **refused** (no isolation, no flag): :class:`~daytona_emulator.isolation.IsolationUnavailable`.

Each process starts in a new session (``setsid``), leading its own process group; killing that
group ends a command (timeout, client gone). Each group (and each holder) is also written to
``<data dir>/toolbox-process-groups`` (its id and its leader's start time): an emulator that was
killed with ``-9`` leaves them behind, and the next start on the same data dir kills them (a
group whose number now belongs to a newer process is left alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from daytona_emulator.isolation import (
    HOME,
    SANDBOX_PATH,
    Cgroups,
    Holder,
    IsolationStatus,
    IsolationUnavailable,
    which_inside,
)
from daytona_emulator.settings import EmulatorSettings

from .jail import Jail

__all__ = [
    "GroupRecords",
    "IsolationUnavailable",
    "ProcessLimitError",
    "ProcessTracker",
    "sandbox_env",
    "tokenise",
]

LIMIT_STATUS = 429
LIMITS_FILE = "limits.json"  # beside a sandbox's root: {"cpu", "memory", "disk"} at creation

log = logging.getLogger("daytona_emulator.toolbox")


class ProcessLimitError(Exception):
    """Too many live processes (per sandbox or in total)."""


class ProcessTracker:
    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.live: dict[str, set[asyncio.subprocess.Process]] = {}
        # process groups started per sandbox, kept while a member may still be alive
        self.groups: dict[str, set[int]] = {}
        self.total = 0
        self._reapers: set[asyncio.Task[None]] = set()
        self.records = GroupRecords(settings.data_dir / "toolbox-process-groups")
        # set by the runtime's start() (probing runs a process)
        self.status = IsolationStatus(False, "not probed yet")
        self.holders: dict[str, Holder] = {}
        self.cgroups = Cgroups(False)  # set by the runtime's start()
        self._holder_locks: dict[str, asyncio.Lock] = {}

    @property
    def mode(self) -> str:
        """``isolated``, ``host`` (the unsafe flag) or ``refused``."""
        if self.settings.unsafe_run_commands_on_host:
            return "host"
        return "isolated" if self.status.available else "refused"

    def refusal(self) -> str:
        return (
            f"running commands is disabled: sandbox isolation is unavailable here "
            f"({self.status.reason}); start the emulator with --unsafe-run-commands-on-host "
            "to run them unsandboxed on this host"
        )

    async def holder(self, sandbox_id: str, root: Path) -> Holder:
        """The sandbox's namespaces, started on first use (and again after they ended)."""
        lock = self._holder_locks.setdefault(sandbox_id, asyncio.Lock())
        async with lock:
            holder = self.holders.get(sandbox_id)
            if holder is not None and holder.alive:
                return holder
            if holder is not None:
                await holder.kill()
            await asyncio.to_thread(self._make_cgroups, sandbox_id, root)
            holder = await Holder.start(
                self.status, root, sandbox_id, functools.partial(self.cgroups.enter, sandbox_id)
            )
            self.holders[sandbox_id] = holder
            self.records.add(holder.proc.pid)
            return holder

    def _make_cgroups(self, sandbox_id: str, root: Path) -> None:
        """The sandbox's cgroups, with the limits recorded at its creation (blocking)."""
        if not self.cgroups.enabled:
            return
        try:
            limits = json.loads((root.parent / LIMITS_FILE).read_text())
            cpu, memory = float(limits.get("cpu") or 0), float(limits.get("memory") or 0)
        except (OSError, ValueError, AttributeError):
            cpu = memory = 0.0
        try:
            self.cgroups.create(sandbox_id, cpu, memory)
        except OSError as exc:
            log.warning("cgroups of sandbox %s not set: %s", sandbox_id, exc)

    async def run(
        self,
        sandbox_id: str,
        jail: Jail,
        argv: list[str],
        cwd: Path,
        *,
        extra_env: Mapping[str, str] | None = None,
        drop_env: tuple[str, ...] = (),
        git: bool = False,
        **kwargs: Any,
    ) -> asyncio.subprocess.Process:
        """Start ``argv`` for the sandbox in ``cwd`` (a host path under its root, resolved by the
        jail), the way the mode says. Raises :class:`IsolationUnavailable` (refused),
        :class:`ProcessLimitError`, ``OSError`` (cannot be started)."""
        mode = self.mode
        if mode == "refused" and not git:
            raise IsolationUnavailable(self.refusal())
        if mode != "isolated":
            if git:  # git on the host: nothing of a user-writable config may execute
                argv = [
                    argv[0],
                    "-c",
                    "core.hooksPath=/dev/null",
                    "-c",
                    "core.fsmonitor=false",
                    *argv[1:],
                ]
            env = sandbox_env(jail, extra_env)
            for key in drop_env:
                env.pop(key, None)
            return await self.spawn(sandbox_id, argv, cwd=str(cwd), env=env, **kwargs)
        self.check(sandbox_id)
        await asyncio.to_thread(_check_runnable, jail.root, argv[0], cwd)
        holder = await self.holder(sandbox_id, jail.root)
        wrapped = self.cgroups.enter(
            sandbox_id, holder.wrap(self.status, argv, jail.to_sandbox(cwd))
        )
        return await self.spawn(
            sandbox_id, wrapped, env=isolated_env(sandbox_id, extra_env), **kwargs
        )

    def kill_leftovers(self) -> int:
        """Kill the process groups a previous run on this data dir left behind, and what
        escaped them (blocking)."""
        return self.records.kill_leftovers() + kill_escaped(self._under(None))

    def _under(self, sandbox_id: str | None) -> str:
        base = os.path.realpath(self.settings.sandboxes_dir)
        return base if sandbox_id is None else os.path.join(base, sandbox_id, "root")

    def count(self, sandbox_id: str) -> int:
        return len(self.live.get(sandbox_id, ()))

    def check(self, sandbox_id: str) -> None:
        limit = self.settings.max_processes_per_sandbox
        if self.count(sandbox_id) >= limit:
            raise ProcessLimitError(
                f"too many processes: the sandbox already runs {limit} (the limit)"
            )
        if self.total >= self.settings.max_processes_total:
            raise ProcessLimitError(
                f"too many processes: the emulator already runs "
                f"{self.settings.max_processes_total} (the limit)"
            )

    async def spawn(
        self, sandbox_id: str, argv: list[str], **kwargs: Any
    ) -> asyncio.subprocess.Process:
        """Start ``argv`` in its own process group (raises :class:`ProcessLimitError`,
        ``OSError`` when it cannot be started)."""
        self.check(sandbox_id)
        self._prune(sandbox_id)
        proc = await asyncio.create_subprocess_exec(*argv, start_new_session=True, **kwargs)
        self.live.setdefault(sandbox_id, set()).add(proc)
        self.groups.setdefault(sandbox_id, set()).add(proc.pid)
        self.records.add(proc.pid)
        self.total += 1
        task = asyncio.get_running_loop().create_task(self._reap(sandbox_id, proc))
        self._reapers.add(task)
        task.add_done_callback(self._reapers.discard)
        return proc

    async def _reap(self, sandbox_id: str, proc: asyncio.subprocess.Process) -> None:
        try:
            await proc.wait()
        finally:
            procs = self.live.get(sandbox_id)
            if procs is not None and proc in procs:
                procs.discard(proc)
                self.total -= 1
                if not procs:
                    del self.live[sandbox_id]

    def _prune(self, sandbox_id: str) -> None:
        groups = self.groups.get(sandbox_id)
        if not groups:
            return
        live_pids = {p.pid for p in self.live.get(sandbox_id, ())}
        for pgid in list(groups):
            if pgid in live_pids:
                continue
            try:
                os.killpg(pgid, 0)
            except (ProcessLookupError, PermissionError):
                groups.discard(pgid)
                self.records.discard(pgid)

    @staticmethod
    def kill_group(proc: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    async def kill_sandbox(self, sandbox_id: str) -> None:
        """Kill every process of the sandbox (its namespaces, else its process groups and
        what escaped them) and wait for the leaders."""
        holder = self.holders.pop(sandbox_id, None)
        if holder is not None:
            await holder.kill()
            self.records.discard(holder.proc.pid)
        for pgid in self.groups.pop(sandbox_id, set()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            self.records.discard(pgid)
        if self.mode == "host":
            await asyncio.to_thread(kill_escaped, self._under(sandbox_id))
        await asyncio.to_thread(self.cgroups.remove, sandbox_id)
        procs = list(self.live.get(sandbox_id, ()))
        for proc in procs:
            with contextlib.suppress(TimeoutError):  # SIGKILLed: only a D-state process lingers
                await asyncio.wait_for(proc.wait(), 5)

    async def aclose(self) -> None:
        for sid in list(set(self.groups) | set(self.live) | set(self.holders)):
            await self.kill_sandbox(sid)
        if self.mode == "host":
            await asyncio.to_thread(kill_escaped, self._under(None))
        await asyncio.to_thread(self.cgroups.close)
        for task in list(self._reapers):
            task.cancel()
        self.records.clear()


class GroupRecords:
    """The process groups of this run, on disk: ``<pgid> <leader start time>`` a line.

    Spawning appends a line; the file is rewritten from memory when it holds far more lines
    than live groups.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.live: dict[int, float] = {}
        self._lines = 0

    def add(self, pgid: int) -> None:
        try:
            created: float = psutil.Process(pgid).create_time()
        except psutil.Error:  # already gone: nothing to record
            return
        self.live[pgid] = created
        with open(self.path, "a", encoding="ascii") as f:
            f.write(f"{pgid} {created!r}\n")
        self._lines += 1
        if self._lines > 1024 and self._lines > 4 * len(self.live):
            self._rewrite()

    def discard(self, pgid: int) -> None:
        self.live.pop(pgid, None)

    def clear(self) -> None:
        self.live.clear()
        self._rewrite()

    def _rewrite(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(f"{g} {t!r}\n" for g, t in self.live.items()), encoding="ascii")
        os.replace(tmp, self.path)
        self._lines = len(self.live)

    def kill_leftovers(self) -> int:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return 0
        killed = 0
        for line in text.splitlines():
            try:
                pgid_s, created_s = line.split()
                pgid, created = int(pgid_s), float(created_s)
            except ValueError:
                log.warning("%s: unreadable line %r skipped", self.path, line)
                continue
            if pgid in self.live or not _still_ours(pgid, created):
                continue
            try:
                os.killpg(pgid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        self._rewrite()
        if killed:
            log.warning("killed %d process group(s) left by a previous run", killed)
        return killed


def _still_ours(pgid: int, created: float) -> bool:
    """False when the group's number now names a process started after ours (reused)."""
    try:
        started: float = psutil.Process(pgid).create_time()
        return abs(started - created) < 0.01
    except psutil.NoSuchProcess:
        return True  # the leader is gone; its children may still hold the group
    except psutil.Error:
        return False


def _inside(path: str | None, prefix: str) -> bool:
    if not path:
        return False
    return path == prefix or path.startswith(prefix + "/")


def kill_escaped(prefix: str) -> int:
    """SIGKILL this user's processes that belong under ``prefix`` (a sandbox root, or the
    folder of all of them) though no recorded process group holds them: a command that ran
    ``setsid`` or daemonised left its group, and would outlive the sandbox. A process belongs
    there when its ``HOME`` (set by :func:`sandbox_env`, inherited by all it starts) is under
    ``prefix``; the working directory is not a mark (a developer's shell may sit in a
    sandbox's folder). A process that changes its ``HOME`` before it execs escapes this sweep
    (documented residual). Blocking."""
    me, uid, killed = os.getpid(), os.getuid(), 0
    for proc in psutil.process_iter(["uids"]):
        if proc.pid == me:
            continue
        try:
            uids = proc.info["uids"]
            if uids is None or uids.real != uid:
                continue
            if not _inside(proc.environ().get("HOME"), prefix):
                continue
            proc.kill()
            killed += 1
        except (psutil.Error, OSError):
            continue  # gone meanwhile, or not ours to read
    return killed


def tokenise(command: str) -> list[str]:
    """The daemon's tokeniser: split on spaces; ``'`` and ``"`` quote (the other one is
    literal inside), no backslash escapes, quotes dropped."""
    args: list[str] = []
    cur: list[str] = []
    quote: str | None = None
    in_token = False
    for ch in command:
        if quote is not None:
            if ch == quote:
                quote = None
            else:
                cur.append(ch)
        elif ch in "'\"":
            quote = ch
            in_token = True
        elif ch == " ":
            if in_token:
                args.append("".join(cur))
                cur = []
                in_token = False
        else:
            cur.append(ch)
            in_token = True
    if in_token:
        args.append("".join(cur))
    return args


def _check_runnable(root: Path, name: str, cwd: Path) -> None:
    """Fail as ``exec``/``chdir`` would (``OSError``), before entering the namespaces."""
    if "=" in name or which_inside(root, name) is None:
        raise FileNotFoundError(2, f"{name}: not found")
    if not cwd.is_dir():
        raise NotADirectoryError(20, "the working directory is not a directory")


def isolated_env(sandbox_id: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an isolated sandbox process: nothing of the emulator's; the
    sandbox's id in ``DAYTONA_SANDBOX_ID`` as the real service sets it."""
    env = {
        "HOME": HOME,
        "PATH": SANDBOX_PATH,
        "LANG": "C.UTF-8",
        "USER": "root",
        "DAYTONA_SANDBOX_ID": sandbox_id,
    }
    if extra:
        env.update(extra)
    return env


def sandbox_env(jail: Jail, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a sandbox process run on the host (the unsafe mode): the
    emulator's, minus its own ``DAYTONA_*`` variables (never leak the emulator's API key into
    a sandbox), with ``HOME`` in the sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    home = str(jail.root / "home" / "daytona")
    env["HOME"] = home
    env.pop("PWD", None)
    env.pop("OLDPWD", None)
    env.setdefault("LANG", "C.UTF-8")
    if extra:
        env.update(extra)
    return env
