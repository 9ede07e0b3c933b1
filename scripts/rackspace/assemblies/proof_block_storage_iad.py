"""Proof cassette: block storage (Cloud Block Storage, Cinder v2 override) in IAD."""

from raxcassette import Script, Synthesized, get, json_body, post, raw_response
from raxcassette import rackspace as rax

PKG = "pkgcloud/test/fixtures/rackspace"
LOGIN = rax.login()
B = rax.block_storage_v2(LOGIN, "IAD")

SCRIPT = Script(
    name="proof/block_storage_iad",
    description="openstacksdk block-storage v2 in IAD: volumes, one volume, create, types, snapshots",
    steps=(
        LOGIN,
        rax.block_storage_discovery(LOGIN, "IAD"),
        get(f"{B}/volumes/detail", json_body(f"{PKG}/volumes.json")),
        get(
            f"{B}/volumes/521752a6-acf6-4b2d-bc7a-119f9148cd8c",
            raw_response("php-opencloud/tests/OpenCloud/Tests/Volume/_response/Volume.resp"),
        ),
        post(
            f"{B}/volumes",
            json_body(f"{PKG}/createVolume.json", status=202, reason="Accepted"),
            body={"volume": {"size": 100, "name": "foo3", "volume_type": "SATA"}},
        ),
        get(
            f"{B}/types",
            Synthesized(
                200,
                {
                    "volume_types": [
                        {"id": 1, "name": "SATA", "extra_specs": {}},
                        {"id": 2, "name": "SSD", "extra_specs": {}},
                    ]
                },
                basis="Rackspace Cloud Block Storage dev guide 'List volume types' example (ids 1 and 2, "
                "names SATA and SSD); the real volumes name volume_type SATA",
                reason="OK",
            ),
        ),
        get(
            f"{B}/snapshots/detail",
            Synthesized(
                200,
                {
                    "snapshots": [
                        {
                            "id": "2e7a8f0c-3e1b-4a6d-9c4f-6b1d2e0a7c55",
                            "display_name": "foo3-snap",
                            "display_description": None,
                            "volume_id": "b14658a5-62fe-44ef-bcee-ea25abd0598e",
                            "status": "available",
                            "size": 100,
                            "created_at": "2013-07-26T16:02:11.000000",
                            "metadata": {},
                        }
                    ]
                },
                basis="no source; Cinder v1/v2 snapshot fields as the real volume bodies spell them "
                "(display_name, created_at without zone), of the real volume b14658a5",
                reason="OK",
            ),
        ),
    ),
)
