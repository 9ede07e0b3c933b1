"""Rackspace building blocks for assembly scripts: logins, endpoints, version discovery.

Everything here is expressed as :class:`~raxcassette.assemble.Step` values over the kept
sources, so an assembly script for a conformance test usually reads::

    from raxcassette import Script, get, json_body, rackspace as rax

    LOGIN = rax.login()
    COMPUTE = rax.endpoint(LOGIN, "compute", "IAD")
    SCRIPT = Script(
        name="test_servers.TestSizes.test_list",
        description="list sizes",
        steps=(LOGIN, rax.compute_discovery(LOGIN, "IAD"),
               get(f"{COMPUTE}/flavors/detail?is_public=None",
                   json_body("pkgcloud/test/fixtures/rackspace/flavors.json"))),
    )

The tenant (account number) of every assembled cassette is :data:`TENANT`, the
placeholder php-opencloud and pkgcloud already use in their bodies; the fog login's
``<RS_TENANT_ID>`` placeholder is replaced by it.
"""

from __future__ import annotations

import json
from typing import Any

from .assemble import Step, Synthesized, get, preview
from .edits import Replace, SetTokenExpiry
from .sources import fog_interaction, json_body, raw_response

__all__ = [
    "AUTH_URL",
    "FAR_FUTURE",
    "FOG_LOGIN",
    "NOVA_VERSION",
    "PHP_LOGIN",
    "TENANT",
    "TOKENS_URL",
    "block_storage_discovery",
    "block_storage_v2",
    "catalog",
    "compute_discovery",
    "endpoint",
    "login",
    "login_2013",
]

#: The account number used in every assembled cassette (not a real account).
TENANT = "123456"
#: Token expiry written into replayed logins: keystoneauth never sees the token as stale.
FAR_FUTURE = "2999-01-01T00:00:00.000Z"
#: Rackspace's US identity endpoint (keystone v2.0 API) as rackspaceauth uses it.
AUTH_URL = "https://identity.api.rackspacecloud.com/v2.0/"
TOKENS_URL = AUTH_URL + "tokens"

#: The real RAX-KSKEY:apiKeyCredentials login of March 2016 (default region IAD).
FOG_LOGIN = "fog-rackspace/spec/vcr/orchestration/Fog_Rackspace_CDNV2/Ping/is_pingable.yml"
#: A 2013 login response (default region DFW; has ORD endpoints and the old v1.0 cloudServers).
PHP_LOGIN = "php-opencloud/tests/OpenCloud/Tests/_response/Auth.resp"
#: Rackspace's Nova v2 version document (the catalogue's ``versionInfo`` answer).
NOVA_VERSION = "pkgcloud/test/fixtures/rackspace/versions.json"

_APIKEY_BODY = {
    "auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "<RS_USERNAME>", "apiKey": "<RS_API_KEY>"}}
}


def login(tenant: str = TENANT, expires: str = FAR_FUTURE) -> Step:
    """The fog login of March 2016, converted for replay.

    Edits: ``<RS_TENANT_ID>`` -> ``tenant`` (URLs of the catalogue must be real URLs) and
    the token's ``expires`` -> ``expires``. The token id was scrubbed to ``REDACTED`` in the
    kept source. The recorded request (method, URL, headers, body with the fog
    placeholders) is kept.
    """
    src = fog_interaction(FOG_LOGIN, 0)
    assert src.request is not None
    return Step(
        "POST",
        src.request.uri,
        src,
        (Replace("<RS_TENANT_ID>", tenant), SetTokenExpiry(expires)),
        request_body=src.request.body,
        request_headers=src.request.headers,
        note="rackspaceauth rackspace_apikey login (keystone v2.0)",
    )


def login_2013(expires: str = FAR_FUTURE) -> Step:
    """The php-opencloud login response of May 2013 (tenant ``123456`` already), for replay.

    Its catalogue has two ``compute`` services (``cloudServers`` v1.0 without a region and
    ``cloudServersOpenStack`` v2), so openstacksdk needs ``compute_service_name``.
    """
    return Step(
        "POST",
        TOKENS_URL,
        raw_response(PHP_LOGIN),
        (SetTokenExpiry(expires),),
        request_body=json.dumps(_APIKEY_BODY),
        request_headers=(("Content-Type", "application/json"), ("Accept", "application/json")),
        note="rackspaceauth rackspace_apikey login (keystone v2.0)",
    )


def catalog(login_step: Step) -> list[dict[str, Any]]:
    """The service catalogue of a login step, as the SDK will receive it."""
    services: list[dict[str, Any]] = json.loads(preview(login_step).body)["access"]["serviceCatalog"]
    return services


def endpoint(login_step: Step, service_type: str, region: str, *, name: str | None = None) -> str:
    """The ``publicURL`` of ``service_type`` (optionally service ``name``) in ``region``.

    Raises :class:`LookupError` when the catalogue has none, or more than one and no name
    was given (as with two ``compute`` services in the 2013 catalogue).
    """
    found = [
        str(ep["publicURL"])
        for service in catalog(login_step)
        if service.get("type") == service_type and (name is None or service.get("name") == name)
        for ep in service.get("endpoints", [])
        if ep.get("region") == region and "publicURL" in ep
    ]
    if len(found) != 1:
        raise LookupError(f"{len(found)} {service_type!r} endpoints in {region} (name={name!r})")
    return found[0]


def compute_discovery(login_step: Step, region: str) -> Step:
    """The version-discovery GET keystoneauth sends for compute, answered by Rackspace's
    Nova v2 version document (pkgcloud ``versions.json``, a real body; status and
    Content-Type are assumed).

    keystoneauth asks ``https://<region>.servers.api.rackspacecloud.com/v2`` (the endpoint
    without its tenant, which is also the catalogue's ``versionInfo``); with this answer it
    asks nothing else.
    """
    url = endpoint(login_step, "compute", region, name="cloudServersOpenStack")
    root = url.rsplit("/", 1)[0]
    return get(root, json_body(NOVA_VERSION), note="keystoneauth version discovery (compute)")


def block_storage_v2(login_step: Step, region: str) -> str:
    """Cinder v2 URL for ``region``: the catalogue's v1 ``volume`` endpoint with ``/v2/``.

    The catalogue lists only ``/v1/<tenant>``; openstacksdk supports block storage v2 and
    v3 only, so the adapter sets ``block_storage_endpoint_override`` to this URL and
    ``block_storage_api_version="2"``.
    """
    v1 = endpoint(login_step, "volume", region)
    if "/v1/" not in v1:
        raise LookupError(f"unexpected volume endpoint {v1}")
    return v1.replace("/v1/", "/v2/", 1)


def block_storage_discovery(login_step: Step, region: str) -> Step:
    """The version-discovery GET keystoneauth sends for the v2 override, *synthesized*.

    No source kept what Rackspace's Cinder answered at ``/v2``. The answer mirrors the
    real Nova document (a single ``version`` object, no links, so keystoneauth keeps the
    override URL as the service URL).
    """
    url = block_storage_v2(login_step, region)
    root = url.rsplit("/", 1)[0]
    body = {
        "version": {
            "id": "v2.0",
            "status": "CURRENT",
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.volume+json;version=2"}
            ],
        }
    }
    return get(
        root,
        Synthesized(
            200,
            body,
            basis="no source; mirrors the real Nova v2 version document of pkgcloud versions.json",
            reason="OK",
        ),
        note="keystoneauth version discovery (block-storage v2 override)",
    )
