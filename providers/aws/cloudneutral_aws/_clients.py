"""boto3 clients built from a connection URL: one session, clients made on first use.

URL options: ``region`` (else the profile's region, else ``us-east-1``), ``endpoint_url``
(an S3/EC2-compatible endpoint such as moto; path-style addressing is then used),
``profile`` (a named profile of the shared config files). Credentials come only from
boto3's standard chain. botocore's own retries are off: the portable layer retries.

Connections share what is expensive to build and safe to share: the parsed service models
(botocore's loader) and the session itself, one per profile and ``AWS_*`` environment (so
a change of credentials in the environment gets a session of its own). Each connection
still has its own clients, closed with it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

from cloudneutral.redaction import remember
from cloudneutral.registry import ConnectionURL

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_s3 import S3Client

__all__ = ["Clients"]

DEFAULT_REGION = "us-east-1"
_LOADER_LOCK = threading.Lock()
_LOADER: botocore.loaders.Loader | None = None


#: Sessions by (profile, AWS_* environment); the least recently used go beyond this many.
_MAX_SESSIONS = 8
_SESSIONS: OrderedDict[tuple[object, ...], boto3.Session] = OrderedDict()
#: botocore sessions are not safe to create clients from in several threads at once.
_SESSION_LOCK = threading.Lock()


def _shared_loader() -> botocore.loaders.Loader:
    """One loader per process: it caches every service model it has parsed."""
    global _LOADER
    with _LOADER_LOCK:
        if _LOADER is None:
            _LOADER = botocore.loaders.create_loader()
        return _LOADER


def shared_session(profile: str | None) -> boto3.Session:
    """The process's session for ``profile`` and the current ``AWS_*`` environment (building
    one costs tens of milliseconds: configuration, event handlers, endpoint rules)."""
    key = (profile, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))))
    with _SESSION_LOCK:
        session = _SESSIONS.get(key)
        if session is None:
            core = botocore.session.Session(profile=profile)
            core.register_component("data_loader", _shared_loader())
            session = _SESSIONS[key] = boto3.Session(botocore_session=core)
            while len(_SESSIONS) > _MAX_SESSIONS:
                _SESSIONS.popitem(last=False)
        _SESSIONS.move_to_end(key)
        return session


class Clients:
    """The session and the lazily created S3 and EC2 clients of one connection."""

    def __init__(self, url: ConnectionURL) -> None:
        self.endpoint_url = url.str_option("endpoint_url")
        self.session = shared_session(url.str_option("profile"))
        self.region: str = url.str_option("region") or self.session.region_name or DEFAULT_REGION
        self._config = Config(
            region_name=self.region,
            retries={"total_max_attempts": 1, "mode": "standard"},
            s3={"addressing_style": "path"} if self.endpoint_url else None,
            # The portable layer computes and verifies checksums itself; skip botocore's CRC32.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            max_pool_connections=32,
            user_agent_extra="cloudneutral",
        )
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._account: str | None = None

    def _client(self, service: str) -> Any:
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                with _SESSION_LOCK:
                    client = self.session.client(
                        service,  # type: ignore[call-overload]
                        region_name=self.region,
                        endpoint_url=self.endpoint_url,
                        config=self._config,
                    )
                credentials = client._request_signer._credentials
                if credentials is not None:  # so no message or log line can show them
                    remember(credentials.secret_key, credentials.token)
                self._clients[service] = client
            return client

    @property
    def s3(self) -> S3Client:
        client: S3Client = self._client("s3")
        return client

    @property
    def ec2(self) -> EC2Client:
        client: EC2Client = self._client("ec2")
        return client

    def account_id(self) -> str:
        """The account the credentials belong to (STS GetCallerIdentity, asked once)."""
        if self._account is None:
            self._account = str(self._client("sts").get_caller_identity()["Account"])
        return self._account

    def close(self) -> None:
        """Close every client made so far. Idempotent."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
