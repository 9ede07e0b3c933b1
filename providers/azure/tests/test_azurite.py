"""The Azurite launcher: starts on a free loopback port, serves blobs to azure-storage-blob, stops.

Skipped when Azurite is not installed (``scripts/peers/azurite.sh start`` installs it once
into ``.peers/azurite/``; ``.ci/run`` does).
"""

from __future__ import annotations

import pytest
from cloudneutral_azure.testing.azurite import Azurite, AzuriteNotFound, find_azurite


@pytest.fixture(scope="module")
def azurite() -> Azurite:
    try:
        find_azurite()
    except AzuriteNotFound as exc:
        pytest.skip(str(exc))
    with Azurite() as instance:
        yield instance  # type: ignore[misc]


def test_blob_round_trip(azurite: Azurite) -> None:
    from azure.storage.blob import BlobServiceClient

    assert azurite.blob_endpoint.startswith("http://127.0.0.1:")
    assert azurite.blob_endpoint.endswith("/devstoreaccount1")
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    service.create_container("cn-test")
    service.get_blob_client("cn-test", "dir/a.txt").upload_blob(b"hello", metadata={"k": "v"})
    blob = service.get_blob_client("cn-test", "dir/a.txt")
    assert blob.download_blob().readall() == b"hello"
    assert blob.get_blob_properties().metadata == {"k": "v"}
    assert [b.name for b in service.get_container_client("cn-test").list_blobs()] == ["dir/a.txt"]


def test_stop_is_idempotent_and_frees_the_port() -> None:
    try:
        find_azurite()
    except AzuriteNotFound as exc:
        pytest.skip(str(exc))
    instance = Azurite()
    instance.start()
    assert instance.start_seconds > 0
    instance.stop()
    instance.stop()
    assert not instance._answers()
