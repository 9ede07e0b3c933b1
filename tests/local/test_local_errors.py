"""What the local provider reports when the disk under a root fails or is tampered with."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import cloudneutral
from cloudneutral import errors
from cloudneutral.local import LocalProvider


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (FileNotFoundError(errno.ENOENT, "gone"), errors.NotFound),
        (FileExistsError(errno.EEXIST, "there"), errors.AlreadyExists),
        (PermissionError(errno.EACCES, "denied"), errors.PermissionDenied),
        (OSError(errno.ENOSPC, "full"), errors.QuotaExceeded),
        (OSError(errno.EAGAIN, "again"), errors.TransientError),
        (OSError(errno.EIO, "io"), errors.ProviderError),
        (ValueError("Expecting value"), errors.ProviderError),
        (RuntimeError("odd"), errors.ProviderError),
    ],
)
def test_native_errors_map_to_portable_ones(exc: Exception, expected: type[errors.CloudError]) -> None:
    provider = cloudneutral.connect("local://").driver
    error = provider.translate_error(exc)
    assert type(error) is expected
    assert str(exc) in error.message
    assert error.transient is (expected is errors.TransientError)


def test_a_corrupt_blob_file_is_a_provider_error_not_a_wrong_answer(root: Path) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}")
    cloud.blobs.create_bucket("bkt")
    bucket = cloud.blobs.bucket("bkt")
    bucket.put("k", b"content")
    (blob_file,) = (root / "blobs" / "bkt" / "objects").glob("*/*")
    blob_file.write_bytes(blob_file.read_bytes()[:-3])
    with pytest.raises(errors.ProviderError, match="corrupt blob file"):
        bucket.head("k")
    with pytest.raises(errors.ProviderError, match="corrupt blob file"):
        list(bucket.list())


def test_the_provider_describes_itself(root: Path) -> None:
    cloud = cloudneutral.connect(f"local://?root={root}")
    assert cloud.capabilities == frozenset(cloudneutral.Capability)
    assert isinstance(cloud.driver, LocalProvider) and cloud.driver.root == root
    assert getattr(cloudneutral.connect("local://").driver, "root", "missing") is None
    cloud.close()
    cloud.close()
