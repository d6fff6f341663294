"""Where a running emulator leaves its JWT secret for ``daytona-emulator mint-jwt``.

Each emulator started from the command line writes one small file, readable by its user only,
into a per-user folder (``$XDG_RUNTIME_DIR/daytona-emulator``, else
``~/.cache/daytona-emulator/running``; ``DAYTONA_EMULATOR_RUNTIME_DIR`` overrides both), and
removes it when it stops. ``daytona-emulator mint-jwt --sub alice`` then signs with the secret of
the one emulator running (``--data-dir DIR`` picks one of several). A file left by an emulator
that was killed is recognised by its dead process id and removed.

The secret grants nothing that the same user does not already have: the emulator runs every
command of its sandboxes as this user, on this host.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from daytona_emulator.settings import EmulatorSettings

__all__ = ["NoRunningEmulator", "find_jwt_secret", "published_jwt_secret", "runtime_dir"]


class NoRunningEmulator(LookupError):
    """No running emulator (or more than one) matches: the message says which to pick."""


def runtime_dir() -> Path:
    """The per-user folder of the running emulators' files."""
    override = os.environ.get("DAYTONA_EMULATOR_RUNTIME_DIR")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return Path(xdg) / "daytona-emulator"
    return Path.home() / ".cache" / "daytona-emulator" / "running"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process reuses the id: not ours
        return False
    return True


@contextlib.contextmanager
def published_jwt_secret(settings: EmulatorSettings) -> Iterator[Path]:
    """Publish this process's JWT secret and data dir while the block runs."""
    folder = runtime_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}.json"
    record = {"pid": os.getpid(), "data_dir": str(Path(settings.data_dir).resolve())}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({**record, "jwt_secret": settings.jwt_secret}, f)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def find_jwt_secret(data_dir: Path | None = None) -> str:
    """The JWT secret of the running emulator (the one using ``data_dir`` when given)."""
    folder = runtime_dir()
    found: list[dict[str, object]] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text())
            pid = int(record["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not _alive(pid):
            path.unlink(missing_ok=True)  # left by an emulator that was killed
            continue
        if data_dir is None or Path(str(record["data_dir"])) == data_dir.resolve():
            found.append(record)
    if len(found) == 1:
        return str(found[0]["jwt_secret"])
    if not found:
        where = f" with data dir {data_dir}" if data_dir is not None else ""
        raise NoRunningEmulator(
            f"no running emulator{where} found in {folder}: start one (daytona-emulator "
            "--api-key KEY), or pass the secret it was started with (--jwt-secret or "
            "DAYTONA_EMULATOR_JWT_SECRET)"
        )
    listed = ", ".join(f"pid {r['pid']} (--data-dir {r['data_dir']})" for r in found)
    raise NoRunningEmulator(
        f"{len(found)} emulators are running: pick one with --data-dir: {listed}"
    )
