"""Quickstart: create a sandbox, run a command, read a file back, delete the sandbox.

DAYTONA_API_KEY=... DAYTONA_API_URL=... python examples/quickstart.py
"""

import anyio
from daytona_async import AsyncDaytona


async def main() -> None:
    async with AsyncDaytona() as daytona:  # reads DAYTONA_API_KEY / DAYTONA_API_URL
        async with daytona.sandbox(labels={"example": "quickstart"}) as sb:  # deleted on exit
            print("sandbox", sb.id, sb.state)
            result = await sb.process.exec("echo hello from $(uname -s) | tr a-z A-Z")
            print("exit", result.exit_code, "output", result.output.strip())
            await sb.fs.upload(b"print('hi')\n", "hello.py")
            print("ls:", sorted(f.name for f in await sb.fs.list(".")))
            print("hello.py:", (await sb.fs.download_bytes("hello.py")).decode().strip())


if __name__ == "__main__":
    anyio.run(main)
