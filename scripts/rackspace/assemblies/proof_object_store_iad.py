"""Proof cassette: object store (Cloud Files, Swift) in IAD."""

import hashlib

from raxcassette import Script, SetBody, SetHeader, get, head, json_body, raw_response
from raxcassette import rackspace as rax

PHP = "php-opencloud/tests/OpenCloud/Tests/ObjectStore/_response"
PKG = "pkgcloud/test/fixtures/rackspace"
LOGIN = rax.login()
F = rax.endpoint(LOGIN, "object-store", "IAD")
CONTAINER = "0.1.3-85"
JSON_UTF8 = "application/json; charset=utf-8"
CONTENT = b"CHANGELOG of a Cloud Files object (body synthesized: the source kept headers only)\n"

SCRIPT = Script(
    name="proof/object_store_iad",
    description="openstacksdk object-store in IAD: containers, objects, HEAD, GET, HEAD of a missing object",
    steps=(
        LOGIN,
        get(
            f"{F}/",
            json_body(f"{PKG}/getContainers.json", content_type=JSON_UTF8),
            note="openstacksdk lists containers without ?format=json (Accept: application/json)",
        ),
        get(f"{F}/{CONTAINER}?format=json", json_body(f"{PKG}/getFiles.json", content_type=JSON_UTF8)),
        head(f"{F}/{CONTAINER}/CHANGELOG", raw_response(f"{PHP}/Object_Metadata.resp")),
        get(
            f"{F}/{CONTAINER}/CHANGELOG",
            raw_response(f"{PHP}/Object.resp"),
            SetBody(CONTENT, "a 512000-byte body is not worth keeping"),
            SetHeader("ETag", hashlib.md5(CONTENT).hexdigest()),
        ),
        head(f"{F}/{CONTAINER}/missing", raw_response(f"{PHP}/Object_Metadata_404.resp")),
    ),
)
