"""Marks the conformance cases libcloud is known to fail (see test_conformance.py and README.md)."""

from __future__ import annotations

import pytest

#: Cases libcloud fails, by harness: (class, test, id fragment). Why: README.md, "Known failures".
SHARED = [
    ("TestBlobAttributes", "test_put_reports_md5", ""),
    ("TestBlobKeys", "test_weird_key_round_trip_and_list", "double-slash"),
]
KNOWN_FAILURES = {
    "libcloud-s3": [*SHARED, ("TestBuckets", "test_create_duplicate_is_already_exists", "")],
    "libcloud-azure": [
        *SHARED,
        *[
            ("TestListingDelimitersAndPaging", "test_any_delimiter", f"{size}-{case}")
            for size in ("one-page", "pages-of-1")
            for case in ("slash", "backslash", "double-colon", "hyphen")
        ],
    ],
}
#: Failing cases whose clean-up fails too (the listed key is garbled past 1024 bytes, so the
#: suite's clean-up refuses it): skipped in replay rather than expected to fail.
KNOWN_BROKEN_CLEANUP = [("TestBlobKeys", "test_weird_key_round_trip_and_list", "long")]


def _matches(item: pytest.Item, cases: list[tuple[str, str, str]]) -> bool:
    callspec = getattr(item, "callspec", None)
    ident = callspec.id if callspec is not None else ""
    cls = getattr(item, "cls", None)
    name = getattr(item, "originalname", item.name)
    return any(
        cls is not None and cls.__name__ == c and name == t and (not f or ident.endswith(f))
        for c, t, f in cases
    )


def mark_known_failures(items: list[pytest.Item]) -> None:
    """Expected failures (strict: a case that starts passing fails the run) and skips."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        harness = callspec.params.get("cn_harness") if callspec is not None else None
        if harness not in KNOWN_FAILURES:
            continue
        if _matches(item, KNOWN_BROKEN_CLEANUP):
            item.add_marker(
                pytest.mark.skip(reason="known libcloud failure; its clean-up fails too (README)")
            )
        elif _matches(item, KNOWN_FAILURES[harness]):
            item.add_marker(pytest.mark.xfail(strict=True, reason="known libcloud failure (README)"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_known_failures([i for i in items if i.path.name == "test_conformance.py"])
