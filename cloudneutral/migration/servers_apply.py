"""Applying a server plan: create at the target what each item maps to, idempotently.

Each resource goes through steps recorded in the journal before and after each call:

* server: ``creating`` -> ``created`` (its id) -> (its volumes) -> stopped if the source
  server is -> ``done``;
* volume: ``creating`` -> ``created`` -> ``copied`` (its bytes, where both ends expose
  them; checkpoints in ``progress``) -> ``attaching`` -> ``done``;
* snapshot: ``staging`` -> ``staged`` (a staging volume) -> ``copied`` -> ``snapshotting``
  -> ``snapshotted`` -> ``done`` (the staging volume deleted).

What the target creates carries two tags, ``cn-migration`` (the journal's id) and
``cn-source`` (``PROVIDER:SOURCE-ID``). A run killed between a creation and its record
finds the resource again by those tags (a snapshot by its staging volume and name) instead
of creating it twice; a step already taken is never taken again. A second run over a
finished migration creates nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs

from ..errors import CloudError, NotFound
from ..local import LocalSnapshotData, LocalVolumeData
from ..models import ServerState, SnapshotState, Volume, VolumeState
from ..transfer import Cancel, Cancelled
from .servers_journal import Item
from .servers_plan import ServerPlan
from .volume_data import copy_bytes

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..cloud import Cloud

__all__ = ["Applied", "ServerReport", "apply_plan"]

MIGRATION_TAG, SOURCE_TAG = "cn-migration", "cn-source"
#: Tag prefixes clouds reserve for themselves (a user cannot set them): not copied.
RESERVED_TAG_PREFIXES = ("aws:", "azure", "microsoft", "windows")

#: How far a volume or snapshot got, in order (a state implies every earlier one).
_STEPS = (
    "planned",
    "creating",
    "staging",
    "created",
    "staged",
    "copied",
    "attaching",
    "snapshotting",
    "snapshotted",
    "done",
)


def _reached(item: Item, step: str) -> bool:
    return _STEPS.index(item.state) >= _STEPS.index(step) if item.state in _STEPS else False


@attrs.frozen
class Applied:
    """What a run did with one item: ``outcome`` is ``created`` (finished by this run),
    ``already`` (at the target before it), ``failed`` (``error`` says why; run again to
    resume), ``unmapped`` or ``boot`` (left, as the plan says), or ``cancelled``."""

    item: Item
    outcome: str
    error: CloudError | None = None


@attrs.define
class ServerReport:
    """What :func:`~cloudneutral.migration.apply_servers` did, item by item."""

    plan: ServerPlan
    results: list[Applied] = attrs.field(factory=list)
    cancelled: bool = False
    elapsed: float = 0.0

    def of(self, outcome: str, kind: str | None = None) -> list[Applied]:
        return [r for r in self.results if r.outcome == outcome and kind in (None, r.item.kind)]

    @property
    def ok(self) -> bool:
        """Every planned resource is at the target, and nothing was left unmapped."""
        return not self.cancelled and not any(r.outcome in ("failed", "unmapped") for r in self.results)

    def summary(self) -> str:
        def count(outcome: str) -> str:
            per = [
                _count(len(self.of(outcome, k)), k)
                for k in ("server", "volume", "snapshot")
                if self.of(outcome, k)
            ]
            return ", ".join(per) or "nothing"

        copied = sum(1 for r in self.of("created", "volume") if r.item.target.get("data") == "copy")
        line = f"created {count('created')}"
        if copied:
            line += f" ({_count(copied, 'volume')} with data copied and read back equal)"
        line += f"; already there {count('already')}"
        for outcome, words in (("unmapped", "cannot map"), ("failed", "FAILED"), ("cancelled", "cancelled")):
            if self.of(outcome):
                line += f"; {words} {count(outcome)}"
        return line

    def as_json(self) -> dict[str, object]:
        return {
            "src": self.plan.src,
            "dst": self.plan.dst,
            "journal": self.plan.journal.path,
            "ok": self.ok,
            "cancelled": self.cancelled,
            "elapsed_seconds": round(self.elapsed, 3),
            "items": [
                {
                    **r.item.as_json(),
                    "outcome": r.outcome,
                    "error": f"{type(r.error).__name__}: {r.error}" if r.error else None,
                    "transient": bool(r.error and r.error.transient),
                }
                for r in self.results
            ],
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class _Apply:
    """One application of a plan (see :func:`apply_plan`)."""

    def __init__(
        self,
        plan: ServerPlan,
        src: Cloud,
        dst: Cloud,
        cancel: Cancel,
        on_item: Callable[[Applied], None] | None,
    ) -> None:
        self.plan, self.journal = plan, plan.journal
        self.src, self.dst = src, dst
        self.cancel, self.on_item = cancel, on_item
        self.migration = plan.journal.id

    # -- helpers -----------------------------------------------------------------------------
    def _fresh(self, item: Item) -> Item:
        return self.journal.get(item.kind, item.src_id) or item

    def _update(self, item: Item, **changes: object) -> Item:
        return self.journal.update(item.kind, item.src_id, **changes)

    def _tags(self, source: str, extra: object = None) -> dict[str, str]:
        """The source's tags (but an earlier migration's, and those under a prefix a cloud
        reserves for itself, such as ``aws:``), and this migration's two."""
        tags = dict(extra) if isinstance(extra, dict) else {}
        tags = {
            k: v
            for k, v in tags.items()
            if k not in (MIGRATION_TAG, SOURCE_TAG) and not k.lower().startswith(RESERVED_TAG_PREFIXES)
        }
        return {**tags, MIGRATION_TAG: self.migration, SOURCE_TAG: f"{self.src.provider}:{source}"}

    def _ours(self, tags: Mapping[str, str], source: str) -> bool:
        """Whether a resource with ``tags`` is the one this migration created for ``source``."""
        return all(tags.get(k) == v for k, v in self._tags(source).items())

    def _find_volume(self, source: str) -> str | None:
        """The target volume an interrupted run created for ``source`` (by its tags)."""
        found = sorted(v.id for v in self.dst.volumes.list() if self._ours(v.tags, source))
        return found[0] if found else None

    def _usable(self, volume_id: str) -> Volume:
        volume = self.dst.volumes.get(volume_id)
        if volume.state in (VolumeState.AVAILABLE, VolumeState.IN_USE):
            return volume
        return self.dst.volumes.wait(volume_id, VolumeState.AVAILABLE)

    def _copy(self, item: Item, source: LocalSnapshotData, target: Volume) -> Item:
        data = target.as_native(LocalVolumeData)

        def checkpoint(offset: int) -> None:
            self._update(item, progress=offset)

        copy_bytes(source, data, start=item.progress, on_checkpoint=checkpoint, cancel=self.cancel)
        return self._update(item, state="copied")

    # -- servers -----------------------------------------------------------------------------
    def _gone(self, item: Item) -> Item:
        """What this run recorded as created is no longer at the target: start that item over."""
        if item.dst_id is None:
            return item
        try:
            if item.kind == "server":
                gone = self.dst.servers.get(item.dst_id).state is ServerState.TERMINATED
            else:
                gone = self.dst.volumes.get(item.dst_id).state in (VolumeState.DELETING, VolumeState.DELETED)
        except NotFound:
            gone = True
        return self._update(item, dst_id=None, state="planned", progress=0) if gone else item

    def _server(self, item: Item) -> Item:
        item = self._gone(self._fresh(item))
        if item.dst_id is None and item.state == "creating":
            found = sorted(s.id for s in self.dst.servers.list() if self._ours(s.tags, item.src_id))
            if found:
                item = self._update(item, dst_id=found[0], state="created")
        if item.dst_id is None:
            item = self._update(item, state="creating", error=None)
            t = item.target
            server = self.dst.servers.create(
                item.name,
                size=t["size"],
                image=t["image"],
                zone=t["zone"],
                tags=self._tags(item.src_id, t.get("tags")),
                wait=False,
            )
            item = self._update(item, dst_id=server.id, state="created")
        assert item.dst_id is not None
        state = self.dst.servers.get(item.dst_id).state
        if state is ServerState.STOPPING:
            self.dst.servers.wait(item.dst_id, ServerState.STOPPED)
        elif state is not ServerState.STOPPED:
            self.dst.servers.wait(item.dst_id, ServerState.RUNNING)
        return item

    def _stopped(self, item: Item) -> Item:
        """Stop the target server (the source's is stopped)."""
        item = self._fresh(item)
        assert item.dst_id is not None
        state = self.dst.servers.get(item.dst_id).state
        if state is ServerState.RUNNING:
            self.dst.servers.stop(item.dst_id)
        elif state is not ServerState.STOPPED:
            self.dst.servers.wait(item.dst_id, ServerState.STOPPED)
        return item

    # -- volumes -----------------------------------------------------------------------------
    def _volume(self, item: Item) -> Item:
        item = self._gone(self._fresh(item))
        t = item.target
        if item.dst_id is None and item.state == "creating":
            found = self._find_volume(item.src_id)
            if found:
                item = self._update(item, dst_id=found, state="created")
        if item.dst_id is None:
            item = self._update(item, state="creating", error=None)
            created = self.dst.volumes.create(
                item.name,
                t["size_gib"],
                zone=t["zone"],
                tags=self._tags(item.src_id, t.get("tags")),
                wait=False,
            )
            item = self._update(item, dst_id=created.id, state="created", progress=0)
        assert item.dst_id is not None
        volume = self._usable(item.dst_id)
        if t.get("data") == "copy" and not _reached(item, "copied"):
            self.cancel.check()
            source = self.src.volumes.get(item.src_id).as_native(LocalVolumeData)
            item = self._copy(item, source, volume)
        if t.get("server"):
            server = self.journal.get("server", t["server"])
            if server is None or server.dst_id is None:
                raise NotFound(f"server {t['server']} was not created at the target")
            if not any(a.server_id == server.dst_id for a in volume.attachments):
                self.cancel.check()
                item = self._update(item, state="attaching")
                self.dst.volumes.attach(volume.id, server.dst_id, device=t.get("device"))
        return self._update(item, state="done", error=None)

    # -- snapshots ---------------------------------------------------------------------------
    def _snapshot(self, item: Item) -> Item:
        item = self._fresh(item)
        t = item.target
        staging_tag = f"{item.src_id}:staging"
        if item.dst_id is None:
            if item.staging is None and item.state == "staging":
                found = self._find_volume(staging_tag)
                if found:
                    item = self._update(item, staging=found, state="staged")
            if item.staging is None:
                item = self._update(item, state="staging", error=None)
                name = f"cn-staging-{item.name}"[:63].rstrip("-")
                staging = self.dst.volumes.create(
                    name, t["size_gib"], zone=t["zone"], tags=self._tags(staging_tag), wait=False
                )
                item = self._update(item, staging=staging.id, state="staged", progress=0)
            staging_id = item.staging
            assert staging_id is not None
            volume = self._usable(staging_id)
            if not _reached(item, "copied"):
                self.cancel.check()
                source = self.src.volumes.get_snapshot(item.src_id).as_native(LocalSnapshotData)
                item = self._copy(item, source, volume)
            if item.state == "snapshotting":
                taken = [
                    s.id
                    for s in self.dst.volumes.snapshots()
                    if (s.volume_id, s.name) == (staging_id, item.name)
                ]
                if taken:
                    item = self._update(item, dst_id=sorted(taken)[0], state="snapshotted")
            if item.dst_id is None:
                self.cancel.check()
                item = self._update(item, state="snapshotting")
                snap = self.dst.volumes.snapshot(staging_id, item.name)
                item = self._update(item, dst_id=snap.id, state="snapshotted")
        assert item.dst_id is not None
        snapshot_id = item.dst_id
        self.dst.runtime.wait(
            f"snapshot {snapshot_id} to be available",
            lambda: self.dst.volumes.get_snapshot(snapshot_id),
            lambda s: s.state is SnapshotState.AVAILABLE,
            timeout=600,
            failed=lambda s: "snapshot is in error" if s.state is SnapshotState.ERROR else None,
        )
        if item.staging is not None:
            with contextlib.suppress(NotFound):
                self.dst.volumes.delete(item.staging)
        return self._update(item, state="done", staging=None, error=None)

    # -- the plan ----------------------------------------------------------------------------
    def _guarded(self, item: Item, step: Callable[[Item], Item]) -> Applied:
        """Run one item's steps; a failure is recorded (the state kept, to resume) and reported."""
        try:
            self.cancel.check()
            return Applied(step(item), "created")
        except Cancelled:
            return Applied(self._fresh(item), "cancelled")
        except CloudError as exc:
            failed = self._update(item, error=f"{type(exc).__name__}: {exc}")
            return Applied(failed, "failed", exc)

    def _alone(self, item: Item, step: Callable[[Item], Item]) -> list[Applied]:
        return [self._guarded(item, step)]

    def _server_and_volumes(self, server: Item, volumes: list[Item]) -> list[Applied]:
        results = (
            [Applied(server, "already")] if server.action == "done" else [self._guarded(server, self._server)]
        )
        ready = results[0].outcome in ("created", "already")
        for volume in volumes:
            if volume.action == "done":
                results.append(Applied(volume, "already"))
            elif ready:
                results.append(self._guarded(volume, self._volume))
            elif results[0].outcome == "cancelled":
                results.append(Applied(self._fresh(volume), "cancelled"))
            else:
                error = results[0].error or NotFound(f"server {server.name} was not created")
                results.append(Applied(self._fresh(volume), "failed", error))
        if server.action == "create" and results[0].outcome == "created" and server.target.get("stop"):
            results[0] = self._guarded(server, self._stopped)
        if results[0].outcome == "created":
            results[0] = Applied(self._update(server, state="done", error=None), "created")
        return results

    def run(self, concurrency: int) -> ServerReport:
        import concurrent.futures as cf

        started = time.monotonic()
        report = ServerReport(self.plan)
        items = self.plan.items
        report.results += [Applied(i, i.action) for i in items if i.action in ("unmapped", "boot")]
        servers = [i for i in items if i.kind == "server" and i.action in ("create", "done")]
        attached = {
            i.src_id: [v for v in items if v.kind == "volume" and v.target.get("server") == i.src_id]
            for i in servers
        }
        loose = [
            i
            for i in items
            if i.kind == "volume" and i.action in ("create", "done") and not i.target.get("server")
        ]
        snapshots = [i for i in items if i.kind == "snapshot" and i.action in ("create", "done")]
        pool = cf.ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="cn-servers")
        tasks: list[Future[list[Applied]]] = []
        for server in servers:
            tasks.append(pool.submit(self._server_and_volumes, server, attached[server.src_id]))
        for item in loose + snapshots:
            step = self._volume if item.kind == "volume" else self._snapshot
            if item.action == "done":
                report.results.append(Applied(item, "already"))
            else:
                tasks.append(pool.submit(self._alone, item, step))
        try:
            for task in cf.as_completed(tasks):
                for applied in task.result():
                    report.results.append(applied)
                    if self.on_item is not None:
                        self.on_item(applied)
        except BaseException:
            self.cancel.set()
            pool.shutdown(wait=False, cancel_futures=True)
            with contextlib.suppress(BaseException):  # a second Ctrl-C: stop waiting
                cf.wait(tasks, timeout=10)
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        order = {(i.kind, i.src_id): n for n, i in enumerate(items)}
        report.results.sort(key=lambda r: order.get((r.item.kind, r.item.src_id), 0))
        report.cancelled = self.cancel.is_set
        report.elapsed = time.monotonic() - started
        return report


def apply_plan(
    plan: ServerPlan,
    src: Cloud,
    dst: Cloud,
    *,
    concurrency: int = 4,
    cancel: Cancel | None = None,
    on_item: Callable[[Applied], None] | None = None,
) -> ServerReport:
    """Create at ``dst`` what ``plan`` maps (see the module docstring), ``concurrency``
    servers (each with its volumes) at once. Failures of single items are reported, not
    raised; ``KeyboardInterrupt`` stops it between steps and propagates, the journal
    consistent."""
    return _Apply(plan, src, dst, cancel or Cancel(), on_item).run(concurrency)
