"""Blobs with cloudneutral: write from bytes, a file or a stream; read, list, copy, delete.

    python examples/blobs_basics.py                         # in memory, nothing to set up
    python examples/blobs_basics.py "local://?root=/tmp/cn"  # persisted to a directory
    python examples/blobs_basics.py "aws://my-bucket?region=eu-west-1"

The bucket is the one the URL names, else ``examples``; a bucket this script creates is
deleted at the end.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator

import cloudneutral
from cloudneutral import BlobInfo, BlobPrefix, CloudError, NotFound


def chunks(total: int, size: int = 256 * 1024) -> Iterator[bytes]:
    """A stream of ``total`` bytes in pieces, as a generator reading a socket would give them."""
    sent = 0
    while sent < total:
        piece = bytes([sent // size % 256]) * min(size, total - sent)
        sent += len(piece)
        yield piece


def main(url: str) -> int:
    with cloudneutral.connect(url) as cloud:
        name = cloud.url.bucket or "examples"
        created = False
        if not cloud.blobs.bucket_exists(name):
            cloud.blobs.create_bucket(name)
            created = True
            print(f"created bucket {name} on {cloud.provider}")
        bucket = cloud.blobs.bucket(name)
        try:
            demo(bucket)
        finally:
            if created:
                cloud.blobs.delete_bucket(name, force=True)
                print(f"deleted bucket {name}")
    return 0


def demo(bucket: cloudneutral.BucketHandle) -> None:
    # Write from bytes, with a content type and metadata (metadata keys are stored lower case).
    info = bucket.put("docs/hello.txt", b"hello, world\n", content_type="text/plain", metadata={"Lang": "en"})
    print(f"put     docs/hello.txt: {info.size} bytes, md5 {info.checksums['md5']}")

    # Write from a file (streamed from disk).
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "report.csv")
        with open(path, "w") as fh:
            fh.write("month,visits\njan,10\nfeb,12\n")
        info = bucket.upload("docs/report.csv", path, content_type="text/csv")
    print(f"upload  docs/report.csv: {info.size} bytes")

    # Write from an iterable of chunks: memory stays bounded by part_size; blobs larger
    # than one part go up in parts (the provider's minimum part size applies), each part's
    # MD5 confirmed by the provider. record_sha256 stores the SHA-256 with the blob, so
    # every later read, on any provider it is copied to, is checked against it.
    total = 12 * 1024 * 1024 + 5
    expected = hashlib.sha256(b"".join(chunks(total))).hexdigest()
    info = bucket.put("data/big.bin", chunks(total), part_size=5 * 1024 * 1024, record_sha256=True)
    assert info.checksums["sha256"] == expected
    print(f"put     data/big.bin: {info.size} bytes streamed in parts, sha256 {info.checksums['sha256']}")

    # Head: attributes without the content.
    head = bucket.head("docs/hello.txt")
    print(f"head    docs/hello.txt: {head.content_type}, metadata {dict(head.metadata)}")

    # Read: whole, a byte range, or as a stream (whole reads are verified: size and checksums).
    print(f"get     docs/hello.txt: {bucket.get('docs/hello.txt')!r}")
    print(f"range   docs/hello.txt[0:5]: {bucket.get_range('docs/hello.txt', 0, 5)!r}")
    with bucket.open("data/big.bin") as reader:
        streamed = sum(len(chunk) for chunk in reader.chunks())
    print(f"stream  data/big.bin: read {streamed} bytes chunk by chunk, verified by {reader.verified}")

    # List one level (common prefixes as "directories"), then everything.
    level = [f"{i.prefix} (dir)" if isinstance(i, BlobPrefix) else i.key for i in bucket.list(delimiter="/")]
    print(f"list /  {', '.join(level)}")
    keys = [i.key for i in bucket.list() if isinstance(i, BlobInfo)]
    print(f"list    {', '.join(keys)}")

    # Copy within the provider (server-side), then delete.
    bucket.copy("docs/hello.txt", "docs/hello-copy.txt")
    print(f"copy    docs/hello.txt -> docs/hello-copy.txt: {bucket.get('docs/hello-copy.txt')!r}")
    bucket.delete("docs/hello-copy.txt")

    # Errors are portable: the same NotFound on every provider.
    try:
        bucket.get("docs/hello-copy.txt")
    except NotFound as exc:
        print(f"deleted docs/hello-copy.txt; reading it now raises NotFound: {exc}")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "local://"))
    except CloudError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(75 if exc.transient else 1)
