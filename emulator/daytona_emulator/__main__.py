"""Command line: ``python -m daytona_emulator`` / ``daytona-emulator``.

    daytona-emulator --host 127.0.0.1 --port 0 --api-key KEY [--data-dir DIR] [options]

Prints ``daytona-emulator listening on http://HOST:PORT/api`` once ready. SIGINT/SIGTERM stop
it cleanly (child processes end; a temporary data dir is removed). Fault injection comes from
``--fault-*`` flags or ``DAYTONA_EMULATOR_FAULTS="rate_limit=0.1,seed=3,paths=/sandbox|/toolbox"``
(flags win). ``DAYTONA_EMULATOR_API_KEY`` is used when ``--api-key`` is not given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import errno
import functools
import ipaddress
import math
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from daytona_emulator.extra import EmulatorExtraMissing, require_emulator_extra
from daytona_emulator.settings import QUOTA_NAMES, EmulatorSettings, FaultSettings

_FAULT_FIELDS = {f.name: f for f in dataclasses.fields(FaultSettings)}
# fault settings that are a share of requests, hence between 0 and 1
_FRACTIONS = ("rate_limit", "bad_gateway", "unavailable", "drop_before", "drop_after", "cut_stream")
_FAULT_HELP = {
    "seed": "seed of the fault RNG: the same seed and request order repeat a run",
    "rate_limit": "share of requests answered 429 with Retry-After, 0-1",
    "retry_after": "seconds announced in Retry-After",
    "bad_gateway": "share of requests answered 502 by a 'gateway', 0-1",
    "unavailable": "share of requests answered 503 by a 'gateway', 0-1",
    "drop_before": "share of requests whose connection is closed before processing, 0-1",
    "drop_after": "share of requests processed, then closed without an answer, 0-1",
    "cut_stream": "share of streamed bodies cut after --fault-cut-after-bytes, 0-1",
    "cut_after_bytes": "bytes a cut stream sends before the cut",
    "latency": "seconds added before every request",
    "paths": "only requests whose path contains one of these ('|'-separated) are affected",
}
_SETTING_HELP = {
    "transition_delay": "seconds per step of a sandbox lifecycle transition",
    "build_step_delay": "seconds per step of a snapshot build",
    "snapshot_step_delay": "seconds per step of a snapshot's activation",
    "volume_step_delay": "seconds per step of a volume's creation or deletion",
    "seconds_per_minute": "seconds that count as one minute of auto-stop/auto-archive intervals",
    "reaper_interval": "seconds between checks for auto-stop and auto-archive",
    "build_logs_linger": "seconds a followed build-log stream stays open after its build",
    "exec_default_timeout": "seconds a process/execute may run when the request sets no timeout",
    "max_processes_per_sandbox": "processes one sandbox may run at once (more: 429)",
    "max_processes_total": "processes all sandboxes together may run at once (more: 429)",
    "header_timeout": "seconds a client may take to send a request's head (then 408)",
    "request_timeout": "seconds a client may take to send a request's body (then 408)",
}


def _fault_value(name: str, raw: str) -> Any:
    """One fault setting from its text; ``ValueError`` says what was expected."""
    if name == "paths":
        return tuple(p for p in raw.replace(",", "|").split("|") if p)
    if name == "seed":
        return _int_in(raw, "a whole number", None, None, "")
    if name == "cut_after_bytes":
        return _int_in(raw, "a whole number", 0, None, "a number of bytes >= 0")
    return _fraction(raw) if name in _FRACTIONS else _seconds(raw)


def _number(raw: str, expected: str, low: float, high: float = math.inf) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"expected {expected}, got {raw!r}") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"expected {expected}, got {raw!r}")
    return value


def _seconds(raw: str) -> float:
    return _number(raw, "a number of seconds >= 0", 0.0)


def _fraction(raw: str) -> float:
    return _number(raw, "a fraction from 0 to 1", 0.0, 1.0)


def parse_fault_spec(spec: str) -> dict[str, Any]:
    """``"rate_limit=0.1,seed=3,paths=/sandbox|/toolbox"`` -> FaultSettings fields."""
    out: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in _FAULT_FIELDS:
            raise ValueError(f"bad fault setting {item!r}; known: {', '.join(_FAULT_FIELDS)}")
        try:
            out[name] = _fault_value(name, raw.strip())
        except ValueError as exc:
            raise ValueError(f"bad fault setting {item!r}: {exc}") from None
    return out


def _fault_metavar(name: str) -> str:
    if name == "paths":
        return "PATHS"
    if name in ("seed", "cut_after_bytes"):
        return "N"
    return "FRACTION" if name in _FRACTIONS else "SECONDS"


def _argument(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse ``type`` whose error message (after the flag's name) says what was wrong."""

    def convert(raw: str) -> Any:
        try:
            return parse(raw)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def _int_in(raw: str, kind: str, low: int | None, high: int | None, bounds: str) -> int:
    """``raw`` as a whole number from ``low`` to ``high`` (no bound: ``None``), or a
    ValueError ``expected <kind>`` / ``expected <bounds>``."""
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"expected {kind}, got {raw!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"expected {bounds}, got {raw!r}")
    return value


