"""Plans and runs on the local provider: actions, filters, idempotence, attributes, verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from migrating import Fill, MiB, contents

import cloudneutral
from cloudneutral.cli import main
from cloudneutral.migration import Journal


def test_a_first_plan_copies_everything_and_writes_nothing(
    src_url: str, dst_url: str, fill: Fill, tmp_path: Path
) -> None:
    written = fill(small=4, large=(3 * MiB,))
    with cloudneutral.plan(src_url, dst_url) as plan:
        assert plan.counts["copy"] == (5, sum(len(v) for v in written.values()))
        assert [e.key for e in plan.items()] == sorted(written)
    assert not (tmp_path / "dst").exists()  # a plan is read-only at the target


def test_migrate_copies_every_byte_type_and_metadata_then_a_second_run_copies_nothing(
    src_url: str, dst_url: str, fill: Fill
) -> None:
    written = fill(small=6, large=(5 * MiB + 3, 2 * MiB))
    report = cloudneutral.migrate(src_url, dst_url, part_size=MiB, concurrency=3)
    assert report.ok and len(report.copied) == 8
    assert contents(dst_url) == written
    with cloudneutral.connect(dst_url) as cloud:
        head = cloud.blobs.bucket("backup", "2024/").head("small/002.jpg")
        assert (head.content_type, dict(head.metadata)) == ("image/jpeg", {"n": "2"})
        assert head.checksums["sha256"]  # the checksum of record travelled with it
    assert set(report.verified) <= {"sha256", "md5-parts"}  # every copy checked against a source checksum
    again = cloudneutral.migrate(src_url, dst_url)
    assert again.ok and again.copied == [] and again.plan.counts["skip"][0] == 8


def test_changed_and_new_source_objects_are_planned_again(src_url: str, dst_url: str, fill: Fill) -> None:
    fill(small=3)
    cloudneutral.migrate(src_url, dst_url)
    with cloudneutral.connect(src_url) as cloud:
        bucket = cloud.blobs.bucket("photos")
        bucket.put("small/001.jpg", b"changed")
        bucket.put("new.txt", b"new")
    with cloudneutral.plan(src_url, dst_url) as plan:
        actions = {e.key: e.action for e in plan.items()}
    assert actions == {
        "new.txt": "copy",
        "small/000.jpg": "skip",
        "small/001.jpg": "overwrite",
        "small/002.jpg": "skip",
    }
    assert cloudneutral.migrate(src_url, dst_url).ok
    assert contents(dst_url) == contents(src_url)


def test_same_size_but_different_content_is_a_conflict_not_a_skip(
    src_url: str, dst_url: str, fill: Fill
) -> None:
    fill(small=0)
    with cloudneutral.connect(src_url) as cloud:
        cloud.blobs.bucket("photos").put("k", b"aaaa")
    with cloudneutral.connect(dst_url) as cloud:
        cloud.blobs.create_bucket("backup")
        cloud.blobs.bucket("backup", "2024/").put("k", b"bbbb")
    with cloudneutral.plan(src_url, dst_url) as plan:
        assert [(e.key, e.action) for e in plan.items()] == [("k", "overwrite")]


def test_delete_makes_the_target_a_mirror_and_filters_and_max_bytes_apply(
    src_url: str, dst_url: str, fill: Fill
) -> None:
    fill(small=5)
    with cloudneutral.connect(dst_url) as cloud:
        cloud.blobs.create_bucket("backup")
        cloud.blobs.bucket("backup", "2024/").put("stale.txt", b"old")
    report = cloudneutral.migrate(src_url, dst_url, delete=True, exclude=["small/004.*"])
    assert report.ok and [o.key for o in report.deleted] == ["stale.txt"]
    assert sorted(contents(dst_url)) == [f"small/{n:03d}.jpg" for n in range(4)]
    with cloudneutral.plan(src_url, dst_url, include=["small/00[01].jpg"]) as plan:
        assert {e.key for e in plan.items()} == {"small/000.jpg", "small/001.jpg"}


def test_max_bytes_defers_the_rest(src_url: str, dst_url: str, fill: Fill) -> None:
    written = fill(small=0, large=(2 * MiB, 2 * MiB, 2 * MiB))
    report = cloudneutral.migrate(src_url, dst_url, max_bytes=5 * MiB)
    assert len(report.copied) == 2 and report.plan.counts["defer"] == (1, 2 * MiB)
    assert len(contents(dst_url)) == 2
    assert cloudneutral.migrate(src_url, dst_url).ok
    assert contents(dst_url) == written


def test_verify_proves_without_downloading_and_finds_damage(src_url: str, dst_url: str, fill: Fill) -> None:
    fill(small=3, large=(3 * MiB,))
    cloudneutral.migrate(src_url, dst_url, part_size=MiB)
    result = cloudneutral.verify(src_url, dst_url)
    assert result.ok and result.count("verified") == 4
    with cloudneutral.connect(dst_url) as cloud:
        target = cloud.blobs.bucket("backup", "2024/")
        target.delete("small/000.jpg")
        target.put("small/001.jpg", b"tampered", content_type="image/jpeg")
    statuses = {c.key: c.status for c in cloudneutral.verify(src_url, dst_url).checks}
    assert statuses["small/000.jpg"] == "missing" and statuses["small/001.jpg"] == "mismatch"


def test_the_command_plans_runs_reports_and_says_when_nothing_is_left(
    src_url: str, dst_url: str, fill: Fill, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(small=3)
    assert main(["migrate", "--dry-run", "--json", str(tmp_path / "plan.json"), src_url, dst_url]) == 0
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["counts"]["copy"]["objects"] == 3 and len(plan["items"]) == 3
    assert "plan: copy 3" in capsys.readouterr().out
    assert main(["migrate", "--report", str(tmp_path / "report.json"), src_url, dst_url]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["ok"] and report["copied"]["objects"] == 3 and report["verified"] == {"sha256": 3}
    assert "migrated 3 objects" in capsys.readouterr().out
    assert main(["migrate", src_url, dst_url]) == 0
    assert "nothing to do: 3 objects already at" in capsys.readouterr().out
    assert main(["verify", src_url, dst_url]) == 0


def test_a_missing_source_bucket_is_a_clear_error(
    dst_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cloudneutral.connect(f"local://?root={tmp_path / 'src'}").blobs.create_bucket("other")
    code = main(["migrate", f"local://photos?root={tmp_path / 'src'}", dst_url])
    assert code == 1 and "NotFound" in capsys.readouterr().err


def test_the_journal_records_each_object(src_url: str, dst_url: str, fill: Fill, tmp_path: Path) -> None:
    fill(small=2, large=(3 * MiB,))
    path = tmp_path / "journal.sqlite"
    assert cloudneutral.migrate(src_url, dst_url, journal=path, part_size=MiB).ok
    journal = Journal(path)
    entries = list(journal.entries())
    assert [(e.state, e.verified is not None, bool(e.sha256)) for e in entries] == [("done", True, True)] * 3
    assert all(journal.parts(e.key) == {} for e in entries)  # parts are forgotten once committed


def test_a_run_that_copies_nothing_keeps_the_recorded_sha256(
    src_url: str, dst_url: str, fill: Fill, tmp_path: Path
) -> None:
    # verify proves objects no common checksum covers by the SHA-256 the journal recorded at
    # the copy: a later run that skips them must not forget it
    fill(small=2, large=(3 * MiB,))
    path = tmp_path / "journal.sqlite"
    assert cloudneutral.migrate(src_url, dst_url, journal=path, part_size=MiB).ok
    recorded = {e.key: e.sha256 for e in Journal(path).entries()}
    again = cloudneutral.migrate(src_url, dst_url, journal=path, part_size=MiB)
    assert again.ok and again.copied == []
    assert {e.key: e.sha256 for e in Journal(path).entries()} == recorded


def test_verify_does_not_call_other_part_layouts_a_mismatch(
    src_url: str, dst_url: str, fill: Fill, tmp_path: Path
) -> None:
    written = fill(small=0, large=(3 * MiB,))
    [key] = written
    with cloudneutral.connect(dst_url) as cloud:  # the same bytes, written by another tool in other parts
        cloud.blobs.create_bucket("backup", exist_ok=True)
        cloud.blobs.bucket("backup", "2024/").put(key, written[key], part_size=MiB)
    [check] = cloudneutral.verify(src_url, dst_url, journal=tmp_path / "none.sqlite").checks
    assert check.status in ("unproven", "verified"), check
    [check] = cloudneutral.verify(src_url, dst_url, journal=tmp_path / "none.sqlite", download=True).checks
    assert (check.status, check.how) == ("verified", "download")
