"""``plan``, ``migrate`` and ``verify``: the migration API, for URLs or bucket handles.

A location is a connection URL naming a bucket (``aws://photos/2024/?region=eu-west-1``) or
a :class:`~cloudneutral.BucketHandle`. Two URLs of the same provider and options share one
connection, so the provider's server-side copy can be used. With URLs, the journal lives at
:func:`~.journal.default_journal_path` of the pair unless ``journal`` names a file; with
handles, give ``journal`` to make the run resumable (else it is kept in memory).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..blobs import BucketHandle
from ..cloud import connect
from ..errors import InvalidArgument
from ..registry import ConnectionURL, parse_url
from ..transfer import Cancel
from ..validation import check_at_least
from .engine import MigrationReport, Outcome, Settings, run_plan
from .journal import Journal, default_journal_path
from .planning import Plan, build_plan
from .verifying import VerifyReport, verify_pair

if TYPE_CHECKING:
    from .distributed import DaskClient

__all__ = ["Location", "migrate", "plan", "verify"]

Location = str | ConnectionURL | BucketHandle
JournalRef = str | Path | Journal | None


def _url(location: str | ConnectionURL, role: str) -> ConnectionURL:
    url = parse_url(location) if isinstance(location, str) else location
    if not url.bucket:
        raise InvalidArgument(f"{role} must name a bucket: PROVIDER://BUCKET[/PREFIX], not {url}")
    return url


def _dir(prefix: str) -> str:
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def name_of(location: Location, role: str) -> str:
    """How a location is named in plans, reports and the default journal's name."""
    return repr(location) if isinstance(location, BucketHandle) else str(_url(location, role))


def open_journal(journal: JournalRef, src: Location, dst: Location) -> Journal:
    """``journal`` itself, the file it names, or the default one of the pair (in memory
    when a location is a handle, which has no URL to name a file by)."""
    if isinstance(journal, Journal):
        return journal
    if journal is None:
        if isinstance(src, BucketHandle) or isinstance(dst, BucketHandle):
            return Journal(":memory:")
        journal = default_journal_path(name_of(src, "SRC"), name_of(dst, "DST"))
    return Journal(journal)


@contextlib.contextmanager
def open_pair(src: Location, dst: Location) -> Iterator[tuple[BucketHandle, BucketHandle]]:
    """Handles on both locations (one connection when they share provider and options);
    closes what it opened."""
    with contextlib.ExitStack() as stack:
        clouds: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}
        handles: list[BucketHandle] = []
        for location, role in ((src, "SRC"), (dst, "DST")):
            if isinstance(location, BucketHandle):
                handles.append(location)
                continue
            url = _url(location, role)
            assert url.bucket is not None
            account = (url.provider, tuple(sorted(url.options.items())))
            if account not in clouds:
                clouds[account] = stack.enter_context(connect(url))
            handles.append(clouds[account].blobs.bucket(url.bucket, _dir(url.prefix)))
        yield handles[0], handles[1]


def plan(
    src: Location,
    dst: Location,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    delete: bool = False,
    max_bytes: int | None = None,
    journal: JournalRef = None,
) -> Plan:
    """Compare ``src`` with ``dst`` and record what :func:`migrate` will do, in the journal
    (nothing is written at the target). ``include``/``exclude`` are glob patterns on keys
    relative to the source prefix; ``delete`` plans deleting target keys the source lacks;
    ``max_bytes`` defers copies beyond that many bytes. Raises ``NotFound`` when the source
    bucket is missing, ``InvalidArgument``/``ConfigurationError`` for bad locations.
    ``cloudneutral.migrate(plan)`` runs the plan as it is; close it when not run."""
    journal_ = open_journal(journal, src, dst)
    try:
        with open_pair(src, dst) as (source, target):
            result = build_plan(
                source,
                target,
                journal_,
                src_url=name_of(src, "SRC"),
                dst_url=name_of(dst, "DST"),
                include=include,
                exclude=exclude,
                delete=delete,
                max_bytes=max_bytes,
            )
    except BaseException:
        if not isinstance(journal, Journal):
            journal_.close()
        raise
    result.locations = (src, dst)
    return result


