"""SDK clients built from a connection URL: Blob Storage and ARM, each made on first use.

Credentials come only from the vendor's chains: ``AZURE_STORAGE_CONNECTION_STRING`` for
Blob Storage (else ``DefaultAzureCredential`` against ``account_url``), and
``DefaultAzureCredential`` for ARM. Whatever key or SAS the SDK holds is registered with
:func:`cloudneutral.redaction.remember`, so no message can show it. The SDKs' own retries
are off: the portable layer retries. ``azure.identity`` is imported only when a
``DefaultAzureCredential`` is really needed.

ARM over plain ``http://`` (a test peer on loopback) needs a bearer policy that azure-core
does not refuse over http; it is used only for loopback hosts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy

from cloudneutral.errors import ConfigurationError
from cloudneutral.redaction import remember
from cloudneutral.registry import ConnectionURL

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.storage.blob import BlobServiceClient

__all__ = ["ARM_ENDPOINT", "ARM_SCOPE", "Clients", "credential_factory"]

ARM_ENDPOINT = "https://management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"
CONNECTION_STRING = "AZURE_STORAGE_CONNECTION_STRING"
MiB = 1024 * 1024
_LOOPBACK = ("127.0.0.1", "localhost", "::1")

#: Test seam: a factory of the ``TokenCredential`` used for ARM instead of
#: ``DefaultAzureCredential`` (the conformance harness sets it to a fake credential while it
#: runs against the ARM test peer; ``None`` in production).
credential_factory: Callable[[], TokenCredential] | None = None


class LoopbackBearerPolicy(SansIOHTTPPolicy[Any, Any]):
    """``Authorization: Bearer <token>`` also over plain http (only used for loopback hosts)."""

    def __init__(self, credential: TokenCredential, scope: str = ARM_SCOPE) -> None:
        super().__init__()
        self._credential = credential
        self._scope = scope

    def on_request(self, request: PipelineRequest[Any]) -> None:
        token = self._credential.get_token(self._scope).token
        request.http_request.headers["Authorization"] = f"Bearer {token}"


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK


class Clients:
    """The SDK clients of one connection (thread-safe, lazily created)."""

    def __init__(self, url: ConnectionURL) -> None:
        self.account_url = url.str_option("account_url")
        self.subscription = url.str_option("subscription") or os.environ.get("AZURE_SUBSCRIPTION_ID") or ""
        self.resource_group = url.str_option("resource_group") or "cloudneutral"
        self.location = url.str_option("location") or "eastus"
        self.endpoint = (url.str_option("endpoint") or ARM_ENDPOINT).rstrip("/")
        self.polling_interval = url.int_option("polling_interval")
        self._lock = threading.Lock()
        self._made: dict[str, Any] = {}
        self._credential: TokenCredential | None = None

    # -- Blob Storage ----------------------------------------------------------------------
    @property
    def blob_service(self) -> BlobServiceClient:
        with self._lock:
            if "blob" not in self._made:
                self._made["blob"] = self._blob_service()
            client: BlobServiceClient = self._made["blob"]
            return client

    def _blob_service(self) -> BlobServiceClient:
        from azure.storage.blob import BlobServiceClient

        config: dict[str, Any] = {
            "retry_total": 0,  # the portable layer retries
            "max_single_put_size": 5000 * MiB,  # never let the SDK split a put_blob into blocks
            "max_single_get_size": 8 * MiB,
            "max_chunk_get_size": 8 * MiB,
            "connection_data_block_size": 1 * MiB,
        }
        connection_string = os.environ.get(CONNECTION_STRING)
        if connection_string:
            client = BlobServiceClient.from_connection_string(connection_string, **config)
            if self.account_url and self.account_url.rstrip("/") != client.url.rstrip("/"):
                client = BlobServiceClient(self.account_url, credential=client.credential, **config)
        elif self.account_url:
            client = BlobServiceClient(self.account_url, credential=self._token_credential(), **config)
        else:
            raise ConfigurationError(
                f"azure blobs need the account_url option or {CONNECTION_STRING} in the environment"
            )
        credential = client.credential
        remember(getattr(credential, "account_key", None), getattr(credential, "signature", None))
        query = urlsplit(client.url).query
        if query:  # a SAS token from the connection string rides in the URL
            remember(query)
        return client

    # -- ARM --------------------------------------------------------------------------------
    def _token_credential(self) -> TokenCredential:
        if self._credential is None:
            if credential_factory is not None:
                self._credential = credential_factory()
            else:
                from azure.identity import DefaultAzureCredential

                self._credential = DefaultAzureCredential()
        return self._credential

    def _arm(self, key: str, factory: Callable[..., Any]) -> Any:
        with self._lock:
            if key not in self._made:
                if not self.subscription:
                    raise ConfigurationError(
                        "azure servers and volumes need the subscription option (or AZURE_SUBSCRIPTION_ID)"
                    )
                credential = self._token_credential()
                kwargs: dict[str, Any] = {"base_url": self.endpoint, "retry_total": 0}
                if self.polling_interval is not None:
                    kwargs["polling_interval"] = self.polling_interval
                if _is_loopback(self.endpoint):
                    kwargs["authentication_policy"] = LoopbackBearerPolicy(credential)
                self._made[key] = factory(credential, self.subscription, **kwargs)
            return self._made[key]

    @property
    def compute(self) -> ComputeManagementClient:
        from azure.mgmt.compute import ComputeManagementClient

        client: ComputeManagementClient = self._arm("compute", ComputeManagementClient)
        return client

    @property
    def network(self) -> NetworkManagementClient:
        from azure.mgmt.network import NetworkManagementClient

        client: NetworkManagementClient = self._arm("network", NetworkManagementClient)
        return client

    @property
    def resources(self) -> ResourceManagementClient:
        from azure.mgmt.resource.resources import ResourceManagementClient

        client: ResourceManagementClient = self._arm("resources", ResourceManagementClient)
        return client

    def available(self) -> list[object]:
        """Every client the options allow (for ``natives()`` of the connection): the blob
        service when an account is configured, the ARM clients when a subscription is."""
        out: list[object] = []
        for make in (lambda: self.blob_service, lambda: self.compute, lambda: self.network):
            try:
                out.append(make())
            except ConfigurationError:
                continue
        return out

    def close(self) -> None:
        """Close every client made so far. Idempotent."""
        with self._lock:
            made, self._made = list(self._made.values()), {}
        for client in made:
            client.close()
