"""The emulator's toolbox: every ``/api/toolbox/{sandboxId}/toolbox/...`` operation for real.

* ``jail``      sandbox paths → host paths under the sandbox's root (every file op uses it)
* ``files``     ``/files/*`` (streamed uploads and downloads)
* ``multipart`` the streaming ``multipart/form-data`` parser behind the uploads
* ``procs``     process limits and groups, the environment, ``/process/execute``
* ``sessions``  ``/process/session*``: long-lived shells, command logs, follow streams
* ``git``       ``/git/*`` through the real ``git`` binary
* ``lsp``       ``/lsp/*`` with python-lsp-server over stdio
* ``runtime``   :class:`ToolboxRuntime`: per-sandbox state, lifecycle hooks, the routes
"""

from .runtime import SandboxState, ToolboxRuntime

__all__ = ["SandboxState", "ToolboxRuntime"]
