"""The conformance harnesses of the adapter (entry points ``openstack`` and ``rackspace`` in
``cloudneutral.conformance``).

``openstack``: ``record`` and ``live`` run against the local OpenStack peer
(:class:`~.testing.Peer`; started by ``scripts/peers/openstack.sh`` when it does not
answer, and stopped again at the end if this harness started it), as the member ``demo``.
``CN_OPENSTACK_CLOUDS_YAML`` and ``CN_OPENSTACK_CLOUD`` point live runs at another cloud.
``replay`` contacts nothing: it logs in with a password worth nothing
(:func:`~.testing.replay_clouds_yaml`) against the peer's fixed identity URL, which every
cassette names. When recording, every Keystone token answer gets ``expires_at``
``2099-01-01T00:00:00.000000Z`` (a replay an hour later would log in again otherwise) and
Nova's ``adminPass`` is redacted; tokens and the login password are redacted by the
generic scrubber.

``rackspace``: replay only, from cassettes assembled from real Rackspace answers
(``scripts/rackspace``); ``live`` is allowed only against the Rackspace model server of
the capture tool (``CN_RACKSPACE_AUTH_URL``). No Rackspace endpoint is ever contacted.
Importing this module imports no vcrpy (openstacksdk comes with the adapter package).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cloudneutral.conformance.harness import Harness, Mode
from cloudneutral.redaction import REDACTED, redact

from .testing import CLOUD, REPLAY_PASSWORD, Peer, openstack_url, replay_clouds_yaml

__all__ = ["TOKEN_EXPIRY", "OpenStackHarness", "RackspaceHarness", "harness", "rackspace_harness"]

#: The expiry written into every recorded Keystone token answer.
TOKEN_EXPIRY = "2099-01-01T00:00:00.000000Z"
_EXPIRES = re.compile(rb'("expires_at"\s*:\s*")[^"]*(")')
_ADMIN_PASS = re.compile(rb'("adminPass"\s*:\s*")[^"]*(")')
#: OS_* variables that would steer openstacksdk away from the harness's cloud.
_STEERING = ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "OS_REGION_NAME", "OS_AUTH_URL", "OS_AUTH_TYPE")


def _missing(kind: str) -> str:
    """A UUID naming nothing: Nova and Cinder refuse non-UUIDs in bodies with 400."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cloudneutral-missing-{kind}"))


def _set_length(response: dict[str, Any], body: bytes) -> None:
    for name in list(response.get("headers") or {}):
        if name.lower() == "content-length":
            response["headers"][name] = [str(len(body))]


