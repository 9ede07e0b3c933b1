"""azure-mgmt-* clients configured for the ARM test peer (plain http on loopback).

azure-core refuses to send a bearer token over ``http://``
(``ServiceRequestError: Bearer token authentication is not permitted for non-TLS protected
(non-https) URLs``). Two ways round it exist: pass ``enforce_https=False`` on every call, or
replace the client's authentication policy. :func:`peer_client` does the latter with
:class:`PlainHttpBearerPolicy`, which asks the credential for a token for the client's
scopes and sets ``Authorization: Bearer ...`` on each request, https or not. It also sets
``base_url`` to the peer, ``polling_interval=0`` (the peer advances long-running operations
per poll, and its ``Retry-After`` is 0), and a :class:`FakeCredential` unless one is given.
The credential scope stays ARM's (``https://management.azure.com/.default``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from azure.core.credentials import TokenCredential
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy

from .credentials import FakeCredential

__all__ = ["ARM_SCOPE", "PlainHttpBearerPolicy", "peer_client"]

ARM_SCOPE = "https://management.azure.com/.default"
Client = TypeVar("Client")


class PlainHttpBearerPolicy(SansIOHTTPPolicy[Any, Any]):
    """Sets ``Authorization: Bearer <token>`` from ``credential``; allowed over plain http."""

    def __init__(self, credential: TokenCredential, *scopes: str) -> None:
        super().__init__()
        self._credential = credential
        self._scopes = scopes or (ARM_SCOPE,)

    def on_request(self, request: PipelineRequest[Any]) -> None:
        token = self._credential.get_token(*self._scopes).token
        request.http_request.headers["Authorization"] = f"Bearer {token}"


def peer_client(
    client_class: Callable[..., Client],
    endpoint: str,
    subscription_id: str,
    *,
    credential: TokenCredential | None = None,
    **kwargs: Any,
) -> Client:
    """A ``client_class`` (e.g. ``ComputeManagementClient``) talking to the peer at ``endpoint``."""
    credential = credential or FakeCredential()
    kwargs.setdefault("polling_interval", 0)
    kwargs.setdefault("authentication_policy", PlainHttpBearerPolicy(credential, ARM_SCOPE))
    return client_class(credential, subscription_id, base_url=endpoint, **kwargs)
