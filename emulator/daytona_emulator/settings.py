"""Settings of one emulator instance: the single object every part of the emulator reads.

The control plane (``daytona_emulator.control``) and the toolbox (``daytona_emulator.toolbox``)
share it; the CLI and ``create_app`` build it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

# the quotas an organization has (the keys of ``--quota NAME=VALUE`` and of
# ``EmulatorSettings.default_quota``)
QUOTA_NAMES: tuple[str, ...] = (
    "totalCpuQuota",
    "totalMemoryQuota",
    "totalDiskQuota",
    "maxCpuPerSandbox",
    "maxMemoryPerSandbox",
    "maxDiskPerSandbox",
    "snapshotQuota",
    "maxSnapshotSize",
    "volumeQuota",
)


@dataclass(frozen=True)
class FaultSettings:
    """Fault injection, off by default. Fractions are per request, drawn from a seeded RNG."""

    seed: int = 0
    rate_limit: float = 0.0  # answer 429 with Retry-After
    retry_after: float = 1.0  # seconds announced in Retry-After
    bad_gateway: float = 0.0  # answer 502 before processing
    unavailable: float = 0.0  # answer 503 before processing
    drop_before: float = 0.0  # close the connection before the request is processed
    drop_after: float = 0.0  # process the request, then close the connection without answering
    cut_stream: float = 0.0  # streamed bodies (downloads, follow logs) cut after `cut_after_bytes`
    cut_after_bytes: int = 4096
    latency: float = 0.0  # seconds added to every request
    # only requests whose path contains one of these substrings are affected (empty: all)
    paths: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return any(
            (
                self.rate_limit,
                self.bad_gateway,
                self.unavailable,
                self.drop_before,
                self.drop_after,
                self.cut_stream,
                self.latency,
            )
        )


@dataclass(frozen=True)
class EmulatorSettings:
    api_key: str
    data_dir: Path
    # --- control plane clock (seconds) ---
    transition_delay: float = 0.05  # one step of a lifecycle transition (stopping -> stopped, ...)
    build_step_delay: float = 0.1  # one step of a build (pending_build -> building_snapshot -> ...)
    snapshot_step_delay: float = 0.05  # one step of a snapshot's activation
    volume_step_delay: float = 0.05
    # auto-stop/auto-archive intervals are in minutes on the wire; this many seconds is one minute
    seconds_per_minute: float = 60.0
    reaper_interval: float = 1.0  # how often auto-stop/auto-archive are checked
    default_snapshot: str = "daytonaio/sandbox:0.3.0"
    # quota overrides of the default organization, e.g. (("totalCpuQuota", 1000),)
    default_quota: tuple[tuple[str, int], ...] = ()
    # a followed build-log stream ends this long after its build finished
    build_logs_linger: float = 1.0
    # --- toolbox ---
    max_processes_per_sandbox: int = 64
    max_processes_total: int = 2048
    follow_logs_end_on_exit: bool = False  # real service: the follow stream never ends by itself
    nul_padding: bool = True  # real service: each follow-log message padded with NULs to 1024 bytes
    exec_default_timeout: float = 360.0
    exec_output_limit: int = 16 * 1024 * 1024  # bytes of process/execute output kept
    worker_threads_per_sandbox: int = 8  # blocking file work of one sandbox at a time
    walk_time_limit: float = 60.0  # files/search and files/find give up after this long
    # --- isolation (see daytona_emulator.isolation) ---
    # False: behave as if this machine could not isolate commands (tests of the fallback)
    isolation: bool = True
    # run commands directly on the host as the emulator's user, without any isolation
    unsafe_run_commands_on_host: bool = False
    # enforce each sandbox's `disk` (GiB) with a loop-mounted ext4 image, where possible (root)
    disk_quota: bool = True
    # limit each sandbox's cpu and memory with cgroups (v1), where the machine offers them
    cgroup_limits: bool = True
    # --- builds --- RUN steps of Dockerfile builds are executed (inside the isolation of the
    # image being built) only when set
    build_run_commands: bool = False
    # --- faults ---
    faults: FaultSettings = field(default_factory=FaultSettings)
    # --- security ---
    # HS256 secret of the JWTs the emulator accepts (random per start unless given; >= 32 bytes)
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # a request's head must arrive within header_timeout seconds, its body within
    # request_timeout seconds of the head (Node's headersTimeout and requestTimeout)
    header_timeout: float = 60.0
    request_timeout: float = 300.0

    def __post_init__(self) -> None:
        if len(self.jwt_secret.encode()) < 32:
            raise ValueError("the JWT secret must be at least 32 bytes long")

    def __repr__(self) -> str:  # never print the key or the JWT secret
        return f"EmulatorSettings(data_dir={str(self.data_dir)!r}, api_key='***', jwt_secret='***')"

    @property
    def sandboxes_dir(self) -> Path:
        """Each sandbox's filesystem root is ``sandboxes_dir / <sandbox id> / "root"``."""
        return self.data_dir / "sandboxes"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "state.sqlite3"
