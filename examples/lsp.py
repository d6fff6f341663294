"""A Python language server inside a sandbox: completions and symbols.

python examples/lsp.py
"""

import anyio
from daytona_async import AsyncDaytona

SOURCE = b"""import os


class Greeter:
    def greet(self, name):
        return "hello " + name


def main():
    return os.path.join("a", "b")
"""


async def main() -> None:
    async with AsyncDaytona() as daytona, daytona.sandbox() as sb:
        await sb.fs.upload(SOURCE, "project/app.py")
        async with sb.lsp("python", "project") as lsp:  # started here, stopped on exit
            await lsp.did_open("project/app.py")
            symbols = await lsp.document_symbols("project/app.py")
            print("symbols:", sorted(s.name for s in symbols))
            # line 9 is `    return os.path.join(...)`; ask right after `os.pa`
            completions = await lsp.completions("project/app.py", 9, 16)
            print("completions after 'os.pa':", [item.label for item in completions.items][:5])
            found = await lsp.workspace_symbols("Greet")
            print("workspace symbols for 'Greet':", [s.name for s in found])


if __name__ == "__main__":
    anyio.run(main)
