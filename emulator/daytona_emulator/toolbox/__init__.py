"""The emulator's toolbox: every ``/api/toolbox/{sandboxId}/toolbox/...`` operation for real.

* ``runtime``   :class:`ToolboxRuntime`: the API groups' routes and the lifecycle hooks
* ``state``     what the groups share: settings, process tracker, one ``Sandbox`` each
* API groups, one module each with a route table: ``files`` (``/files/*``), ``uploads``
  (``/files/upload``, ``/files/bulk-upload``), ``execute`` (``/process/execute``),
  ``sessions`` (``/process/session*``), ``git`` (``/git/*``), ``lsp`` (``/lsp/*``)
* helpers: ``jail`` (sandbox paths → host paths), ``fsio`` (blocking file helpers),
  ``fileinfo`` (Go's FileInfo), ``glob`` (Go's ``filepath.Match``), ``multipart``,
  ``procs`` (limits, process groups, tokeniser), ``lsp_rpc``, ``watch`` (inotify), ``common``
"""

from .runtime import ToolboxRuntime

__all__ = ["ToolboxRuntime"]
