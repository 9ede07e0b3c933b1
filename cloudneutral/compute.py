"""Servers: the portable service over a :class:`~cloudneutral.driver.ComputeDriver`.

Here, once for every provider: name validation, resolving a portable spec (size by name
or by minimum vCPUs/memory; image by id, name or OS family) against the provider's
catalogue, waiting for states, lazy pagination, retries and error translation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from ._runtime import Runtime
from .driver import ComputeDriver, ServerRequest
from .errors import Conflict, InvalidArgument, NotFound
from .models import Image, Region, Server, ServerState, Size
from .validation import check_positive, check_resource_name, check_tags

__all__ = ["DEFAULT_TIMEOUT", "ServerService", "pick_image", "pick_size"]

DEFAULT_TIMEOUT = 600.0
DEFAULT_PAGE_SIZE = 100
ServerRef = Server | str

#: States from which a server can never reach the awaited one without someone acting.
_DEAD_ENDS = {
    ServerState.RUNNING: {ServerState.TERMINATED, ServerState.ERROR},
    ServerState.STOPPED: {ServerState.TERMINATED, ServerState.ERROR},
}


def _server_id(server: ServerRef) -> str:
    if isinstance(server, Server):
        return server.id
    if not isinstance(server, str) or not server:
        raise InvalidArgument("a server is given as a Server or its non-empty id")
    return server


def pick_size(
    sizes: Sequence[Size], name: str | None, min_vcpus: int | None, min_memory_mib: int | None
) -> Size:
    """The size called ``name``; else the smallest (fewest vCPUs, then least memory) with
    at least ``min_vcpus`` and ``min_memory_mib``. Raises ``NotFound`` when none fits."""
    if name is not None:
        for size in sizes:
            if size.name == name:
                return size
        raise NotFound(f"no size named {name!r}")
    fitting = [s for s in sizes if s.vcpus >= (min_vcpus or 0) and s.memory_mib >= (min_memory_mib or 0)]
    if not fitting:
        raise NotFound(f"no size has at least {min_vcpus or 0} vCPUs and {min_memory_mib or 0} MiB of memory")
    return min(fitting, key=lambda s: (s.vcpus, s.memory_mib, s.disk_gib or 0, s.name))


def pick_image(images: Sequence[Image], ref: str | None, os: str | None) -> Image:
    """The image whose id or name is ``ref``; else the last by name of OS family ``os``
    (names usually end in a version or date, so that is the newest). Raises ``NotFound``."""
    if ref is not None:
        for image in images:
            if ref in (image.id, image.name):
                return image
        raise NotFound(f"no image with id or name {ref!r}")
    family = (os or "").lower()
    matching = [i for i in images if (i.os or "").lower() == family]
    if not matching:
        raise NotFound(f"no image of OS family {os!r}")
    return max(matching, key=lambda i: (i.name, i.id))


class ServerService:
    """Servers of one provider. Obtain it as ``cloud.servers``."""

    def __init__(self, driver: ComputeDriver, runtime: Runtime) -> None:
        self._driver = driver
        self._runtime = runtime

    # -- catalogues ---------------------------------------------------------------------
    def sizes(self) -> list[Size]:
        """Every size, smallest first."""
        sizes = self._runtime.call(self._driver.list_sizes)
        return sorted(sizes, key=lambda s: (s.vcpus, s.memory_mib, s.name))

    def images(self, os: str | None = None) -> list[Image]:
        """Images, only those of OS family ``os`` when given, sorted by name."""
        family = os.lower() if os else None
        images = self._runtime.call(self._driver.list_images, family)
        return sorted(images, key=lambda i: (i.name, i.id))

    def regions(self) -> list[Region]:
        return sorted(self._runtime.call(self._driver.list_regions), key=lambda r: r.name)

    def find_size(
        self, name: str | None = None, *, min_vcpus: int | None = None, min_memory_mib: int | None = None
    ) -> Size:
        """See :func:`pick_size`."""
        return pick_size(self.sizes(), name, min_vcpus, min_memory_mib)

    def find_image(self, ref: str | None = None, *, os: str | None = None) -> Image:
        """An image by id or name, else the newest of OS family ``os``. Raises ``NotFound``."""
        if ref is None and os is None:
            raise InvalidArgument("give an image id or name, or an OS family")
        if ref is not None:
            try:
                return self._runtime.call(self._driver.get_image, ref)
            except NotFound:
                pass  # it may be a name rather than an id
            return pick_image(self.images(), ref, None)
        return pick_image(self.images(os), None, os)

    # -- servers ------------------------------------------------------------------------
    def create(
        self,
        name: str,
        *,
        size: str | None = None,
        min_vcpus: int | None = None,
        min_memory_mib: int | None = None,
        image: str | None = None,
        os: str | None = None,
        zone: str | None = None,
        tags: Mapping[str, str] | None = None,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Server:
        """Create a server from a portable spec; wait until it runs unless ``wait`` is false.

        ``size`` names a size, or ``min_vcpus``/``min_memory_mib`` pick the smallest that
        fits; ``image`` is an id or name, or ``os`` picks the newest image of that family.
        Raises ``InvalidArgument``, ``NotFound`` (no such size or image), ``QuotaExceeded``,
        ``Timeout``. Creation is not retried (it is not idempotent).
        """
        check_resource_name("server", name)
        if size is not None and (min_vcpus is not None or min_memory_mib is not None):
            raise InvalidArgument("give a size name or minimum vCPUs/memory, not both")
        for what, value in (("min_vcpus", min_vcpus), ("min_memory_mib", min_memory_mib)):
            if value is not None:
                check_positive(what, value)
        if image is not None and os is not None:
            raise InvalidArgument("give an image id or name, or an OS family, not both")
        request = ServerRequest(
            name=name,
            size=self.find_size(size, min_vcpus=min_vcpus, min_memory_mib=min_memory_mib),
            image=self.find_image(image, os=os),
            zone=zone,
            tags=check_tags(tags),
        )
        server = self._runtime.call(self._driver.create_server, request, idempotent=False)
        return self.wait(server, ServerState.RUNNING, timeout=timeout) if wait else server

    def get(self, server: ServerRef) -> Server:
        """The server's current state. Raises ``NotFound``."""
        return self._runtime.call(self._driver.get_server, _server_id(server))

    def list(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, include_terminated: bool = False
    ) -> Iterator[Server]:
        """Every server, lazily; terminated ones only when ``include_terminated``."""
        check_positive("page_size", page_size)
        for page in self._runtime.paginate(self._driver.list_servers, page_size):
            for server in page.items:
                if include_terminated or server.state is not ServerState.TERMINATED:
                    yield server

    def find(self, name: str) -> Server:
        """The one live server called ``name``. Raises ``NotFound``; ``Conflict`` if several."""
        found = [s for s in self.list() if s.name == name]
        if not found:
            raise NotFound(f"no server named {name!r}", provider=self._runtime.provider)
        if len(found) > 1:
            raise Conflict(f"{len(found)} servers are named {name!r}", provider=self._runtime.provider)
        return found[0]

    def start(self, server: ServerRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Server:
        """Start a stopped server. Raises ``NotFound``, ``Conflict``, ``Timeout``."""
        server_id = _server_id(server)
        self._runtime.call(self._driver.start_server, server_id)
        return self.wait(server_id, ServerState.RUNNING, timeout=timeout) if wait else self.get(server_id)

    def stop(self, server: ServerRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Server:
        """Stop a running server. Raises ``NotFound``, ``Conflict``, ``Timeout``."""
        server_id = _server_id(server)
        self._runtime.call(self._driver.stop_server, server_id)
        return self.wait(server_id, ServerState.STOPPED, timeout=timeout) if wait else self.get(server_id)

    def reboot(self, server: ServerRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Server:
        """Reboot a running server; with ``wait``, return once it runs again."""
        server_id = _server_id(server)
        self._runtime.call(self._driver.reboot_server, server_id)
        return self.wait(server_id, ServerState.RUNNING, timeout=timeout) if wait else self.get(server_id)

    def delete(self, server: ServerRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Delete a server; with ``wait``, return once it is terminated or gone.
        Raises ``NotFound`` when it does not exist."""
        server_id = _server_id(server)
        self._runtime.call(self._driver.delete_server, server_id)
        if wait:
            self._runtime.wait(
                f"server {server_id} to terminate",
                lambda: self._state_or_gone(server_id),
                lambda state: state is ServerState.TERMINATED,
                timeout=timeout,
            )

    def _state_or_gone(self, server_id: str) -> ServerState:
        try:
            return self.get(server_id).state
        except NotFound:
            return ServerState.TERMINATED

    def wait(self, server: ServerRef, state: ServerState, *, timeout: float = DEFAULT_TIMEOUT) -> Server:
        """Poll until the server is in ``state``; return it.

        Raises ``Timeout`` after ``timeout`` seconds, ``ProviderError`` when the server
        reaches a state from which ``state`` cannot follow (e.g. ``error``), ``NotFound``.
        """
        server_id = _server_id(server)
        dead_ends = _DEAD_ENDS.get(state, {ServerState.ERROR}) - {state}
        return self._runtime.wait(
            f"server {server_id} to be {state.value}",
            lambda: self.get(server_id),
            lambda s: s.state is state,
            timeout=timeout,
            failed=lambda s: f"server is {s.state.value}" if s.state in dead_ends else None,
        )
