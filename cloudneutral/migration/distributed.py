"""Running a plan over an existing Dask cluster: ``cloudneutral.migrate(..., client=Client)``.

The client process (this one) keeps the journal; the cluster's workers copy. The plan's
objects still to do are cut into tasks (a batch of small objects, or one object copied in
parts) that run :func:`~.dask_task.copy_batch` on the workers: each opens its own
connections from the plan's URLs and runs the same engine as a local run, so verification,
parts and retries are the same. Workers report each change as it happens (an upload
opened, a part confirmed, an object committed) on an event topic; this process writes them
to the journal, in the order they were made, and hands each task, when it starts, the
journal's current rows for its objects.

A worker killed mid-run loses nothing committed: what it reported is in the journal, Dask
runs its task again on another worker, and that run starts from the journal (finished
objects skipped, uploads resumed, recorded parts not sent again). An upload a dying worker
opened but never reported is aborted at the end of the run (and at the start of the next),
so none is leaked and nothing partial is ever visible at the target. A task whose workers
keep dying is submitted again twice, then its objects are reported failed (transient).

Needs the ``cloudneutral[dask]`` extra; nothing imports Dask until a run starts. Every
worker needs the provider's adapter and credentials, and must reach the URLs (a local
provider only with ``root`` on a file system the workers share).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from .. import errors
from ..blobs import BucketHandle
from ..errors import CloudError, InvalidArgument, NotFound, TransientError
from ..registry import ConnectionURL, parse_url
from ..transfer import Cancel
from .dask_task import copy_batch, dask
from .engine import MigrationReport, Outcome, Settings
from .journal import ANY_UPLOAD, Entry
from .planning import Plan

__all__ = ["BATCH_BYTES", "BATCH_OBJECTS", "DaskClient", "check_locations", "run_on_dask"]

log = logging.getLogger(__name__)
DaskClient = Any  # distributed.Client (not imported: the core does not need Dask)
#: A task takes up to this many small objects, or this many bytes of them.
BATCH_OBJECTS = 64
BATCH_BYTES = 64 * 1024 * 1024
#: Times a task whose workers died (KilledWorker) is submitted again.
RESUBMITS = 2


def check_locations(src: object, dst: object) -> None:
    """Refuse locations Dask workers cannot open (handles; a local store without ``root``)."""
    for location, role in ((src, "SRC"), (dst, "DST")):
        if not isinstance(location, (str, ConnectionURL)):
            raise InvalidArgument(f"a Dask run needs {role} as a URL: each worker opens its own connections")
        url = parse_url(location) if isinstance(location, str) else location
        if url.provider == "local" and url.option("root") is None:
            raise InvalidArgument(f"{role} {url}: Dask workers reach a local store only through root=DIR")


def _batches(plan: Plan, part_size: int) -> Iterator[list[Entry]]:
    """The entries still to do, cut into tasks: one object copied in parts alone; small
    ones up to :data:`BATCH_OBJECTS` objects or :data:`BATCH_BYTES` bytes."""
    batch: list[Entry] = []
    size = 0
    for entry in plan.journal.entries(states=("pending", "uploading", "failed")):
        if entry.action not in ("copy", "overwrite", "delete"):
            continue
        if entry.action != "delete" and entry.size > part_size:
            yield [entry]
            continue
        if batch and (len(batch) >= BATCH_OBJECTS or size + entry.size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry.size if entry.action != "delete" else 0
    if batch:
        yield batch


def _error(doc: list[str] | None) -> CloudError | None:
    if doc is None:
        return None
    name, message, provider = doc
    kind = getattr(errors, name, None)
    if not (isinstance(kind, type) and issubclass(kind, CloudError)):
        kind = errors.ProviderError
    return kind(message, provider=provider)


def _outcome(doc: dict[str, Any]) -> Outcome:
    return Outcome(
        doc["key"], doc["action"], doc["state"], doc["size"], doc["verified"], _error(doc["error"])
    )


class _DaskRun:
    """One run of a plan on a cluster (see :func:`run_on_dask`)."""

    def __init__(
        self,
        plan: Plan,
        client: DaskClient,
        target: BucketHandle,
        settings: Settings,
        on_bytes: Callable[[int], None] | None,
        on_done: Callable[[Outcome], None] | None,
    ) -> None:
        self.plan, self.journal, self.client, self.target = plan, plan.journal, client, target
        self.settings, self.on_bytes, self.on_done = settings, on_bytes, on_done
        self.run_id = f"cn-migrate-{secrets.token_hex(6)}"
        self.topic = self.run_id
        self.events: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self.tasks: dict[int, list[str]] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.sent: dict[str, int] = {}  # bytes reported in parts, per key
        self.touched: set[str] = set()  # keys that had an upload in this run
        self.notified: set[tuple[str, str]] = set()
        self.variables: dict[int, list[str]] = {}  # handshakes sent per task, until it ends well

    # -- events ------------------------------------------------------------------------------
    def _receive(self, event: tuple[float, dict[str, Any]]) -> None:  # on the client's event loop
        self.events.put(event[1])

    def drain(self, timeout: float = 0.0) -> None:
        """Apply every event received so far (waiting up to ``timeout`` for the first)."""
        with contextlib.suppress(queue.Empty):
            message = self.events.get(timeout=timeout) if timeout else self.events.get_nowait()
            while True:
                self._apply(message)
                message = self.events.get_nowait()

    def _apply(self, message: dict[str, Any]) -> None:
        kind = message["kind"]
        if kind == "start":
            self._handshake(message["task"], message["nonce"])
        elif kind == "update":
            changes = message["changes"]
            if changes.get("state") == "uploading":
                self.touched.add(message["key"])
            self.journal.update(message["key"], **changes)
        elif kind == "part":
            self.journal.part_done(message["key"], message["number"], message["size"], message["md5"])
            self.sent[message["key"]] = self.sent.get(message["key"], 0) + message["size"]
            if self.on_bytes is not None:
                self.on_bytes(message["size"])
        elif kind == "clear_parts":
            self.journal.clear_parts(message["key"])
        elif kind == "done":
            self._done(_outcome(message["outcome"]))

    def _rows(self, task: int) -> dict[str, Any]:
        """The journal's rows (and parts) of the task's objects still to do."""
        entries = [self.journal.get(key) for key in self.tasks.get(task, ())]
        todo = [e for e in entries if e is not None and e.state != "done"]
        parts = {e.key: [[n, s, m] for n, (s, m) in sorted(self.journal.parts(e.key).items())] for e in todo}
        return {"entries": [attrs.asdict(e) for e in todo], "parts": parts}

    def _handshake(self, task: int, nonce: str) -> None:
        """Send a starting task the journal's current rows for its objects."""
        log.debug("%s: task %d starts (%s)", self.run_id, task, nonce)
        name = f"{self.run_id}-{nonce}"
        self.variables.setdefault(task, []).append(name)
        dask().Variable(name, client=self.client).set(self._rows(task))

    def _done(self, outcome: Outcome) -> None:
        """Record an object's outcome; tell ``on_bytes``/``on_done`` once per key and state
        (a task's result repeats what its events said)."""
        self.outcomes[outcome.key] = outcome
        if (outcome.key, outcome.state) in self.notified:
            return
        self.notified.add((outcome.key, outcome.state))
        if self.on_bytes is not None and outcome.state == "done" and outcome.action != "delete":
            self.on_bytes(max(0, outcome.size - self.sent.pop(outcome.key, 0)))
        if self.on_done is not None:
            self.on_done(outcome)

    # -- uploads nobody will finish ----------------------------------------------------------
    def sweep(self, keys: set[str]) -> None:
        """Abort the unfinished uploads of ``keys`` at the target that the journal does not
        hold as the one to resume (opened by a worker that died before reporting them), and
        the orphans of replaced plans."""
        for dst_key, upload_id in self.journal.orphans():
            if upload_id == ANY_UPLOAD:
                keys.add(dst_key)
            elif not self._abort(dst_key, upload_id):
                continue  # tried again next run
            self.journal.forget_orphan(dst_key, upload_id)
        for key in sorted(keys):
            entry = self.journal.get(key)
            dst_key = entry.dst_key if entry is not None else key
            keep = entry.upload_id if entry is not None and entry.state in ("uploading", "failed") else None
            with contextlib.suppress(CloudError):  # (listing failed: the next run sweeps again)
                for found, upload_id in self.target.uploads(dst_key):
                    if found == dst_key and upload_id != keep:
                        self._abort(dst_key, upload_id)

    def _abort(self, dst_key: str, upload_id: str) -> bool:
        """Abort one upload; ``False`` when that failed (but not because it is gone)."""
        try:
            self.target.resume_upload(dst_key, upload_id).abort()
        except NotFound:
            pass
        except CloudError:
            return False
        return True

    # -- the run -----------------------------------------------------------------------------
    def _submit(self, task: int) -> Any:
        settings = attrs.asdict(self.settings)
        return self.client.submit(
            copy_batch,
            self.run_id,
            task,
            self.topic,
            self.plan.src,
            self.plan.dst,
            settings,
            self._rows(task),
            key=f"{self.run_id}-{task}-{secrets.token_hex(4)}",
            pure=False,
        )

    def _lost(self, task: int, error: BaseException) -> None:
        """Every object of a task that could not run is failed (transiently: run again)."""
        for key in self.tasks[task]:
            entry = self.journal.get(key)
            if entry is None or entry.state == "done" or key in self.outcomes:
                continue
            lost = TransientError(
                f"its Dask task did not finish ({type(error).__name__}: {error}); run again"
            )
            self._done(Outcome(key, entry.action, "failed", entry.size, error=lost))

    def _finished(self, task: int, result: dict[str, Any]) -> None:
        for row in result["rows"]:  # the task's last word on each object (events came first)
            key = row.pop("key")
            self.journal.update(key, **row)
        for key, parts in result["parts"].items():
            for number, size, md5 in parts:
                self.journal.part_done(key, number, size, md5)
        for doc in result["outcomes"]:
            self._done(_outcome(doc))
        if result.get("error"):
            self._lost(task, _error(result["error"]) or TransientError("failed"))

    def _stop(self, stop_event: Any, futures: dict[Any, tuple[int, int]]) -> None:
        """Cancel the tasks, tell running ones to stop, and record what they commit meanwhile."""
        with contextlib.suppress(BaseException):  # a second Ctrl-C: stop waiting
            stop_event.set()
            self.client.cancel(list(futures))
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                self.drain(timeout=0.2)

    def run(self, stop: Cancel) -> MigrationReport:
        started = time.monotonic()
        report = MigrationReport(self.plan, strict=self.settings.strict)
        uploading = {e.key for e in self.journal.entries(states=("uploading", "failed"))}
        self.sweep(uploading)
        stop_event = dask().Event(f"{self.run_id}-stop", client=self.client)
        self.client.subscribe_topic(self.topic, self._receive)
        futures: dict[Any, tuple[int, int]] = {}  # future -> (task, attempt)
        try:
            for task, batch in zip(
                itertools.count(), _batches(self.plan, self.settings.part_size), strict=False
            ):
                self.tasks[task] = [e.key for e in batch]
                futures[self._submit(task)] = (task, 0)
            while futures and not stop.is_set:
                self.drain(timeout=0.05)
                for future in [f for f in futures if f.done()]:
                    task, attempt = futures.pop(future)
                    self.drain()  # the task's events arrived before its end
                    try:
                        result = future.result()
                    except Exception as exc:  # the task raised, or its workers kept dying
                        log.debug("%s: task %d ended with %r", self.run_id, task, exc)
                        if attempt < RESUBMITS and type(exc).__name__ == "KilledWorker":
                            futures[self._submit(task)] = (task, attempt + 1)
                        else:
                            self._lost(task, exc)
                    else:
                        log.debug("%s: task %d finished", self.run_id, task)
                        if self.variables.get(task):
                            self.variables[task].pop()  # its last handshake: read and deleted
                        self._finished(task, result)
            if stop.is_set:
                self._stop(stop_event, futures)
            else:
                self.drain()
                self.sweep(self.touched | uploading)
        except BaseException:
            stop.set()
            self._stop(stop_event, futures)
            raise
        finally:
            with contextlib.suppress(BaseException):
                self.client.unsubscribe_topic(self.topic)
                stop_event.set()
                for names in self.variables.values():  # of tasks whose worker died
                    for name in names:
                        dask().Variable(name, client=self.client).delete()
        for outcome in self.outcomes.values():
            (report.done if outcome.state == "done" else report.failed).append(outcome)
        report.cancelled = stop.is_set
        report.elapsed = time.monotonic() - started
        return report


def run_on_dask(
    plan: Plan,
    client: DaskClient,
    settings: Settings,
    *,
    target: BucketHandle,
    cancel: Cancel | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> MigrationReport:
    """Execute ``plan`` on the cluster behind ``client`` (a ``distributed.Client``); this
    process keeps the journal (see the module docstring). ``target`` is this process's
    handle on the destination (to abort uploads nobody will finish). Failures of single
    objects are reported, not raised; ``KeyboardInterrupt`` (or ``cancel``) stops the run:
    tasks are cancelled, workers stop within about a part, what they committed meanwhile is
    recorded, and the interrupt propagates."""
    check_locations(*plan.locations)
    dask()  # ConfigurationError without the extra
    return _DaskRun(plan, client, target, settings, on_bytes, on_done).run(cancel or Cancel())
