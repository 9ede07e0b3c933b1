"""The local provider: every capability, no account, no credentials, stdlib and attrs only.

``local://`` keeps everything in memory, one store per connection (``?name=X`` shares a
named store within the process); ``local://?root=DIR`` persists to a directory that
separate processes share, with atomic writes. Servers and volumes move through realistic
states one step per observation, never by the wall clock, so waits converge on a
:class:`~cloudneutral.FakeClock`. Volumes hold real (sparse) bytes, reachable through
``volume.as_native(LocalVolumeData)``; snapshots capture and restore them.

Registered as the entry point ``local = "cloudneutral.local:OPENER"``; see
:mod:`cloudneutral.local.provider` for the URL options.
"""

from __future__ import annotations

from .provider import OPENER, LocalProvider
from .store import Reclaimed
from .volumes import LocalSnapshotData, LocalVolumeData

__all__ = ["OPENER", "LocalProvider", "LocalSnapshotData", "LocalVolumeData", "Reclaimed"]
