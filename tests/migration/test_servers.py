"""Server migrations on the local provider: the mapping (size never smaller, architecture
kept, matching image, zones), volumes attached as on the source with their bytes, snapshots
restored, what cannot be mapped and why, idempotence, failures resumed, the command."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import pytest
from faulty import Faulty
from fleet import Catalogue, inventory, populate, scattered

import cloudneutral
from cloudneutral import errors
from cloudneutral.cli import main
from cloudneutral.local import LocalSnapshotData, LocalVolumeData
from cloudneutral.migration import ServerJournal
from cloudneutral.migration.servers_plan import zone_map
from cloudneutral.models import Image, Size


@pytest.fixture
def src(tmp_path: Path) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(f"local://?root={tmp_path / 'src'}", clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


@pytest.fixture
def dst(tmp_path: Path) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(f"local://?root={tmp_path / 'dst'}", clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


def test_local_to_local_recreates_servers_volumes_bytes_and_snapshots(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    written = populate(src)
    journal = tmp_path / "servers.sqlite"
    with cloudneutral.plan_servers(src, dst, journal=journal) as plan:
        assert plan.counts == {"server": {"create": 2}, "volume": {"create": 4}, "snapshot": {"create": 1}}
        assert plan.unmapped == [] and inventory(dst).counts == (0, 0, 0)  # a plan creates nothing
        text = "\n".join(plan.lines())
        assert (
            "local.large (4 vCPUs, 16384 MiB, x86_64), debian-12 (img-debian-12), zone local-b, then stopped"
            in text
        )
    report = cloudneutral.apply_servers(src, dst, journal=journal)
    assert report.ok, report.as_json()
    assert len(report.of("created")) == 7
    there = inventory(dst)
    assert there.servers == {
        "web": ("local.medium", "img-ubuntu-24.04", "local-a", "running"),
        "db": ("local.large", "img-debian-12", "local-b", "stopped"),
    }
    assert there.volumes == {
        "data": (1, "local-a", "web", "/dev/vdb"),
        "logs": (2, "local-a", "web", "/dev/vdc"),
        "pg": (1, "local-b", "db", "/dev/vdb"),
        "spare": (1, "local-b", None, None),
    }
    assert there.snapshots == ["nightly"] and there.counts == (2, 4, 1)  # the staging volume is gone
    for volume in dst.volumes.list():
        assert scattered(volume.as_native(LocalVolumeData)) == written[volume.name]
    (source_snapshot,) = src.volumes.snapshots()
    (snapshot,) = dst.volumes.snapshots()
    restored = dst.volumes.restore(snapshot, "restored")
    expected = scattered(source_snapshot.as_native(LocalSnapshotData))
    assert scattered(restored.as_native(LocalVolumeData)) == expected != written["data"]
    for server in dst.servers.list():  # what was created says where it came from
        assert server.tags["cn-source"].startswith("local:srv-") and server.tags["cn-migration"]
    tags = dict(dst.servers.find("web").tags)
    assert sorted(tags) == ["cn-migration", "cn-source", "team"]  # a cloud's reserved aws:* tag stays behind


def test_a_second_apply_creates_nothing(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    populate(src, data=False)
    journal = tmp_path / "servers.sqlite"
    assert cloudneutral.apply_servers(src, dst, journal=journal).ok
    before = inventory(dst)
    again = cloudneutral.apply_servers(src, dst, journal=journal)
    assert again.ok and again.of("created") == [] and len(again.of("already")) == 7
    assert inventory(dst) == before
    with cloudneutral.plan_servers(src, dst, journal=journal) as plan:
        assert all(line.startswith("[done]") for line in plan.lines())


def test_what_was_deleted_at_the_target_is_created_again(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    populate(src, data=False)
    journal = tmp_path / "servers.sqlite"
    assert cloudneutral.apply_servers(src, dst, journal=journal).ok
    spare = next(v for v in dst.volumes.list() if v.name == "spare")
    dst.volumes.delete(spare)
    again = cloudneutral.apply_servers(src, dst, journal=journal)
    assert [r.item.name for r in again.of("created")] == ["spare"]
    assert inventory(dst).counts == (2, 4, 1)


def test_a_failed_step_is_resumed_without_creating_twice(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    written = populate(src)
    faulty = Faulty(dst.driver)
    target = cloudneutral.Cloud.from_driver(faulty, clock=cloudneutral.FakeClock())

    def lost(result: object) -> object:
        raise errors.TransientError("the answer was lost")

    faulty.faults["servers.create_server"] = [lost]  # created, but the run never learns its id
    faulty.faults["volumes.attach_volume"] = [errors.QuotaExceeded("no free device")]
    journal = tmp_path / "servers.sqlite"
    first = cloudneutral.apply_servers(src, target, journal=journal, concurrency=1)
    assert not first.ok and {r.item.name for r in first.of("failed")} == {"web", "data", "logs", "pg"}
    assert {r.item.name for r in first.of("created")} == {"db", "spare", "nightly"}
    faulty.calls.clear()
    second = cloudneutral.apply_servers(src, target, journal=journal, concurrency=1)
    assert second.ok, second.as_json()
    assert {r.item.name for r in second.of("created")} == {"web", "data", "logs", "pg"}
    assert faulty.count("servers.create_server") == 0  # the one whose answer was lost is found by its tags
    assert faulty.count("volumes.create_volume") == 2  # web's two; pg was created, only its attach failed
    assert faulty.count("volumes.attach_volume") == 3
    there = inventory(dst)
    assert there.counts == (2, 4, 1) and set(there.servers) == {"web", "db"}
    for volume in dst.volumes.list():
        assert scattered(volume.as_native(LocalVolumeData)) == written[volume.name]


def test_sizes_are_never_smaller_and_keep_the_architecture(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    populate(src, data=False)

    def arm_source(sizes: Sequence[Size]) -> list[Size]:  # the source's sizes and images are arm64
        return [attrs.evolve(s, arch="arm64") for s in sizes]

    def arm_images(images: Sequence[Image]) -> list[Image]:
        return [attrs.evolve(i, arch="arm64") for i in images]

    source = cloudneutral.Cloud.from_driver(Catalogue(src.driver, arm_source, arm_images))
    extra_sizes = [
        Size("arm.small", 2, 2048, arch="arm64"),
        Size("arm.big", 4, 32768, arch="arm64"),
        Size("arm.huge", 8, 65536, arch="arm64"),
    ]
    extra_images = [Image("img-ubuntu-arm", "ubuntu-24.04-arm", "ubuntu", "arm64")]
    both = cloudneutral.Cloud.from_driver(
        Catalogue(dst.driver, lambda s: [*s, *extra_sizes], lambda i: [*i, *extra_images])
    )
    with cloudneutral.plan_servers(source, both, journal=tmp_path / "a.sqlite") as plan:
        web, db = plan.of("server")
    # web (2 vCPUs, 4 GiB, arm64) -> the smallest arm64 size that fits, not the x86_64 local.medium
    assert (web.target["size"], web.target["image"], web.target["arch"]) == (
        "arm.big",
        "img-ubuntu-arm",
        "arm64",
    )
    assert (db.action, db.reason) == ("unmapped", "local has no debian image for arm64 on a size that fits")
    x86_only = cloudneutral.Cloud.from_driver(Catalogue(dst.driver, lambda s: [x for x in s if x.vcpus <= 2]))
    with cloudneutral.plan_servers(src, x86_only, journal=tmp_path / "b.sqlite") as plan:
        reasons = {i.name: i.reason for i in plan.unmapped}
        assert reasons == {
            "db": "no size at local has at least 4 vCPUs and 16384 MiB for x86_64",
            "pg": "it is attached to server db, which cannot be mapped",
        }
        assert (
            "cannot map:" in plan.lines() and plan.of("server", "create")[0].target["size"] == "local.medium"
        )
    with cloudneutral.plan_servers(source, dst, journal=tmp_path / "c.sqlite") as plan:
        assert plan.of("server")[0].reason == "no size at local has at least 2 vCPUs and 4096 MiB for arm64"


def test_the_closest_size_is_taken_never_a_smaller_one(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    populate(src, data=False)
    gappy = cloudneutral.Cloud.from_driver(
        Catalogue(dst.driver, lambda sizes: [s for s in sizes if s.name in ("local.micro", "local.xlarge")])
    )
    with cloudneutral.plan_servers(src, gappy, journal=tmp_path / "j.sqlite") as plan:
        assert {i.name: i.target["size"] for i in plan.of("server")} == {
            "web": "local.xlarge",
            "db": "local.xlarge",
        }


def test_zones_keep_their_name_or_spread_in_order() -> None:
    assert zone_map(["local-a", "local-b", None], ["local-b", "local-a"]) == {
        None: "local-a",
        "local-a": "local-a",
        "local-b": "local-b",
    }
    assert zone_map(["eu-west-1c", "eu-west-1a", "eu-west-1b"], ["local-a", "local-b"]) == {
        None: "local-a",
        "eu-west-1a": "local-a",
        "eu-west-1b": "local-b",
        "eu-west-1c": "local-a",
    }
    assert zone_map(["x"], []) == {None: None, "x": None}


def test_include_and_exclude_name_servers(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    populate(src, data=False)
    with cloudneutral.plan_servers(src, dst, exclude=["db"], journal=tmp_path / "j.sqlite") as plan:
        assert {(i.kind, i.name) for i in plan.items} == {
            ("server", "web"),
            ("volume", "data"),
            ("volume", "logs"),
            ("volume", "spare"),
            ("snapshot", "nightly"),
        }
    with cloudneutral.plan_servers(src, dst, include=["db"], journal=tmp_path / "k.sqlite") as plan:
        assert {(i.kind, i.name) for i in plan.items} == {("server", "db"), ("volume", "pg")}


def test_a_journal_keeps_the_plan(src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path) -> None:
    populate(src, data=False)
    with cloudneutral.plan_servers(src, dst, journal=tmp_path / "j.sqlite") as plan:
        planned = [(i.kind, i.src_id, i.action) for i in plan.items]
    journal = ServerJournal(tmp_path / "j.sqlite")
    assert [(i.kind, i.src_id, i.action) for i in journal.items()] == planned
    journal.close()


def test_urls_name_providers_without_buckets(tmp_path: Path) -> None:
    with pytest.raises(errors.InvalidArgument, match="without a bucket"):
        cloudneutral.plan_servers(f"local://b?root={tmp_path}", f"local://?root={tmp_path / 'x'}")
    with pytest.raises(errors.InvalidArgument, match="empty store"):
        cloudneutral.plan_servers("local://", f"local://?root={tmp_path / 'x'}")


def test_the_command_plans_applies_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src_url, dst_url = (
        f"local://?root={tmp_path / 'src'}&steps=0",
        f"local://?root={tmp_path / 'dst'}&steps=0",
    )
    with cloudneutral.connect(src_url) as cloud:
        written = populate(cloud)
    assert main(["migrate-servers", src_url, dst_url, "--plan", "--json", str(tmp_path / "plan.json")]) == 0
    out = capsys.readouterr().out
    assert "servers: create 2; volumes: create 4; snapshots: create 1" in out and "[create] server web" in out
    assert json.loads((tmp_path / "plan.json").read_text())["counts"]["volume"] == {"create": 4}
    with cloudneutral.connect(dst_url) as cloud:
        assert inventory(cloud).counts == (0, 0, 0)
    assert main(["migrate-servers", src_url, dst_url, "--apply", "--report", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    assert "created 2 servers, 4 volumes, 1 snapshot (4 volumes with data copied and read back equal)" in out
    assert json.loads((tmp_path / "r.json").read_text())["ok"] is True
    assert main(["migrate-servers", src_url, dst_url, "--apply"]) == 0
    assert "created nothing; already there 2 servers, 4 volumes, 1 snapshot" in capsys.readouterr().out
    with cloudneutral.connect(dst_url) as cloud:
        assert inventory(cloud).counts == (2, 4, 1)
        assert (
            scattered(next(v for v in cloud.volumes.list() if v.name == "pg").as_native(LocalVolumeData))
            == (written["pg"])
        )


def test_what_cannot_be_mapped_is_reported_and_not_ok(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    src.servers.create("odd", os="fedora", min_vcpus=1, min_memory_mib=512)
    src.servers.create("fine", os="debian", min_vcpus=1, min_memory_mib=512)
    no_fedora = Catalogue(dst.driver, images=lambda images: [i for i in images if i.os != "fedora"])
    report = cloudneutral.apply_servers(
        src, cloudneutral.Cloud.from_driver(no_fedora), journal=tmp_path / "j"
    )
    assert not report.ok and [r.item.reason for r in report.of("unmapped")] == [
        "local has no image of OS family fedora"
    ]
    assert [r.item.name for r in report.of("created")] == ["fine"]
    assert "cannot map 1 server" in report.summary()


def test_the_command_exits_3_when_some_resources_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src_url = f"local://?root={tmp_path / 'src'}&steps=0"
    with cloudneutral.connect(src_url) as cloud:
        populate(cloud, data=False)
    full = f"local://?root={tmp_path / 'dst'}&steps=0&max_volumes=2"
    assert main(["migrate-servers", src_url, full, "--apply"]) == 3
    captured = capsys.readouterr()
    assert "QuotaExceeded" in captured.err and "FAILED" in captured.out
    roomy = f"local://?root={tmp_path / 'dst'}&steps=0"  # another URL: another journal, same target
    assert main(["migrate-servers", src_url, roomy, "--apply", "--include", "none"]) == 0
    assert main(["migrate-servers", src_url, f"local://b?root={tmp_path}", "--plan"]) == 2
    assert "without a bucket" in capsys.readouterr().err


def test_a_resource_deleted_while_half_made_is_made_again(
    src: cloudneutral.Cloud, dst: cloudneutral.Cloud, tmp_path: Path
) -> None:
    populate(src, data=False)
    faulty = Faulty(dst.driver)
    target = cloudneutral.Cloud.from_driver(faulty, clock=cloudneutral.FakeClock())
    faulty.faults["volumes.attach_volume"] = [errors.QuotaExceeded("no free device")] * 3
    journal = tmp_path / "servers.sqlite"
    first = cloudneutral.apply_servers(src, target, journal=journal, concurrency=1)
    half_made = [r.item for r in first.of("failed")]
    assert {i.name for i in half_made} == {"data", "logs", "pg"} and all(i.dst_id for i in half_made)
    for item in half_made:
        assert item.dst_id is not None
        dst.volumes.delete(item.dst_id)
    assert cloudneutral.apply_servers(src, target, journal=journal).ok
    assert inventory(dst).counts == (2, 4, 1)
