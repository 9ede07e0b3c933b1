"""The kept sources: listed with provenance, free of credentials, and readable."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from raxcassette import SOURCES, fog_interaction, json_body, raw_response
from raxcassette import rackspace as rax

from cloudneutral.conformance.scrub import find_secrets

PROVENANCE = SOURCES / "PROVENANCE.md"
NOT_DATA = {"LICENSE", "LICENSE.txt", "NOTICE", "PROVENANCE.md", "README.md"}


def kept_files() -> list[Path]:
    return sorted(p for p in SOURCES.rglob("*") if p.is_file() and p.name not in NOT_DATA)


def test_there_are_sources_of_three_origins() -> None:
    origins = {p.relative_to(SOURCES).parts[0] for p in kept_files()}
    assert origins == {"fog-rackspace", "php-opencloud", "pkgcloud"}
    for origin in origins:
        assert any((SOURCES / origin / name).is_file() for name in ("LICENSE", "LICENSE.txt"))


@pytest.mark.parametrize("path", kept_files(), ids=lambda p: str(p.relative_to(SOURCES)))
def test_every_kept_file_is_in_provenance_with_its_hash(path: Path) -> None:
    rel = str(path.relative_to(SOURCES))
    rows = [line for line in PROVENANCE.read_text(encoding="utf-8").splitlines() if f"`{rel}`" in line]
    assert len(rows) == 1, f"{rel} must have exactly one row in PROVENANCE.md"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest in rows[0], f"kept sha256 of {rel} is {digest}; PROVENANCE.md disagrees"


@pytest.mark.parametrize("path", kept_files(), ids=lambda p: str(p.relative_to(SOURCES)))
def test_kept_files_hold_no_credentials(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # fog's own placeholders ("apiKey":"<RS_API_KEY>") are not credentials.
    assert [f for f in find_secrets(text) if "<RS_" not in f] == []
    assert 'adminPass": "REDACTED' in text or "adminPass" not in text
    assert not re.search(r"AACvJ2v[A-Za-z0-9_-]{20,}", text), "a Rackspace token is left"
    assert not re.search(r'"apiKey"\s*:\s*"(?!<RS_API_KEY>)', text), "an API key is left"


def test_fog_login_is_scrubbed_and_complete() -> None:
    login = fog_interaction(rax.FOG_LOGIN, 0)
    assert login.request is not None
    assert (login.request.method, login.request.uri) == ("POST", rax.TOKENS_URL)
    assert "RAX-KSKEY:apiKeyCredentials" in login.request.body
    access = login.json()["access"]
    assert access["token"]["id"] == "REDACTED"
    by_type = {s["type"]: {e.get("region") for e in s["endpoints"]} for s in access["serviceCatalog"]}
    assert by_type["compute"] == by_type["object-store"] == {"IAD", "DFW", "SYD", "HKG"}
    assert "ORD" in by_type["network"]
    ping = fog_interaction(rax.FOG_LOGIN, 1)
    assert ping.request is not None and dict(ping.request.headers)["X-Auth-Token"] == "REDACTED"


def test_raw_responses_parse_and_verbatim_ones_match_their_content_length() -> None:
    verbatim = ["Flavor.resp", "Flavor_List.resp", "Image.resp", "Image_List.resp", "Extensions.resp"]
    for name in verbatim:
        resp = raw_response(f"php-opencloud/tests/OpenCloud/Tests/Compute/_response/{name}")
        assert resp.status == 200 and resp.reason == "OK"
        assert dict(resp.headers)["Content-Length"] == str(len(resp.body))
        json.loads(resp.body)
    store = "php-opencloud/tests/OpenCloud/Tests/ObjectStore/_response"
    head = raw_response(f"{store}/Object_Metadata.resp")
    assert head.body == b"" and dict(head.headers)["X-Object-Meta-Meat"] == "Bacon"
    missing = raw_response(f"{store}/Object_Metadata_404.resp")
    assert (missing.status, missing.reason) == (404, "Not Found")


def test_json_bodies_say_what_was_assumed() -> None:
    body = json_body("pkgcloud/test/fixtures/rackspace/versions.json")
    assert body.json()["version"]["id"] == "v2"
    assert body.synthesized == ("status 200 OK", "header Content-Type: application/json")
    assert body.request is None


def test_sources_cannot_escape_their_directory() -> None:
    with pytest.raises(ValueError):
        raw_response("../../../pyproject.toml")
    with pytest.raises(FileNotFoundError):
        raw_response("php-opencloud/no-such.resp")


def test_fog_source_is_ruby_vcr() -> None:
    data = yaml.safe_load((SOURCES / rax.FOG_LOGIN).read_text(encoding="utf-8"))
    assert data["recorded_with"] == "VCR 3.0.1" and len(data["http_interactions"]) == 2
