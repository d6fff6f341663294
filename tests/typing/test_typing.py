"""The public surface is typed for users: ``mypy --strict`` on a user-style script passes with
``assert_type`` on the main calls, and a file of typos gets exactly one error per typo line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")


def _mypy(*files: Path) -> list[tuple[str, int, str]]:
    """Run mypy --strict (the project's configuration: generated/ and wrappers/ on its path)
    on ``files``; the errors as (file name, line, message)."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes"]
        + [str(f.relative_to(ROOT)) for f in files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = []
    for line in proc.stdout.splitlines():
        m = _ERROR.match(line)
        if m:
            errors.append((Path(m["file"]).name, int(m["line"]), m["message"]))
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not errors):
        pytest.fail(f"mypy did not run: {proc.stdout}\n{proc.stderr}")
    return errors


def test_user_script_and_typos() -> None:
    script, typos = HERE / "user_script.py", HERE / "typos.py"
    errors = _mypy(script, typos)

    in_script = [e for e in errors if e[0] == script.name]
    assert in_script == [], "the user script must type-check:\n" + "\n".join(map(str, in_script))

    marked = [
        number
        for number, text in enumerate(typos.read_text().splitlines(), start=1)
        if text.rstrip().endswith("# typo")
    ]
    per_line: dict[int, list[str]] = {}
    for name, line, message in errors:
        if name == typos.name:
            per_line.setdefault(line, []).append(message)
    assert marked, "typos.py marks no line"
    assert sorted(per_line) == marked, f"errors on lines {sorted(per_line)}: {per_line}"
    assert all(len(m) == 1 for m in per_line.values()), per_line
