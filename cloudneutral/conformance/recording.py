"""vcrpy wiring: one cassette per test, scrubbed when recorded, strict when replayed.

``replay`` uses record mode ``none``: a request matches a recorded one only when everything
that decides its answer agrees (:mod:`~cloudneutral.conformance.matching`); a recorded
request the adapter no longer sends fails the test when it ends, and a request the
cassette lacks fails it at once, naming the cassette, the request and what
differs from the closest recorded one. That failure is raised as pytest's ``Failed``, a
``BaseException``, so no SDK or retry loop can take it for a transient network error
(botocore, for one, wraps any ``Exception`` from its HTTP stack into a retriable
``HTTPClientError``). Nothing reaches the network. ``record`` deletes the test's old
cassette, records ``all`` and then refuses a cassette in which
:func:`~cloudneutral.conformance.scrub.find_secrets` still finds a credential.

Interactions loaded for replay are used as committed (they were scrubbed when recorded):
no hook runs on them again. Imported only when a recorded provider runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from vcr.cassette import Cassette  # type: ignore[import-untyped]
from vcr.filters import decode_response  # type: ignore[import-untyped]
from vcr.record_mode import RecordMode  # type: ignore[import-untyped]

from .harness import Harness, Mode
from .matching import Matcher, explain
from .scrub import find_secrets, scrub_request, scrub_response

__all__ = ["cassette", "cassette_path"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._\-\[\]=,]+")
_OWNERS: dict[Path, str] = {}


def cassette_path(root: Path, provider: str, test_key: str) -> Path:
    """``<root>/<provider>/<test key, made file-name safe>.yaml``, one file per test."""
    name = _UNSAFE.sub("_", test_key).strip("_")
    if len(name) > 180:
        name = name[:170] + "-" + hashlib.sha1(test_key.encode()).hexdigest()[:8]
    path = root / provider / f"{name}.yaml"
    owner = _OWNERS.setdefault(path, test_key)
    if owner != test_key:  # two keys sanitised alike must not share (and overwrite) a file
        raise ValueError(f"tests {owner!r} and {test_key!r} would share cassette {path}")
    return path


class _Tape(Cassette):  # type: ignore[misc]
    """A vcrpy cassette that trusts what it loads and fails loudly on a miss."""

    matcher: Matcher

    def append(self, request: Any, response: Any) -> None:
        if self.record_mode == RecordMode.NONE:  # loading committed, already scrubbed interactions
            self.data.append((request, response))
            self.dirty = True
            return
        super().append(request, response)

    def filter_request(self, request: Any) -> Any:
        """vcrpy asks this right before giving up on a request the cassette lacks."""
        filtered = super().filter_request(request)
        if filtered is not None and self.write_protected:
            self._miss(filtered)
        return filtered

    def _miss(self, request: Any) -> None:
        path = Path(self._path)
        if not path.exists():
            why = "the cassette does not exist (record it with --cn-mode=record)"
        else:
            recorded = [(r, self.play_counts[i] > 0) for i, (r, _) in enumerate(self.data)]
            why = explain(self.matcher, request, recorded)
        pytest.fail(
            f"replay: cassette {path} has no answer for {request.method} {request.uri}: {why}. "
            "The adapter sends a request that was not recorded: record again and review the diff.",
            pytrace=False,
        )


def _all_played(tape: _Tape, path: Path) -> None:
    """Fail when the adapter left recorded requests unsent (an abort or a copy it no longer
    makes): replay notices what is missing as well as what is new."""
    unplayed = [r for i, (r, _) in enumerate(tape.data) if not tape.play_counts[i]]
    if unplayed:
        listed = "; ".join(f"{r.method} {r.uri}" for r in unplayed[:3])
        more = f" and {len(unplayed) - 3} more" if len(unplayed) > 3 else ""
        pytest.fail(
            f"replay: the adapter never sent {len(unplayed)} request(s) recorded in {path}: {listed}{more}. "
            "It no longer makes a call it made when recording: record again and review the diff.",
            pytrace=False,
        )


def _filters(harness: Harness, mode: Mode) -> tuple[Any, Any]:
    """The request and response hooks: generic scrubbing, then the harness's own."""

    def before_request(request: Any) -> Any:
        memo = request.__dict__.get("_cn_filtered")
        if memo is not None:
            return memo
        scrubbed = scrub_request(
            request, headers=harness.scrubbed_headers, query_params=harness.scrubbed_query_params
        )
        filtered = harness.before_record_request(scrubbed)
        request.__dict__["_cn_filtered"] = filtered  # vcrpy filters each request up to four times,
        if filtered is not None:  # and filters what it filtered: both are done
            filtered.__dict__["_cn_filtered"] = filtered
        return filtered

    def before_response(response: dict[str, Any]) -> dict[str, Any] | None:
        decoded = decode_response(response)
        return harness.before_record_response(scrub_response(decoded, headers=harness.scrubbed_headers))

    return before_request, (before_response if mode == "record" else None)


@contextlib.contextmanager
def cassette(harness: Harness, mode: Mode, path: Path) -> Iterator[Any]:
    """Record to or replay from ``path`` while the block runs."""
    if mode == "record":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    matcher = Matcher.of(harness)
    before_request, before_response = _filters(harness, mode)

    def cn_request(r1: Any, r2: Any) -> bool:  # vcrpy names matchers by __name__
        return matcher(r1, r2)

    context = _Tape.use(
        path=str(path),
        record_mode=RecordMode.ALL if mode == "record" else RecordMode.NONE,
        match_on=(cn_request,),
        before_record_request=before_request,
        before_record_response=before_response,
        allow_playback_repeats=False,
    )
    with context as tape:
        tape.matcher = matcher
        yield tape
        if mode == "replay":
            _all_played(tape, path)
    if mode == "record" and path.exists():
        leaks = find_secrets(path.read_text(encoding="utf-8", errors="replace"), harness.secrets())
        if leaks:
            path.unlink()
            raise AssertionError(f"cassette {path} kept credentials and was deleted: {'; '.join(leaks)}")
