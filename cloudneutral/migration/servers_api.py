"""``plan_servers`` and ``apply_servers``: moving servers, volumes and snapshots between providers.

    import cloudneutral

    plan = cloudneutral.plan_servers("aws://?region=eu-west-1", "local://?root=/srv/cn")
    print(plan.summary())
    for line in plan.lines():          # the mapping, and what cannot be mapped (with why)
        print(line)
    report = cloudneutral.apply_servers(plan)   # or apply_servers(src, dst): plans again

A location is a provider URL without a bucket (``aws://?region=eu-west-1``,
``local://?root=DIR``) or a :class:`~cloudneutral.Cloud`. With URLs, the journal lives at
:func:`~.journal.default_journal_path` of the pair unless ``journal`` names a file; with
clouds, give ``journal`` to make the run resumable (else it is kept in memory). See
:mod:`.servers_plan` for how resources are mapped and :mod:`.servers_apply` for how they
are created.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..cloud import Cloud, connect
from ..errors import InvalidArgument
from ..registry import ConnectionURL, parse_url
from ..transfer import Cancel
from .journal import default_journal_path
from .servers_apply import Applied, ServerReport, apply_plan
from .servers_journal import ServerJournal
from .servers_plan import ServerPlan, build_server_plan

__all__ = ["ServerLocation", "apply_servers", "plan_servers"]

ServerLocation = str | ConnectionURL | Cloud
JournalRef = str | Path | ServerJournal | None


def _url(location: str | ConnectionURL, role: str) -> ConnectionURL:
    url = parse_url(location) if isinstance(location, str) else location
    if url.bucket:
        raise InvalidArgument(f"{role} is a provider URL without a bucket (PROVIDER://?OPTIONS), not {url}")
    if url.provider == "local" and url.option("root") is None and url.option("name") is None:
        raise InvalidArgument(f"{role} {url} is an empty store of its own: give local://?root=DIR")
    return url


def _name(location: ServerLocation, role: str) -> str:
    return repr(location) if isinstance(location, Cloud) else str(_url(location, role))


def _journal(journal: JournalRef, src: ServerLocation, dst: ServerLocation) -> ServerJournal:
    if isinstance(journal, ServerJournal):
        return journal
    if journal is None:
        if isinstance(src, Cloud) or isinstance(dst, Cloud):
            return ServerJournal(":memory:")
        journal = default_journal_path(f"servers {_name(src, 'SRC')}", _name(dst, "DST"))
    return ServerJournal(journal)


@contextlib.contextmanager
def _clouds(src: ServerLocation, dst: ServerLocation) -> Iterator[tuple[Cloud, Cloud]]:
    """Connections to both ends (those given as clouds are used as they are); closes what it opened."""
    with contextlib.ExitStack() as stack:
        clouds = [
            location if isinstance(location, Cloud) else stack.enter_context(connect(_url(location, role)))
            for location, role in ((src, "SRC"), (dst, "DST"))
        ]
        yield clouds[0], clouds[1]


def _plan(
    src: Cloud,
    dst: Cloud,
    locations: tuple[ServerLocation, ServerLocation],
    journal: ServerJournal,
    include: Sequence[str],
    exclude: Sequence[str],
) -> ServerPlan:
    plan = build_server_plan(
        src,
        dst,
        journal,
        src_name=_name(locations[0], "SRC"),
        dst_name=_name(locations[1], "DST"),
        include=include,
        exclude=exclude,
    )
    plan.locations = locations
    return plan


def plan_servers(
    src: ServerLocation,
    dst: ServerLocation,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    journal: JournalRef = None,
) -> ServerPlan:
    """Map every server of ``src`` (those whose names match ``include`` and not ``exclude``
    globs, when given), its volumes and their snapshots onto ``dst``, and record the plan in
    the journal; nothing is created. ``plan.lines()`` shows the mapping and what cannot be
    mapped, with why. Raises ``InvalidArgument``/``ConfigurationError`` for bad locations.
    ``cloudneutral.apply_servers(plan)`` applies it as it is; close it when not applied."""
    journal_ = _journal(journal, src, dst)
    try:
        with _clouds(src, dst) as (source, target):
            return _plan(source, target, (src, dst), journal_, include, exclude)
    except BaseException:
        if not isinstance(journal, ServerJournal):
            journal_.close()
        raise


def apply_servers(
    src: ServerLocation | ServerPlan,
    dst: ServerLocation | None = None,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    journal: JournalRef = None,
    concurrency: int = 4,
    cancel: Cancel | None = None,
    on_plan: Callable[[ServerPlan], None] | None = None,
    on_item: Callable[[Applied], None] | None = None,
) -> ServerReport:
    """Create at ``dst`` what the plan maps (``src`` may be a :class:`ServerPlan` from
    :func:`plan_servers`, applied as it is): servers, then their volumes attached as on the
    source (bytes copied where both ends expose them), snapshots where their bytes can
    move. Idempotent: a second run creates nothing; a run killed at any instant is finished
    by the next. ``concurrency`` servers at once. Failures of single resources are in the
    report; ``KeyboardInterrupt`` stops between steps and propagates."""
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise InvalidArgument(f"concurrency must be an integer >= 1, not {concurrency!r}")
    if isinstance(src, ServerPlan):
        source_location, target_location = src.locations
        if not isinstance(source_location, (str, ConnectionURL, Cloud)) or not isinstance(
            target_location, (str, ConnectionURL, Cloud)
        ):
            raise InvalidArgument("this plan does not say where it runs (make it with plan_servers)")
    elif dst is None:
        raise InvalidArgument("apply_servers needs a destination (or a ServerPlan)")
    else:
        source_location, target_location = src, dst
    with _clouds(source_location, target_location) as (source, target):
        if isinstance(src, ServerPlan):
            planned = src
        else:
            journal_ = _journal(journal, source_location, target_location)
            try:
                planned = _plan(
                    source, target, (source_location, target_location), journal_, include, exclude
                )
            except BaseException:
                if not isinstance(journal, ServerJournal):
                    journal_.close()
                raise
        try:
            if on_plan is not None:
                on_plan(planned)
            return apply_plan(
                planned, source, target, concurrency=concurrency, cancel=cancel, on_item=on_item
            )
        finally:
            if not isinstance(src, ServerPlan) and not isinstance(journal, ServerJournal):
                planned.close()
