"""``/git/*`` through the real ``git`` binary (async subprocesses, no shell).

The daemon uses go-git; the emulator runs ``git`` inside the sandbox's isolation (its
namespaces, its root: a ``.git/config`` the sandbox wrote, with hooks or ``core.fsmonitor``,
executes there and nowhere else), with ``GIT_CONFIG_NOSYSTEM=1``, no prompts and no repository
discovery above the sandbox's root, and maps results to the daemon's shapes. Without isolation
(``--unsafe-run-commands-on-host`` or none available) git still runs, on the host, with hooks and
``core.fsmonitor`` turned off. Repository paths go through
the jail. Errors are 400 with git's message. Credentials are sent as an HTTP ``Authorization``
header given on the command line (``-c http.extraHeader=...``), never stored in the clone's
config.
"""

from __future__ import annotations

import asyncio
import base64
import shutil
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .common import Fail, daemon_routes, empty, json_response, query, read_json, require
from .fsio import make_dirs
from .jail import Jail, JailError
from .procs import LIMIT_STATUS, ProcessLimitError, ProcessTracker
from .state import Sandbox, Toolbox

__all__ = ["STATUS_WORDS", "GitApi", "parse_status"]

GIT_TIMEOUT = 300.0
#: git's stdout the emulator holds for one request (a status or log of a huge repository would
#: otherwise sit whole in its memory); beyond it the command is killed and the request fails
GIT_MAX_OUTPUT = 64 * 1024 * 1024
#: git's stderr kept (only its message is ever shown)
GIT_MAX_STDERR = 1024 * 1024


class _OutputTooLarge(Exception):
    pass


async def _read_capped(stream: asyncio.StreamReader | None, cap: int, strict: bool) -> bytes:
    """Everything ``stream`` gives, up to ``cap`` bytes: beyond it, ``_OutputTooLarge``
    (``strict``) or the rest read and dropped (stderr: only its start is ever shown)."""
    buf = bytearray()
    if stream is None:
        return b""
    while chunk := await stream.read(256 * 1024):
        if len(buf) + len(chunk) > cap:
            if strict:
                raise _OutputTooLarge
            chunk = chunk[: cap - len(buf)]
        buf += chunk
    return bytes(buf)


STATUS_WORDS = {
    ".": "Unmodified",
    " ": "Unmodified",
    "?": "Untracked",
    "M": "Modified",
    "T": "Modified",
    "A": "Added",
    "D": "Deleted",
    "R": "Renamed",
    "C": "Copied",
    "U": "Updated but unmerged",
}


def parse_status(raw: bytes) -> dict[str, Any]:
    """``git status --porcelain=v2 --branch -z`` → the daemon's ``GitStatus``."""
    branch = ""
    upstream = False
    ahead = behind = 0
    files: list[dict[str, str]] = []
    fields = raw.decode("utf-8", "replace").split("\x00")
    i = 0
    while i < len(fields):
        rec = fields[i]
        i += 1
        if not rec:
            continue
        if rec.startswith("# branch.head "):
            head = rec[len("# branch.head ") :]
            branch = "HEAD" if head == "(detached)" else head
        elif rec.startswith("# branch.upstream "):
            upstream = True
        elif rec.startswith("# branch.ab "):
            parts = rec.split()
            ahead, behind = int(parts[2].lstrip("+")), int(parts[3].lstrip("-"))
        elif rec[0] == "1":
            parts = rec.split(" ", 8)
            xy, name = parts[1], parts[8]
            files.append(_file_status(name, xy, ""))
        elif rec[0] == "2":
            parts = rec.split(" ", 9)
            xy, name = parts[1], parts[9]
            orig = fields[i] if i < len(fields) else ""
            i += 1
            files.append(_file_status(name, xy, orig))
        elif rec[0] == "u":
            parts = rec.split(" ", 10)
            files.append(_file_status(parts[10], "UU", ""))
        elif rec[0] == "?":
            files.append(
                {"name": rec[2:], "staging": "Untracked", "worktree": "Untracked", "extra": ""}
            )
    return {
        "currentBranch": branch,
        "fileStatus": files,
        "branchPublished": upstream,
        "ahead": ahead,
        "behind": behind,
    }


