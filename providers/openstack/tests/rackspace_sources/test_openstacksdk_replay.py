"""Proof: plain openstacksdk + rackspaceauth accept the assembled Rackspace cassettes.

Each test connects exactly as a Rackspace adapter would (``auth_type="rackspace_apikey"``,
no clouds.yaml, no ``OS_*`` variables), replays one cassette of
``cassettes/rackspace/proof/`` through the project's own replay machinery
(:func:`cloudneutral.conformance.recording.cassette`: strict matching on method, URL,
query and the headers that decide an answer; no repeats; nothing recorded) with every socket blocked, and
requires every interaction of the cassette to have been played.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

openstack = pytest.importorskip("openstack")
pytest.importorskip("rackspaceauth")

from cloudneutral.conformance.harness import Harness  # noqa: E402
from cloudneutral.conformance.recording import cassette  # noqa: E402

# openstacksdk's own deprecations (the compute image calls are proxies to Glance, used on
# purpose: Rackspace's real image answers are Nova's) are not what these tests examine.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
]

PROOF = Path(__file__).resolve().parents[4] / "cassettes" / "rackspace" / "proof"
AUTH_URL = "https://identity.api.rackspacecloud.com/v2.0/"
TENANT = "123456"


class RackspaceReplay(Harness):
    """The smallest harness :func:`cassette` needs: a name, default scrubbing. The requests of
    these cassettes are other clients' (fog's login with its own user name, bodies and
    content types of other SDKs), so bodies and content types are not compared; everything
    else that decides an answer is."""

    name = "rackspace"
    unmatched_body_types = frozenset({""})  # "" prefixes every media type: no body compared
    unmatched_headers = frozenset({"content-type"})


def connect(region: str = "IAD", **extra: Any) -> Any:
    """An openstacksdk connection configured as the Rackspace adapter must configure it."""
    options: dict[str, Any] = {
        "auth_type": "rackspace_apikey",
        "auth": {"username": "cn-replay", "api_key": "not-a-key", "auth_url": AUTH_URL},
        "region_name": region,
        "identity_api_version": "2.0",
        "compute_service_name": "cloudServersOpenStack",
        "block_storage_api_version": "2",
        "block_storage_endpoint_override": (
            f"https://{region.lower()}.blockstorage.api.rackspacecloud.com/v2/{TENANT}"
        ),
    }
    options.update(extra)
    return openstack.connect(load_yaml_config=False, load_envvars=False, **options)


@pytest.fixture
def replay(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Replay ``proof/<marker name>.yaml``; after the test, every interaction was played."""
    marker = request.node.get_closest_marker("cassette")
    assert marker is not None, "use @pytest.mark.cassette(NAME)"
    path = PROOF / f"{marker.args[0]}.yaml"
    with cassette(RackspaceReplay(), "replay", path) as tape:
        yield tape
    unplayed = [r.uri for i, r in enumerate(tape.requests) if not tape.play_counts[i]]
    assert not unplayed, f"cassette {path.name} has unused interactions: {unplayed}"


@pytest.mark.cassette("compute_iad")
def test_compute_in_iad(replay: Any) -> None:
    conn = connect()
    assert conn.session.get_project_id() == TENANT
    endpoint = conn.compute.get_endpoint()
    assert endpoint == f"https://iad.servers.api.rackspacecloud.com/v2/{TENANT}"

    flavors = list(conn.compute.flavors())  # GET /flavors/detail (pkgcloud)
    assert [(f.id, f.ram, f.vcpus, f.disk) for f in flavors][:2] == [("2", 512, 1, 20), ("3", 1024, 1, 40)]
    names = [f.name for f in conn.compute.flavors(details=False)]  # php, recorded
    assert "1 GB Performance" in names and len(names) == 16
    flavor = conn.compute.get_flavor("2")
    assert (flavor.name, flavor.swap, flavor.rxtx_factor) == ("512MB Standard Instance", 512, 2.0)

    images = list(conn.compute.images(details=False))
    assert len(images) == 36 and images[0].name == "Ubuntu 13.10 (Saucy Salamander)"
    image = conn.compute.get_image("df27d481-63a5-40ca-8920-3d132ed643d9")
    assert (image.min_ram, image.metadata["os_distro"]) == (512, "ubuntu")

    servers = list(conn.compute.servers())
    assert [(s.name, s.status) for s in servers] == [
        ("myUbuntuServer", "ACTIVE"),
        ("UbuntuDevStack", "ACTIVE"),
    ]
    server = conn.compute.get_server("ef08aa7a-b5e4-4bb8-86df-5ac56230f841")
    assert (server.status, server.vm_state, server.access_ipv4) == ("ACTIVE", "active", "198.101.241.238")
    assert sorted(server.addresses) == ["private", "public"]

    created = conn.compute.create_server(
        name="create-test-ids2", image_id="9922a7c7-5a42-4a56-bc6a-93f857ae2346", flavor_id="2"
    )
    assert created.id == "a0a5f183-b94e-4a41-a854-00aa00aa00aa"
    assert conn.compute.get_server(created.id).status == "ACTIVE"
    conn.compute.reboot_server(created.id, "SOFT")
    assert conn.compute.get_server(created.id).status == "REBOOT"

    attachment = conn.compute.create_volume_attachment(
        created.id, volume="5fda9a41-2a18-4d4f-8804-205d31cddb06"
    )
    assert attachment.device == "/dev/xvdb"

    aliases = {e.alias for e in conn.compute.extensions()}
    assert {"os-volumes", "OS-EXT-STS", "os-rescue"} <= aliases
    assert "os-server-start-stop" not in aliases  # Rackspace Nova v2: no os-start / os-stop


