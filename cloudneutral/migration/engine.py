"""Running a plan: every object copied, verified end to end and recorded in the journal.

* Small objects (up to ``part_size``) are streamed in one piece (:func:`~cloudneutral.copy_blob`).
* Larger ones go as a few long ranged reads (:mod:`.segments`, each of ``concurrency``
  parts, the next one opened while the current one streams) into parallel parts of one
  upload, so a big object is not one slow stream. Each byte is hashed once per algorithm:
  MD5 per part (sent with the part, checked against the source's part MD5s where it has
  them) and SHA-256 over the whole object, in order as parts complete (plus the whole
  MD5 where the source has one); every part is confirmed by the target and recorded in the
  journal, and the SHA-256 is recorded with the object at commit.
* Objects of the same connection are copied server-side where the provider can.

Memory stays bounded by ``concurrency`` x ``part_size`` whatever the object sizes: a gate
admits at most ``concurrency`` part buffers at once, across all objects, and a buffer
leaves it only once its bytes have been hashed in order.

A run killed at any instant and started again finishes the job: finished objects are
skipped by the plan, an object in parts resumes its upload and sends only the parts the
journal does not hold (it re-reads the others from the source, to hash them), and uploads
a replaced plan left behind are aborted. Nothing partial is ever visible at the target.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import queue
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import attrs

from .._reading import composite_md5
from .._writing import SHA256_KEY, put_hashed_part
from ..blobs import BucketHandle, PartUpload
from ..errors import CloudError, IntegrityError, NotFound
from ..models import BlobInfo, Capability
from ..transfer import Cancel, Cancelled, copy_blob
from .gate import Gate
from .journal import ANY_UPLOAD, Entry
from .planning import Plan
from .segments import Segments

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["MigrationReport", "Outcome", "Settings", "run_plan"]

MiB = 1024 * 1024
#: How often one object is tried when its bytes fail a check (damaged on the way).
OBJECT_ATTEMPTS = 3


@attrs.frozen
class Settings:
    """How a plan runs. ``concurrency``: objects, and part buffers across all objects, in
    flight at once; ``part_size``: the part size of large objects (raised to the target's
    minimum); ``strict``: a copy whose source offered no checksum (verified by size only)
    counts as a failure; ``read_size``: bytes per ranged read of a large object, rounded
    up to whole parts (``None``: ``concurrency`` parts; ``0``: the whole object in one read).
    Longer reads cost fewer requests, shorter ones stream more of an object in parallel."""

    concurrency: int = 8
    part_size: int = 8 * MiB
    strict: bool = False
    read_size: int | None = None

    def segment_size(self, part_size: int, object_size: int) -> int:
        """The length of each ranged read of an object of ``object_size`` in ``part_size`` parts."""
        if self.read_size == 0:
            return max(object_size, part_size)
        wanted = self.concurrency * part_size if self.read_size is None else self.read_size
        return max(1, -(-wanted // part_size)) * part_size


@attrs.frozen
class Outcome:
    """What happened to one object: ``state`` is ``done``, ``failed`` or ``cancelled``."""

    key: str
    action: str
    state: str
    size: int
    verified: str | None = None
    error: CloudError | None = None


@attrs.define
class MigrationReport:
    """What a run did. ``verified`` counts the copies by how they were verified."""

    plan: Plan
    done: list[Outcome] = attrs.field(factory=list)
    failed: list[Outcome] = attrs.field(factory=list)
    cancelled: bool = False
    elapsed: float = 0.0
    strict: bool = False

    @property
    def copied(self) -> list[Outcome]:
        return [o for o in self.done if o.action in ("copy", "overwrite")]

    @property
    def deleted(self) -> list[Outcome]:
        return [o for o in self.done if o.action == "delete"]

    @property
    def bytes(self) -> int:
        return sum(o.size for o in self.copied)

    @property
    def verified(self) -> dict[str, int]:
        return dict(collections.Counter(o.verified or "size" for o in self.copied))

    @property
    def unproven(self) -> list[Outcome]:
        """Copies whose bytes no source checksum vouched for (verified by size only)."""
        return [o for o in self.copied if (o.verified or "size") == "size"]

    @property
    def ok(self) -> bool:
        """Every planned object is at the target and verified (``strict``: by a checksum)."""
        return not self.failed and not self.cancelled and not (self.strict and self.unproven)

    def as_json(self) -> dict[str, object]:
        return {
            "src": self.plan.src,
            "dst": self.plan.dst,
            "journal": self.plan.journal.path,
            "ok": self.ok,
            "cancelled": self.cancelled,
            "elapsed_seconds": round(self.elapsed, 3),
            "copied": {"objects": len(self.copied), "bytes": self.bytes},
            "deleted": len(self.deleted),
            "skipped": self.plan.counts.get("skip", (0, 0))[0],
            "deferred": self.plan.counts.get("defer", (0, 0))[0],
            "verified": self.verified,
            "failed": [
                {
                    "key": o.key,
                    "error": f"{type(o.error).__name__}: {o.error}",
                    "transient": bool(o.error and o.error.transient),
                }
                for o in self.failed
            ],
        }


class _Run:
    """One execution of a plan (see :func:`run_plan`)."""

    def __init__(
        self,
        plan: Plan,
        src: BucketHandle,
        dst: BucketHandle,
        settings: Settings,
        cancel: Cancel,
        on_bytes: Callable[[int], None] | None,
        on_done: Callable[[Outcome], None] | None,
    ) -> None:
        import concurrent.futures as cf

        self.plan, self.journal = plan, plan.journal
        self.src, self.dst = src, dst
        self.settings, self.cancel = settings, cancel
        self.on_bytes, self.on_done = on_bytes, on_done
        self.server_side = src.service is dst.service and Capability.BLOB_COPY in src.service.capabilities
        self.multipart = Capability.BLOB_MULTIPART in dst.service.capabilities
        self.gate = Gate(settings.concurrency)
        self.parts = cf.ThreadPoolExecutor(settings.concurrency, thread_name_prefix="cn-part")
        self.opener = cf.ThreadPoolExecutor(settings.concurrency, thread_name_prefix="cn-open")

    # -- one object ------------------------------------------------------------------------
    def copy_one(self, entry: Entry) -> Outcome:
        """Copy (or delete) one object; an object whose bytes failed a check (damaged on the
        way) or that failed transiently past the call retries is tried again from where it
        stood, up to :data:`OBJECT_ATTEMPTS` times."""
        for attempt in range(1, OBJECT_ATTEMPTS + 1):
            try:
                self.cancel.check()
                if entry.action == "delete":
                    return self._delete(entry)
                if self.server_side or entry.size <= self.settings.part_size or not self.multipart:
                    return self._whole(entry)
                return self._in_parts(entry)
            except Cancelled:
                return Outcome(entry.key, entry.action, "cancelled", entry.size)
            except CloudError as exc:
                retry = isinstance(exc, IntegrityError) or exc.transient
                if not retry or attempt == OBJECT_ATTEMPTS:
                    return self._failed(entry, exc)
                entry = self.journal.get(entry.key) or entry  # resume what the journal has
        raise AssertionError("unreachable")

    def _failed(self, entry: Entry, exc: CloudError) -> Outcome:
        self.journal.update(entry.key, state="failed", error=f"{type(exc).__name__}: {exc}")
        return Outcome(entry.key, entry.action, "failed", entry.size, error=exc)

    def _finish(self, entry: Entry, info: BlobInfo, verified: str, sha256: str | None) -> Outcome:
        self.journal.update(
            entry.key,
            state="done",
            sha256=sha256,
            dst_etag=info.etag,
            verified=verified,
            error=None,
            upload_id=None,
        )
        if entry.upload_id or entry.part_size or entry.state == "uploading":
            self.journal.clear_parts(entry.key)  # only an object once in parts has any
        return Outcome(entry.key, entry.action, "done", info.size, verified)

    def _delete(self, entry: Entry) -> Outcome:
        if_match = entry.dst_etag if Capability.BLOB_IF_MATCH in self.dst.service.capabilities else None
        self.dst.delete(entry.dst_key, missing_ok=True, if_match=if_match)
        self.journal.update(entry.key, state="done", error=None)
        return Outcome(entry.key, "delete", "done", entry.size)

    def _whole(self, entry: Entry) -> Outcome:
        expected = BlobInfo(self.src.name, entry.key, entry.size, etag=entry.src_etag)
        copied = copy_blob(
            self.src,
            expected,
            self.dst,
            entry.dst_key,
            server_side=self.server_side,
            on_bytes=self.on_bytes,
            cancel=self.cancel,
        )
        info = copied.written or self.dst.head(entry.dst_key)
        return self._finish(entry, info, copied.verified, info.checksums.get("sha256"))

    # -- one object in parallel parts -------------------------------------------------------
    def _part_size(self, entry: Entry, head: BlobInfo, upload: PartUpload) -> int:
        """The source's own part size when its composite checksum can then be checked (its
        parts are uniform and the target takes them), else the configured one, raised to
        the target's minimum and so that the object fits in its part count."""
        layout = self.src.part_layout(entry.key, head)
        limits = upload.limits
        if layout and len(set(layout[:-1])) <= 1 and layout[-1] <= layout[0]:
            size = layout[0]
            if limits.min_part_size <= size <= limits.max_part_size and len(layout) <= limits.max_parts:
                return size
        size = max(self.settings.part_size, limits.min_part_size)
        while -(-entry.size // size) > limits.max_parts:
            size *= 2
        return size

    def _upload(self, entry: Entry, head: BlobInfo) -> tuple[Entry, PartUpload, dict[int, str | None]]:
        """The upload to continue (from the journal) or a new one, the parts it holds (number
        -> MD5), and the entry as the journal now has it."""
        options = {"content_type": head.content_type or None, "metadata": dict(head.metadata) or None}
        if entry.upload_id and entry.part_size:
            try:
                upload = self.dst.resume_upload(entry.dst_key, entry.upload_id, **options)  # type: ignore[arg-type]
                stored = upload.stored_parts()
                recorded = self.journal.parts(entry.key)
                done = {n: r.md5 for n, r in stored.items() if n in recorded and recorded[n][0] == r.size}
                return entry, upload, done
            except NotFound:  # expired or aborted meanwhile: start over
                self.journal.clear_parts(entry.key)
        if entry.state == "uploading" and entry.upload_id is None:
            self._abort_strays(entry.dst_key)  # an earlier open whose answer was lost
        # Recorded first: a kill between opening and recording leaves an upload the next run
        # cannot name, so it aborts every unfinished upload of this key instead.
        self.journal.update(entry.key, state="uploading", upload_id=None, part_size=None)
        upload = self.dst.open_upload(entry.dst_key, **options)  # type: ignore[arg-type]
        part_size = self._part_size(entry, head, upload)
        self.journal.update(entry.key, state="uploading", upload_id=upload.id, part_size=part_size)
        return attrs.evolve(entry, state="uploading", upload_id=upload.id, part_size=part_size), upload, {}

    def _part(
        self,
        entry: Entry,
        upload: PartUpload,
        done: dict[int, str | None],
        source: Segments,
        number: int,
        offset: int,
        size: int,
    ) -> tuple[bytes, str]:
        """Read one part from its segment of the source (size-checked, resumed after drops);
        send it unless the target holds it already. Returns the bytes (to be hashed in
        order) and their MD5 (as the target confirmed it, else computed)."""
        self.cancel.check()
        data = source.read(offset, size)
        md5 = hashlib.md5(data).hexdigest()
        if number in done and done[number] in (None, md5):
            return data, md5  # the target holds these very bytes (or cannot say): not sent again
        self.cancel.check()
        receipt = put_hashed_part(upload, number, data, md5)
        self.journal.part_done(entry.key, number, receipt.size, receipt.md5)
        if self.on_bytes is not None:
            self.on_bytes(len(data))
        return data, receipt.md5 or md5

    def _in_parts(self, entry: Entry) -> Outcome:
        head = self.src.head(entry.key)
        if head.size != entry.size or (entry.src_etag and head.etag != entry.src_etag):
            raise IntegrityError(f"{self.src.name}/{entry.key} changed since it was planned; plan again")
        entry, upload, done = self._upload(entry, head)
        part_size = entry.part_size or self.settings.part_size
        segment = self.settings.segment_size(part_size, head.size)
        source = Segments(self.src, head, segment, self.cancel, self.opener)
        sha256 = hashlib.sha256()
        md5 = hashlib.md5() if head.checksums.get("md5") else None
        part_md5s: list[bytes] = []
        pending: collections.deque[Future[tuple[bytes, str]]] = collections.deque()
        total = 0
        try:
            for data, part_md5 in self._ordered(entry, upload, done, source, pending):
                sha256.update(data)
                if md5 is not None:
                    md5.update(data)
                part_md5s.append(bytes.fromhex(part_md5))
                total += len(data)
        except BaseException:
            source.close()  # parts waiting for their turn stop
            for future in pending:  # each holds a place at the gate until it has stopped
                future.cancel()
                future.add_done_callback(lambda _: self.gate.leave())
            raise  # the upload stays, recorded in the journal: the next run resumes it
        where = f"{self.src.name}/{entry.key}"
        if total != head.size:
            raise IntegrityError(f"{where}: read {total} bytes, the source has {head.size}")
        verified = self._read_verified(where, head, sha256.hexdigest(), md5, part_md5s)
        if not upload.confirmed:
            verified = "size"
        info = upload.commit({**head.metadata, SHA256_KEY: sha256.hexdigest()})
        return self._finish(entry, info, verified, sha256.hexdigest())

    @staticmethod
    def _read_verified(
        where: str, head: BlobInfo, sha256: str, md5: hashlib._Hash | None, part_md5s: list[bytes]
    ) -> str:
        """How the bytes read are proven to be the source's: by its SHA-256 of record, its
        MD5, or (when the copy's parts are the source's) its composite of part MD5s; else by
        size. A checksum that disagrees raises ``IntegrityError``."""
        if head.checksums.get("sha256"):
            if sha256 != head.checksums["sha256"]:
                raise IntegrityError(f"{where}: the bytes read have another SHA-256 than the source's")
            return "sha256"
        if md5 is not None:
            if md5.hexdigest() != head.checksums["md5"]:
                raise IntegrityError(f"{where}: the bytes read have another MD5 than the source's")
            return "md5"
        composite = head.checksums.get("md5-parts")
        if composite and composite.endswith(f"-{len(part_md5s)}"):
            if composite_md5(part_md5s) != composite:
                raise IntegrityError(f"{where}: the parts read have other MD5s than the source's")
            return "md5-parts"
        return "size"

    def _ordered(
        self,
        entry: Entry,
        upload: PartUpload,
        done: dict[int, str | None],
        source: Segments,
        pending: collections.deque[Future[tuple[bytes, str]]],
    ) -> Iterator[tuple[bytes, str]]:
        """Each part's bytes and MD5 in order, parts fetched and sent in parallel through the
        gate: while the next part in order is on its way, later parts start as places free."""
        layout = self._layout(entry.size, entry.part_size or self.settings.part_size)
        exhausted = False
        while True:
            if not exhausted:
                if pending:
                    entered = self.gate.enter_unless_done(pending[0])
                else:
                    self.gate.enter()
                    entered = True
                if entered:
                    part = next(layout, None)
                    if part is None:
                        self.gate.leave()
                        exhausted = True
                    else:
                        future = self.parts.submit(self._part, entry, upload, done, source, *part)
                        future.add_done_callback(self.gate.wake)
                        pending.append(future)
                    continue
            if not pending:
                return
            future = pending.popleft()
            try:
                result = future.result()
            finally:
                self.gate.leave()
            yield result

    @staticmethod
    def _layout(size: int, part_size: int) -> Iterator[tuple[int, int, int]]:
        for number, offset in enumerate(range(0, size, part_size), start=1):
            yield number, offset, min(part_size, size - offset)

    # -- the whole plan ----------------------------------------------------------------------
    def _abort_strays(self, dst_key: str) -> None:
        """Abort every unfinished upload of ``dst_key`` (ones whose id was never recorded)."""
        for key, stray in self.dst.uploads(dst_key):
            if key == dst_key:
                with contextlib.suppress(NotFound):
                    self.dst.resume_upload(dst_key, stray).abort()

    def abort_orphans(self) -> None:
        """Abort the uploads replaced plans and killed runs left (never leaked)."""
        for dst_key, upload_id in self.journal.orphans():
            try:
                if upload_id == ANY_UPLOAD:
                    self._abort_strays(dst_key)
                else:
                    with contextlib.suppress(NotFound):
                        self.dst.resume_upload(dst_key, upload_id).abort()
            except NotFound:
                pass
            except CloudError:
                continue  # tried again next run
            self.journal.forget_orphan(dst_key, upload_id)

    def run(self) -> MigrationReport:
        import concurrent.futures as cf

        started = time.monotonic()
        report = MigrationReport(self.plan, strict=self.settings.strict)
        self.abort_orphans()
        todo = (
            e
            for e in self.journal.entries(states=("pending", "uploading", "failed"))
            if e.action in ("copy", "overwrite", "delete")
        )
        pool = cf.ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="cn-object")
        running: set[cf.Future[Outcome]] = set()
        finished: queue.SimpleQueue[cf.Future[Outcome]] = queue.SimpleQueue()

        def collect_one() -> None:
            try:
                future = finished.get(timeout=0.2)  # wakes up for Ctrl-C now and then
            except queue.Empty:
                return
            running.discard(future)
            outcome = future.result()
            if outcome.state == "done":
                report.done.append(outcome)
            elif outcome.state == "failed":
                report.failed.append(outcome)
            if self.on_done is not None and outcome.state != "cancelled":
                self.on_done(outcome)

        try:
            for entry in todo:
                if self.cancel.is_set:
                    break
                while len(running) >= 2 * self.settings.concurrency:
                    collect_one()
                future = pool.submit(self.copy_one, entry)
                running.add(future)
                future.add_done_callback(finished.put)
            while running:
                collect_one()
        except BaseException:
            self.cancel.set()
            pool.shutdown(wait=False, cancel_futures=True)
            self.parts.shutdown(wait=False, cancel_futures=True)
            self.opener.shutdown(wait=False, cancel_futures=True)
            _drain({f for f in running if not f.cancelled()})
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            self.parts.shutdown(wait=False, cancel_futures=True)
            self.opener.shutdown(wait=False, cancel_futures=True)
        report.cancelled = self.cancel.is_set
        report.elapsed = time.monotonic() - started
        return report


def _drain(running: set[Future[Outcome]], limit: float = 10.0) -> None:
    import concurrent.futures as cf

    with contextlib.suppress(BaseException):  # a second Ctrl-C: stop waiting
        cf.wait(running, timeout=limit)


def run_plan(
    plan: Plan,
    src: BucketHandle,
    dst: BucketHandle,
    *,
    settings: Settings = Settings(),
    cancel: Cancel | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> MigrationReport:
    """Execute ``plan`` from ``src`` to ``dst``; return what happened. Failures of single
    objects are reported, not raised; ``KeyboardInterrupt`` stops it (in-flight parts
    dropped, uploads kept for the next run, the journal consistent) and propagates."""
    return _Run(plan, src, dst, settings, cancel or Cancel(), on_bytes, on_done).run()
