"""exec's command wrapping, checked locally against the emulator's copy of the daemon's
tokeniser (split on spaces, ' and " quote, no escapes, quotes dropped) and a real ``sh``."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from daytona_async._process import build_exec_command
from daytona_async.errors import InvalidArgumentError
from daytona_emulator.toolbox.procs import tokenise as daemon_tokenise

pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")


def run(command: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    argv = daemon_tokenise(build_exec_command(command, env))
    assert argv[:2] == ["sh", "-c"] and len(argv) == 3
    proc = subprocess.run(argv, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    return proc.returncode, (proc.stdout + proc.stderr).decode()


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("echo hello", "hello\n"),
        ("echo 'single quoted'  \"double  quoted\"", "single quoted double  quoted\n"),
        ('echo "it\'s" \'say "hi"\'', 'it\'s say "hi"\n'),
        ("printf '%s\\n' a b | tr a-z A-Z | sort -r", "B\nA\n"),
        ("X=5; echo \"$X $((X+1))\" '$X'", "5 6 $X\n"),
        ("echo one\necho two", "one\ntwo\n"),
        ("echo 'multi\nline'", "multi\nline\n"),
        ("echo 你好 🙂 | cat", "你好 🙂\n"),
        ("echo a > /dev/null; echo b 1>&2", "b\n"),
        ("echo `echo back` $(echo dollar)", "back dollar\n"),
        ("echo \\\\ back\\\\slash", "\\ back\\slash\n"),
    ],
)
def test_shell_semantics(command: str, expected: str) -> None:
    assert run(command) == (0, expected)


def test_exit_code() -> None:
    assert run("exit 7")[0] == 7
    assert run("false || exit 3")[0] == 3
    assert run("true")[0] == 0


def test_stdin_is_not_the_script() -> None:
    # with `... | base64 -d | sh` a command reading stdin could eat the rest of the script
    code, out = run("cat\necho after")
    assert (code, out) == (0, "after\n")


def test_env_values_survive() -> None:
    env = {
        "SPACES": "a b  c",
        "QUOTES": 'it\'s "quoted"',
        "DOLLAR": "$HOME `id` $(id)",
        "NEWLINES": "l1\nl2\n\n",
        "EMPTY": "",
        "UNI": "🙂 ✓",
    }
    script = "; ".join(f'printf "%s|" "${k}"' for k in env)
    code, out = run(script, env)
    assert code == 0
    assert out == "".join(f"{v}|" for v in env.values())


@pytest.mark.parametrize("key", ["1A", "A-B", "A B", "", "A=B", "é"])
def test_env_key_validated(key: str) -> None:
    with pytest.raises(InvalidArgumentError):
        build_exec_command("true", {key: "x"})


def test_refused_commands() -> None:
    with pytest.raises(InvalidArgumentError):
        build_exec_command("   ")
    with pytest.raises(InvalidArgumentError, match="too long"):
        build_exec_command("echo " + "x" * 200_000)


def test_wrapped_command_tokenises_to_three_args() -> None:
    wrapped = build_exec_command("echo 'a  b' \"c\" $X | wc\n", {"X": "y z"})
    assert " " not in daemon_tokenise(wrapped)[2].split('"$(echo ')[1].split(" |")[0]
    assert len(daemon_tokenise(wrapped)) == 3
