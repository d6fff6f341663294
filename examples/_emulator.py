"""Start a local daytona-emulator as a child process for the examples (not part of the SDK).

    with local_emulator() as (api_url, api_key):
        ...

The emulator listens on a free loopback port and is stopped on exit, whatever happens inside
the block.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from daytona_emulator.testing import EmulatorProcess

# room for many sandboxes at once (the service's default quota allows about ten)
QUOTAS = ("totalCpuQuota=4000", "totalMemoryQuota=8000", "totalDiskQuota=30000")


@contextlib.contextmanager
def local_emulator(*extra_args: str) -> Iterator[tuple[str, str]]:
    quota_args = [arg for quota in QUOTAS for arg in ("--quota", quota)]
    with EmulatorProcess(
        *quota_args,
        *extra_args,
        api_key="dtn_" + secrets.token_hex(32),
        own_process_group=True,  # Ctrl-C is for the demo; the emulator stops after its cleanup
    ) as emu:
        yield emu.base_url, emu.api_key
