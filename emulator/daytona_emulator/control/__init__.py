"""The emulator's control plane: everything under ``/api`` except the toolbox.

* ``plane``         :class:`~daytona_emulator.control.plane.Control`: store, guards, clock, toolbox
* ``routes``        every route, one API group per module:
  ``sandboxes``, ``snapshots``, ``volumes``, ``registries``, ``api_keys``, ``organizations``,
  ``members`` (members and roles), ``invitations``, ``users``, ``runners``, ``preview``
* ``auth``, ``tokens``  the guards; signed JWTs
* ``lifecycle``     the clock that walks sandboxes, backups, snapshots and volumes
* ``builds``, ``drivers``  Dockerfile builds and their logs; one task per object in motion
* ``orgs``, ``sandbox_model``, ``quota``  documents, DTOs and rules shared by the groups
* ``common``, ``validation``  responses, errors and casts; class-validator style checks

The toolbox is reached only through ``daytona_emulator.ports.SandboxToolbox``. Where the
emulator deliberately differs from the real service is listed in ``emulator/DIFFERENCES.md``.
"""
