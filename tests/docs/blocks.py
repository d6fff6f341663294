"""Fenced code blocks of the README and the docs, with the marks that say how to test them.

A block is run unless the line right before its opening fence is an HTML comment
``<!-- skip: REASON -->`` (a shell install line, a long-running server, a snippet that needs
the real service): the reason is required, and the skipped blocks are counted. Python blocks run
as scripts against the emulator; a Python block whose first line is ``# test_NAME.py`` is a
pytest file and runs with pytest. A block in another language must be marked skip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = re.compile(r"^<!--\s*skip:\s*(?P<reason>\S.*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\s*$")


@dataclass(frozen=True)
class Block:
    file: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    skip: str | None  # the reason, when marked skip

    @property
    def where(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}"


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text().splitlines()
    inside: tuple[int, str, str | None] | None = None
    body: list[str] = []
    for number, text in enumerate(lines, 1):
        fence = FENCE.match(text)
        if inside is None and fence:
            before = lines[number - 2] if number >= 2 else ""
            mark = SKIP.match(before)
            inside, body = (number, fence.group("lang"), mark and mark.group("reason")), []
        elif inside is not None and text.strip() == "```":
            start, lang, reason = inside
            found.append(Block(path, start, lang, "\n".join(body) + "\n", reason))
            inside = None
        elif inside is not None:
            body.append(text)
    if inside is not None:
        raise ValueError(f"{path}:{inside[0]}: unclosed code fence")
    return found


def all_blocks() -> list[Block]:
    return [block for path in markdown_files() for block in blocks(path)]
