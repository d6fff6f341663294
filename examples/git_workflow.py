"""Git inside a sandbox: clone, branch, commit, history.

    python examples/git_workflow.py [REPO_URL]

Without an argument it makes a small repository inside the sandbox first and clones that, so
it runs offline (against the emulator, too).
"""

import sys

import anyio
from daytona_async import AsyncDaytona

MAKE_ORIGIN = (
    "set -e; rm -rf origin && mkdir -p origin && cd origin && git init -q -b main && "
    "echo 'hello' > README.md && git add README.md && "
    "git -c user.name=Example -c user.email=example@example.com commit -q -m 'first commit'"
)


async def main(url: str | None) -> None:
    async with AsyncDaytona() as daytona, daytona.sandbox() as sb:
        if url is None:
            made = await sb.process.exec(MAKE_ORIGIN)
            if made.exit_code != 0:
                raise SystemExit(made.output)
            # the repository's absolute path as the sandbox's own processes see it
            url = "file://" + (await sb.process.exec("pwd", cwd="origin")).output.strip()
        await sb.git.clone(url, "repo")
        await sb.git.create_branch("repo", "feature")  # creates and switches to it
        await sb.fs.upload(b"a new file\n", "repo/NOTES.md")
        print("status:", [(f.name, f.worktree) for f in (await sb.git.status("repo")).file_status])
        await sb.git.add("repo", ["NOTES.md"])
        sha = await sb.git.commit(
            "repo", "add notes", author="Example", email="example@example.com"
        )
        print("committed", sha)
        print("branches:", await sb.git.branches("repo"))
        for commit in await sb.git.history("repo"):
            print(f"  {commit.hash_[:8]} {commit.author}: {commit.message.strip()}")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1] if len(sys.argv) > 1 else None)
