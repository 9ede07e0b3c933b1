"""Proof cassette: compute (Cloud Servers, Nova v2) in IAD through openstacksdk.

Login, version discovery, flavors (detail and summary), images (summary and one),
servers (detail list, one), create then get, a reboot and a volume attachment (both
synthesized: no source kept those answers), and the extension list.
"""

from raxcassette import (
    JsonSet,
    Script,
    SetHeader,
    Synthesized,
    get,
    json_body,
    post,
    raw_response,
)
from raxcassette import rackspace as rax

PHP = "php-opencloud/tests/OpenCloud/Tests/Compute/_response"
PKG = "pkgcloud/test/fixtures/rackspace"
LOGIN = rax.login()
C = rax.endpoint(LOGIN, "compute", "IAD")
NEW = "a0a5f183-b94e-4a41-a854-00aa00aa00aa"  # the id pkgcloud's create and get bodies share

SCRIPT = Script(
    name="proof/compute_iad",
    description="openstacksdk compute in IAD: flavors, images, servers, create, reboot, attach",
    steps=(
        LOGIN,
        rax.compute_discovery(LOGIN, "IAD"),
        get(f"{C}/flavors/detail?is_public=None", json_body(f"{PKG}/flavors.json")),
        get(
            f"{C}/flavors?is_public=None",
            raw_response(f"{PHP}/Flavor_List.resp"),
            note="recorded in ORD (links name ord and account 848195)",
        ),
        get(f"{C}/flavors/2", raw_response(f"{PHP}/Flavor.resp")),
        get(
            f"{C}/images",
            raw_response(f"{PHP}/Image_List.resp"),
            note="recorded in ORD (links name ord and account 848195)",
        ),
        get(f"{C}/images/df27d481-63a5-40ca-8920-3d132ed643d9", raw_response(f"{PHP}/Image.resp")),
        get(f"{C}/servers/detail", raw_response(f"{PHP}/Server_List.resp")),
        get(f"{C}/servers/ef08aa7a-b5e4-4bb8-86df-5ac56230f841", raw_response(f"{PHP}/Server.resp")),
        post(
            f"{C}/servers",
            json_body(f"{PKG}/createdServer.json", status=202, reason="Accepted"),
            body={
                "server": {
                    "name": "create-test-ids2",
                    "imageRef": "9922a7c7-5a42-4a56-bc6a-93f857ae2346",
                    "flavorRef": "2",
                }
            },
        ),
        get(f"{C}/servers/{NEW}", json_body(f"{PKG}/{NEW}.json")),
        post(
            f"{C}/servers/{NEW}/action",
            Synthesized(
                202,
                b"",
                basis="Nova v2 server action: 202 Accepted, empty body",
                reason="Accepted",
                headers=(("Content-Length", "0"),),
            ),
            body={"reboot": {"type": "SOFT"}},
        ),
        get(
            f"{C}/servers/{NEW}",
            json_body(f"{PKG}/{NEW}.json"),
            JsonSet("/server/status", "REBOOT"),
            JsonSet("/server/OS-EXT-STS:task_state", "rebooting"),
            note="the same server while rebooting",
        ),
        post(
            f"{C}/servers/{NEW}/os-volume_attachments",
            Synthesized(
                200,
                {
                    "volumeAttachment": {
                        "device": "/dev/xvdb",
                        "serverId": NEW,
                        "id": "5fda9a41-2a18-4d4f-8804-205d31cddb06",
                        "volumeId": "5fda9a41-2a18-4d4f-8804-205d31cddb06",
                    }
                },
                basis="os-volumes extension (listed in the real Extensions.resp); Rackspace docs show "
                "xvd* device names; body shape of the Nova v2 os-volume_attachments reference",
                reason="OK",
            ),
            body={"volumeAttachment": {"volumeId": "5fda9a41-2a18-4d4f-8804-205d31cddb06"}},
        ),
        get(
            f"{C}/extensions",
            raw_response(f"{PHP}/Extensions.resp"),
            SetHeader("X-Cn-Region-Recorded", "ORD"),
        ),
    ),
)
