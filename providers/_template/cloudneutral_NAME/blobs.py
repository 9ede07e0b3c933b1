"""NAME buckets and blobs: a :class:`cloudneutral.driver.BlobDriver` (skeleton).

Every method not written yet raises :class:`~cloudneutral.errors.Unsupported`, never
``NotImplementedError``: users then get a portable error. Replace each body with one SDK
call and its translation to the model; leave SDK exceptions to :mod:`.errors` (or raise
portable ones). Write them in the order of README.md, and declare ``Capability.BLOBS`` on
the driver only when the first group works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cloudneutral.driver import BlobStream, PartLimits, PartReceipt, Upload, WriteOptions
from cloudneutral.errors import Unsupported
from cloudneutral.models import BlobInfo, BlobPrefix, Bucket, Page

__all__ = ["NameBlobDriver", "NameUpload"]


def _todo(operation: str) -> Unsupported:
    return Unsupported(f"{operation} is not implemented yet", provider="NAME")


class NameUpload:
    """A blob written in parts (``Capability.BLOB_MULTIPART``). Contract:
    :class:`cloudneutral.driver.Upload`; S3 multipart, Azure blocks and Swift segments all fit."""

    #: The provider's rules for parts (smallest non-final part, largest part, most parts).
    limits = PartLimits(min_part_size=5 * 1024 * 1024, max_part_size=5 * 1024**3, max_parts=10_000)

    def __init__(self, upload_id: str) -> None:
        self.id = upload_id

    def put_part(self, number: int, data: bytes, md5: str) -> PartReceipt:
        raise _todo("put_part")

    def parts(self) -> Sequence[PartReceipt]:
        raise _todo("parts")

    def commit(self, metadata: Mapping[str, str]) -> BlobInfo:
        raise _todo("commit")

    def abort(self) -> None:
        raise _todo("abort")


class NameBlobDriver:
    """Buckets and blobs of NAME. Method contracts: :class:`cloudneutral.driver.BlobDriver`."""

    def natives(self) -> Sequence[object]:
        return ()

    # -- Capability.BLOBS, in this order -----------------------------------------------------
    def create_bucket(self, name: str) -> Bucket:
        raise _todo("create_bucket")

    def head_bucket(self, name: str) -> Bucket:
        raise _todo("head_bucket")

    def delete_bucket(self, name: str) -> None:
        raise _todo("delete_bucket")

    def list_buckets(self, page_size: int, token: str | None) -> Page[Bucket]:
        raise _todo("list_buckets")

    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> BlobInfo:
        raise _todo("put_blob")

    def head_blob(self, bucket: str, key: str) -> BlobInfo:
        raise _todo("head_blob")

    def read_blob(
        self, bucket: str, key: str, offset: int, length: int | None
    ) -> tuple[BlobInfo, BlobStream]:
        raise _todo("read_blob")

    def list_blobs(
        self, bucket: str, prefix: str, delimiter: str | None, page_size: int, token: str | None
    ) -> Page[BlobInfo | BlobPrefix]:
        raise _todo("list_blobs")

    def delete_blob(self, bucket: str, key: str, if_match: str | None) -> None:
        raise _todo("delete_blob")

    def part_sizes(self, bucket: str, key: str, info: BlobInfo) -> Sequence[int] | None:
        return None  # only for providers whose ETag is a composite of part MD5s (as S3's)

    # -- Capability.BLOB_MULTIPART ------------------------------------------------------------
    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> Upload:
        raise _todo("open_upload")

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> Upload:
        raise _todo("resume_upload")

    def list_uploads(
        self, bucket: str, prefix: str, page_size: int, token: str | None
    ) -> Page[tuple[str, str]]:
        raise _todo("list_uploads")

    # -- Capability.BLOB_COPY -------------------------------------------------------------------
    def copy_blob(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str) -> BlobInfo:
        raise _todo("copy_blob")
