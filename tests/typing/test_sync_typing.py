"""The sync face is typed for users as the async one is: ``mypy --strict`` on a sync user
script passes with ``assert_type`` on the main calls, and a file of typos gets exactly one
error per typo line (see test_typing.py for the async surface)."""

from __future__ import annotations

from pathlib import Path

from .test_typing import _mypy

HERE = Path(__file__).parent


def test_sync_user_script_and_typos() -> None:
    script, typos = HERE / "sync_user_script.py", HERE / "sync_typos.py"
    errors = _mypy(script, typos)

    in_script = [e for e in errors if e[0] == script.name]
    assert in_script == [], "the sync script must type-check:\n" + "\n".join(map(str, in_script))

    marked = [
        number
        for number, text in enumerate(typos.read_text().splitlines(), start=1)
        if text.rstrip().endswith("# typo")
    ]
    per_line: dict[int, list[str]] = {}
    for name, line, message in errors:
        if name == typos.name:
            per_line.setdefault(line, []).append(message)
    assert marked, "sync_typos.py marks no line"
    assert sorted(per_line) == marked, f"errors on lines {sorted(per_line)}: {per_line}"
    assert all(len(m) == 1 for m in per_line.values()), per_line
