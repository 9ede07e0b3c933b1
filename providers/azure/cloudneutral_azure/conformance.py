"""The conformance harness of the Azure adapter (entry point ``azure`` in ``cloudneutral.conformance``).

``record`` and ``live`` start Azurite (Blob Storage) and the ARM test peer on loopback,
unless ``CN_AZURE_BLOB_ENDPOINT`` / ``CN_AZURE_ARM_ENDPOINT`` name running ones (from
``scripts/peers/azurite.sh`` and ``scripts/peers/arm.sh``); ``replay`` contacts nothing.

Recording is automatic and deterministic:

* every request is recorded against one canonical endpoint per service
  (:data:`CANONICAL_BLOB`, :data:`CANONICAL_ARM`), whatever ports the peers had, and the
  endpoints in answers (operation URLs, listings) are rewritten the same way;
* the subscription in cassettes is always ``00000000-0000-0000-0000-000000000000`` (a
  planted one is scrubbed to it), the ARM token is a fake one, the storage key Azurite's
  published development key unless a planted one is given (Azurite is then started with
  it); ``Authorization`` headers, SAS signatures, the VM admin password and every secret
  :meth:`secrets` names are scrubbed;
* upload ids (and so block ids) come from a deterministic sequence per connection while
  the harness runs, so block ids and block-list bodies replay byte for byte;
* ``Retry-After`` is dropped from answers (also when a cassette is loaded): replay never
  waits, and the peer's operations advance per observation, never by wall time.

Importing this module imports no vcrpy (the Azure SDKs come with the adapter package).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cloudneutral.conformance.harness import Harness, Mode
from cloudneutral.redaction import redact

from .testing.azurite import ACCOUNT_KEY, ACCOUNT_NAME, connection_string

__all__ = [
    "CANONICAL_ARM",
    "CANONICAL_BLOB",
    "CASSETTES",
    "RESOURCE_GROUP",
    "ZERO_SUBSCRIPTION",
    "AzureHarness",
    "harness",
]

#: The endpoints every cassette names (requests and answers are rewritten to them).
CANONICAL_BLOB = f"http://127.0.0.1:10000/{ACCOUNT_NAME}"
CANONICAL_ARM = "http://127.0.0.1:10080"
ZERO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "cn-conformance"
FAKE_TOKEN = "cloudneutral-conformance-fake-token"
#: The repository's cassettes (``providers/azure/cloudneutral_azure`` -> the repository root).
CASSETTES = Path(__file__).resolve().parents[3] / "cassettes"
_GUID = re.compile(r"(?i)(subscriptions/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PASSWORD = re.compile(r'("adminPassword"\s*:\s*")[^"]*')


def deterministic_upload_ids() -> Iterator[str]:
    """Upload ids ``md5("cn-upload-N")`` for N = 1, 2, ...: the same in every run."""
    for n in itertools.count(1):
        yield hashlib.md5(f"cn-upload-{n}".encode()).hexdigest()


class AzureHarness(Harness):
    """Azurite and the ARM test peer behind the Azure adapter."""

    name = "azure"
    fake_clock_live = True  # the peer moves per observation; Azurite answers at once
    part_size = 32 * 1024
    large_blob_size = 2 * 32 * 1024 + 7
    wait_timeout = 120.0
    name_prefix = "cn"
    cassettes = str(CASSETTES)
    scrubbed_headers = frozenset({"User-Agent"})
    #: Random per run: the VM admin password (scrubbed in cassettes as well).
    ignored_body_fields = frozenset({"adminPassword"})

    def __init__(
        self,
        *,
        account_key: str = ACCOUNT_KEY,
        token: str = FAKE_TOKEN,
        subscription: str = ZERO_SUBSCRIPTION,
        blob_endpoint: str | None = None,
        arm_endpoint: str | None = None,
        sas: bool = False,
    ) -> None:
        self.account_key = account_key
        self.sas = sas
        self._sas_token = ""
        self.token = token
        self.subscription = subscription
        self.blob_endpoint = blob_endpoint or os.environ.get("CN_AZURE_BLOB_ENDPOINT") or None
        self.arm_endpoint = arm_endpoint or os.environ.get("CN_AZURE_ARM_ENDPOINT") or None
        self._blob: str = CANONICAL_BLOB
        self._arm: str = CANONICAL_ARM
        self._mode: Mode = "replay"
        self._stack: list[Any] = []
        self._saved: dict[str, Any] = {}

    # -- session ------------------------------------------------------------------------
    def environment(self, mode: Mode) -> Mapping[str, str]:
        """The storage connection string (Azurite's, or the canonical endpoint's in replay)
        and, for a planted key, the account Azurite is started with."""
        blob = CANONICAL_BLOB if mode == "replay" else (self.blob_endpoint or CANONICAL_BLOB)
        env = {
            "AZURE_STORAGE_CONNECTION_STRING": connection_string(blob).replace(ACCOUNT_KEY, self.account_key),
            "AZURE_SUBSCRIPTION_ID": "",
        }
        if self.account_key != ACCOUNT_KEY:
            env["AZURITE_ACCOUNTS"] = f"{ACCOUNT_NAME}:{self.account_key}"
        return env

    def start(self, mode: Mode) -> str:
        from . import _clients, blobs
        from .testing.credentials import FakeCredential

        self._mode = mode
        self._saved = {"credential": _clients.credential_factory, "ids": blobs.upload_ids}
        _clients.credential_factory = lambda: FakeCredential(self.token)
        blobs.upload_ids = deterministic_upload_ids
        subscription = ZERO_SUBSCRIPTION
        if mode == "replay":
            self._blob, self._arm = CANONICAL_BLOB, CANONICAL_ARM
        else:
            subscription = self.subscription
            self._blob = self.blob_endpoint or self._start_azurite()
            self._arm = self.arm_endpoint or self._start_peer()
            os.environ["AZURE_STORAGE_CONNECTION_STRING"] = self._connection_string()
        return (
            f"azure://?subscription={subscription}&resource_group={RESOURCE_GROUP}&location=eastus"
            f"&endpoint={self._arm}&polling_interval=0&copy_poll=0"
        )

    def _connection_string(self) -> str:
        """The account key's connection string, or (``sas``) one holding an account SAS."""
        if not self.sas:
            return connection_string(self._blob).replace(ACCOUNT_KEY, self.account_key)
        import datetime as dt

        from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

        self._sas_token = generate_account_sas(
            ACCOUNT_NAME,
            self.account_key,
            ResourceTypes(service=True, container=True, object=True),
            AccountSasPermissions(read=True, write=True, delete=True, list=True, add=True, create=True),
            expiry=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2),
        )
        return f"BlobEndpoint={self._blob};SharedAccessSignature={self._sas_token}"

    def _start_azurite(self) -> str:
        from .testing.azurite import Azurite

        azurite = Azurite(install=True)
        self._stack.append(azurite)
        return azurite.start()

    def _start_peer(self) -> str:
        from .testing.arm_peer import ArmPeer

        peer = ArmPeer()
        self._stack.append(peer)
        return peer.start()

    def stop(self) -> None:
        from . import _clients, blobs

        while self._stack:
            self._stack.pop().stop()
        if self._saved:
            _clients.credential_factory = self._saved["credential"]
            blobs.upload_ids = self._saved["ids"]
            self._saved = {}

    def missing_id(self, kind: str) -> str:
        return f"{self.name_prefix}-missing-{kind}-0000"

    # -- hooks of the stronger suite (used once the core's harness calls them) ----------
    def native_types(self) -> Mapping[str, Sequence[type]]:
        """The SDK clients the escape hatch offers, by service."""
        from azure.mgmt.compute import ComputeManagementClient
        from azure.mgmt.network import NetworkManagementClient
        from azure.storage.blob import BlobServiceClient

        return {
            "": [BlobServiceClient, ComputeManagementClient],
            "blobs": [BlobServiceClient],
            "servers": [ComputeManagementClient, NetworkManagementClient],
            "volumes": [ComputeManagementClient],
        }

    def native_fault(self, fault: Any) -> BaseException | None:
        """What azure-storage-blob raises when Blob Storage answers ``fault`` (its real codes:
        503 ServerBusy, 500 InternalError, 403 AuthenticationFailed / AuthorizationPermissionMismatch),
        so the suite exercises :mod:`cloudneutral_azure.errors`."""
        from .testing.faults import FAULT_ANSWERS, http_error

        answer = FAULT_ANSWERS.get(str(getattr(fault, "value", fault)))
        return None if answer is None else http_error(*answer)

    def peer_deviations(self) -> Mapping[str, str]:
        """Azurite 3 cuts a delimiter longer than one character: a listing with delimiter
        ``::`` reports the prefix ``x:`` instead of ``x::`` (its PageWithDelimiter.js takes
        ``name.substr(0, position + 1)``); Azure returns the whole delimiter."""
        why = "Azurite cuts a multi-character delimiter to its first character (PageWithDelimiter.js)"
        return {"test_listing.TestListingDelimitersAndPaging.test_any_delimiter[case=double-colon": why}

    def unfinished_uploads(self, cloud: Any, bucket: str) -> list[str] | None:
        """``None``: Azure keeps an aborted upload's blocks (invisible) until they expire or
        the blob is next written, and has no call to drop them; see blobs.AzureUpload.abort."""
        return None

    # -- cassettes ----------------------------------------------------------------------
    def secrets(self) -> Iterable[str]:
        found = [self.account_key, self.token]
        if self._sas_token:
            found += [v for k, _, v in (p.partition("=") for p in self._sas_token.split("&")) if k == "sig"]
        if self.subscription != ZERO_SUBSCRIPTION:
            found.append(self.subscription)
        return found

    def _canonical(self, text: str) -> str:
        """``text`` with the peers' endpoints made canonical, subscriptions zeroed, the
        admin password and every known secret redacted."""
        for actual, canonical in ((self._blob, CANONICAL_BLOB), (self._arm, CANONICAL_ARM)):
            if actual != canonical:
                text = text.replace(actual, canonical)
        text = _GUID.sub(lambda m: m.group(1) + ZERO_SUBSCRIPTION, text)
        text = _PASSWORD.sub(lambda m: m.group(1) + "REDACTED", text)
        return redact(text, self.secrets())

    def _body(self, body: Any) -> Any:
        if isinstance(body, str):
            return self._canonical(body)
        if isinstance(body, bytes):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return body  # blob content: nothing to scrub
            cleaned = self._canonical(text)
            return body if cleaned == text else cleaned.encode("utf-8")
        return body

    def before_record_request(self, request: Any) -> Any:
        request = copy.deepcopy(request)  # vcrpy may match with what it handed us
        request.uri = self._canonical(request.uri)
        for name in list(request.headers):  # e.g. x-ms-copy-source names the blob endpoint
            value = request.headers[name]
            if isinstance(value, str):
                request.headers[name] = self._canonical(value)
        request.body = self._body(request.body)
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any] | None:
        headers = response.get("headers") or {}
        for name in list(headers):
            if name.lower() == "retry-after":
                del headers[name]
                continue
            headers[name] = [self._canonical(v) if isinstance(v, str) else v for v in headers[name]]
        body = response.get("body") or {}
        if "string" in body:
            body["string"] = self._body(body["string"])
        return response


def harness() -> Harness:
    """Entry-point factory: ``azure = "cloudneutral_azure.conformance:harness"``."""
    return AzureHarness()
