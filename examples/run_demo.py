"""`make demo`: run examples/orchestrate.py against a local emulator, or against a real Daytona
when DAYTONA_API_KEY and DAYTONA_API_URL are both set.

    python examples/run_demo.py [--n 20] [--concurrency 8]

Ctrl-C is the orchestrator's to handle (it deletes the sandboxes it created, then exits 130):
this launcher only waits for it, and stops the emulator it started after the orchestrator is
done — the emulator runs in its own process group, so the terminal's Ctrl-C does not reach it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _emulator import local_emulator  # noqa: E402


def run_orchestrator(args: list[str], env: dict[str, str] | None = None) -> int:
    """Run orchestrate.py and wait for it however many times Ctrl-C is pressed.

    (`subprocess.call` would SIGKILL the child on the first KeyboardInterrupt, in the middle of
    its cleanup.)"""
    cmd = [sys.executable, str(HERE / "orchestrate.py"), *args]
    # the terminal sends SIGINT to the whole foreground group: the child gets it too
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        with subprocess.Popen(cmd, env=env) as child:
            return child.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def main() -> int:
    args = sys.argv[1:]
    if os.environ.get("DAYTONA_API_KEY") and os.environ.get("DAYTONA_API_URL"):
        print(f"demo: using the Daytona service at {os.environ['DAYTONA_API_URL']}", flush=True)
        return run_orchestrator(args)
    try:
        # leaving the block stops the emulator: only after the orchestrator's cleanup
        with local_emulator() as (api_url, api_key):
            print(f"demo: started a local emulator at {api_url}", flush=True)
            env = {**os.environ, "DAYTONA_API_URL": api_url, "DAYTONA_API_KEY": api_key}
            env.pop("DAYTONA_JWT_TOKEN", None)
            return run_orchestrator(args, env)
    except KeyboardInterrupt:  # while the emulator was starting or stopping
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
