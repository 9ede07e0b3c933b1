"""The assembler: markers, edits, Content-Length, and the committed cassettes up to date."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import vcr  # type: ignore[import-untyped]
import yaml
from raxcassette import (
    CASSETTES,
    EDITS_HEADER,
    PROVENANCE_HEADER,
    EditError,
    JsonSet,
    Replace,
    Script,
    SetBody,
    SourceResponse,
    Synthesized,
    assemble,
    fog_interaction,
    get,
    head,
    json_body,
    load_script,
    raw_response,
    render,
)
from raxcassette import rackspace as rax
from raxcassette.cli import main, scripts, targets
from raxcassette.edits import Edit
from raxcassette.plans import load_plan
from vcr.persisters.filesystem import FilesystemPersister  # type: ignore[import-untyped]
from vcr.serializers import yamlserializer  # type: ignore[import-untyped]

from cloudneutral.conformance.scrub import find_secrets

PING = "https://global.cdn.api.rackspacecloud.com/v1.0/<RS_TENANT_ID>/ping"
VOLUMES = "pkgcloud/test/fixtures/rackspace/volumes.json"
OBJ = "php-opencloud/tests/OpenCloud/Tests/ObjectStore/_response/Object.resp"


def response_headers(script: Script, index: int) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = assemble(script)["interactions"][index]["response"]["headers"]
    return headers


def one(
    response: SourceResponse | Synthesized,
    *edits: Edit,
    url: str = "https://example.invalid/x",
    method: str = "GET",
) -> Script:
    step = (head if method == "HEAD" else get)(url, response, *edits)
    return Script(name="unit/one", description="unit", steps=(step,))


def test_untouched_recorded_interaction_is_marked_recorded() -> None:
    ping = fog_interaction(rax.FOG_LOGIN, 1)
    headers = response_headers(one(ping, url=PING), 0)
    assert headers[PROVENANCE_HEADER] == [f"recorded:{rax.FOG_LOGIN}#1"]
    assert EDITS_HEADER not in headers


def test_moved_or_edited_responses_are_marked_assembled_with_their_edits() -> None:
    ping = fog_interaction(rax.FOG_LOGIN, 1)
    headers = response_headers(one(ping), 0)
    assert headers[PROVENANCE_HEADER] == [f"assembled:{rax.FOG_LOGIN}#1"]
    assert headers[EDITS_HEADER] == [f"request moved from GET {PING}"]

    login = response_headers(Script("unit/login", "u", (rax.login(),)), 0)
    assert login[PROVENANCE_HEADER][0].startswith("assembled:fog-rackspace/")
    moved = "token expires moved from 2016-03-18T14:46:17.921Z to 2999-01-01T00:00:00.000Z"
    assert moved in login[EDITS_HEADER][0]

    bare = response_headers(one(json_body("pkgcloud/test/fixtures/rackspace/volumes.json")), 0)
    assert bare[PROVENANCE_HEADER] == ["assembled:pkgcloud/test/fixtures/rackspace/volumes.json"]
    assert bare[EDITS_HEADER] == ["status 200 OK; header Content-Type: application/json"]


def test_synthesized_needs_a_basis_and_says_so() -> None:
    with pytest.raises(ValueError):
        Synthesized(200, {}, basis=" ")
    headers = response_headers(one(Synthesized(204, b"", basis="Nova v2 reference")), 0)
    assert headers[PROVENANCE_HEADER] == ["synthesized"]
    assert headers["X-Cn-Basis"] == ["Nova v2 reference"]


def test_an_edit_that_changes_nothing_is_an_error() -> None:
    with pytest.raises(EditError):
        assemble(one(json_body(VOLUMES), Replace("no-such-id", "x")))
    with pytest.raises(EditError):
        assemble(one(json_body(VOLUMES), JsonSet("/volumes/9/id", "")))


def test_content_length_follows_the_body_except_for_head() -> None:
    body = b"twelve bytes"
    cassette = assemble(one(raw_response(OBJ), SetBody(body, "unit")))
    response = cassette["interactions"][0]["response"]
    assert response["headers"]["Content-Length"] == ["12"]
    assert "Content-Length 512000 -> 12" in response["headers"][EDITS_HEADER][0]
    meta = "php-opencloud/tests/OpenCloud/Tests/ObjectStore/_response/Object_Metadata.resp"
    kept = assemble(one(raw_response(meta), method="HEAD"))["interactions"][0]["response"]
    assert kept["headers"]["Content-Length"] == ["512000"]
    assert kept["headers"][PROVENANCE_HEADER] == [f"assembled:{meta}"]


ASSEMBLIES = scripts()
TARGETS = targets()


@pytest.mark.parametrize(("source", "script"), TARGETS, ids=[s.name for _, s in TARGETS])
def test_committed_cassette_is_what_its_script_assembles(source: Path, script: Script) -> None:
    target = script.output()
    assert target.is_file(), f"run: python scripts/rackspace/build_cassettes.py ({target} missing)"
    assert target.read_text(encoding="utf-8") == render(script), (
        f"{target} is out of date: run python scripts/rackspace/build_cassettes.py"
    )


@pytest.mark.parametrize(("source", "script"), TARGETS, ids=[s.name for _, s in TARGETS])
def test_vcrpy_loads_the_cassette_with_markers_and_metadata(
    source: Path, script: Script, tmp_path: Path
) -> None:
    target = script.output()
    assert find_secrets(target.read_text(encoding="utf-8")) == []
    requests, responses, metadata = FilesystemPersister.load_cassette(target, yamlserializer)
    assert len(requests) == len(script.steps)
    assert metadata["cn_assembly"]["script"] == script.name
    for response in responses:
        (mark,) = response["headers"][PROVENANCE_HEADER]
        assert mark == "synthesized" or mark.startswith(("recorded:", "assembled:"))
        if mark == "synthesized":
            assert response["headers"]["X-Cn-Basis"][0].strip()
    # The markers survive a vcrpy load-and-save round trip (record mode rewriting a file).
    copy = tmp_path / "copy.yaml"
    with vcr.VCR(record_mode="none").use_cassette(str(target)) as tape:
        FilesystemPersister.save_cassette(
            copy, {"requests": tape.requests, "responses": tape.responses}, yamlserializer
        )
    saved = yaml.safe_load(copy.read_text(encoding="utf-8"))
    marks = [i["response"]["headers"][PROVENANCE_HEADER] for i in saved["interactions"]]
    assert all(marks) and len(marks) == len(script.steps)


def test_a_plan_round_trips_through_json(tmp_path: Path) -> None:
    _, script = next(t for t in TARGETS if t[0].suffix == ".json")
    plan = next(p for p, s in TARGETS if s is script)
    again = load_plan(plan)
    assert render(again) == render(script)
    assert json.loads(plan.read_text(encoding="utf-8"))["name"] == script.name


def test_every_conformance_cassette_comes_from_a_plan() -> None:
    made = {s.output().name for _, s in TARGETS}
    assert sorted(p.name for p in CASSETTES.glob("*.yaml") if p.name not in made) == []


def test_cli_check_passes_and_build_writes(tmp_path: Path) -> None:
    assert main(["--check"]) == 0
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert main(["--root", str(tmp_path), str(ASSEMBLIES[0])]) == 0  # writes only that one
    written = load_script(ASSEMBLIES[0]).output(tmp_path)
    assert (
        hashlib.sha256(written.read_bytes()).digest()
        == hashlib.sha256(load_script(ASSEMBLIES[0]).output(CASSETTES).read_bytes()).digest()
    )
