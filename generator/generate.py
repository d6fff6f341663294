"""Regenerate the daytona_api package from openapi/daytona.yaml.

    python generator/generate.py [OUTPUT_DIR]   (default: generated/daytona_api)

The output directory is wiped first (the generator's --overwrite leaves stale files behind).
The generator and ruff must be the versions pinned in generator/requirements.txt; ruff runs
isolated from any enclosing configuration, so two runs give byte-identical trees.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "generator"


def pinned() -> dict[str, str]:
    pins = {}
    for line in (GENERATOR / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, ver = line.split("==", 1)
            pins[name.strip()] = ver.strip()
    return pins


def check_pins() -> None:
    for name, want in pinned().items():
        have = version(name)
        if have != want:
            sys.exit(
                f"generate: {name} {have} is installed but generator/requirements.txt pins {want}"
            )


def main() -> int:
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "generated" / "daytona_api"
    check_pins()
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    bindir = Path(sys.executable).parent  # the post hooks call `ruff` from PATH: use ours
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    cmd = [
        str(bindir / "openapi-python-client"),
        "generate",
        "--path",
        str(ROOT / "openapi" / "daytona.yaml"),
        "--config",
        str(GENERATOR / "config.yaml"),
        "--custom-template-path",
        str(GENERATOR / "templates"),
        "--meta",
        "none",
        "--output-path",
        str(out),
        "--fail-on-warning",
    ]
    proc = subprocess.run(cmd, env=env, cwd=out.parent, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        return proc.returncode
    # the generator only warns when ruff is missing: make sure the hooks really ran
    if not (out / "py.typed").exists():
        sys.stderr.write(proc.stdout + proc.stderr + "\ngenerate: post hooks did not run\n")
        return 1
    shutil.rmtree(out / ".ruff_cache", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
