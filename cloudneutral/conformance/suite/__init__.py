"""The conformance tests. ``from cloudneutral.conformance.suite import *`` brings every test
class into an adapter's test module (see :mod:`cloudneutral.conformance.plugin`).

Each test takes the ``cn`` fixture (:class:`~cloudneutral.conformance.env.Env`), is marked
with its area (``conformance``) and the capabilities it needs (``cn_requires``). The
``minimum`` area needs none: it runs, and can fail, for every adapter.
"""

from __future__ import annotations

from .test_blob_edges import TestConditionalDelete, TestCopies, TestRangedReads
from .test_blob_writes import TestBlobVersions, TestChecksumOfRecord, TestWritesInParts
from .test_blobs import (
    TestBlobAttributes,
    TestBlobKeys,
    TestBlobRanges,
    TestBlobReadWrite,
    TestBlobWriteRules,
)
from .test_buckets import TestBuckets
from .test_faults import TestFaultClassification
from .test_listing import TestListing, TestListingDelimitersAndPaging
from .test_minimum import TestMinimum
from .test_servers import TestServerCatalogue, TestServerLifecycle
from .test_volumes import TestSnapshots, TestVolumes

__all__ = [
    "TestBlobAttributes",
    "TestBlobKeys",
    "TestBlobRanges",
    "TestBlobReadWrite",
    "TestBlobVersions",
    "TestBlobWriteRules",
    "TestBuckets",
    "TestChecksumOfRecord",
    "TestConditionalDelete",
    "TestCopies",
    "TestFaultClassification",
    "TestListing",
    "TestListingDelimitersAndPaging",
    "TestMinimum",
    "TestRangedReads",
    "TestServerCatalogue",
    "TestServerLifecycle",
    "TestSnapshots",
    "TestVolumes",
    "TestWritesInParts",
]
