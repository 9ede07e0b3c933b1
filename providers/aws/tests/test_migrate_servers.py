"""Server migrations between the local provider and EC2/EBS (moto; states advance per
request): sizes and images mapped, volumes attached in the source's order, boot disks left
to the target's image, what cannot be mapped said with why, idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cloudneutral_aws.testing import MotoServer, aws_url

import cloudneutral
from cloudneutral import ServerState
from cloudneutral.cli import main


@pytest.fixture
def aws(moto: MotoServer) -> Iterator[cloudneutral.Cloud]:
    moto.reset()
    url = aws_url(moto.endpoint, sizes="t2.micro,t3.*,m5.4xlarge")
    with cloudneutral.connect(url, clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


@pytest.fixture
def local(tmp_path: Path) -> Iterator[cloudneutral.Cloud]:
    with cloudneutral.connect(f"local://?root={tmp_path / 'local'}", clock=cloudneutral.FakeClock()) as cloud:
        yield cloud


def by_name(cloud: cloudneutral.Cloud) -> dict[str, cloudneutral.Server]:
    return {s.name: s for s in cloud.servers.list()}


def test_local_to_moto(local: cloudneutral.Cloud, aws: cloudneutral.Cloud, tmp_path: Path) -> None:
    web = local.servers.create("web", os="ubuntu", min_vcpus=2, min_memory_mib=4096)
    db = local.servers.create("db", size="local.large", image="img-debian-12", zone="local-b")
    for name, size in (("data", 1), ("logs", 2)):
        local.volumes.attach(local.volumes.create(name, size, zone=web.zone), web)
    pg = local.volumes.attach(local.volumes.create("pg", 3, zone=db.zone), db)
    local.volumes.snapshot(pg, "nightly")
    local.servers.stop(db)
    journal = tmp_path / "servers.sqlite"
    with cloudneutral.plan_servers(local, aws, journal=journal) as plan:
        text = "\n".join(plan.lines())
        assert (
            "only the volume is re-created, empty: there is no portable block-data path from local to aws"
            in text
        )
        assert [(i.name, i.reason) for i in plan.unmapped] == [
            ("nightly", "no portable path moves snapshot bytes from local to aws")
        ]
    report = cloudneutral.apply_servers(local, aws, journal=journal)
    assert not report.ok and report.of("failed") == [] and len(report.of("created")) == 5
    servers = by_name(aws)
    assert {n: (s.size, s.state) for n, s in servers.items()} == {
        "web": ("t3.medium", ServerState.RUNNING),  # 2 vCPUs, 4 GiB: the same
        "db": ("t3.xlarge", ServerState.STOPPED),  # 4 vCPUs, 16 GiB: the same
    }
    assert aws.servers.find_image(servers["web"].image).os == "ubuntu"
    assert aws.servers.find_image(servers["db"].image).os == "debian"
    assert {servers["web"].zone, servers["db"].zone} == {"eu-west-1a", "eu-west-1b"}  # zones stay apart
    attached = {v.name: (v.size_gib, v.attachments[0].device, v.zone) for v in aws.volumes.list() if v.name}
    assert attached == {
        "data": (1, "/dev/sdf", servers["web"].zone),  # the source's order: vdb, vdc -> sdf, sdg
        "logs": (2, "/dev/sdg", servers["web"].zone),
        "pg": (3, "/dev/sdf", servers["db"].zone),
    }
    again = cloudneutral.apply_servers(local, aws, journal=journal)
    assert again.of("created") == [] and len(again.of("already")) == 5
    assert len(list(aws.servers.list())) == 2


def test_moto_to_local(local: cloudneutral.Cloud, aws: cloudneutral.Cloud, tmp_path: Path) -> None:
    api = aws.servers.create("api", size="t3.large", os="debian", zone="eu-west-1b")
    aws.servers.create("big", size="m5.4xlarge", os="ubuntu")
    data = aws.volumes.attach(aws.volumes.create("apidata", 3, zone=api.zone), api)
    aws.volumes.snapshot(data, "apisnap")
    journal = tmp_path / "servers.sqlite"
    with cloudneutral.plan_servers(aws, local, journal=journal) as plan:
        assert plan.counts["volume"] == {"create": 1, "boot": 2}  # each instance's root disk is left
        assert {i.name: i.reason for i in plan.unmapped} == {
            "big": "no size at local has at least 16 vCPUs and 65536 MiB for x86_64",
            "apisnap": "no portable path moves snapshot bytes from aws to local",
        }
    report = cloudneutral.apply_servers(aws, local, journal=journal)
    assert [r.item.name for r in report.of("created")] == ["api", "apidata"] and report.of("failed") == []
    (server,) = local.servers.list()
    assert (server.name, server.size, server.image, server.zone) == (
        "api",
        "local.large",
        "img-debian-12",
        "local-b",
    )
    (volume,) = local.volumes.list()
    assert (volume.name, volume.size_gib, volume.attachments[0].server_id) == ("apidata", 3, server.id)
    assert cloudneutral.apply_servers(aws, local, journal=journal).of("created") == []


def test_the_command_plans_from_moto(
    moto: MotoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moto.reset()
    url = aws_url(moto.endpoint, sizes="t3.*")
    with cloudneutral.connect(url) as cloud:
        cloud.servers.create("web", size="t3.micro", os="ubuntu")
    dst = f"local://?root={tmp_path / 'local'}&steps=0"
    assert main(["migrate-servers", url, dst, "--plan", "--journal", str(tmp_path / "j")]) == 0
    out = capsys.readouterr().out
    assert "servers: create 1; volumes: boot disk 1; snapshots: none" in out
    assert "-> local.medium (2 vCPUs, 4096 MiB, x86_64), ubuntu-24.04 (img-ubuntu-24.04), zone local-a" in out
    assert main(["migrate-servers", url, dst, "--apply", "--journal", str(tmp_path / "j")]) == 0
    with cloudneutral.connect(dst) as cloud:
        assert [s.name for s in cloud.servers.list()] == ["web"]
