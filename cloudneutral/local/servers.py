"""The local :class:`~cloudneutral.driver.ServerDriver`: servers as records in the state,
moving through realistic states as they are observed (see :mod:`.lifecycle`).

``create`` -> pending -> running; ``stop`` -> stopping -> stopped; ``start`` -> pending ->
running; ``reboot`` -> rebooting -> running; ``delete`` -> terminated (reported until
observed, then gone: ``NotFound``). Deleting a server detaches its volumes. Starting a
server that is not stopped, or stopping or rebooting one that is not running, is a
``Conflict``. Addresses are made-up data: private ones in 10.0.0.0/16, public ones in
the documentation range 203.0.113.0/24.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Sequence

from ..driver import ServerRequest
from ..errors import Conflict, InvalidArgument, NotFound, QuotaExceeded
from ..models import Image, Page, Region, Server, ServerState, Size
from .lifecycle import (
    GONE,
    IMAGES,
    REGION,
    SIZES,
    ZONES,
    begin,
    check_zone,
    new_id,
    observe,
    observed_page,
    require,
)
from .records import ServerRecord, State
from .store import StateStore, utcnow

__all__ = ["LocalServerDriver"]


def _page(items: Sequence[object], page_size: int, token: str | None) -> tuple[int, str | None]:
    """``(start, next token)`` of a page of a fixed catalogue (tokens are indexes: it never changes)."""
    start = int(token) if token and token.isdigit() else 0
    end = start + page_size
    return start, (str(end) if end < len(items) else None)


class LocalServerDriver:
    """Servers kept in a :class:`~cloudneutral.local.store.StateStore`.

    ``steps`` is how many observations each transitional state lasts; ``max_servers``
    (servers not terminated) makes ``create_server`` raise ``QuotaExceeded`` beyond it.
    """

    def __init__(
        self, state: StateStore, *, steps: int = 1, max_servers: int | None = None, provider: str = "local"
    ) -> None:
        self._state = state
        self._steps = steps
        self._max_servers = max_servers
        self._provider = provider

    def natives(self) -> Sequence[object]:
        return (self._state,)

    # -- catalogues ------------------------------------------------------------------------
    def _sizes(self) -> list[Size]:
        return [
            Size(
                name=n,
                vcpus=c,
                memory_mib=m,
                disk_gib=d,
                arch=a,
                provider=self._provider,
                native=(n, c, m, d, a),
            )
            for n, c, m, d, a in SIZES
        ]

    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        sizes = self._sizes()
        start, next_token = _page(sizes, page_size, token)
        return Page(tuple(sizes[start : start + page_size]), next_token)

    def _images(self) -> list[Image]:
        return [
            Image(id=i, name=n, os=os, arch=a, provider=self._provider, native=(i, n, os, a))
            for i, n, os, a in IMAGES
        ]

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        images = [i for i in self._images() if os is None or i.os == os.lower()]
        start, next_token = _page(images, page_size, token)
        return Page(tuple(images[start : start + page_size]), next_token)

    def get_image(self, image_id: str) -> Image:
        for image in self._images():
            if image.id == image_id:
                return image
        raise NotFound(f"no image {image_id!r}")

    def list_regions(self, page_size: int, token: str | None) -> Page[Region]:
        native = {"name": REGION, "zones": list(ZONES)}
        return Page((Region(name=REGION, zones=ZONES, provider=self._provider, native=native),))

    # -- servers ---------------------------------------------------------------------------
    def _model(self, state: State, record: ServerRecord) -> Server:
        return Server(
            id=record.id,
            name=record.name,
            state=ServerState(record.state),
            size=record.size,
            image=record.image,
            zone=record.zone,
            public_ips=(record.public_ip,),
            private_ips=(record.private_ip,),
            volumes=tuple(sorted(v.id for v in state.volumes_of(record.id))),
            created=_dt.datetime.fromisoformat(record.created),
            tags=record.tags,
            provider=self._provider,
            native=copy.deepcopy(record),
        )

    def create_server(self, request: ServerRequest) -> Server:
        if request.size.name not in {name for name, *_ in SIZES}:
            raise NotFound(f"no size {request.size.name!r}")
        image = self.get_image(request.image.id)
        if request.size.arch and image.arch and request.size.arch != image.arch:
            raise InvalidArgument(
                f"size {request.size.name} is {request.size.arch}, image {image.id} {image.arch}"
            )
        zone = check_zone(request.zone)
        with self._state.transaction(create=True) as state:
            live = sum(1 for s in state.servers.values() if s.state != ServerState.TERMINATED.value)
            if self._max_servers is not None and live >= self._max_servers:
                raise QuotaExceeded(f"the limit of {self._max_servers} servers is reached")
            state.seq += 1
            n = state.seq
            record = ServerRecord(
                id=new_id("srv"),
                seq=n,
                name=request.name,
                created=utcnow().isoformat(),
                size=request.size.name,
                image=request.image.id,
                zone=zone,
                private_ip=f"10.0.{(n // 250) % 256}.{n % 250 + 2}",
                public_ip=f"203.0.113.{n % 254 + 1}",
                tags=dict(request.tags),
            )
            state.servers[record.id] = record
            begin(state.servers, record, "pending", "running", steps=self._steps)
            return self._model(state, record)

    def get_server(self, server_id: str) -> Server:
        with self._state.transaction() as state:
            record = require(state.servers, server_id, "server")
            return self._model(state, observe(state.servers, record, self._steps))

    def list_servers(self, page_size: int, token: str | None) -> Page[Server]:
        with self._state.transaction() as state:
            records, next_token = observed_page(state.servers, page_size, token, self._steps)
            return Page(tuple(self._model(state, r) for r in records), next_token)

    def _transition(self, server_id: str, verb: str, needs: str, then: tuple[str, ...]) -> None:
        with self._state.transaction() as state:
            record = require(state.servers, server_id, "server")
            if record.state != needs:
                raise Conflict(f"cannot {verb} server {server_id}: it is {record.state}, not {needs}")
            begin(state.servers, record, *then, steps=self._steps)

    def start_server(self, server_id: str) -> None:
        self._transition(server_id, "start", "stopped", ("pending", "running"))

    def stop_server(self, server_id: str) -> None:
        self._transition(server_id, "stop", "running", ("stopping", "stopped"))

    def reboot_server(self, server_id: str) -> None:
        self._transition(server_id, "reboot", "running", ("rebooting", "running"))

    def delete_server(self, server_id: str) -> None:
        with self._state.transaction() as state:
            record = require(state.servers, server_id, "server")
            if record.state == ServerState.TERMINATED.value:
                return  # already on its way out, as a cloud would say
            for volume in state.volumes_of(server_id):
                volume.attachment = None
                volume.state, volume.next, volume.seen = "available", [], 0
            begin(state.servers, record, ServerState.TERMINATED.value, GONE, steps=self._steps)