@pytest.mark.cassette("block_storage_iad")
def test_block_storage_in_iad(replay: Any) -> None:
    conn = connect()
    assert conn.block_storage.get_endpoint() == f"https://iad.blockstorage.api.rackspacecloud.com/v2/{TENANT}"

    volumes = list(conn.block_storage.volumes())
    assert [(v.id, v.size, v.volume_type, v.status) for v in volumes] == [
        ("b14658a5-62fe-44ef-bcee-ea25abd0598e", 100, "SATA", "available")
    ]
    # The real bodies are Cinder v1 (display_name / display_description): openstacksdk's v2
    # Volume reads ``name`` and so sees None. The adapter must read display_name itself.
    assert volumes[0].name is None

    volume = conn.block_storage.get_volume("521752a6-acf6-4b2d-bc7a-119f9148cd8c")
    assert (volume.size, volume.volume_type, volume.availability_zone) == (100, "SATA", "nova")

    created = conn.block_storage.create_volume(size=100, name="foo3", volume_type="SATA")
    assert (created.id, created.status) == ("5fda9a41-2a18-4d4f-8804-205d31cddb06", "available")

    assert [(t.id, t.name) for t in conn.block_storage.types()] == [(1, "SATA"), (2, "SSD")]
    snapshots = list(conn.block_storage.snapshots())
    assert [(s.volume_id, s.status, s.size) for s in snapshots] == [
        ("b14658a5-62fe-44ef-bcee-ea25abd0598e", "available", 100)
    ]


@pytest.mark.cassette("object_store_iad")
def test_cloud_files_in_iad(replay: Any) -> None:
    conn = connect()
    assert conn.object_store.get_endpoint() == (
        f"https://storage101.iad3.clouddrive.com/v1/MossoCloudFS_{TENANT}"
    )
    containers = list(conn.object_store.containers())
    assert [(c.name, c.count, c.bytes) for c in containers][:2] == [
        ("0.1.3-85", 107, 92814375),
        ("0.1.3-85,", 29, 19202229),
    ]
    objects = list(conn.object_store.objects("0.1.3-85"))
    assert [o.name for o in objects][-1] == "ubuntu-10.04-x86_64/db/contents.cache.db"
    assert objects[0].content_length == 2027

    meta = conn.object_store.get_object_metadata("CHANGELOG", container="0.1.3-85")
    assert (meta.etag, meta.content_length) == ("8a964ee2a5e88be344f36c22562a6486", 512000)
    assert meta.metadata == {"meat": "Bacon", "fruit": "Bacon", "veggie": "Bacon", "dairy": "Bacon"}

    data = conn.object_store.download_object("CHANGELOG", container="0.1.3-85")
    assert data.startswith(b"CHANGELOG of a Cloud Files object")

    with pytest.raises(openstack.exceptions.NotFoundException):
        conn.object_store.get_object_metadata("missing", container="0.1.3-85")


@pytest.mark.cassette("compute_ord_2013")
def test_2013_catalogue_needs_compute_service_name(replay: Any) -> None:
    conn = connect(region="ORD", block_storage_endpoint_override=None)
    assert conn.compute.get_endpoint() == f"https://ord.servers.api.rackspacecloud.com/v2/{TENANT}"
    assert len([f.name for f in conn.compute.flavors(details=False)]) == 16
    assert len(list(conn.compute.images(details=False))) == 36
