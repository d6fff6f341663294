"""Processes the toolbox starts: limits, process groups, the daemon's tokeniser, the environment.

Every process (an ``execute`` command, a session's shell, a ``git`` run, a language server) is
started through :class:`ProcessTracker` in a new session (``setsid``), so that it leads its own
process group; killing that group kills whatever the process started, unless a descendant
left the group on purpose (``setsid``/``setpgid``), which the emulator does not chase.

Each group is also written to ``<data dir>/toolbox-process-groups`` (its id and its leader's
start time): an emulator that was killed with ``-9`` leaves them behind, and the next start
on the same data dir kills them (a group whose number now belongs to a newer process is left
alone).

The sandbox is **not** a container: processes run as the emulator's user with the sandbox's
root as the place they start in (cwd under the root, ``HOME=<root>/home/daytona``), but they
can reach any host path they like. Only the file API is jailed (see ``jail.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from daytona_emulator.settings import EmulatorSettings

from .jail import Jail

__all__ = ["GroupRecords", "ProcessLimitError", "ProcessTracker", "sandbox_env", "tokenise"]

LIMIT_STATUS = 429

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
        """Kill every process group started for the sandbox and wait for the leaders."""
        for pgid in self.groups.pop(sandbox_id, set()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            self.records.discard(pgid)
        await asyncio.to_thread(kill_escaped, self._under(sandbox_id))
        procs = list(self.live.get(sandbox_id, ()))
        for proc in procs:
            with contextlib.suppress(TimeoutError):  # SIGKILLed: only a D-state process lingers
                await asyncio.wait_for(proc.wait(), 5)

    async def aclose(self) -> None:
        for sid in list(set(self.groups) | set(self.live)):
            await self.kill_sandbox(sid)
        await asyncio.to_thread(kill_escaped, self._under(None))
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


def sandbox_env(jail: Jail, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a sandbox process: the emulator's, minus its own ``DAYTONA_*``
    variables (never leak the emulator's API key into a sandbox), with ``HOME`` in the
    sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    home = str(jail.root / "home" / "daytona")
    env["HOME"] = home
    env.pop("PWD", None)
    env.pop("OLDPWD", None)
    env.setdefault("LANG", "C.UTF-8")
    if extra:
        env.update(extra)
    return env
