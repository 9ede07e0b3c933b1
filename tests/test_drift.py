"""Cassette drift: planted changes in a copy of committed cassettes are each reported, and
what changes every run (ids, dates, request ids, how often a wait polled) is not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from vcr.serialize import deserialize, serialize  # type: ignore[import-untyped]
from vcr.serializers import yamlserializer  # type: ignore[import-untyped]

from cloudneutral.conformance.drift import compare_trees
from cloudneutral.conformance.drift.shape import normalise

ROOT = Path(__file__).resolve().parents[1]
SERVER = "test_servers.TestServerLifecycle.test_create_by_size_name_and_image_id.yaml"
BLOB = "test_blob_edges.TestConditionalDelete.test_delete_if_match.yaml"


def edit(path: Path, change: Any) -> None:
    requests, responses = deserialize(path.read_text(encoding="utf-8"), yamlserializer)
    pairs = change(list(zip(requests, responses, strict=True)))
    data = {"requests": [r for r, _ in pairs], "responses": [s for _, s in pairs]}
    path.write_text(serialize(data, yamlserializer), encoding="utf-8")


def _bytes(response: Any) -> bytes:
    body = response["body"]["string"]
    return body if isinstance(body, bytes) else body.encode()


def copies(tmp_path: Path) -> tuple[Path, Path]:
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    for folder in (committed, fresh):
        folder.mkdir()
        shutil.copy(ROOT / "cassettes/azure" / SERVER, folder / SERVER)
        shutil.copy(ROOT / "cassettes/aws" / BLOB, folder / BLOB)
    return committed, fresh


def test_an_unchanged_copy_shows_no_drift(tmp_path: Path) -> None:
    committed, fresh = copies(tmp_path)
    edit(fresh / BLOB, lambda pairs: pairs)  # re-serialised: same content, other bytes
    report = compare_trees(committed, fresh)
    assert report.ok and report.compared == 2, report.render()
    assert "no drift: 2 cassette(s)" in report.render()


def test_ids_dates_request_ids_and_poll_counts_are_not_drift(tmp_path: Path) -> None:
    committed, fresh = copies(tmp_path)

    def noise(pairs: list[Any]) -> list[Any]:
        for request, response in pairs:
            request.uri = request.uri.replace("cn-", "cn-")  # names are deterministic already
            for name in list(response["headers"]):
                if name.lower() in {"date", "x-ms-request-id", "x-amzn-requestid", "etag"}:
                    response["headers"][name] = ["a0b1c2d3-0000-4000-8000-000000000000"]
            body = response["body"]["string"]
            text = body.decode() if isinstance(body, bytes) else body
            if text.startswith("{"):
                doc = json.loads(text)
                if isinstance(doc, dict) and "id" in doc:
                    doc["id"] = str(doc["id"]) + "-other"
                response["body"]["string"] = json.dumps(doc).encode()
        poll = max(i for i, (r, _) in enumerate(pairs) if r.method == "GET")
        return [*pairs[: poll + 1], pairs[poll], *pairs[poll + 1 :]]  # one more poll answered alike

    edit(fresh / SERVER, noise)
    report = compare_trees(committed, fresh)
    assert report.ok, report.render()


def test_each_planted_change_is_reported(tmp_path: Path) -> None:
    committed, fresh = copies(tmp_path)
    seen: dict[str, str] = {}

    def plant(pairs: list[Any]) -> list[Any]:
        status = next(i for i, (_, s) in enumerate(pairs) if s["status"]["code"] == 200)
        pairs[status][1]["status"] = {"code": 404, "message": "Not Found"}
        seen["status"] = normalise(pairs[status][0].path)

        def ends_a_poll(i: int) -> bool:  # a poll counts where it ended (the last of a run)
            here = (pairs[i][0].method, pairs[i][0].uri)
            return i + 1 == len(pairs) or (pairs[i + 1][0].method, pairs[i + 1][0].uri) != here

        keyed = [
            i for i, (_, s) in enumerate(pairs) if b'"provisioningState"' in _bytes(s) and ends_a_poll(i)
        ]
        response = pairs[keyed[-1]][1]
        response["body"]["string"] = _bytes(response).replace(b'"provisioningState"', b'"provisioningStatus"')
        middle = len(pairs) // 2
        dropped = pairs.pop(middle if middle not in (keyed[-1], status) else middle - 2)
        seen["missing"] = f"{dropped[0].method} {normalise(dropped[0].path)}"
        return pairs

    edit(fresh / SERVER, plant)
    edit(fresh / BLOB, lambda pairs: pairs[:-1])
    (fresh / "test_new.T.test_new.yaml").write_text((committed / BLOB).read_text())
    (committed / "test_gone.T.test_gone.yaml").write_text((committed / BLOB).read_text())
    report = compare_trees(committed, fresh)
    text = report.render()
    assert not report.ok
    assert {d.name for d in report.drifted} == {SERVER, BLOB}
    changes = "\n".join(next(d.changes for d in report.drifted if d.name == SERVER))
    assert f"{seen['status']}" in changes and ": status 200 -> 404" in changes
    assert "key 'provisioningState' removed" in changes and "key 'provisioningStatus' added" in changes
    assert f"request no longer sent: {seen['missing']}" in changes
    assert "request no longer sent: DELETE /cn-{id}-b (was 204)" in text  # the blob cassette's last
    assert (
        "test_new.T.test_new.yaml" in report.only_fresh
        and "test_gone.T.test_gone.yaml" in report.only_committed
    )
    assert text.rstrip().splitlines()[-1].startswith("DRIFT: 2 of 2 cassette(s)")


def test_a_value_type_change_and_a_header_change_are_reported(tmp_path: Path) -> None:
    committed, fresh = copies(tmp_path)

    def plant(pairs: list[Any]) -> list[Any]:
        for _, response in pairs:
            headers = response["headers"]
            for name in list(headers):
                if name.lower() == "content-type" and headers[name] == ["application/xml"]:
                    headers[name] = ["application/json"]
        return pairs

    edit(fresh / BLOB, plant)
    report = compare_trees(committed, fresh)
    (drift,) = report.drifted
    assert any("header content-type 'application/xml' -> 'application/json'" in c for c in drift.changes)


def test_an_empty_xml_collection_agrees_with_a_full_one() -> None:
    # what a container listing holds depends on what the peer holds, not on the adapter
    from cloudneutral.conformance.drift.compare import shape_changes
    from cloudneutral.conformance.drift.shape import body_shape

    xml = "application/xml"
    empty = body_shape(b"<R><Containers /><Next>x</Next></R>", xml)
    full = body_shape(
        b"<R><Containers><Container><Name>a</Name></Container></Containers><Next>x</Next></R>", xml
    )
    changed = body_shape(b"<R><Containers><Container><Name>a</Name></Container></Containers></R>", xml)
    assert shape_changes(empty, full) == [] and shape_changes(full, empty) == []
    assert shape_changes(full, changed) == ["body.xml.R: key 'Next' removed"]


def test_a_poll_counts_where_it_ended() -> None:
    # how often a wait polled, and through which passing states, is timing (a server's
    # build progress, a volume still there on the first poll)
    from cloudneutral.conformance.drift.shape import exchanges

    def interaction(method: str, status: int, body: bytes) -> tuple[Any, dict[str, Any]]:
        from vcr.request import Request  # type: ignore[import-untyped]

        response = {
            "status": {"code": status},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": body},
        }
        return Request(method, "http://127.0.0.1:8774/v2.1/servers/1", None, {}), response

    recorded = exchanges([interaction("GET", 404, b'{"itemNotFound": {}}')])
    polled = exchanges(
        [
            interaction("GET", 200, b'{"server": {"progress": 0}}'),
            interaction("GET", 200, b'{"server": {}}'),
            interaction("GET", 404, b'{"itemNotFound": {}}'),
        ]
    )
    assert polled == recorded
    retried = exchanges([interaction("DELETE", 500, b"{}"), interaction("DELETE", 204, b"")])
    assert len(retried) == 2  # a write answered otherwise is not a poll


def test_what_a_harness_says_varies_is_shown_and_not_counted(tmp_path: Path) -> None:
    committed, fresh = copies(tmp_path)
    edit(fresh / BLOB, lambda pairs: pairs[:-1])
    report = compare_trees(committed, fresh, varying={BLOB[:20]: "the peer decides"})
    assert report.ok and report.drifted == ()
    [(drift, why)] = report.varying
    assert drift.name == BLOB and why == "the peer decides"
    assert "varies from run to run, not counted: the peer decides" in report.render()
    assert not compare_trees(committed, fresh).ok


def test_a_request_named_as_varying_has_its_answers_shown_not_counted(tmp_path: Path) -> None:
    committed, fresh = copies(tmp_path)

    def to_404(pairs: list[Any]) -> list[Any]:
        pairs[-1][1]["status"] = {"code": 404, "message": "Not Found"}
        return pairs

    edit(fresh / BLOB, to_404)
    [drift] = compare_trees(committed, fresh).drifted
    request = drift.changes[0].split(": ", 1)[0]
    report = compare_trees(committed, fresh, varying={request: "the peer decides"})
    assert report.ok and [d.name for d, _ in report.varying] == [BLOB]
    assert not compare_trees(committed, fresh, varying={"GET /other/{id}": "x"}).ok
