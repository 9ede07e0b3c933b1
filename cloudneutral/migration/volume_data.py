"""Copying a volume's bytes where both providers expose them.

There is no portable block-data path between clouds: a volume's bytes are reachable only
where the provider offers them through the escape hatch, as the local provider does
(:class:`~cloudneutral.local.LocalVolumeData`, ``volume.as_native(LocalVolumeData)``;
:class:`~cloudneutral.local.LocalSnapshotData` for snapshots). :func:`copy_bytes` copies
them chunk by chunk at the same offsets and reads every chunk back from the target: a chunk
that reads back other than the source's is an ``IntegrityError``. Only the ranges that may
hold data at either end are visited (``extents()``: outside them both read as zeros, so
they are equal already), and all-zero chunks are not written where the target reads
zeros, so a sparse volume stays sparse and a mostly empty one copies in moments. Progress
is reported at checkpoints, so a copy cut short resumes where the last checkpoint was.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import IntegrityError, InvalidArgument
from ..local import LocalSnapshotData, LocalVolumeData
from ..transfer import Cancel

__all__ = ["CHECKPOINT", "CHUNK", "copy_bytes"]

CHUNK = 4 * 1024 * 1024
#: Progress is reported (and so resumable) at least this often.
CHECKPOINT = 64 * 1024 * 1024
_ZEROS = bytes(CHUNK)


def _zero(data: bytes) -> bool:
    return data == _ZEROS if len(data) == CHUNK else not any(data)


def _ranges(*extents: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The union of ``extents`` within ``[start, end)``, in order, coalesced."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(r for ranges in extents for r in ranges):
        lo, hi = max(lo, start), min(hi, end)
        if lo >= hi:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def copy_bytes(
    source: LocalSnapshotData,
    target: LocalVolumeData,
    *,
    start: int = 0,
    on_checkpoint: Callable[[int], None] = lambda _: None,
    cancel: Cancel | None = None,
) -> int:
    """Copy ``source``'s bytes from offset ``start`` to ``target`` at the same offsets and
    read each chunk back. ``on_checkpoint(offset)`` is called at least every
    :data:`CHECKPOINT` bytes and at the end: every byte below ``offset`` is at the target
    and read back equal. Returns the source's size. Raises ``IntegrityError`` when a chunk
    reads back otherwise, ``InvalidArgument`` when the target is smaller than the source,
    ``Cancelled`` (between chunks) when ``cancel`` is set."""
    if target.size < source.size:
        raise InvalidArgument(f"{target.image} ({target.size} bytes) is smaller than {source.image}")
    if not 0 <= start <= source.size:
        raise InvalidArgument(f"offset {start} is outside the {source.size} bytes of {source.image}")
    mark = start
    for lo, hi in _ranges(source.extents(), target.extents(), start=start, end=source.size):
        for offset in range(lo, hi, CHUNK):
            if cancel is not None:
                cancel.check()
            length = min(CHUNK, hi - offset)
            data = source.read(offset, length)
            there = target.read(offset, length) if _zero(data) else None
            if there is None or there != data:
                target.write(offset, data)
                there = target.read(offset, length)
            if there != data:
                raise IntegrityError(
                    f"{target.image}: bytes {offset}+{length} read back differ from the source's"
                )
            if offset + length - mark >= CHECKPOINT:
                mark = offset + length
                on_checkpoint(mark)
    on_checkpoint(source.size)
    return source.size
