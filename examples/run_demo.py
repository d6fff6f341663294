"""`make demo`: run examples/orchestrate.py against a local emulator, or against a real Daytona
when DAYTONA_API_KEY and DAYTONA_API_URL are both set.

    python examples/run_demo.py [--n 20] [--concurrency 8]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _emulator import local_emulator  # noqa: E402


def main() -> int:
    args = sys.argv[1:]
    cmd = [sys.executable, str(HERE / "orchestrate.py"), *args]
    if os.environ.get("DAYTONA_API_KEY") and os.environ.get("DAYTONA_API_URL"):
        print(f"demo: using the Daytona service at {os.environ['DAYTONA_API_URL']}", flush=True)
        return subprocess.call(cmd)
    with local_emulator() as (api_url, api_key):
        print(f"demo: started a local emulator at {api_url}", flush=True)
        env = {**os.environ, "DAYTONA_API_URL": api_url, "DAYTONA_API_KEY": api_key}
        env.pop("DAYTONA_JWT_TOKEN", None)
        try:
            return subprocess.call(cmd, env=env)
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main())
