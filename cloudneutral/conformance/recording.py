"""vcrpy wiring: one cassette per test, scrubbed when recorded, strict when replayed.

``replay`` uses record mode ``none`` (a request missing from the cassette fails the test;
nothing reaches the network); ``record`` deletes the test's old cassette, records ``all``
and then refuses a cassette in which :func:`~cloudneutral.conformance.scrub.find_secrets`
still finds a credential. Imported only when a recorded provider runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import vcr  # type: ignore[import-untyped]

from .harness import Harness, Mode
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


def _make_vcr(harness: Harness, mode: Mode) -> Any:
    ignored = {p.lower() for p in harness.ignored_query_params}

    def query(r1: Any, r2: Any) -> None:
        def keep(request: Any) -> list[tuple[str, str]]:
            pairs = parse_qsl(request.parsed_uri.query, keep_blank_values=True)
            return sorted((k, v) for k, v in pairs if k.lower() not in ignored)

        assert keep(r1) == keep(r2), f"query {keep(r1)} != {keep(r2)}"

    def before_request(request: Any) -> Any:
        scrubbed = scrub_request(
            request, headers=harness.scrubbed_headers, query_params=harness.scrubbed_query_params
        )
        return harness.before_record_request(scrubbed)

    def before_response(response: dict[str, Any]) -> dict[str, Any] | None:
        return harness.before_record_response(scrub_response(response, headers=harness.scrubbed_headers))

    recorder = vcr.VCR(
        record_mode="all" if mode == "record" else "none",
        before_record_request=before_request,
        before_record_response=before_response,
        match_on=("method", "scheme", "host", "port", "path", "cn_query"),
        decode_compressed_response=True,
    )
    recorder.register_matcher("cn_query", query)
    return recorder


@contextlib.contextmanager
def cassette(harness: Harness, mode: Mode, path: Path) -> Iterator[Any]:
    """Record to or replay from ``path`` while the block runs."""
    if mode == "record":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    with _make_vcr(harness, mode).use_cassette(str(path), allow_playback_repeats=False) as tape:
        yield tape
    if mode == "record" and path.exists():
        leaks = find_secrets(path.read_text(encoding="utf-8", errors="replace"), harness.secrets())
        if leaks:
            path.unlink()
            raise AssertionError(f"cassette {path} kept credentials and was deleted: {'; '.join(leaks)}")
