"""The worker side of a migration over Dask: one task copies a batch of the plan's objects.

A task runs on a Dask worker (see :mod:`.distributed` for the client side):

1. it announces itself on the run's event topic and receives, through a Dask ``Variable``,
   the journal's current rows for its objects: a task re-run after its worker died starts
   from what the dead one committed and reported (uploads resumed, parts not sent again,
   finished objects skipped);
2. it opens its own connections from the plan's URLs;
3. it runs the same engine as a local run (:func:`~.engine.run_plan`: the same
   verification, parts and retries) over an in-memory journal seeded with those rows,
   which forwards every change it records (an upload opened, a part confirmed, an object
   committed) to the client as an event, in order;
4. it returns its objects' final rows and outcomes.

Nothing here imports Dask at module level; the task imports ``distributed`` when it runs.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import CloudError
from ..transfer import Cancel
from .engine import Outcome, Settings, run_plan
from .journal import Entry, Journal
from .planning import Plan

__all__ = ["HANDSHAKE_TIMEOUT", "ForwardingJournal", "copy_batch", "dask", "outcome_doc"]

#: Seconds a task waits for the client to send its objects' current rows.
HANDSHAKE_TIMEOUT = 30.0

Emit = Callable[[dict[str, Any]], None]
log = logging.getLogger(__name__)


def dask() -> Any:
    """The ``distributed`` module (imported on first use; the ``cloudneutral[dask]`` extra)."""
    import importlib

    from ..errors import ConfigurationError

    try:
        return importlib.import_module("distributed")
    except ImportError as exc:
        raise ConfigurationError(
            "running a migration on Dask needs the distributed package: pip install 'cloudneutral[dask]'"
        ) from exc


class ForwardingJournal(Journal):
    """An in-memory :class:`Journal` that also sends each change it records to ``emit``
    (the rows it is seeded with are not sent)."""

    def __init__(self, emit: Emit) -> None:
        super().__init__(":memory:")
        self._emit: Emit | None = None
        self._target = emit

    def seed(self, entries: Sequence[Entry], parts: Mapping[str, Sequence[Sequence[Any]]]) -> None:
        self.put_plan(entries)
        for key, rows in parts.items():
            for number, size, md5 in rows:
                self.part_done(key, int(number), int(size), md5)
        self._emit = self._target

    def update(self, key: str, **changes: object) -> None:
        super().update(key, **changes)
        if self._emit is not None:
            self._emit({"kind": "update", "key": key, "changes": changes})

    def part_done(self, key: str, number: int, size: int, md5: str | None) -> None:
        super().part_done(key, number, size, md5)
        if self._emit is not None:
            self._emit({"kind": "part", "key": key, "number": number, "size": size, "md5": md5})

    def clear_parts(self, key: str) -> None:
        super().clear_parts(key)
        if self._emit is not None:
            self._emit({"kind": "clear_parts", "key": key})


def outcome_doc(outcome: Outcome) -> dict[str, Any]:
    """An :class:`Outcome` as plain data (for the trip to the client)."""
    error = outcome.error
    return {
        "key": outcome.key,
        "action": outcome.action,
        "state": outcome.state,
        "size": outcome.size,
        "verified": outcome.verified,
        "error": None if error is None else [type(error).__name__, error.message, error.provider],
    }


def _watch(stop: Any, cancel: Cancel, finished: threading.Event) -> None:
    """Set ``cancel`` when the client sets the run's stop event (a ``distributed.Event``
    bound to the worker's client in the task's thread: its own context ends there)."""
    while not finished.is_set():
        try:
            if stop.wait(timeout=1.0):
                cancel.set()
                return
        except Exception:  # the scheduler is going away: the task ends anyway
            return


def _current(run: str, nonce: str, initial: Mapping[str, Any]) -> Mapping[str, Any]:
    """The rows the client sends for this start of the task; ``initial`` (as they were when
    the task was submitted) when none come within :data:`HANDSHAKE_TIMEOUT` (still
    correct: a finished object is copied again, an upload begun anew and the old one
    aborted by the client)."""
    handshake = dask().Variable(f"{run}-{nonce}")
    try:
        rows: Mapping[str, Any] = handshake.get(timeout=HANDSHAKE_TIMEOUT)
    except TimeoutError:
        log.warning(
            "%s: no rows from the client within %ss; starting from the submitted ones", run, HANDSHAKE_TIMEOUT
        )
        return initial
    handshake.delete()
    return rows


def copy_batch(
    run: str,
    task: int,
    topic: str,
    src: str,
    dst: str,
    settings: Mapping[str, Any],
    initial: Mapping[str, Any],
) -> dict[str, Any]:
    """The Dask task: copy this task's objects (see the module docstring); ``initial``
    holds their rows as they were when it was submitted. Returns ``{"rows": [...],
    "parts": {...}, "outcomes": [...]}`` for the client."""
    from .api import open_pair

    worker = dask().get_worker()

    def emit(message: dict[str, Any]) -> None:
        worker.log_event(topic, {**message, "task": task})

    nonce = secrets.token_hex(8)
    emit({"kind": "start", "nonce": nonce})
    rows = _current(run, nonce, initial)
    entries = [Entry(**row) for row in rows["entries"]]
    journal = ForwardingJournal(emit)
    journal.seed(entries, rows["parts"])
    cancel, finished = Cancel(), threading.Event()
    stop = dask().Event(f"{run}-stop", client=dask().get_client())
    watcher = threading.Thread(target=_watch, args=(stop, cancel, finished), daemon=True)
    watcher.start()
    outcomes: list[dict[str, Any]] = []

    def on_done(outcome: Outcome) -> None:
        doc = outcome_doc(outcome)
        outcomes.append(doc)
        emit({"kind": "done", "outcome": doc})

    try:
        plan = Plan(src, dst, journal)
        with open_pair(src, dst) as (source, target):
            run_plan(plan, source, target, settings=Settings(**settings), cancel=cancel, on_done=on_done)
        final = [journal.get(e.key) for e in entries]
        return {
            "rows": [attrs.asdict(e) for e in final if e is not None],
            "parts": {e.key: [list(p) for p in _parts(journal, e.key)] for e in entries},
            "outcomes": outcomes,
        }
    except CloudError as exc:  # the connections could not be opened: every object failed
        return {
            "rows": [],
            "parts": {},
            "outcomes": [],
            "error": [type(exc).__name__, exc.message, exc.provider],
        }
    finally:
        finished.set()
        journal.close()


def _parts(journal: Journal, key: str) -> list[tuple[int, int, str | None]]:
    return [(n, size, md5) for n, (size, md5) in sorted(journal.parts(key).items())]
