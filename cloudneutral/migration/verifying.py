"""Verifying a migration without downloading what the providers can prove.

For every object under the source, in order of preference:

``checksum``  both providers report a checksum of the same kind and they agree (SHA-256 of
              record, MD5, or S3's composite of part MD5s)
``journal``   the target holds the SHA-256 recorded when the copy was verified (its
              ``cn-sha256`` equals the journal's), and the source is the version copied
              (same ETag and size as the journal saw)
``download``  with ``download=True``, both sides are read and their SHA-256 compared

anything else is ``unproven``; a missing target object is ``missing``, a proven difference
``mismatch``. Nothing is ever reported verified that was not checked.
"""

from __future__ import annotations

import hashlib

import attrs

from ..blobs import BucketHandle
from ..errors import CloudError, NotFound
from ..models import BlobInfo
from .journal import Journal
from .planning import proven_identical

__all__ = ["Check", "VerifyReport", "verify_pair"]


@attrs.frozen
class Check:
    """One object: ``status`` is ``verified``, ``mismatch``, ``missing``, ``unproven`` or
    ``error``; ``how`` says what proved it (``sha256``, ``md5``, ``md5-parts``, ``journal``,
    ``download``)."""

    key: str
    status: str
    how: str | None = None
    detail: str = ""


@attrs.define
class VerifyReport:
    checks: list[Check] = attrs.field(factory=list)

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)

    @property
    def ok(self) -> bool:
        return all(c.status == "verified" for c in self.checks)

    def summary(self) -> str:
        statuses = ("verified", "mismatch", "missing", "unproven", "error")
        return ", ".join(f"{s} {self.count(s)}" for s in statuses)

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "counts": {s: self.count(s) for s in ("verified", "mismatch", "missing", "unproven", "error")},
            "problems": [attrs.asdict(c) for c in self.checks if c.status != "verified"],
        }


def _sha256(handle: BucketHandle, key: str) -> str:
    digest = hashlib.sha256()
    with handle.open(key) as reader:
        for chunk in reader.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def check_one(
    src: BucketHandle, dst: BucketHandle, listed: BlobInfo, journal: Journal, download: bool
) -> Check:
    """Verify one source object (see the module docstring). Never raises a ``CloudError``."""
    key = listed.key
    entry = journal.get(key)
    dst_key = entry.dst_key if entry is not None else key
    try:
        there = dst.head(dst_key)
    except NotFound:
        return Check(key, "missing")
    except CloudError as exc:
        return Check(key, "error", detail=f"{type(exc).__name__}: {exc}")
    try:
        if there.size != listed.size:
            return Check(
                key, "mismatch", detail=f"{there.size} bytes at the target, {listed.size} at the source"
            )
        here = src.head(key)
        proof = proven_identical(here, there)
        if proof is not None:
            return Check(key, "verified", proof)
        # differing whole-content checksums prove a difference; differing part MD5s do not
        # (the same bytes written in other parts have other ones)
        if any(here.checksums.get(a) and there.checksums.get(a) for a in ("sha256", "md5")):
            return Check(key, "mismatch", detail="the checksums of both sides differ")
        recorded = entry.sha256 if entry is not None and entry.state == "done" else None
        if (
            recorded is not None
            and there.checksums.get("sha256") == recorded
            and entry is not None
            and (entry.src_etag, entry.size) == (here.etag, here.size)
        ):
            return Check(key, "verified", "journal")
        if download:
            same = _sha256(src, key) == _sha256(dst, dst_key)
            return Check(key, "verified" if same else "mismatch", "download")
        return Check(key, "unproven", detail="no checksum both sides report; run with download")
    except CloudError as exc:
        return Check(key, "error", detail=f"{type(exc).__name__}: {exc}")


def verify_pair(
    src: BucketHandle, dst: BucketHandle, journal: Journal, *, download: bool = False, concurrency: int = 8
) -> VerifyReport:
    """Check every object under ``src`` against ``dst`` (see the module docstring)."""
    import concurrent.futures as cf

    report = VerifyReport()
    listed = (i for i in src.list() if isinstance(i, BlobInfo))
    with cf.ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        report.checks.extend(pool.map(lambda info: check_one(src, dst, info, journal, download), listed))
    return report
