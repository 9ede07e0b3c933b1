"""NAME buckets and blobs: a :class:`cloudneutral.driver.BlobDriver` (skeleton).

Every method not written yet raises :class:`~cloudneutral.errors.Unsupported`, never
``NotImplementedError``: users then get a portable error, and the conformance suite
reports the gap instead of crashing. Replace each body with one SDK call and its
translation to the model; leave SDK exceptions to :mod:`.errors` (or raise portable ones).
Add the matching :class:`~cloudneutral.Capability` to the driver once a method works.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from cloudneutral.driver import UploadedPart, WriteOptions
from cloudneutral.errors import Unsupported
from cloudneutral.models import BlobInfo, BlobPrefix, Bucket, Page

__all__ = ["NameBlobs"]


def _todo(operation: str) -> Unsupported:
    return Unsupported(f"{operation} is not implemented yet", provider="NAME")


class NameBlobs:
    """Buckets and blobs of NAME. Method contracts: :class:`cloudneutral.driver.BlobDriver`."""

    #: The smallest non-final multipart part the service accepts, and the most parts.
    min_part_size: int = 5 * 1024 * 1024
    max_parts: int = 10_000

    def list_buckets(self) -> Iterable[Bucket]:
        raise _todo("list_buckets")

    def create_bucket(self, name: str) -> Bucket:
        raise _todo("create_bucket")

    def head_bucket(self, name: str) -> Bucket:
        raise _todo("head_bucket")

    def delete_bucket(self, name: str) -> None:
        raise _todo("delete_bucket")

    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        raise _todo("list_blobs")

    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        raise _todo("head_blob")

    def read_blob(
        self, bucket: str, key: str, offset: int, length: int | None
    ) -> tuple[BlobInfo, Iterator[bytes]]:
        raise _todo("read_blob")

    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions) -> BlobInfo:
        raise _todo("put_blob")

    def start_upload(self, bucket: str, key: str, options: WriteOptions) -> str:
        raise _todo("start_upload")

    def upload_part(self, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> UploadedPart:
        raise _todo("upload_part")

    def complete_upload(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[UploadedPart]
    ) -> BlobInfo:
        raise _todo("complete_upload")

    def abort_upload(self, bucket: str, key: str, upload_id: str) -> None:
        raise _todo("abort_upload")

    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        raise _todo("copy_blob")

    def delete_blob(self, bucket: str, key: str) -> None:
        raise _todo("delete_blob")