def _count(raw: str) -> int:
    return _int_in(raw, "a whole number", 1, None, "at least 1")


def _port(raw: str) -> int:
    return _int_in(raw, "a port number", 0, 65535, "a port from 0 to 65535")


def parse_quota(item: str) -> tuple[str, int]:
    """``"totalCpuQuota=100"`` -> ``("totalCpuQuota", 100)``; unknown names are refused."""
    name, sep, raw = item.partition("=")
    name = name.strip()
    if not sep:
        raise ValueError(f"expected NAME=VALUE, got {item!r}")
    if name not in QUOTA_NAMES:
        raise ValueError(f"unknown quota {name!r}; known: {', '.join(QUOTA_NAMES)}")
    try:
        return name, _int_in(raw.strip(), "a whole number", 0, None, "a number >= 0")
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="daytona-emulator",
        description="Local Daytona emulator",
        epilog="subcommands:\n  mint-jwt  print a JWT signed with --jwt-secret for a user "
        "(daytona-emulator mint-jwt --help)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    p.add_argument(
        "--port",
        type=_argument(_port),
        metavar="PORT",
        default=3000,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    p.add_argument(
        "--api-key",
        default=os.environ.get("DAYTONA_EMULATOR_API_KEY"),
        metavar="KEY",
        help="owner API key of the default organization (default: $DAYTONA_EMULATOR_API_KEY)",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=None,
        help="keep state here (default: a temporary folder removed on exit)",
    )
    d = EmulatorSettings.__dataclass_fields__
    for flag in (
        "transition_delay",
        "build_step_delay",
        "snapshot_step_delay",
        "volume_step_delay",
        "seconds_per_minute",
        "reaper_interval",
        "build_logs_linger",
        "exec_default_timeout",
        "header_timeout",
        "request_timeout",
    ):
        p.add_argument(
            f"--{flag.replace('_', '-')}",
            type=_argument(_seconds),
            default=d[flag].default,
            metavar="SECONDS",
            help=f"{_SETTING_HELP[flag]} (default: %(default)s)",
        )
    for flag in ("max_processes_per_sandbox", "max_processes_total"):
        p.add_argument(
            f"--{flag.replace('_', '-')}",
            type=_argument(_count),
            default=d[flag].default,
            metavar="N",
            help=f"{_SETTING_HELP[flag]} (default: %(default)s)",
        )
    p.add_argument(
        "--default-snapshot",
        default=d["default_snapshot"].default,
        help="snapshot of sandboxes created without one (default: %(default)s)",
    )
    p.add_argument(
        "--quota",
        action="append",
        type=_argument(parse_quota),
        default=[],
        metavar="NAME=VALUE",
        help="quota of the default organization, e.g. totalCpuQuota=1000 (repeatable); "
        f"names: {', '.join(QUOTA_NAMES)}",
    )
    p.add_argument(
        "--follow-logs-end-on-exit",
        action="store_true",
        help="followed session-command logs end when the command exits",
    )
    p.add_argument(
        "--no-nul-padding",
        action="store_true",
        help="do not pad followed log messages with NULs to 1024 bytes",
    )
    p.add_argument(
        "--build-run-commands",
        action="store_true",
        help="execute the RUN steps of Dockerfile builds, inside the isolation of the image "
        "being built (default: only logged)",
    )
    p.add_argument(
        "--unsafe-run-commands-on-host",
        action="store_true",
        help="DANGER: run sandbox commands directly on this host as this user, without any "
        "isolation (default: isolated in Linux namespaces, refused where that is unavailable)",
    )
    p.add_argument(
        "--no-cgroup-limits",
        action="store_true",
        help="do not limit sandboxes' cpu and memory with cgroups (default: where cgroup v1 "
        "is writable)",
    )
    p.add_argument(
        "--no-disk-quota",
        action="store_true",
        help="do not enforce sandboxes' disk quota (default: a loop-mounted image per sandbox "
        "when running as root)",
    )
    p.add_argument(
        "--jwt-secret",
        default=os.environ.get("DAYTONA_EMULATOR_JWT_SECRET"),
        help="HS256 secret of accepted JWTs, >= 32 bytes (default: random per start, never "
        "printed; DAYTONA_EMULATOR_JWT_SECRET); mint tokens with `daytona-emulator mint-jwt`",
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback (anyone who holds the API key or a signed JWT "
        "then runs commands in this host's sandboxes)",
    )
    for name, f in _FAULT_FIELDS.items():
        p.add_argument(
            f"--fault-{name.replace('_', '-')}",
            dest=f"fault_{name}",
            type=_argument(functools.partial(_fault_value, name)),
            default=None,
            metavar=_fault_metavar(name),
            help=f"fault injection: {_FAULT_HELP.get(name, name)} (default {f.default!r})",
        )
    return p


def settings_from_args(args: argparse.Namespace, data_dir: Path) -> EmulatorSettings:
    faults = parse_fault_spec(os.environ.get("DAYTONA_EMULATOR_FAULTS", ""))
    for name in _FAULT_FIELDS:
        value = getattr(args, f"fault_{name}")  # already parsed by argparse
        if value is not None:
            faults[name] = value
    quota: list[tuple[str, int]] = list(args.quota)
    settings = EmulatorSettings(
        api_key=args.api_key,
        data_dir=data_dir,
        transition_delay=args.transition_delay,
        build_step_delay=args.build_step_delay,
        snapshot_step_delay=args.snapshot_step_delay,
        volume_step_delay=args.volume_step_delay,
        seconds_per_minute=args.seconds_per_minute,
        reaper_interval=args.reaper_interval,
        build_logs_linger=args.build_logs_linger,
        exec_default_timeout=args.exec_default_timeout,
        header_timeout=args.header_timeout,
        request_timeout=args.request_timeout,
        max_processes_per_sandbox=args.max_processes_per_sandbox,
        max_processes_total=args.max_processes_total,
        default_snapshot=args.default_snapshot,
        default_quota=tuple(quota),
        follow_logs_end_on_exit=args.follow_logs_end_on_exit,
        nul_padding=not args.no_nul_padding,
        build_run_commands=args.build_run_commands,
        unsafe_run_commands_on_host=args.unsafe_run_commands_on_host,
        disk_quota=not args.no_disk_quota,
        cgroup_limits=not args.no_cgroup_limits,
        faults=FaultSettings(**faults),
    )
    if args.jwt_secret:  # else the random per-start default
        settings = dataclasses.replace(settings, jwt_secret=args.jwt_secret)
    return settings


class CannotListen(Exception):
    """The address to listen on cannot be bound (in use, not local, no permission)."""

    def __init__(self, host: str, port: int, error: OSError) -> None:
        reason = error.strerror or str(error)
        hint = ""
        if error.errno == errno.EADDRINUSE:
            hint = (
                " (another program listens there: pick another --port, or --port 0 for a free one)"
            )
        super().__init__(f"cannot listen on {host}:{port}: {reason}{hint}")


async def serve(settings: EmulatorSettings, host: str, port: int) -> None:
    import uvicorn

    from daytona_emulator.app import create_app
    from daytona_emulator.http_protocol import http_protocol

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CannotListen(host, port, exc) from None
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings),
        http=http_protocol(settings),  # h11 with header/body read deadlines
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)

    @contextlib.contextmanager
    def no_signal_capture() -> Iterator[None]:  # we install our own handlers below
        yield

    server.capture_signals = no_signal_capture  # type: ignore[method-assign]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))

    async def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.01)
        shown = f"[{host}]" if ":" in host else host
        sys.stdout.write(f"daytona-emulator listening on http://{shown}:{bound}/api\n")
        sys.stdout.flush()

    announcer = asyncio.create_task(announce())
    try:
        await server.serve(sockets=[sock])
    finally:
        announcer.cancel()
        sock.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def mint_jwt_main(argv: Sequence[str]) -> int:
    """``daytona-emulator mint-jwt --sub USER [--admin] [--ttl S]``: print a signed JWT."""
    from daytona_emulator.control.tokens import mint_jwt

    p = argparse.ArgumentParser(
        prog="daytona-emulator mint-jwt",
        description="Print a JWT the running emulator (or one started with --jwt-secret) accepts",
    )
    p.add_argument("--sub", required=True, help="user id the token authenticates as")
    p.add_argument("--admin", action="store_true", help="make the user a system admin")
    p.add_argument("--email", default=None, help="e-mail of the user (on first use)")
    p.add_argument("--ttl", type=float, default=3600.0, help="seconds until it expires")
    p.add_argument(
        "--jwt-secret",
        default=os.environ.get("DAYTONA_EMULATOR_JWT_SECRET"),
        help="the emulator's --jwt-secret (default: DAYTONA_EMULATOR_JWT_SECRET, else the "
        "secret of the emulator running on this machine for this user)",
    )
    p.add_argument("--data-dir", type=Path, help="of several running emulators, the one using DIR")
    args = p.parse_args(argv)
    if not args.jwt_secret:
        from daytona_emulator.running import NoRunningEmulator, find_jwt_secret

        try:
            args.jwt_secret = find_jwt_secret(args.data_dir)
        except NoRunningEmulator as exc:
            p.error(str(exc))
    claims = {"email": args.email} if args.email else {}
    try:
        token = mint_jwt(args.jwt_secret, args.sub, admin=args.admin, ttl=args.ttl, **claims)
    except ValueError as exc:
        p.error(str(exc))
    print(token)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["mint-jwt"]:
        return mint_jwt_main(argv[1:])
    args = build_parser().parse_args(argv)
    if not args.api_key:
        build_parser().error("--api-key (or DAYTONA_EMULATOR_API_KEY) is required")
    try:
        require_emulator_extra()
    except EmulatorExtraMissing as exc:
        print(f"daytona-emulator: {exc}", file=sys.stderr)
        return 1
    if not _is_loopback(args.host):
        if not args.allow_remote:
            print(
                f"daytona-emulator: refusing to listen on {args.host}: whoever reaches it runs "
                "commands on this host (unsandboxed with --unsafe-run-commands-on-host); pass "
                "--allow-remote to bind a non-loopback address",
                file=sys.stderr,
            )
            return 2
        print(
            f"daytona-emulator: WARNING: listening on {args.host}; anyone who can reach it with "
            "the API key or a signed JWT runs commands on this host (sandboxed unless "
            "--unsafe-run-commands-on-host)",
            file=sys.stderr,
        )
    temp_dir: Path | None = None
    data_dir = args.data_dir
    if data_dir is None:
        temp_dir = data_dir = Path(tempfile.mkdtemp(prefix="daytona-emulator-"))
    try:
        settings = settings_from_args(args, data_dir)
        from daytona_emulator.running import published_jwt_secret  # for `mint-jwt`

        with published_jwt_secret(settings):
            asyncio.run(serve(settings, args.host, args.port))
    except ValueError as exc:
        print(f"daytona-emulator: {exc}", file=sys.stderr)
        return 2
    except CannotListen as exc:
        print(f"daytona-emulator: {exc}", file=sys.stderr)
        return 1
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
