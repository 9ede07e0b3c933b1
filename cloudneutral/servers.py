"""Servers: the portable service over a :class:`~cloudneutral.driver.ServerDriver`.

Here, once for every provider: name validation, resolving a portable spec (size by name
or by minimum vCPUs/memory; image by id, name or OS family) against the provider's
catalogue, waiting for states, lazy pagination, retries and error translation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from ._runtime import Runtime
from ._service import Service
from .driver import ServerDriver, ServerRequest
from .errors import Conflict, InvalidArgument, NotFound
from .models import Capability, Image, Page, Region, Server, ServerState, Size
from .validation import check_instance, check_positive, check_resource_name, check_tags

__all__ = [
    "DEFAULT_TIMEOUT",
    "ServerRef",
    "ServerService",
    "fitting_sizes",
    "pick_image",
    "pick_pair",
    "pick_size",
    "server_id",
]

DEFAULT_TIMEOUT = 600.0
DEFAULT_PAGE_SIZE = 100
ServerRef = Server | str

#: States from which a server can never reach the awaited one without someone acting.
_DEAD_ENDS = {
    ServerState.RUNNING: {ServerState.TERMINATED, ServerState.ERROR},
    ServerState.STOPPED: {ServerState.TERMINATED, ServerState.ERROR},
}


def server_id(server: ServerRef) -> str:
    """The id of ``server`` (a :class:`Server` or its id). Raises ``InvalidArgument``."""
    if isinstance(server, Server):
        return server.id
    if not isinstance(server, str) or not server:
        raise InvalidArgument(f"a server is given as a Server or its non-empty id, not {server!r}")
    return server


def _timeout(timeout: float) -> float:
    check_instance("timeout", timeout, (int, float), "a number of seconds")
    return timeout


def fitting_sizes(
    sizes: Sequence[Size], name: str | None, min_vcpus: int | None, min_memory_mib: int | None
) -> list[Size]:
    """The size called ``name``; else every size with at least ``min_vcpus`` and
    ``min_memory_mib``, smallest (fewest vCPUs, then least memory) first. Raises
    ``NotFound`` when none fits."""
    if name is not None:
        named = [size for size in sizes if size.name == name]
        if not named:
            raise NotFound(f"no size named {name!r}")
        return named[:1]
    fitting = [s for s in sizes if s.vcpus >= (min_vcpus or 0) and s.memory_mib >= (min_memory_mib or 0)]
    if not fitting:
        raise NotFound(f"no size has at least {min_vcpus or 0} vCPUs and {min_memory_mib or 0} MiB of memory")
    return sorted(fitting, key=lambda s: (s.vcpus, s.memory_mib, s.disk_gib or 0, s.name))


def pick_size(
    sizes: Sequence[Size], name: str | None, min_vcpus: int | None, min_memory_mib: int | None
) -> Size:
    """The first of :func:`fitting_sizes`. Raises ``NotFound`` when none fits."""
    return fitting_sizes(sizes, name, min_vcpus, min_memory_mib)[0]


def pick_pair(
    sizes: Sequence[Size],
    images: Sequence[Image],
    *,
    size: str | None,
    min_vcpus: int | None,
    min_memory_mib: int | None,
    image: str | None,
    os: str | None,
) -> tuple[Size, Image]:
    """The smallest fitting size and an image for it that agree on CPU architecture (a
    size or image of unknown architecture agrees with any). Raises ``NotFound`` when no
    pair fits, ``InvalidArgument`` when a named size and a named image disagree."""
    candidates = fitting_sizes(sizes, size, min_vcpus, min_memory_mib)
    if image is not None:
        chosen_image = pick_image(images, image, None)
        for candidate in candidates:
            if None in (candidate.arch, chosen_image.arch) or candidate.arch == chosen_image.arch:
                return candidate, chosen_image
        raise (InvalidArgument if size is not None else NotFound)(
            f"image {chosen_image.id} is built for {chosen_image.arch}; no fitting size is"
        )
    last: NotFound | None = None
    for candidate in candidates:
        try:
            return candidate, pick_image(images, None, os, candidate.arch)
        except NotFound as exc:
            last = exc
    assert last is not None
    raise last


def pick_image(images: Sequence[Image], ref: str | None, os: str | None, arch: str | None = None) -> Image:
    """The image whose id or name is ``ref``; else the last by name of OS family ``os``
    (names usually end in a version or date, so that is the newest) that boots on ``arch``
    (images of unknown architecture fit any). Raises ``NotFound``."""
    if ref is not None:
        for image in images:
            if ref in (image.id, image.name):
                return image
        raise NotFound(f"no image with id or name {ref!r}")
    family = (os or "").lower()
    matching = [i for i in images if (i.os or "").lower() == family]
    if not matching:
        raise NotFound(f"no image of OS family {os!r}")
    fitting = [i for i in matching if arch is None or i.arch in (None, arch)]
    if not fitting:
        raise NotFound(f"no image of OS family {os!r} for architecture {arch}")
    return max(fitting, key=lambda i: (i.name, i.id))


class ServerService(Service):
    """Servers of one provider. Obtain it as ``cloud.servers``."""

    kind = "servers"

    def __init__(
        self,
        driver: ServerDriver,
        runtime: Runtime,
        capabilities: frozenset[Capability] = frozenset(Capability),
    ) -> None:
        super().__init__(runtime, capabilities, driver.natives)
        self._driver = driver

    # -- catalogues ---------------------------------------------------------------------
    def sizes(self) -> list[Size]:
        """Every size, smallest first."""
        sizes = self._runtime.collect(self._driver.list_sizes)
        return sorted(sizes, key=lambda s: (s.vcpus, s.memory_mib, s.name))

    def images(self, os: str | None = None) -> list[Image]:
        """Images, only those of OS family ``os`` when given, sorted by name."""
        if os is not None:
            check_instance("os", os, str, "an OS family name (str)")
        family = os.lower() if os else None

        def fetch(page_size: int, token: str | None) -> Page[Image]:
            return self._driver.list_images(family, page_size, token)

        return sorted(self._runtime.collect(fetch), key=lambda i: (i.name, i.id))

    def regions(self) -> list[Region]:
        return sorted(self._runtime.collect(self._driver.list_regions), key=lambda r: r.name)

    def find_size(
        self, name: str | None = None, *, min_vcpus: int | None = None, min_memory_mib: int | None = None
    ) -> Size:
        """See :func:`pick_size`."""
        return pick_size(self.sizes(), name, min_vcpus, min_memory_mib)

    def find_image(self, ref: str | None = None, *, os: str | None = None, arch: str | None = None) -> Image:
        """An image by id or name, else the newest of OS family ``os`` for CPU architecture
        ``arch`` (any when ``None``). Raises ``NotFound``."""
        if ref is None and os is None:
            raise InvalidArgument("give an image id or name, or an OS family")
        if ref is not None:
            check_instance("image", ref, str, "an image id or name (str)")
            try:
                return self._runtime.call(self._driver.get_image, ref)
            except NotFound:
                pass  # it may be a name rather than an id
            return pick_image(self.images(), ref, None)
        return pick_image(self.images(os), None, os, arch)

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
        fits; ``image`` is an id or name, or ``os`` picks the newest image of that family;
        ``zone`` one of a region's zones (``Unsupported`` without ``servers.zones``).
        Raises ``InvalidArgument``, ``NotFound`` (no such size or image), ``QuotaExceeded``,
        ``Timeout``. Creation is not retried (it is not idempotent).
        """
        check_resource_name("server", name)
        _timeout(timeout)
        if zone is not None:
            check_instance("zone", zone, str, "a zone name (str)")
            self.require(Capability.SERVER_ZONES, "placing a server in a zone")
        if size is not None:
            check_instance("size", size, str, "a size name (str)")
        if size is not None and (min_vcpus is not None or min_memory_mib is not None):
            raise InvalidArgument("give a size name or minimum vCPUs/memory, not both")
        for what, value in (("min_vcpus", min_vcpus), ("min_memory_mib", min_memory_mib)):
            if value is not None:
                check_positive(what, value)
        if image is not None and os is not None:
            raise InvalidArgument("give an image id or name, or an OS family, not both")
        if image is None and os is None:
            raise InvalidArgument("give an image id or name, or an OS family")
        images = [self.find_image(image)] if image is not None else self.images(os)
        chosen, picked = pick_pair(
            self.sizes(),
            images,
            size=size,
            min_vcpus=min_vcpus,
            min_memory_mib=min_memory_mib,
            image=None if image is None else images[0].id,
            os=os,
        )
        request = ServerRequest(name=name, size=chosen, image=picked, zone=zone, tags=check_tags(tags))
        server = self._runtime.call_once(self._driver.create_server, request)
        return self.wait(server, ServerState.RUNNING, timeout=timeout) if wait else server

    def get(self, server: ServerRef) -> Server:
        """The server's current state. Raises ``NotFound``."""
        return self._runtime.call(self._driver.get_server, server_id(server))

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

    def _act(
        self,
        verb: str,
        action: Callable[[str], None],
        server: ServerRef,
        state: ServerState,
        wait: bool,
        timeout: float,
    ) -> Server:
        _timeout(timeout)
        ident = server_id(server)
        self._runtime.call(action, ident)
        return self.wait(ident, state, timeout=timeout) if wait else self.get(ident)

    def start(self, server: ServerRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Server:
        """Start a stopped server. Raises ``NotFound``, ``Conflict``, ``Timeout``;
        ``Unsupported`` without ``servers.stop-start``."""
        self.require(Capability.SERVER_STOP_START, "starting a server")
        return self._act("start", self._driver.start_server, server, ServerState.RUNNING, wait, timeout)

    def stop(self, server: ServerRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Server:
        """Stop a running server. Raises ``NotFound``, ``Conflict``, ``Timeout``;
        ``Unsupported`` without ``servers.stop-start``."""
        self.require(Capability.SERVER_STOP_START, "stopping a server")
        return self._act("stop", self._driver.stop_server, server, ServerState.STOPPED, wait, timeout)

    def reboot(self, server: ServerRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Server:
        """Reboot a running server; with ``wait``, return once it runs again.
        ``Unsupported`` without ``servers.reboot``."""
        self.require(Capability.SERVER_REBOOT, "rebooting a server")
        return self._act("reboot", self._driver.reboot_server, server, ServerState.RUNNING, wait, timeout)

    def delete(self, server: ServerRef, *, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Delete a server (its volumes are detached); with ``wait``, return once it is
        terminated or gone. Raises ``NotFound`` when it does not exist."""
        _timeout(timeout)
        ident = server_id(server)
        self._runtime.call(self._driver.delete_server, ident)
        if wait:
            self._runtime.wait_gone(
                f"server {ident} to terminate",
                lambda: self.get(ident).state,
                ServerState.TERMINATED,
                timeout=timeout,
            )

    def wait(self, server: ServerRef, state: ServerState, *, timeout: float = DEFAULT_TIMEOUT) -> Server:
        """Poll until the server is in ``state``; return it.

        Raises ``Timeout`` after ``timeout`` seconds, ``ProviderError`` when the server
        reaches a state from which ``state`` cannot follow (e.g. ``error``), ``NotFound``;
        ``InvalidArgument`` when ``state`` is not a :class:`ServerState`.
        """
        check_instance("state", state, ServerState, "a ServerState (e.g. ServerState.RUNNING)")
        ident = server_id(server)
        dead_ends = _DEAD_ENDS.get(state, {ServerState.ERROR}) - {state}
        return self._runtime.wait(
            f"server {ident} to be {state.value}",
            lambda: self.get(ident),
            lambda s: s.state is state,
            timeout=timeout,
            failed=lambda s: f"server is {s.state.value}" if s.state in dead_ends else None,
        )