def migrate(
    src: Location | Plan,
    dst: Location | None = None,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    delete: bool = False,
    max_bytes: int | None = None,
    journal: JournalRef = None,
    concurrency: int = 8,
    part_size: int = 8 * 1024 * 1024,
    read_size: int | None = None,
    strict: bool = False,
    cancel: Cancel | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    client: DaskClient | None = None,
) -> MigrationReport:
    """Copy every object under ``src`` to ``dst`` (created if missing), verified end to end
    and recorded in the journal; ``src`` may instead be a :class:`Plan` from :func:`plan`,
    run as it is. A second run over a finished migration copies nothing. ``client`` (a
    ``distributed.Client``) spreads the objects over a Dask cluster. ``on_plan`` sees the
    plan before anything is copied. ``read_size``: bytes per ranged read of a large object
    (default ``concurrency`` parts; ``0``: one read per object; see :class:`Settings`).
    Single-object failures are in the report;
    ``KeyboardInterrupt`` stops the run within about a part per worker and propagates, the
    journal consistent and uploads kept for the next run to resume."""
    check_at_least("concurrency", concurrency, 1)
    check_at_least("part_size", part_size, 1)
    if read_size is not None:
        check_at_least("read_size", read_size, 0)
    settings = Settings(concurrency=concurrency, part_size=part_size, strict=strict, read_size=read_size)
    if isinstance(src, Plan):
        planned: Plan | None = src
        locations = src.locations
    elif dst is None:
        raise InvalidArgument("migrate needs a destination (or a Plan)")
    else:
        planned, locations = None, (src, dst)
    source_location, target_location = locations
    if client is not None:
        from .distributed import check_locations

        check_locations(source_location, target_location)
    if not isinstance(source_location, (str, ConnectionURL, BucketHandle)) or not isinstance(
        target_location, (str, ConnectionURL, BucketHandle)
    ):
        raise InvalidArgument("this plan does not say where it runs (make it with cloudneutral.plan)")
    with open_pair(source_location, target_location) as (source, target):
        if planned is None:
            journal_ = open_journal(journal, source_location, target_location)
            planned = build_plan(
                source,
                target,
                journal_,
                src_url=name_of(source_location, "SRC"),
                dst_url=name_of(target_location, "DST"),
                include=include,
                exclude=exclude,
                delete=delete,
                max_bytes=max_bytes,
            )
            planned.locations = (source_location, target_location)
        try:
            if on_plan is not None:
                on_plan(planned)
            if planned.to_transfer[0] or planned.counts.get("delete", (0, 0))[0]:
                target.service.create_bucket(target.name, exist_ok=True)
            if client is not None:
                from .distributed import run_on_dask

                return run_on_dask(
                    planned,
                    client,
                    settings,
                    target=target,
                    cancel=cancel,
                    on_bytes=on_bytes,
                    on_done=on_done,
                )
            return run_plan(
                planned, source, target, settings=settings, cancel=cancel, on_bytes=on_bytes, on_done=on_done
            )
        finally:
            if not isinstance(src, Plan) and not isinstance(journal, Journal):
                planned.close()


def verify(
    src: Location, dst: Location, *, journal: JournalRef = None, download: bool = False, concurrency: int = 8
) -> VerifyReport:
    """Check that every object under ``src`` is at ``dst`` with the same bytes, without
    downloading what the providers prove (matching checksums; the SHA-256 recorded at the
    target and in the journal, the source unchanged since). ``download`` reads and hashes
    both sides for objects nothing proves."""
    journal_ = open_journal(journal, src, dst)
    try:
        with open_pair(src, dst) as (source, target):
            return verify_pair(source, target, journal_, download=download, concurrency=concurrency)
    finally:
        if not isinstance(journal, Journal):
            journal_.close()
