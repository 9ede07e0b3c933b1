"""Replay real recorded ARM traffic (``cassettes/azure/real/``) through today's azure-mgmt-* SDKs.

The recordings were made by older SDKs, so replay needs four things, all here:

- :func:`query_ignoring_api_version`: a vcrpy matcher comparing query strings without
  ``api-version`` (today's SDK asks for newer versions); :func:`path_ignoring_case`, because
  ARM paths are case-insensitive and the SDKs changed ``resourcegroups`` spellings;
- :func:`strip_retry_after`: drops ``Retry-After`` from every recorded response as the
  cassette is loaded (azure-core's ARM poller obeys it in preference to ``polling_interval``,
  so replay would sleep for real); :func:`normalise_async_recording` fixes recordings made
  through aiohttp;
- :class:`~cloudneutral_azure.testing.credentials.FakeCredential`;
- :func:`mgmt_client`: a client built with ``polling_interval=0`` and the fake credential.

``recorder()`` returns a ``vcr.VCR`` with all of it and record mode ``none``: a request
that is not in the cassette fails; nothing reaches the network. vcrpy is imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from .credentials import FakeCredential

__all__ = [
    "RECORDED_ENDPOINT",
    "ZERO_SUBSCRIPTION",
    "mgmt_client",
    "normalise_async_recording",
    "path_ignoring_case",
    "query_ignoring_api_version",
    "real_cassettes_dir",
    "recorder",
    "strip_retry_after",
]

#: Where the recordings were made; replayed clients use it as ``base_url``.
RECORDED_ENDPOINT = "https://management.azure.com"
#: The subscription every recording names.
ZERO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
#: Query parameters that do not take part in matching.
IGNORED_QUERY = frozenset({"api-version"})

Client = TypeVar("Client")


def real_cassettes_dir() -> Path:
    """``cassettes/azure/real`` of this checkout."""
    return Path(__file__).resolve().parents[4] / "cassettes" / "azure" / "real"


def _query(request: Any) -> list[tuple[str, str]]:
    pairs = parse_qsl(request.parsed_uri.query, keep_blank_values=True)
    return sorted((k, v) for k, v in pairs if k.lower() not in IGNORED_QUERY)


def query_ignoring_api_version(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the query strings agree once ``api-version`` is removed (raises if not)."""
    assert _query(r1) == _query(r2), f"query {_query(r1)} != {_query(r2)}"


def path_ignoring_case(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the paths agree ignoring case, as ARM does (raises if not)."""
    assert r1.path.lower() == r2.path.lower(), f"path {r1.path} != {r2.path}"


def strip_retry_after(response: dict[str, Any]) -> dict[str, Any]:
    """The response without ``Retry-After`` (vcrpy also applies this to recorded responses on load)."""
    headers = response.get("headers") or {}
    for name in [n for n in headers if n.lower() == "retry-after"]:
        del headers[name]
    return response


def normalise_async_recording(response: dict[str, Any]) -> dict[str, Any]:
    """Make a response recorded through vcrpy's aiohttp stub playable by the requests stub.

    Those recordings (e.g. ``test_mgmt_compute_base_async``) keep header values as plain
    strings and a ``content-encoding: gzip`` header over a body already stored decoded; the
    requests stub would then gunzip plain text, fail, and azure-core would retry.
    """
    headers = response.get("headers") or {}
    for name, value in list(headers.items()):
        if isinstance(value, str):
            headers[name] = [value]
    body = (response.get("body") or {}).get("string")
    if isinstance(body, str) or (isinstance(body, bytes) and not body.startswith(b"\x1f\x8b")):
        for name in [n for n in headers if n.lower() == "content-encoding"]:
            del headers[name]
    return response


def recorder(
    cassette_dir: Path | None = None,
    before_record_response: Callable[[Any], Any] | None = None,
    before_record_request: Callable[[Any], Any] | None = None,
) -> Any:
    """A ``vcr.VCR`` replaying ARM recordings from ``cassette_dir`` without sleeping or network."""
    import vcr  # type: ignore[import-untyped]

    def before_response(response: dict[str, Any]) -> dict[str, Any]:
        response = normalise_async_recording(strip_retry_after(response))
        return before_record_response(response) if before_record_response else response

    recording = vcr.VCR(
        cassette_library_dir=str(cassette_dir or real_cassettes_dir()),
        record_mode="none",
        match_on=("method", "scheme", "host", "port", "arm_path", "arm_query"),
        before_record_response=before_response,
        before_record_request=before_record_request,
        decode_compressed_response=True,
    )
    recording.register_matcher("arm_path", path_ignoring_case)
    recording.register_matcher("arm_query", query_ignoring_api_version)
    return recording


def mgmt_client(
    client_class: Callable[..., Client],
    *,
    subscription_id: str = ZERO_SUBSCRIPTION,
    base_url: str = RECORDED_ENDPOINT,
    **kwargs: Any,
) -> Client:
    """``client_class(FakeCredential(), subscription_id, base_url=..., polling_interval=0)``.

    Works for ``ComputeManagementClient``, ``NetworkManagementClient`` and
    ``ResourceManagementClient``; extra keyword arguments go to the client.
    """
    kwargs.setdefault("polling_interval", 0)
    return client_class(FakeCredential(), subscription_id, base_url=base_url, **kwargs)
