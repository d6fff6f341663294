"""The README is true: the emulator command it shows fits the orchestration example, and
every relative link resolves. Its code blocks run with the docs' in tests/docs/test_code_blocks.py.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from daytona_emulator.testing import EmulatorProcess

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


@dataclass
class Block:
    language: str
    line: int  # where the block starts in README.md (1-based)
    code: str


def blocks(language: str) -> list[Block]:
    found: list[Block] = []
    lines = README.read_text().splitlines()
    start, lang, body = 0, "", list[str]()
    inside = False
    for number, text in enumerate(lines, 1):
        fence = re.match(r"^```(\w*)\s*$", text)
        if fence and not inside:
            inside, start, lang, body = True, number, fence.group(1), []
        elif text.startswith("```") and inside:
            inside = False
            if lang == language:
                found.append(Block(lang, start, "\n".join(body) + "\n"))
        elif inside:
            body.append(text)
    return found


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYTONA_")}
    return {**env, **extra}


def emulator_command() -> list[str]:
    """The arguments of the `daytona-emulator` command the Install section tells to run."""
    for block in blocks("sh"):
        command = block.code.replace("\\\n", " ").splitlines()[0]
        if command.startswith("daytona-emulator "):
            return shlex.split(command)[1:]
    raise AssertionError("the README shows no daytona-emulator command")


def test_the_emulator_command_shown_runs_the_20_sandbox_example() -> None:
    args = emulator_command()
    # the port and the key are the caller's: a free port here, the key as the README sets it
    key = args[args.index("--api-key") + 1]
    for flag in ("--port", "--api-key"):
        at = args.index(flag)
        del args[at : at + 2]
    with EmulatorProcess(*args, api_key=key) as emu:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "orchestrate.py"), "--n", "20"],
            capture_output=True,
            text=True,
            timeout=300,
            env=clean_env(DAYTONA_API_URL=emu.base_url, DAYTONA_API_KEY=key, COLUMNS="200"),
        )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert "all 20 sandboxes succeeded" in proc.stdout


def test_every_relative_link_resolves() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", README.read_text())
    local = [link for link in links if not re.match(r"^[a-z]+://", link)]
    assert local, "no relative links found: the pattern is broken"
    missing = [link for link in local if not (ROOT / link).exists()]
    assert missing == []
