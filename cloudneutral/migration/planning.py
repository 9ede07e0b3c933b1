"""Planning a migration: what will be copied, what is already there, what is in conflict.

:func:`build_plan` walks the source and the destination listings together (both in key
order, so neither is held in memory) and decides for each key:

``copy``       only in the source
``overwrite``  at both ends with different content (a conflict: the source wins)
``skip``       already identical at the target, proven by size and a checksum both ends
               agree on (or by the journal of an earlier run that verified it, when neither
               side changed since)
``delete``     only in the destination, with ``delete=True`` (the target mirrors the source)
``defer``      left for a later run by ``max_bytes``

Same size is never enough: without a checksum both sides vouch for, the key is copied again.
The plan is written to the journal, which is what :func:`~cloudneutral.migrate.migrate` runs.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence

import attrs

from ..blobs import BucketHandle
from ..errors import NotFound
from ..models import BlobInfo
from .journal import Entry, Journal

__all__ = ["ACTIONS", "Plan", "build_plan", "proven_identical"]

ACTIONS = ("copy", "overwrite", "skip", "delete", "defer")


def proven_identical(src: BlobInfo, dst: BlobInfo) -> str | None:
    """The checksum that proves two blobs hold the same bytes (``sha256``, ``md5`` or
    ``md5-parts``), or ``None`` when nothing proves it (sizes differ, or no checksum is known
    at both ends, or one disagrees)."""
    if src.size != dst.size:
        return None
    for algorithm in ("sha256", "md5", "md5-parts"):
        a, b = src.checksums.get(algorithm), dst.checksums.get(algorithm)
        if a is not None and b is not None:
            return algorithm if a == b else None
    return None


def _selected(key: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not any(fnmatch.fnmatchcase(key, pattern) for pattern in include):
        return False
    return not any(fnmatch.fnmatchcase(key, pattern) for pattern in exclude)


def _blobs(handle: BucketHandle) -> Iterator[BlobInfo]:
    for item in handle.list():
        if isinstance(item, BlobInfo):
            yield item


def _destination(handle: BucketHandle) -> Iterator[BlobInfo]:
    """The destination listing; an absent bucket is an empty destination."""
    try:
        yield from _blobs(handle)
    except NotFound:
        if handle.service.bucket_exists(handle.name):
            raise


@attrs.define
class Plan:
    """What a migration will do, recorded in ``journal``. ``counts`` maps each action to
    ``(objects, bytes)``; :meth:`items` streams the entries from the journal. ``locations``
    are the source and destination as given (URLs or handles), so the plan can be run as
    it is (``cloudneutral.migrate(plan)``). Close it (or use it as a context manager) to
    close its journal."""

    src: str
    dst: str
    journal: Journal
    counts: dict[str, tuple[int, int]] = attrs.field(factory=dict)
    locations: tuple[object, object] = attrs.field(default=(None, None), repr=False)

    def close(self) -> None:
        self.journal.close()

    def __enter__(self) -> Plan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def items(self, *actions: str) -> Iterator[Entry]:
        """The planned entries (of ``actions`` only, when given), in key order."""
        return self.journal.entries(actions=actions)

    @property
    def to_transfer(self) -> tuple[int, int]:
        """Objects and bytes this plan copies (copies and overwrites)."""
        copies, overwrites = self.counts.get("copy", (0, 0)), self.counts.get("overwrite", (0, 0))
        return copies[0] + overwrites[0], copies[1] + overwrites[1]

    def summary(self) -> str:
        """``copy 3 (1.2 MiB), overwrite 1 (4 B), skip 10 (...), delete 0, defer 0``."""
        from .._progress import human_bytes

        counts = {action: self.counts.get(action, (0, 0)) for action in ACTIONS}
        return ", ".join(f"{action} {n} ({human_bytes(b)})" for action, (n, b) in counts.items())

    def as_json(self, *, items: bool = True) -> dict[str, object]:
        """The plan as JSON-ready data (``items`` false: counts only)."""
        doc: dict[str, object] = {
            "src": self.src,
            "dst": self.dst,
            "journal": self.journal.path,
            "counts": {a: {"objects": n, "bytes": b} for a, (n, b) in sorted(self.counts.items())},
        }
        if items:
            doc["items"] = [
                {"key": e.key, "dst_key": e.dst_key, "size": e.size, "action": e.action} for e in self.items()
            ]
        return doc


def build_plan(
    src: BucketHandle,
    dst: BucketHandle,
    journal: Journal,
    *,
    src_url: str,
    dst_url: str,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    delete: bool = False,
    max_bytes: int | None = None,
    check: int = 8,
) -> Plan:
    """Compare ``src`` with ``dst`` and record the plan in ``journal`` (see the module
    docstring). ``check`` HEADs run at once to compare checksums of same-size keys.
    Raises ``NotFound`` when the source bucket does not exist."""
    import concurrent.futures as cf  # loaded only when planning

    plan = Plan(src_url, dst_url, journal)
    entries: list[Entry] = []
    seen: set[str] = set()
    budget = max_bytes
    same_size: list[tuple[BlobInfo, BlobInfo]] = []

    def add(entry: Entry) -> None:
        nonlocal budget
        if entry.action in ("copy", "overwrite") and budget is not None:
            if entry.size > budget:
                entry = attrs.evolve(entry, action="defer")
            else:
                budget -= entry.size
        entries.append(entry)
        count, size = plan.counts.get(entry.action, (0, 0))
        plan.counts[entry.action] = (count + 1, size + entry.size)
        if len(entries) >= 1000:
            journal.put_plan(entries)
            entries.clear()

    def planned(
        info: BlobInfo,
        action: str,
        *,
        dst: BlobInfo | None = None,
        verified: str | None = None,
        sha256: str | None = None,
    ) -> Entry:
        done = action in ("skip", "defer")
        return Entry(
            key=info.key,
            dst_key=info.key,
            size=info.size,
            src_etag=info.etag,
            action=action,
            state="done" if done and action == "skip" else "pending",
            dst_etag=dst.etag if dst is not None else None,
            verified=verified,
            sha256=sha256,
        )

    source = (i for i in _blobs(src) if _selected(i.key, include, exclude))
    target = (i for i in _destination(dst) if _selected(i.key, include, exclude))
    a, b = next(source, None), next(target, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a.key.encode() < b.key.encode()):
            assert a is not None
            seen.add(a.key)
            add(planned(a, "copy"))
            a = next(source, None)
        elif a is None or b.key.encode() < a.key.encode():
            if delete:
                seen.add(b.key)
                add(Entry(b.key, b.key, b.size, None, "delete", "pending", dst_etag=b.etag))
            b = next(target, None)
        else:
            seen.add(a.key)
            if a.size != b.size:
                add(planned(a, "overwrite", dst=b))
            else:
                earlier = journal.get(a.key)
                if (
                    earlier is not None
                    and earlier.state == "done"
                    and earlier.src_etag == a.etag
                    and earlier.dst_etag == b.etag
                    and earlier.action in ("copy", "overwrite", "skip")
                ):  # copied (verified as far as it could be) by an earlier run, unchanged since
                    # the SHA-256 recorded at the copy stays: verify proves the object by it
                    add(planned(a, "skip", dst=b, verified=earlier.verified, sha256=earlier.sha256))
                else:
                    same_size.append((a, b))
            a, b = next(source, None), next(target, None)
    with cf.ThreadPoolExecutor(max_workers=max(1, check)) as pool:
        heads = pool.map(lambda pair: (src.head(pair[0].key), dst.head(pair[1].key)), same_size)
        for (a, b), (full_a, full_b) in zip(same_size, heads, strict=True):
            proof = proven_identical(full_a, full_b)
            add(planned(a, "skip", dst=b, verified=proof) if proof else planned(a, "overwrite", dst=b))
    journal.put_plan(entries)
    journal.forget_missing(seen)
    journal.set_meta(src=src_url, dst=dst_url)
    return plan
