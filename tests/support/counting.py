"""A destination wrapper for crash tests: every whole write and every part sent is appended
to a log file (one line, one ``write``: it survives SIGKILL), so bytes sent across runs and
processes add up. Built only on the public driver contract."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from cloudneutral.driver import PartReceipt, WriteOptions


class _Log:
    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def line(self, text: str) -> None:
        os.write(self._fd, (text + "\n").encode())


class CountingUpload:
    def __init__(self, inner: Any, key: str, log: _Log) -> None:
        self._inner, self._key, self._log = inner, key, log
        self.id, self.limits = inner.id, inner.limits

    def put_part(self, number: int, data: bytes, md5: str) -> PartReceipt:
        receipt: PartReceipt = self._inner.put_part(number, data, md5)
        self._log.line(f"part {self._key} {number} {len(data)}")
        return receipt

    def parts(self) -> Sequence[PartReceipt]:
        return self._inner.parts()  # type: ignore[no-any-return]

    def commit(self, metadata: Mapping[str, str]) -> Any:
        return self._inner.commit(metadata)

    def abort(self) -> None:
        self._inner.abort()


class CountingBlobs:
    def __init__(self, inner: Any, log: _Log) -> None:
        self._inner, self._log = inner, log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def put_blob(self, bucket: str, key: str, data: bytes, options: WriteOptions, md5: str) -> Any:
        info = self._inner.put_blob(bucket, key, data, options, md5)
        self._log.line(f"whole {key} {len(data)}")
        return info

    def open_upload(self, bucket: str, key: str, options: WriteOptions) -> CountingUpload:
        return CountingUpload(self._inner.open_upload(bucket, key, options), key, self._log)

    def resume_upload(self, bucket: str, key: str, upload_id: str, options: WriteOptions) -> CountingUpload:
        return CountingUpload(self._inner.resume_upload(bucket, key, upload_id, options), key, self._log)


class Counting:
    """A ProviderDriver over ``inner`` whose blob writes are logged to ``log``."""

    def __init__(self, inner: Any, log: str) -> None:
        self.inner = inner
        self.name, self.capabilities = inner.name, inner.capabilities
        self.blobs = CountingBlobs(inner.blobs, _Log(log))
        self.servers, self.volumes = inner.servers, inner.volumes

    def natives(self) -> Sequence[object]:
        return tuple(self.inner.natives())

    def translate_error(self, exc: Exception) -> Any:
        return self.inner.translate_error(exc)

    def close(self) -> None:
        self.inner.close()


def sent(log: str) -> dict[str, int]:
    """Bytes sent per key, over every run that wrote to ``log``."""
    totals: dict[str, int] = {}
    with open(log) as fh:
        for line in fh:
            _, key, *_, size = line.split()
            totals[key] = totals.get(key, 0) + int(size)
    return totals