class OpenStackHarness(Harness):
    """The OpenStack peer behind the adapter. States move with wall time (real services)."""

    name = "openstack"
    part_size = 4096  # the peer's Swift takes segments of 1 byte and up: small cassettes
    large_blob_size = 2 * 4096 + 7
    wait_timeout = 180.0
    name_prefix = "cn"
    scrubbed_headers = frozenset({"X-Service-Token", "User-Agent"})

    def __init__(self, cloud: str | None = None, clouds_yaml: str | None = None) -> None:
        self.cloud = cloud or os.environ.get("CN_OPENSTACK_CLOUD") or CLOUD
        self.clouds_yaml = clouds_yaml or os.environ.get("CN_OPENSTACK_CLOUDS_YAML") or None
        self._peer: Peer | None = None
        self._tmp: Path | None = None
        self._passwords: list[str] = []

    def environment(self, mode: Mode) -> Mapping[str, str]:
        """No OS_* variable may steer openstacksdk elsewhere (the URL names the file)."""
        return {name: "" for name in _STEERING}

    def start(self, mode: Mode) -> str:
        if mode == "replay":
            self._tmp = Path(tempfile.mkdtemp(prefix="cn-openstack-replay-"))
            path = replay_clouds_yaml(self._tmp / "clouds.yaml", self.cloud)
            self._passwords = [REPLAY_PASSWORD]
            return openstack_url(path, self.cloud)
        if self.clouds_yaml:
            path = Path(self.clouds_yaml)
        else:
            self._peer = Peer()
            path = self._peer.ensure()
        self._passwords = _passwords(path.read_text(encoding="utf-8"))
        return openstack_url(path, self.cloud)

    def stop(self) -> None:
        peer, self._peer = self._peer, None
        if peer is not None:
            peer.stop()
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    def missing_id(self, kind: str) -> str:
        return _missing(kind)

    # -- cassettes ----------------------------------------------------------------------
    def drift_varying(self) -> Mapping[str, str]:
        """Nova shows a deleted server for a moment (200, status ``DELETED``) or not at all
        (404): a deletion's last poll ends on either, as the peer's timing decides."""
        why = "a deleted server is reported once more as DELETED (200) or is already gone (404)"
        return {"GET /v2.1/servers/{id}": why}

    def secrets(self) -> Iterable[str]:
        """Passwords of the clouds.yaml in use, long enough to search for (the peer's
        ``demo``/``demo`` is also the user and project name, and public anyway)."""
        return [p for p in self._passwords if len(p) >= 8]

    def before_record_request(self, request: Any) -> Any:
        body = request.body
        if isinstance(body, bytes) and any(s.encode() in body for s in self.secrets()):
            for secret in self.secrets():
                body = body.replace(secret.encode(), REDACTED.encode())
            request.body = body
        request.uri = redact(request.uri, self.secrets())
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any] | None:
        """Pin token expiry; redact ``adminPass`` and the harness's secrets."""
        body_field = response.get("body") or {}
        body = body_field.get("string")
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes) or not body:
            return response
        changed = body
        if b'"token"' in changed and b'"expires_at"' in changed:
            changed = _EXPIRES.sub(rb"\g<1>" + TOKEN_EXPIRY.encode() + rb"\g<2>", changed)
        changed = _ADMIN_PASS.sub(rb"\g<1>" + REDACTED.encode() + rb"\g<2>", changed)
        for secret in self.secrets():
            changed = changed.replace(secret.encode(), REDACTED.encode())
        if changed != body:
            body_field["string"] = changed
            _set_length(response, changed)
        return response


def _passwords(clouds_yaml: str) -> list[str]:
    """Every ``password:`` value of a clouds.yaml (found textually: no YAML parser needed)."""
    found = re.findall(
        r"^\s*(?:password|api_key|application_credential_secret)\s*:\s*(\S+)\s*$", clouds_yaml, re.M
    )
    return [value.strip("'\"") for value in found]


class RackspaceHarness(Harness):
    """Rackspace, replayed from assembled cassettes (``cassettes/rackspace/``)."""

    name = "rackspace"
    fake_clock_live = True  # live runs are captures against the model server: no wall time
    part_size = 4096
    large_blob_size = 2 * 4096 + 7
    wait_timeout = 600.0
    name_prefix = "cn"
    #: Not a credential of any account: what replays and captures log in with.
    USERNAME = "cn-replay"
    API_KEY = "cn-replay-not-an-api-key-0000"

    def environment(self, mode: Mode) -> Mapping[str, str]:
        return {
            "RACKSPACE_USERNAME": self.USERNAME,
            "RACKSPACE_API_KEY": self.API_KEY,
            "RACKSPACE_REGION": "",
            **{name: "" for name in (*_STEERING, "OS_USERNAME", "OS_API_KEY")},
        }

    def start(self, mode: Mode) -> str:
        if mode == "replay":
            return "rackspace://?region=IAD"
        model = os.environ.get("CN_RACKSPACE_AUTH_URL")
        if mode == "live" and model and model.startswith("http://127.0.0.1:"):
            return f"rackspace://?region=IAD&auth_url={model}"
        raise RuntimeError(
            "the rackspace suite runs in replay only: no Rackspace account is reachable and its "
            "cassettes are assembled from real answers (scripts/rackspace/capture.py re-makes them)"
        )

    def missing_id(self, kind: str) -> str:
        return _missing(kind)

    def secrets(self) -> Iterable[str]:
        return (self.API_KEY,)


def harness() -> Harness:
    """Entry-point factory: ``openstack = "cloudneutral_openstack.conformance:harness"``."""
    return OpenStackHarness()


def rackspace_harness() -> Harness:
    """Entry-point factory: ``rackspace = "cloudneutral_openstack.conformance:rackspace_harness"``."""
    return RackspaceHarness()
