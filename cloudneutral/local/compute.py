"""The local :class:`~cloudneutral.driver.ComputeDriver`: servers as records in the state
document, moving through realistic states as they are observed (see :mod:`.lifecycle`).

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
from typing import Any

from ..driver import ServerRequest
from ..errors import Conflict, NotFound, QuotaExceeded
from ..models import Image, Page, Region, Server, ServerState, Size
from .lifecycle import (
    GONE,
    IMAGES,
    REGION,
    SIZES,
    ZONES,
    begin,
    check_zone,
    new_record,
    observe,
    observed_page,
    require,
)
from .store import StateStore, utcnow

__all__ = ["LocalComputeDriver"]


class LocalComputeDriver:
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

    # -- catalogues ------------------------------------------------------------------------
    def list_sizes(self) -> Sequence[Size]:
        return [
            Size(name=n, vcpus=c, memory_mib=m, disk_gib=d, provider=self._provider, native=(n, c, m, d))
            for n, c, m, d in SIZES
        ]

    def _images(self) -> list[Image]:
        return [Image(id=i, name=n, os=os, provider=self._provider, native=(i, n, os)) for i, n, os in IMAGES]

    def list_images(self, os: str | None) -> Sequence[Image]:
        return [i for i in self._images() if os is None or i.os == os.lower()]

    def get_image(self, image_id: str) -> Image:
        for image in self._images():
            if image.id == image_id:
                return image
        raise NotFound(f"no image {image_id!r}")

    def list_regions(self) -> Sequence[Region]:
        return [Region(name=REGION, zones=ZONES, provider=self._provider)]

    # -- servers ---------------------------------------------------------------------------
    def _model(self, doc: dict[str, Any], record: dict[str, Any]) -> Server:
        volumes = sorted(
            v["id"]
            for v in doc["volumes"].values()
            if (v.get("attachment") or {}).get("server") == record["id"]
        )
        return Server(
            id=record["id"],
            name=record["name"],
            state=ServerState(record["state"]),
            size=record["size"],
            image=record["image"],
            zone=record["zone"],
            public_ips=(record["public_ip"],),
            private_ips=(record["private_ip"],),
            volumes=tuple(volumes),
            created=_dt.datetime.fromisoformat(record["created"]),
            tags=record["tags"],
            provider=self._provider,
            native=copy.deepcopy(record),
        )

    def create_server(self, request: ServerRequest) -> Server:
        if request.size.name not in {name for name, *_ in SIZES}:
            raise NotFound(f"no size {request.size.name!r}")
        self.get_image(request.image.id)
        zone = check_zone(request.zone)
        with self._state.transaction() as doc:
            servers = doc["servers"]
            live = sum(1 for s in servers.values() if s["state"] != ServerState.TERMINATED.value)
            if self._max_servers is not None and live >= self._max_servers:
                raise QuotaExceeded(f"the limit of {self._max_servers} servers is reached")
            n = doc["seq"] + 1
            record = new_record(
                doc,
                "servers",
                "srv",
                name=request.name,
                size=request.size.name,
                image=request.image.id,
                zone=zone,
                private_ip=f"10.0.{(n // 250) % 256}.{n % 250 + 2}",
                public_ip=f"203.0.113.{n % 254 + 1}",
                created=utcnow().isoformat(),
                tags=dict(request.tags),
            )
            begin(servers, record, "pending", "running", steps=self._steps)
            return self._model(doc, record)

    def get_server(self, server_id: str) -> Server:
        with self._state.transaction() as doc:
            record = require(doc, "servers", server_id, "server")
            return self._model(doc, observe(doc["servers"], record, self._steps))

    def list_servers(self, page_size: int, token: str | None) -> Page[Server]:
        with self._state.transaction() as doc:
            records, next_token = observed_page(doc["servers"], page_size, token, self._steps)
            return Page(tuple(self._model(doc, r) for r in records), next_token)

    def _transition(self, server_id: str, verb: str, needs: str, state: str, then: str) -> None:
        with self._state.transaction() as doc:
            record = require(doc, "servers", server_id, "server")
            if record["state"] != needs:
                raise Conflict(f"cannot {verb} server {server_id}: it is {record['state']}, not {needs}")
            begin(doc["servers"], record, state, then, steps=self._steps)

    def start_server(self, server_id: str) -> None:
        self._transition(server_id, "start", "stopped", "pending", "running")

    def stop_server(self, server_id: str) -> None:
        self._transition(server_id, "stop", "running", "stopping", "stopped")

    def reboot_server(self, server_id: str) -> None:
        self._transition(server_id, "reboot", "running", "rebooting", "running")

    def delete_server(self, server_id: str) -> None:
        with self._state.transaction() as doc:
            record = require(doc, "servers", server_id, "server")
            if record["state"] == ServerState.TERMINATED.value:
                return  # already on its way out, as a cloud would say
            for volume in doc["volumes"].values():
                if (volume.get("attachment") or {}).get("server") == server_id:
                    volume.update(attachment=None, state="available", next=[], seen=0)
            begin(doc["servers"], record, ServerState.TERMINATED.value, GONE, steps=self._steps)