def _file_status(name: str, xy: str, extra: str) -> dict[str, str]:
    return {
        "name": name,
        "staging": STATUS_WORDS.get(xy[0], "Unmodified"),
        "worktree": STATUS_WORDS.get(xy[1], "Unmodified"),
        "extra": extra,
    }


def _auth_args(username: Any, password: Any) -> list[str]:
    if isinstance(username, str) and isinstance(password, str) and username and password:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        return ["-c", f"http.extraHeader=Authorization: Basic {token}"]
    return []


class Git:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.binary = shutil.which("git") or "git"

    @property
    def isolated(self) -> bool:
        return self.sb.toolbox.tracker.mode == "isolated"

    def path(self, host: Path) -> str:
        """A path as git sees it: the sandbox's when isolated, the host's otherwise."""
        return self.sb.jail.to_sandbox(host) if self.isolated else str(host)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """What git's environment adds to the sandbox's."""
        env = {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            # never a repository above the sandbox's root
            "GIT_CEILING_DIRECTORIES": "/" if self.isolated else str(self.sb.jail.root.parent),
            "LC_ALL": "C",
        }
        if extra:
            env.update(extra)
        return env

    async def run(
        self,
        args: list[str],
        cwd: Path,
        *,
        extra_env: dict[str, str] | None = None,
        limit_s: float = GIT_TIMEOUT,
        stdin: bytes | None = None,
    ) -> bytes:
        """Run git (``stdin`` fed to it); its stdout, or :class:`Fail` 400 with its message."""
        argv = [self.binary, "-c", "safe.directory=*", "-c", "core.quotepath=false", *args]
        try:
            proc = await self.sb.toolbox.tracker.run(
                self.sb.id,
                self.sb.jail,
                argv,
                cwd,
                extra_env=self.env(extra_env),
                drop_env=("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_GLOBAL"),
                git=True,
                stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except ProcessLimitError as exc:
            raise Fail(LIMIT_STATUS, str(exc)) from None
        except OSError as exc:
            raise Fail(400, f"git: {exc.strerror}") from None

        async def feed() -> None:
            if proc.stdin is None:
                return
            try:
                if stdin:
                    proc.stdin.write(stdin)
                    await proc.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                pass  # git exited without reading it all: its status says why
            finally:
                proc.stdin.close()

        async def talk() -> tuple[bytes, bytes]:
            _, out, err = await asyncio.gather(
                feed(),
                _read_capped(proc.stdout, GIT_MAX_OUTPUT, strict=True),
                _read_capped(proc.stderr, GIT_MAX_STDERR, strict=False),
            )
            await proc.wait()
            return out, err

        try:
            out, err = await asyncio.wait_for(talk(), limit_s)
        except TimeoutError:
            ProcessTracker.kill_group(proc)
            await proc.wait()
            raise Fail(400, "git: timed out") from None
        except _OutputTooLarge:
            ProcessTracker.kill_group(proc)
            await proc.wait()
            raise Fail(400, f"git: output larger than {GIT_MAX_OUTPUT} bytes") from None
        except BaseException:
            ProcessTracker.kill_group(proc)
            raise
        if proc.returncode != 0:
            text = err.decode("utf-8", "replace").strip() or out.decode("utf-8", "replace")
            lines = [ln for ln in text.splitlines() if ln.strip()]
            message = "\n".join(ln.removeprefix("fatal: ").removeprefix("error: ") for ln in lines)
            raise Fail(400, self._scrub(message) or f"git exited with {proc.returncode}")
        return out

    def _scrub(self, message: str) -> str:
        """Host paths of the root never reach the client."""
        root = str(self.sb.jail.root)
        return message.replace(root + "/", "/").replace(root, "/")


def _local_source(jail: Jail, url: str, isolated: bool = False) -> str:
    """The URL git clones from: a local URL (``file://``, or a path as git defines one: no
    ``:`` before the first ``/``) names a repository in the sandbox, where the daemon's go-git
    would look, so it is resolved through the jail (and given to an isolated git as the
    sandbox's path). One that names nothing in the sandbox is left to git as it is: isolated,
    git finds nothing of the host there; unisolated, it is a host path (the unsafe mode)."""
    if url.startswith("file://"):
        path = url[len("file://") :]
    else:
        colon, slash = url.find(":"), url.find("/")
        if colon != -1 and (slash == -1 or colon < slash):
            return url  # a scheme, scp-like ssh or a remote helper: not local
        path = url
    if not path:
        return url
    try:
        host = jail.resolve(path)
    except JailError:
        return url
    if not host.exists():
        return url
    return jail.to_sandbox(host) if isolated else str(host)


def _repo(jail: Jail, path: str) -> Path:
    try:
        host = jail.resolve(path)
    except JailError:
        raise Fail(400, "repository does not exist") from None
    if not (host / ".git").exists():
        raise Fail(400, "repository does not exist")
    return host


class GitApi:
    def __init__(self, toolbox: Toolbox) -> None:
        self.tb = toolbox

    def routes(self) -> list[BaseRoute]:
        return daemon_routes(
            [
                ("POST", "/git/clone", self.clone),
                ("GET", "/git/status", self.status),
                ("POST", "/git/add", self.add),
                ("POST", "/git/commit", self.commit),
                ("GET", "/git/branches", self.list_branches),
                ("POST", "/git/branches", self.create_branch),
                ("DELETE", "/git/branches", self.delete_branch),
                ("POST", "/git/checkout", self.checkout),
                ("GET", "/git/history", self.history),
                ("POST", "/git/pull", self.pull),
                ("POST", "/git/push", self.push),
            ]
        )

    def git_of(self, request: Request) -> Git:
        return Git(self.tb.sandbox_of(request))

    async def repo_of(self, g: Git, path: str) -> Path:
        return await g.sb.run_sync(_repo, g.sb.jail, path)

    async def clone(self, request: Request) -> Response:
        body = await read_json(request)
        require(body, "GitCloneRequest", {"url": "URL", "path": "Path"})
        g = self.git_of(request)
        url, path = str(body["url"]), str(body["path"])
        branch = body.get("branch") or "main"
        commit_id = body.get("commit_id")
        jail = g.sb.jail

        def prepare() -> Path:
            try:
                host = jail.resolve(path)
            except JailError as exc:
                raise Fail(400, str(exc)) from None
            if host.is_dir():
                if any(host.iterdir()):
                    raise Fail(400, "repository already exists")
            elif host.exists():
                raise Fail(400, "repository already exists")
            make_dirs(host.parent, 0o755)
            return host

        host = await g.sb.run_sync(prepare)
        url = await g.sb.run_sync(_local_source, jail, url, g.isolated)
        auth = _auth_args(body.get("username"), body.get("password"))
        await g.run(
            [
                *auth,
                "clone",
                "--single-branch",
                "--branch",
                str(branch),
                "--",
                url,
                g.path(host),
            ],
            host.parent,
        )
        if isinstance(commit_id, str) and commit_id:
            await g.run(["checkout", "--detach", commit_id, "--"], host)
        return empty(200)

    async def status(self, request: Request) -> Response:
        path = query(request, "path")
        if not path:
            raise Fail(400, "path is required")
        g = self.git_of(request)
        repo = await self.repo_of(g, path)
        out = await g.run(
            ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"], repo
        )
        return json_response(parse_status(out))

    async def add(self, request: Request) -> Response:
        body = await read_json(request)
        require(body, "GitAddRequest", {"path": "Path", "files": "Files"})
        files = body["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise Fail(400, "invalid request body: files must be a list of strings")
        g = self.git_of(request)
        repo = await self.repo_of(g, str(body["path"]))
        await g.run(["add", "--all", "--", *files], repo)
        return empty(200)

    async def commit(self, request: Request) -> Response:
        body = await read_json(request)
        require(
            body,
            "GitCommitRequest",
            {"path": "Path", "message": "Message", "author": "Author", "email": "Email"},
        )
        g = self.git_of(request)
        repo = await self.repo_of(g, str(body["path"]))
        author, email = str(body["author"]), str(body["email"])
        ident = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
        }
        # the message through stdin: `-m` would end it with a newline, go-git stores it as given
        await g.run(
            ["commit", "--no-verify", "--cleanup=verbatim", "-F", "-"],
            repo,
            extra_env=ident,
            stdin=str(body["message"]).encode(),
        )
        sha = (await g.run(["rev-parse", "HEAD"], repo)).decode().strip()
        return json_response({"hash": sha})

    async def list_branches(self, request: Request) -> Response:
        path = query(request, "path")
        if not path:
            raise Fail(400, "path is required")
        g = self.git_of(request)
        repo = await self.repo_of(g, path)
        out = await g.run(["for-each-ref", "--format=%(refname:short)", "refs/heads/"], repo)
        return json_response({"branches": [b for b in out.decode().splitlines() if b]})

    async def create_branch(self, request: Request) -> Response:
        body = await read_json(request)
        require(body, "GitBranchRequest", {"path": "Path", "name": "Name"})
        g = self.git_of(request)
        repo = await self.repo_of(g, str(body["path"]))
        await g.run(["checkout", "-b", str(body["name"])], repo)
        return empty(201)

    async def delete_branch(self, request: Request) -> Response:
        body = await read_json(request)
        require(body, "GitDeleteBranchRequest", {"path": "Path", "name": "Name"})
        g = self.git_of(request)
        repo = await self.repo_of(g, str(body["path"]))
        await g.run(["branch", "-D", "--", str(body["name"])], repo)
        return empty(204)

    async def checkout(self, request: Request) -> Response:
        body = await read_json(request)
        require(body, "GitCheckoutRequest", {"path": "Path", "branch": "Branch"})
        g = self.git_of(request)
        repo = await self.repo_of(g, str(body["path"]))
        await g.run(["checkout", "--no-guess", str(body["branch"]), "--"], repo)
        return empty(200)

    async def history(self, request: Request) -> Response:
        path = query(request, "path")
        if not path:
            raise Fail(400, "path is required")
        g = self.git_of(request)
        repo = await self.repo_of(g, path)
        out = await g.run(["log", "-z", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%B"], repo)
        commits = []
        for rec in out.decode("utf-8", "replace").split("\x00"):
            if not rec.strip():
                continue
            sha, name, email, when, message = rec.lstrip("\n").split("\x1f", 4)
            commits.append(
                {
                    "hash": sha,
                    "author": name,
                    "email": email,
                    "message": message,
                    "timestamp": _rfc3339(when),
                }
            )
        return json_response(commits)

    async def remote_op(self, request: Request, args: list[str]) -> Response:
        body = await read_json(request)
        require(body, "GitRepoRequest", {"path": "Path"})
        g = self.git_of(request)
        repo = await self.repo_of(g, str(body["path"]))
        auth = _auth_args(body.get("username"), body.get("password"))
        await g.run([*auth, *args], repo)
        return empty(200)

    async def pull(self, request: Request) -> Response:
        return await self.remote_op(request, ["pull", "--ff-only", "--no-rebase"])

    async def push(self, request: Request) -> Response:
        return await self.remote_op(request, ["push", "origin", "refs/heads/*:refs/heads/*"])


def _rfc3339(iso: str) -> str:
    """git's strict ISO date → Go's RFC3339 (``Z`` for UTC)."""
    return iso[:-6] + "Z" if iso.endswith("+00:00") else iso
