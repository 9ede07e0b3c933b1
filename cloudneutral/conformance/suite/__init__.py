"""The conformance tests. ``from cloudneutral.conformance.suite import *`` brings every test
class into an adapter's test module (see :mod:`cloudneutral.conformance.plugin`).

Each test takes the ``cn`` fixture (:class:`~cloudneutral.conformance.env.Env`), is marked
with its area (``conformance``) and the capabilities it needs (``cn_requires``).
"""

from __future__ import annotations

from .test_blobs import (
    TestBlobAttributes,
    TestBlobKeys,
    TestBlobRanges,
    TestBlobReadWrite,
    TestBlobWriteRules,
)
from .test_buckets import TestBuckets
from .test_listing import TestListing
from .test_servers import TestServerCatalogue, TestServerLifecycle
from .test_volumes import TestSnapshots, TestVolumes

__all__ = [
    "TestBlobAttributes",
    "TestBlobKeys",
    "TestBlobRanges",
    "TestBlobReadWrite",
    "TestBlobWriteRules",
    "TestBuckets",
    "TestListing",
    "TestServerCatalogue",
    "TestServerLifecycle",
    "TestSnapshots",
    "TestVolumes",
]
