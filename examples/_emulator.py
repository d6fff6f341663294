"""Start a local daytona-emulator as a child process for the examples (not part of the SDK).

    with local_emulator() as (api_url, api_key):
        ...

The emulator listens on a free loopback port and is stopped (SIGTERM, then SIGKILL) on exit,
whatever happens inside the block.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator

READY = "daytona-emulator listening on "


@contextlib.contextmanager
def local_emulator(*extra_args: str, startup_timeout: float = 30.0) -> Iterator[tuple[str, str]]:
    api_key = "dtn_" + secrets.token_hex(32)
    env = {**os.environ, "DAYTONA_EMULATOR_API_KEY": api_key}
    # room for many sandboxes at once (the service's default quota allows about ten)
    quotas = [
        "--quota",
        "totalCpuQuota=4000",
        "--quota",
        "totalMemoryQuota=8000",
        "--quota",
        "totalDiskQuota=30000",
    ]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daytona_emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *quotas,
            *extra_args,
        ],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        stdout = proc.stdout
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(startup_timeout)
        if not line or not line[0].startswith(READY):
            raise RuntimeError(f"the emulator did not start (exit code {proc.poll()})")
        yield line[0][len(READY) :].strip(), api_key
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
