"""Helpers of the migration tests."""

from __future__ import annotations

from collections.abc import Callable

import cloudneutral

MiB = 1024 * 1024

Fill = Callable[..., dict[str, bytes]]


def contents(url: str) -> dict[str, bytes]:
    """Every blob under the bucket and prefix ``url`` names: key -> bytes."""
    with cloudneutral.connect(url) as cloud:
        assert cloud.url.bucket is not None
        prefix = (
            cloud.url.prefix
            if not cloud.url.prefix or cloud.url.prefix.endswith("/")
            else cloud.url.prefix + "/"
        )
        bucket = cloud.blobs.bucket(cloud.url.bucket, prefix)
        try:
            return {key: bucket.get(key) for key in list(bucket.keys())}
        except cloudneutral.NotFound:
            return {}
