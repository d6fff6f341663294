"""Watch a command's output live, line by line, then get its exit code.

The command runs in a session (a long-lived shell: cwd and exports persist between commands).
Output arrives while the command runs; the iteration ends promptly once it has exited.

    python examples/live_output.py
"""

import time

import anyio
from daytona_async import AsyncDaytona

SCRIPT = (
    "for i in 1 2 3 4 5; do echo \"tick $i ($GREETING)\"; sleep 0.2; done; echo 'bye' >&2; exit 3"
)


async def main() -> None:
    async with AsyncDaytona() as daytona, daytona.sandbox() as sb:
        await sb.process.create_session("demo")
        await sb.process.run("demo", "export GREETING=hello")  # persists in the session
        started = time.monotonic()
        cmd = await sb.process.start("demo", SCRIPT)
        async for line in cmd.output(lines=True):
            print(f"{time.monotonic() - started:5.2f}s  {line}")
        print("exit code:", await cmd.wait(timeout=30))


if __name__ == "__main__":
    anyio.run(main)
