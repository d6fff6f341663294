"""``sandbox.git``: clone, status, add, commit, branches, checkout, history, pull, push.

Wire quirks handled: ``commit_id`` is snake_case on the wire (the generated model sends it so);
credentials are sent only when both username and password are given (the daemon uses basic
auth only then) and never kept, logged or shown in a repr. Repository paths may be relative
(to the project dir)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._toolbox_base import ToolboxBase, check_path
from .errors import InvalidArgumentError

if TYPE_CHECKING:
    from daytona_api.models import GitCommitInfo, GitStatus

__all__ = ["Git"]


def _creds(username: str | None, password: str | None) -> dict[str, str]:
    if (username is None) != (password is None):
        raise InvalidArgumentError("give both username and password, or neither")
    if username is None or password is None:
        return {}
    return {"username": username, "password": password}


class Git(ToolboxBase):
    """Git operations on repositories inside one sandbox. Every call takes ``timeout=``."""

    def __repr__(self) -> str:
        return f"Git(sandbox_id={self.sandbox_id!r})"

    async def clone(
        self,
        url: str,
        path: str,
        *,
        branch: str | None = None,
        commit_id: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float | None = 300.0,
    ) -> None:
        """Clone ``url`` into ``path``. The service clones one branch: ``branch``, else
        ``main`` (not the remote's HEAD). ``commit_id`` checks that commit out (detached)."""
        from daytona_api.api.toolbox_git import git_clone_repository
        from daytona_api.models import GitCloneRequest
        from daytona_api.types import UNSET

        creds = _creds(username, password)
        body = GitCloneRequest(
            url=check_path(url, "url"),
            path=await self.resolve(path),
            branch=UNSET if branch is None else branch,
            commit_id=UNSET if commit_id is None else commit_id,
            username=creds.get("username", UNSET),
            password=creds.get("password", UNSET),
        )
        await self._ctx.call(git_clone_repository, self.sandbox_id, body=body, timeout=timeout)

    async def status(self, path: str, *, timeout: float | None = None) -> GitStatus:
        """Current branch, per-file status, ahead/behind (``GitStatus`` model)."""
        from daytona_api.api.toolbox_git import git_get_status
        from daytona_api.models import GitStatus

        return await self._ctx.call_parsed(
            git_get_status,
            self.sandbox_id,
            path=await self.resolve(path),
            expect=GitStatus,
            timeout=timeout,
        )

    async def add(self, path: str, files: Iterable[str], *, timeout: float | None = None) -> None:
        """Stage ``files`` (paths relative to the repository; ``["."]`` for everything)."""
        from daytona_api.api.toolbox_git import git_add_files
        from daytona_api.models import GitAddRequest

        names = [files] if isinstance(files, str) else list(files)
        if not names:
            raise InvalidArgumentError("files must not be empty")
        body = GitAddRequest(path=await self.resolve(path), files=names)
        await self._ctx.call(git_add_files, self.sandbox_id, body=body, timeout=timeout)

    async def commit(
        self,
        path: str,
        message: str,
        author: str,
        email: str,
        *,
        timeout: float | None = None,
    ) -> str:
        """Commit the staged changes; returns the new commit's hash. ``message``, ``author``
        and ``email`` must not be empty (the service requires them)."""
        from daytona_api.api.toolbox_git import git_commit_changes
        from daytona_api.models import GitCommitRequest, GitCommitResponse

        for name, value in (("message", message), ("author", author), ("email", email)):
            if not isinstance(value, str) or not value:
                raise InvalidArgumentError(f"{name} must be a non-empty string")
        body = GitCommitRequest(
            path=await self.resolve(path), message=message, author=author, email=email
        )
        result = await self._ctx.call_parsed(
            git_commit_changes,
            self.sandbox_id,
            body=body,
            expect=GitCommitResponse,
            timeout=timeout,
        )
        return result.hash_

    async def branches(self, path: str, *, timeout: float | None = None) -> list[str]:
        """Local branch names."""
        from daytona_api.api.toolbox_git import git_list_branches
        from daytona_api.models import ListBranchResponse

        result = await self._ctx.call_parsed(
            git_list_branches,
            self.sandbox_id,
            path=await self.resolve(path),
            expect=ListBranchResponse,
            timeout=timeout,
        )
        return list(result.branches)

    async def create_branch(self, path: str, name: str, *, timeout: float | None = None) -> None:
        """Create branch ``name`` — the service also checks it out."""
        from daytona_api.api.toolbox_git import git_create_branch
        from daytona_api.models import GitBranchRequest

        body = GitBranchRequest(path=await self.resolve(path), name=check_path(name, "name"))
        await self._ctx.call(git_create_branch, self.sandbox_id, body=body, timeout=timeout)

    async def delete_branch(self, path: str, name: str, *, timeout: float | None = None) -> None:
        """Delete the local branch ``name``."""
        from daytona_api.api.toolbox_git import git_delete_branch
        from daytona_api.models import GitDeleteBranchRequest

        body = GitDeleteBranchRequest(path=await self.resolve(path), name=check_path(name, "name"))
        await self._ctx.call(git_delete_branch, self.sandbox_id, body=body, timeout=timeout)

    async def checkout(self, path: str, branch: str, *, timeout: float | None = None) -> None:
        """Check out ``branch``."""
        from daytona_api.api.toolbox_git import git_checkout_branch
        from daytona_api.models import GitCheckoutRequest

        body = GitCheckoutRequest(
            path=await self.resolve(path), branch=check_path(branch, "branch")
        )
        await self._ctx.call(git_checkout_branch, self.sandbox_id, body=body, timeout=timeout)

    async def history(self, path: str, *, timeout: float | None = None) -> list[GitCommitInfo]:
        """Commits from HEAD backwards (``GitCommitInfo``: hash_, author, email, message,
        timestamp)."""
        from daytona_api.api.toolbox_git import git_get_history

        return await self._ctx.call_parsed(
            git_get_history,
            self.sandbox_id,
            path=await self.resolve(path),
            expect=(list,),
            timeout=timeout,
        )

    async def pull(
        self,
        path: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float | None = 300.0,
    ) -> None:
        """Pull the current branch ("already up-to-date" is success)."""
        await self._sync("pull", path, username, password, timeout)

    async def push(
        self,
        path: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float | None = 300.0,
    ) -> None:
        """Push the current branch."""
        await self._sync("push", path, username, password, timeout)

    async def _sync(
        self,
        what: str,
        path: str,
        username: str | None,
        password: str | None,
        timeout: float | None,
    ) -> None:
        from daytona_api.api.toolbox_git import git_pull_changes, git_push_changes
        from daytona_api.models import GitRepoRequest
        from daytona_api.types import UNSET

        creds = _creds(username, password)
        body = GitRepoRequest(
            path=await self.resolve(path),
            username=creds.get("username", UNSET),
            password=creds.get("password", UNSET),
        )
        endpoint = git_pull_changes if what == "pull" else git_push_changes
        await self._ctx.call(endpoint, self.sandbox_id, body=body, timeout=timeout)
