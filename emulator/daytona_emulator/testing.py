"""Run an emulator inside the current process, for tests.

    with EmulatorServer(transition_delay=0.01) as server:
        httpx.get(f"{server.base_url}/sandbox", headers={"Authorization": f"Bearer {server.api_key}"})

The server is uvicorn on a free loopback port, in a background thread with its own event loop.
It works as a sync (``with``) and an async (``async with``, asyncio or trio) context manager.
Without ``data_dir`` the state lives in a temporary folder removed on exit.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from daytona_emulator.extra import require_emulator_extra
from daytona_emulator.settings import EmulatorSettings

__all__ = ["FAST_CLOCK", "EmulatorProcess", "EmulatorServer", "EmulatorServers"]

# a lifecycle clock short enough for tests: sandboxes start, builds and snapshots finish in ms
FAST_CLOCK: dict[str, Any] = {
    "transition_delay": 0.01,
    "build_step_delay": 0.02,
    "snapshot_step_delay": 0.01,
    "volume_step_delay": 0.01,
}


class EmulatorServer:
    """An emulator served on ``127.0.0.1`` on a free port by a background thread."""

    def __init__(
        self,
        api_key: str = "test-key",
        data_dir: str | Path | None = None,
        **settings_overrides: Any,
    ) -> None:
        # before anything is created: without the [emulator] extra, one clear error and no
        # temporary folder left behind
        require_emulator_extra()
        self.api_key = api_key
        self._own_dir: Path | None = None
        if data_dir is None:
            self._own_dir = Path(tempfile.mkdtemp(prefix="daytona-emulator-"))
            data_dir = self._own_dir
        self.settings = EmulatorSettings(
            api_key=api_key, data_dir=Path(data_dir), **settings_overrides
        )
        self.app: Any = None
        self.port: int = 0
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization`` header for the configured (owner) API key."""
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def organization_id(self) -> str:
        """Id of the default organization, the one the configured API key belongs to."""
        return str(self.app.state.control.default_org_id)

    @property
    def user_id(self) -> str:
        """Id of the default user (a system admin, owner of the default organization)."""
        return str(self.app.state.control.default_user_id)

    def mint_jwt(self, sub: str, *, admin: bool = False, ttl: float = 3600.0, **claims: Any) -> str:
        """A JWT this emulator accepts as user ``sub`` (signed with its secret).

        ``admin=True`` makes the user a system admin; ``email`` and ``name`` fill the profile of
        a new user. JWT callers pick their organization with ``X-Daytona-Organization-ID``.
        """
        from daytona_emulator.control.tokens import mint_jwt

        return mint_jwt(self.settings.jwt_secret, sub, admin=admin, ttl=ttl, **claims)

    # --- lifecycle ---
    def start(self) -> EmulatorServer:
        import uvicorn

        from daytona_emulator.app import create_app
        from daytona_emulator.http_protocol import http_protocol

        self.app = create_app(self.settings)
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then (else ~40 ms
        # delayed-ACK stalls between the response head and body)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            http=http_protocol(self.settings),  # h11 with header/body read deadlines
            lifespan="on",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._server = server

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # surfaced by start()
                self._error = exc
            finally:
                sock.close()

        self._thread = threading.Thread(
            target=run, name=f"daytona-emulator-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"emulator failed to start: {self._error!r}")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self._server = None
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> EmulatorServer:
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        import anyio.to_thread

        await anyio.to_thread.run_sync(self.stop)


class EmulatorServers:
    """Starts :class:`EmulatorServer` s on shared settings; leaving the ``with`` stops them all.

    with EmulatorServers(**FAST_CLOCK) as start:
        slow = start(transition_delay=1.0)  # per-server overrides win
    """

    def __init__(self, **base_settings: Any) -> None:
        self.base_settings = base_settings
        self._started: list[EmulatorServer] = []

    def __call__(self, **overrides: Any) -> EmulatorServer:
        server = EmulatorServer(**{**self.base_settings, **overrides}).start()
        self._started.append(server)
        return server

    def stop_all(self) -> None:
        while self._started:
            self._started.pop().stop()

    def __enter__(self) -> EmulatorServers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_all()


READY_PREFIX = "daytona-emulator listening on "


class EmulatorProcess:
    """An emulator in a child process (``python -m daytona_emulator``), for when its CPU and
    memory must not count as the caller's (benchmarks, memory tests) or a real CLI is wanted.

        with EmulatorProcess("--quota", "totalCpuQuota=100") as emu:
            emu.base_url, emu.api_key, emu.pid

    Extra arguments go to the CLI. Without ``data_dir`` the process uses a temporary folder it
    removes itself. On exit the process gets SIGTERM (SIGKILL after ``stop_timeout``).
    ``own_process_group=True`` keeps a terminal's Ctrl-C (sent to the whole foreground group)
    from reaching the emulator, so that the caller decides when it stops.
    """

    def __init__(
        self,
        *cli_args: str,
        api_key: str = "test-key",
        data_dir: str | Path | None = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 15.0,
        own_process_group: bool = False,
    ) -> None:
        self.api_key = api_key
        self.own_process_group = own_process_group
        self.cli_args = cli_args
        self.data_dir = data_dir
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.base_url = ""
        self._proc: subprocess.Popen[str] | None = None
        # shared with the child through the environment, so tests can mint tokens for it
        self.jwt_secret = secrets.token_urlsafe(32)

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("the emulator process is not running")
        return self._proc.pid

    def start(self) -> EmulatorProcess:
        args = [sys.executable, "-m", "daytona_emulator", "--host", "127.0.0.1", "--port", "0"]
        if self.data_dir is not None:
            args += ["--data-dir", str(self.data_dir)]
        # the key goes through the environment, not argv (argv is visible to every local user)
        env = {
            **os.environ,
            "DAYTONA_EMULATOR_API_KEY": self.api_key,
            "DAYTONA_EMULATOR_JWT_SECRET": self.jwt_secret,
        }
        self._proc = proc = subprocess.Popen(
            [*args, *self.cli_args],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            process_group=0 if self.own_process_group else None,
        )
        lines: list[str] = []
        stdout = proc.stdout
        assert stdout is not None
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        try:
            reader.join(self.startup_timeout)
        except BaseException:  # e.g. Ctrl-C while waiting: do not leave the process behind
            self.stop()
            raise
        if not lines or not lines[0].startswith(READY_PREFIX):
            code = proc.poll()
            self.stop()
            raise RuntimeError(f"the emulator process did not start (exit code {code})")
        self.base_url = lines[0][len(READY_PREFIX) :].strip()
        return self

    def mint_jwt(self, sub: str, *, admin: bool = False, ttl: float = 3600.0, **claims: Any) -> str:
        """A JWT the emulator process accepts as user ``sub`` (see ``EmulatorServer.mint_jwt``)."""
        from daytona_emulator.control.tokens import mint_jwt

        return mint_jwt(self.jwt_secret, sub, admin=admin, ttl=ttl, **claims)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
