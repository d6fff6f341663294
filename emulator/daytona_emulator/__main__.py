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
import ipaddress
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from daytona_emulator.settings import EmulatorSettings, FaultSettings

_FAULT_FIELDS = {f.name: f for f in dataclasses.fields(FaultSettings)}


def _fault_value(name: str, raw: str) -> Any:
    if name == "paths":
        return tuple(p for p in raw.replace(",", "|").split("|") if p)
    if name in ("seed", "cut_after_bytes"):
        return int(raw)
    return float(raw)


def parse_fault_spec(spec: str) -> dict[str, Any]:
    """``"rate_limit=0.1,seed=3,paths=/sandbox|/toolbox"`` -> FaultSettings fields."""
    out: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in _FAULT_FIELDS:
            raise ValueError(f"bad fault setting {item!r}; known: {', '.join(_FAULT_FIELDS)}")
        out[name] = _fault_value(name, raw.strip())
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="daytona-emulator", description="Local Daytona emulator")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3000, help="0 picks a free port")
    p.add_argument(
        "--api-key",
        default=os.environ.get("DAYTONA_EMULATOR_API_KEY"),
        help="owner API key of the default organization",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
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
        p.add_argument(f"--{flag.replace('_', '-')}", type=float, default=d[flag].default)
    for flag in ("max_processes_per_sandbox", "max_processes_total"):
        p.add_argument(f"--{flag.replace('_', '-')}", type=int, default=d[flag].default)
    p.add_argument("--default-snapshot", default=d["default_snapshot"].default)
    p.add_argument(
        "--quota",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="quota of the default organization, e.g. totalCpuQuota=1000 (repeatable)",
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
        "--jwt-secret",
        default=os.environ.get("DAYTONA_EMULATOR_JWT_SECRET"),
        help="HS256 secret of accepted JWTs, >= 32 bytes (default: random per start, never "
        "printed; DAYTONA_EMULATOR_JWT_SECRET); mint tokens with `daytona-emulator mint-jwt`",
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback (commands then run unsandboxed on this host "
        "for anyone who holds the API key or a signed JWT)",
    )
    for name, f in _FAULT_FIELDS.items():
        p.add_argument(
            f"--fault-{name.replace('_', '-')}",
            dest=f"fault_{name}",
            default=None,
            help=f"fault injection: {name} (default {f.default!r})",
        )
    return p


def settings_from_args(args: argparse.Namespace, data_dir: Path) -> EmulatorSettings:
    faults = parse_fault_spec(os.environ.get("DAYTONA_EMULATOR_FAULTS", ""))
    for name in _FAULT_FIELDS:
        raw = getattr(args, f"fault_{name}")
        if raw is not None:
            faults[name] = _fault_value(name, raw)
    quota: list[tuple[str, int]] = []
    for item in args.quota:
        name, _, value = item.partition("=")
        quota.append((name.strip(), int(value)))
    secret: dict[str, str] = {"jwt_secret": args.jwt_secret} if args.jwt_secret else {}
    return EmulatorSettings(
        **secret,
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
        faults=FaultSettings(**faults),
    )


async def serve(settings: EmulatorSettings, host: str, port: int) -> None:
    import uvicorn

    from daytona_emulator.app import create_app
    from daytona_emulator.http_protocol import http_protocol

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
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
        description="Print a JWT an emulator started with the same --jwt-secret accepts",
    )
    p.add_argument("--sub", required=True, help="user id the token authenticates as")
    p.add_argument("--admin", action="store_true", help="make the user a system admin")
    p.add_argument("--email", default=None, help="e-mail of the user (on first use)")
    p.add_argument("--ttl", type=float, default=3600.0, help="seconds until it expires")
    p.add_argument(
        "--jwt-secret",
        default=os.environ.get("DAYTONA_EMULATOR_JWT_SECRET"),
        help="the emulator's --jwt-secret (default: DAYTONA_EMULATOR_JWT_SECRET)",
    )
    args = p.parse_args(argv)
    if not args.jwt_secret:
        p.error("--jwt-secret (or DAYTONA_EMULATOR_JWT_SECRET) is required")
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
    if not _is_loopback(args.host):
        if not args.allow_remote:
            print(
                f"daytona-emulator: refusing to listen on {args.host}: commands run unsandboxed "
                "on this host; pass --allow-remote to bind a non-loopback address",
                file=sys.stderr,
            )
            return 2
        print(
            f"daytona-emulator: WARNING: listening on {args.host}; anyone who can reach it with "
            "the API key or a signed JWT runs commands unsandboxed on this host as this user",
            file=sys.stderr,
        )
    temp_dir: Path | None = None
    data_dir = args.data_dir
    if data_dir is None:
        temp_dir = data_dir = Path(tempfile.mkdtemp(prefix="daytona-emulator-"))
    try:
        settings = settings_from_args(args, data_dir)
        asyncio.run(serve(settings, args.host, args.port))
    except ValueError as exc:
        print(f"daytona-emulator: {exc}", file=sys.stderr)
        return 2
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
