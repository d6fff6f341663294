"""Control-plane resources, each a small object on :class:`~daytona_async.AsyncDaytona`
(``daytona.snapshots``, ``daytona.volumes``, ...). They return the generated
``daytona_api.models`` classes as they are."""
