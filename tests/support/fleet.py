"""Helpers of the server-migration tests: a populated source, the target's inventory, and
driver wrappers (a catalogue with other sizes and images; a log of every creating call
that survives SIGKILL). Built only on the public driver contract."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import attrs

import cloudneutral
from cloudneutral.local import LocalSnapshotData, LocalVolumeData
from cloudneutral.models import Image, Page, Size

MiB = 1024 * 1024

#: Where the source fleet's volumes hold bytes: offset -> length (a sparse 1 GiB volume).
SCATTER = {0: 512, 3 * MiB + 17: 2 * MiB, 700 * MiB: MiB + 5}


def populate(cloud: cloudneutral.Cloud, *, data: bool = True) -> dict[str, bytes]:
    """Two servers (``web`` running with two volumes, ``db`` stopped in the other zone with
    one), a loose volume and a snapshot of ``data``. Returns volume name -> the bytes
    written at :data:`SCATTER` (concatenated), when ``data``."""
    tags = {"team": "a", "aws:cloudformation:stack-name": "web"}  # (a prefix AWS reserves)
    web = cloud.servers.create("web", os="ubuntu", min_vcpus=2, min_memory_mib=4096, tags=tags)
    db = cloud.servers.create("db", size="local.large", image="img-debian-12", zone="local-b")
    volumes = {
        "data": cloud.volumes.attach(cloud.volumes.create("data", 1, zone=web.zone), web),
        "logs": cloud.volumes.attach(cloud.volumes.create("logs", 2, zone=web.zone), web),
        "pg": cloud.volumes.attach(cloud.volumes.create("pg", 1, zone=db.zone), db),
        "spare": cloud.volumes.create("spare", 1, zone="local-b"),
    }
    cloud.servers.stop(db)
    written: dict[str, bytes] = {}
    if data:
        for name, volume in volumes.items():
            disk = volume.as_native(LocalVolumeData)
            chunks = []
            for offset, length in SCATTER.items():
                chunk = os.urandom(length)
                disk.write(offset, chunk)
                chunks.append(chunk)
            written[name] = b"".join(chunks)
    cloud.volumes.snapshot(volumes["data"], "nightly")
    if data:  # written after the snapshot: the snapshot keeps the bytes it was taken with
        volumes["data"].as_native(LocalVolumeData).write(0, b"after the snapshot")
        written["data"] = b"after the snapshot" + written["data"][len("after the snapshot") :]
    return written


def scattered(data: LocalSnapshotData) -> bytes:
    """The bytes at :data:`SCATTER`, concatenated (compare with :func:`populate`'s)."""
    return b"".join(data.read(offset, length) for offset, length in SCATTER.items())


@attrs.frozen
class Inventory:
    servers: dict[str, tuple[str, str, str | None, str]]  # name -> (size, image, zone, state)
    volumes: dict[str, tuple[int, str | None, str | None, str | None]]  # name -> (GiB, zone, server, device)
    snapshots: list[str]
    counts: tuple[int, int, int]


def inventory(cloud: cloudneutral.Cloud) -> Inventory:
    """What ``cloud`` holds, by name (servers by name, volumes by name with the name of the
    server they are attached to); a local root never written to holds nothing."""
    try:
        servers = list(cloud.servers.list())
    except cloudneutral.NotFound:
        return Inventory({}, {}, [], (0, 0, 0))
    names = {s.id: s.name for s in servers}
    volumes = list(cloud.volumes.list())
    snapshots = list(cloud.volumes.snapshots())
    return Inventory(
        servers={s.name: (s.size, s.image, s.zone, s.state.value) for s in servers},
        volumes={
            v.name: (
                v.size_gib,
                v.zone,
                names.get(v.attachments[0].server_id) if v.attachments else None,
                v.attachments[0].device if v.attachments else None,
            )
            for v in volumes
        },
        snapshots=sorted(s.name for s in snapshots),
        counts=(len(servers), len(volumes), len(snapshots)),
    )


class _Servers:
    def __init__(
        self,
        inner: Any,
        sizes: Callable[[Sequence[Size]], Sequence[Size]],
        images: Callable[[Sequence[Image]], Sequence[Image]],
    ) -> None:
        self._inner, self._sizes, self._images = inner, sizes, images

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        page: Page[Size] = self._inner.list_sizes(1000, None)
        return Page(tuple(self._sizes(page.items)))

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        every = self._images(self._inner.list_images(None, 1000, None).items)
        return Page(tuple(i for i in every if os is None or i.os == os))

    def get_image(self, image_id: str) -> Image:
        for image in self._images(self._inner.list_images(None, 1000, None).items):
            if image.id == image_id:
                return image
        raise cloudneutral.NotFound(f"no image {image_id!r}")


class Catalogue:
    """A ProviderDriver over ``inner`` whose size and image catalogues pass through
    ``sizes`` and ``images`` (to remove, add or change entries)."""

    def __init__(
        self,
        inner: Any,
        sizes: Callable[[Sequence[Size]], Sequence[Size]] = lambda s: s,
        images: Callable[[Sequence[Image]], Sequence[Image]] = lambda i: i,
    ) -> None:
        self.inner = inner
        self.name, self.capabilities = inner.name, inner.capabilities
        self.blobs, self.volumes = inner.blobs, inner.volumes
        self.servers = _Servers(inner.servers, sizes, images)

    def natives(self) -> Sequence[object]:
        return tuple(self.inner.natives())

    def translate_error(self, exc: Exception) -> Any:
        return self.inner.translate_error(exc)

    def close(self) -> None:
        self.inner.close()


class _Logged:
    def __init__(self, inner: Any, prefix: str, fd: int) -> None:
        self._inner, self._prefix, self._fd = inner, prefix, fd

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not name.startswith(("create", "attach", "stop", "delete")):
            return target

        def logged(*args: Any, **kwargs: Any) -> Any:
            result = target(*args, **kwargs)
            os.write(self._fd, f"{self._prefix}.{name}\n".encode())
            return result

        return logged


class Logging:
    """A ProviderDriver over ``inner`` that appends a line to ``log`` after every call that
    creates, attaches, stops or deletes something (one ``write``: it survives SIGKILL)."""

    def __init__(self, inner: Any, log: str) -> None:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.inner = inner
        self.name, self.capabilities, self.blobs = inner.name, inner.capabilities, inner.blobs
        self.servers = _Logged(inner.servers, "servers", fd)
        self.volumes = _Logged(inner.volumes, "volumes", fd)

    def natives(self) -> Sequence[object]:
        return tuple(self.inner.natives())

    def translate_error(self, exc: Exception) -> Any:
        return self.inner.translate_error(exc)

    def close(self) -> None:
        self.inner.close()
