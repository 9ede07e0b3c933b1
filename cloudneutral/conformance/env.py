"""What one conformance test holds: a connection, deterministic names, and its clean-up.

Names are derived from the test's key (module, class, test, parameters; never the
provider or the run), so a replay asks for exactly what was recorded and a rerun against a
live endpoint reuses, after cleaning, what a crashed run left behind. Every resource made
through :class:`Env` is removed when the test ends, passed or failed.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

import attrs

import cloudneutral
from cloudneutral import (
    AlreadyExists,
    BlobInfo,
    BucketHandle,
    Cloud,
    FakeClock,
    NotFound,
    Server,
    Snapshot,
    Volume,
)
from cloudneutral.errors import CloudError, Conflict

from .harness import Harness, Mode

__all__ = ["Env", "Target"]


@attrs.frozen
class Target:
    """One started harness: where a session's tests connect and how they record."""

    harness: Harness
    mode: Mode
    url: str
    cassettes: str


@attrs.define
class Env:
    """The per-test fixture ``cn``: ``cloud`` plus helpers that create and track resources."""

    cloud: Cloud
    target: Target
    key: str
    clock: Any = None
    _cleanups: list[tuple[str, Callable[[], None]]] = attrs.field(factory=list, init=False)

    @property
    def harness(self) -> Harness:
        return self.target.harness

    @property
    def instant(self) -> bool:
        """Whether waits cost no real time (a FakeClock: replay, or a provider moving per
        observation)."""
        return isinstance(self.clock, FakeClock)

    @property
    def timeout(self) -> float:
        """Seconds to wait for a state: the harness's for live runs; on a fake clock the
        same number costs nothing."""
        return self.harness.wait_timeout

    def connect(self) -> Cloud:
        """Another connection to the same provider (URL and clock of this test), closed
        when the test ends: what a second process would see."""
        cloud = cloudneutral.connect(self.target.url, clock=self.clock)
        self.defer("a second connection", cloud.close)
        return cloud

    # -- names ------------------------------------------------------------------------
    def name(self, suffix: str = "") -> str:
        """A lower-case DNS-label name unique to this test (and ``suffix``), stable across runs."""
        digest = hashlib.sha1(f"{self.key}|{suffix}".encode()).hexdigest()[:10]
        base = f"{self.harness.name_prefix}-{digest}"
        return (f"{base}-{suffix}" if suffix else base)[:63].rstrip("-")

    # -- clean-up ---------------------------------------------------------------------
    def defer(self, what: str, action: Callable[[], None]) -> None:
        """Run ``action`` when the test ends (last registered first); ``NotFound`` is ignored."""
        self._cleanups.append((what, action))

    def cleanup(self) -> None:
        """Run every deferred action; raise one error naming all that failed."""
        failures: list[str] = []
        while self._cleanups:
            what, action = self._cleanups.pop()
            try:
                action()
            except NotFound:
                pass
            except CloudError as exc:
                failures.append(f"{what}: {type(exc).__name__}: {exc}")
        if failures:
            raise AssertionError("conformance clean-up failed: " + "; ".join(failures))

    # -- buckets ----------------------------------------------------------------------
    def bucket(self, suffix: str = "", *, create: bool = True) -> BucketHandle:
        """A handle on this test's bucket, created empty (leftovers of a crashed run are
        removed first) and deleted with its blobs at the end."""
        name = self.name(suffix or "b")
        blobs = self.cloud.blobs
        self.defer(f"bucket {name}", lambda: blobs.delete_bucket(name, force=True))
        if create:
            try:
                blobs.create_bucket(name)
            except AlreadyExists:  # left by a crashed run: start from scratch
                blobs.delete_bucket(name, force=True)
                blobs.create_bucket(name)
        return blobs.bucket(name)

    def fill(self, bucket: BucketHandle, keys: list[str], data: bytes = b"x") -> list[BlobInfo]:
        """Write ``data`` at every key of ``keys``."""
        return [bucket.put(key, data) for key in keys]

    # -- servers and volumes ----------------------------------------------------------
    def server(self, suffix: str = "s", **spec: Any) -> Server:
        """Create a running server (default spec: smallest size with 1 vCPU, any image of
        the first OS family offered), deleted at the end."""
        servers = self.cloud.servers
        if "size" not in spec and "min_vcpus" not in spec and "min_memory_mib" not in spec:
            spec["min_vcpus"] = 1
        if "image" not in spec and "os" not in spec:
            spec["image"] = servers.images()[0].id
        server = servers.create(self.name(suffix), timeout=self.timeout, **spec)
        self.defer(f"server {server.id}", lambda: servers.delete(server.id, timeout=self.timeout))
        return server

    def volume(self, suffix: str = "v", size_gib: int = 1, **options: Any) -> Volume:
        """Create an available volume, detached and deleted at the end."""
        volumes = self.cloud.volumes
        volume = volumes.create(self.name(suffix), size_gib, timeout=self.timeout, **options)

        def remove() -> None:
            if volumes.get(volume.id).attachments:
                with contextlib.suppress(Conflict):  # detached meanwhile
                    volumes.detach(volume.id, timeout=self.timeout)
            volumes.delete(volume.id, timeout=self.timeout)

        self.defer(f"volume {volume.id}", remove)
        return volume

    def snapshot(self, volume: Volume, suffix: str = "snap") -> Snapshot:
        """Snapshot ``volume`` (waiting until available); deleted at the end."""
        volumes = self.cloud.volumes
        snap = volumes.snapshot(volume, self.name(suffix), timeout=self.timeout)
        self.defer(f"snapshot {snap.id}", lambda: volumes.delete_snapshot(snap.id))
        return snap
