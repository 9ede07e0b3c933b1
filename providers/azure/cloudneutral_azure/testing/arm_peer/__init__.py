"""A small stateful ARM (Azure Resource Manager) endpoint for the Azure adapter's tests.

Test tooling, not product: resource groups, virtual networks/subnets/NICs, virtual machines
(power actions, instance view, data disks by LUN), VM sizes and resource SKUs, marketplace
images, managed disks and snapshots, with long-running operations shaped like the real ARM
traffic in ``cassettes/azure/real/`` and advancing per poll, never by wall time.

    with ArmPeer() as peer:
        compute = peer.client(ComputeManagementClient)

or from a shell: ``scripts/peers/arm.sh start`` (runs ``python -m
cloudneutral_azure.testing.arm_peer``). Any api-version and any bearer token are accepted;
plain http on 127.0.0.1 only. See :mod:`cloudneutral_azure.testing.clients` for the client
configuration this needs, and docs/cassettes.md for how faithful it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .arm import Arm
from .server import make_server, serve_in_thread

__all__ = ["DEFAULT_SUBSCRIPTION", "ArmPeer"]

#: The subscription tests use by default (any subscription id is accepted).
DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
Client = TypeVar("Client")


class ArmPeer:
    """The peer, served from a thread on ``127.0.0.1:port`` (0: a free port).

    ``polls``: how many status requests of an operation answer ``InProgress`` before
    ``Succeeded`` (default 1). ``retry_after``: a ``Retry-After`` value to send with LRO
    answers (default: none, as in the recordings).
    """

    def __init__(
        self, port: int = 0, *, polls: int = 1, retry_after: int | None = None, log: bool = False
    ) -> None:
        self.arm = Arm(polls=polls, retry_after=retry_after)
        self._server = make_server(self.arm, port, log=log)
        self.port: int = self._server.server_address[1]
        self._started = False

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``: the ``base_url`` of SDK clients."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        if not self._started:
            serve_in_thread(self._server)
            self._started = True
        return self.endpoint

    def stop(self) -> None:
        if self._started:
            self._server.shutdown()
            self._started = False
        self._server.server_close()

    def client(
        self, client_class: Callable[..., Client], subscription_id: str = DEFAULT_SUBSCRIPTION, **kwargs: Any
    ) -> Client:
        """An SDK client for this peer (see :func:`cloudneutral_azure.testing.clients.peer_client`)."""
        from ..clients import peer_client

        return peer_client(client_class, self.endpoint, subscription_id, **kwargs)

    def __enter__(self) -> ArmPeer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
