"""``examples/image_build.py`` runs against the emulator, in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "image_build.py"


def test_image_build_example(emulator: Any) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    env.update(DAYTONA_API_URL=emulator.base_url, DAYTONA_API_KEY=emulator.api_key)
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "in the sandbox: GREETING = 'hello from a local dir'" in out
    assert "context upload" in out and "context hashes: ['" in out
    assert "Successfully tagged daytona-" in out
    assert " is active" in out
