"""TinyBlob: a small in-memory HTTP blob service, the "cloud" this example adapter speaks to.

Standard library only (``http.server``, one thread per connection). Start it with
``tinyblob-server --port 8750`` or :class:`TinyBlobServer` (port 0: any free port). Every
answer has a ``Content-Length``; errors are JSON ``{"code": ..., "message": ...}``.

Routes (``KEY`` is percent-encoded as one path segment, ``/`` included)::

    GET    /?limit=N&after=NAME                       buckets, in name order
    PUT    /BUCKET                                     201; taken -> 409 BucketExists
    HEAD   /BUCKET                                     200; missing -> 404
    DELETE /BUCKET                                     204; holds blobs -> 409 BucketNotEmpty
    GET    /BUCKET?prefix=P&delimiter=D&limit=N&after=T   one page of keys and common prefixes
    GET    /BUCKET?uploads&prefix=P&limit=N&after=T    unfinished uploads
    PUT    /BUCKET/KEY     body; Content-Type, Content-MD5 (base64), X-Tb-Metadata (JSON);
                           or X-Tb-Copy-From: /SRC-BUCKET/SRC-KEY (server-side copy)
    HEAD   /BUCKET/KEY     ETag, Content-Type, Content-Length, X-Tb-Modified, X-Tb-Metadata
    GET    /BUCKET/KEY     Range: bytes=A-B or bytes=A- -> 206 + Content-Range; A >= size -> 416
    DELETE /BUCKET/KEY     If-Match: "ETAG" -> 412 PreconditionFailed for another version
    POST   /BUCKET/KEY?uploads                          begin an upload in parts -> {"upload": ID}
    PUT    /BUCKET/KEY?upload=ID&part=N                 store part N (Content-MD5 checked)
    GET    /BUCKET/KEY?upload=ID                        the parts stored
    POST   /BUCKET/KEY?upload=ID   {"metadata": {...}}  commit parts 1..n (again: same answer)
    DELETE /BUCKET/KEY?upload=ID                        abort

ETags are the hex MD5 of the content, quoted. With a ``token``, every request needs
``Authorization: Bearer TOKEN`` (else 401).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import secrets
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

__all__ = ["MIN_PART_SIZE", "TinyBlobServer", "main"]

#: Every part of an upload but the last must be at least this big (as S3's 5 MiB, smaller).
MIN_PART_SIZE = 64 * 1024
_MAX_LIMIT = 1000


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.status, self.code, self.message = status, code, message or code


@attrs.define
class _Blob:
    data: bytes
    content_type: str
    metadata: dict[str, str]
    etag: str
    modified: dt.datetime

    def info(self, key: str) -> dict[str, Any]:
        return {
            "key": key,
            "size": len(self.data),
            "etag": self.etag,
            "content_type": self.content_type,
            "metadata": self.metadata,
            "modified": self.modified.isoformat(),
        }


@attrs.define
class _Upload:
    key: str
    content_type: str
    metadata: dict[str, str]
    parts: dict[int, bytes] = attrs.field(factory=dict)


@attrs.define
class _Bucket:
    created: dt.datetime
    blobs: dict[str, _Blob] = attrs.field(factory=dict)
    uploads: dict[str, _Upload] = attrs.field(factory=dict)
    committed: dict[str, tuple[str, str]] = attrs.field(factory=dict)  # upload id -> (key, etag)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _page(names: list[str], after: str | None, limit: int) -> tuple[list[str], str | None]:
    """Names (sorted by UTF-8 bytes) after ``after``: at most ``limit``, and the token of the
    next page (the last name returned) when more remain."""
    rest = [n for n in names if after is None or n.encode() > after.encode()]
    return rest[:limit], (rest[limit - 1] if len(rest) > limit else None)


class _Store:
    """The buckets, behind one lock (every operation is short)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.buckets: dict[str, _Bucket] = {}

    def bucket(self, name: str) -> _Bucket:
        if name not in self.buckets:
            raise _Refusal(404, "NoSuchBucket", f"bucket {name!r} does not exist")
        return self.buckets[name]

    def blob(self, bucket: str, key: str) -> _Blob:
        found = self.bucket(bucket).blobs.get(key)
        if found is None:
            raise _Refusal(404, "NoSuchKey", f"no blob {key!r} in {bucket!r}")
        return found

    def upload(self, bucket: str, upload_id: str) -> _Upload:
        found = self.bucket(bucket).uploads.get(upload_id)
        if found is None:
            raise _Refusal(404, "NoSuchUpload", f"no upload {upload_id!r}")
        return found


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- plumbing ---------------------------------------------------------------------------
    def _answer(
        self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None, length: int = -1
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length < 0 else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: object, headers: Mapping[str, str] | None = None) -> None:
        body = json.dumps(value).encode()
        self._answer(status, body, {"Content-Type": "application/json", **(headers or {})})

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        segments = parts.path.split("/")[1:]
        try:
            token = self.server.token
            if token and self.headers.get("Authorization") != f"Bearer {token}":
                raise _Refusal(401, "Unauthorized", "missing or wrong bearer token")
            body = self._body()
            with self.server.store.lock:
                if segments == [""]:
                    self._root(query)
                elif len(segments) == 1:
                    self._bucket(unquote(segments[0]), query)
                elif len(segments) == 2:
                    self._blob(unquote(segments[0]), unquote(segments[1], errors="strict"), query, body)
                else:
                    raise _Refusal(400, "BadRequest", "a key is one percent-encoded path segment")
        except _Refusal as refusal:
            self._json(refusal.status, {"code": refusal.code, "message": refusal.message})
        except (ValueError, KeyError, UnicodeDecodeError) as exc:
            self._json(400, {"code": "BadRequest", "message": str(exc)})

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _dispatch

    # -- routes -------------------------------------------------------------------------------
    def _root(self, query: dict[str, str]) -> None:
        if self.command != "GET":
            raise _Refusal(405, "MethodNotAllowed")
        buckets = self.server.store.buckets
        names, after = _page(sorted(buckets, key=str.encode), query.get("after"), _limit(query))
        found = [{"name": n, "created": buckets[n].created.isoformat()} for n in names]
        self._json(200, {"buckets": found, "next": after})

    def _bucket(self, name: str, query: dict[str, str]) -> None:
        store = self.server.store
        if self.command == "PUT":
            if name in store.buckets:
                raise _Refusal(409, "BucketExists", f"bucket {name!r} exists")
            store.buckets[name] = _Bucket(created=_now())
            self._answer(201)
        elif self.command == "HEAD":
            self._answer(200, headers={"X-Tb-Created": store.bucket(name).created.isoformat()})
        elif self.command == "DELETE":
            if store.bucket(name).blobs:
                raise _Refusal(409, "BucketNotEmpty", f"bucket {name!r} holds blobs")
            del store.buckets[name]
            self._answer(204)
        elif self.command == "GET" and "uploads" in query:
            self._list_uploads(store.bucket(name), query)
        elif self.command == "GET":
            self._list(store.bucket(name), query)
        else:
            raise _Refusal(405, "MethodNotAllowed")

    def _list(self, bucket: _Bucket, query: dict[str, str]) -> None:
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter") or None
        names: dict[str, str | None] = {}  # entry name -> key (None: a common prefix)
        for key in sorted(bucket.blobs, key=str.encode):
            if not key.startswith(prefix):
                continue
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            if cut >= 0:
                names.setdefault(key[: cut + len(delimiter or "")], None)
            else:
                names[key] = key
        page, after = _page(list(names), query.get("after"), _limit(query))
        items = [{"prefix": n} if names[n] is None else _summary(n, bucket.blobs[n]) for n in page]
        self._json(200, {"items": items, "next": after})

    def _list_uploads(self, bucket: _Bucket, query: dict[str, str]) -> None:
        prefix = query.get("prefix", "")
        entries = sorted(
            (f"{u.key}\n{uid}" for uid, u in bucket.uploads.items() if u.key.startswith(prefix)),
            key=str.encode,
        )
        page, after = _page(entries, query.get("after"), _limit(query))
        found = [dict(zip(("key", "upload"), e.split("\n"), strict=True)) for e in page]
        self._json(200, {"uploads": found, "next": after})

    def _blob(self, bucket: str, key: str, query: dict[str, str], body: bytes) -> None:
        store, command = self.server.store, self.command
        if "upload" in query or "uploads" in query:
            self._upload(bucket, key, query, body)
        elif command == "PUT" and "X-Tb-Copy-From" in self.headers:
            source = self.headers["X-Tb-Copy-From"].split("/")
            if len(source) != 3 or source[0]:
                raise _Refusal(400, "BadRequest", "X-Tb-Copy-From is /BUCKET/KEY")
            original = store.blob(unquote(source[1]), unquote(source[2], errors="strict"))
            store.bucket(bucket)
            copied = attrs.evolve(original, metadata=dict(original.metadata), modified=_now())
            self._stored(bucket, key, copied)
        elif command == "PUT":
            _check_md5(self.headers.get("Content-MD5"), body)
            blob = _Blob(body, self._content_type(), self._metadata(), _md5(body), _now())
            store.bucket(bucket)
            self._stored(bucket, key, blob)
        elif command in ("GET", "HEAD"):
            self._read(key, store.blob(bucket, key))
        elif command == "DELETE":
            blob = store.blob(bucket, key)
            condition = self.headers.get("If-Match")
            if condition is not None and condition.strip('"') != blob.etag:
                raise _Refusal(412, "PreconditionFailed", "the blob's ETag is not the one given")
            del store.bucket(bucket).blobs[key]
            self._answer(204)
        else:
            raise _Refusal(405, "MethodNotAllowed")

    def _stored(self, bucket: str, key: str, blob: _Blob) -> None:
        self.server.store.bucket(bucket).blobs[key] = blob
        self._json(201, blob.info(key), {"ETag": f'"{blob.etag}"'})

    def _read(self, key: str, blob: _Blob) -> None:
        headers = {
            "ETag": f'"{blob.etag}"',
            "Content-Type": blob.content_type,
            "X-Tb-Modified": blob.modified.isoformat(),
            "X-Tb-Metadata": json.dumps(blob.metadata, sort_keys=True),
            "Accept-Ranges": "bytes",
        }
        size = len(blob.data)
        wanted = self.headers.get("Range")
        if wanted is None:
            self._answer(200, blob.data, headers, length=size)
            return
        first, last = _range(wanted, size)
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        self._answer(206, blob.data[first : last + 1], headers)

    def _upload(self, bucket: str, key: str, query: dict[str, str], body: bytes) -> None:
        store, command = self.server.store, self.command
        if command == "POST" and "uploads" in query:
            store.bucket(bucket)
            upload_id = secrets.token_hex(8)
            store.buckets[bucket].uploads[upload_id] = _Upload(key, self._content_type(), self._metadata())
            self._json(201, {"upload": upload_id})
            return
        upload_id = query["upload"]
        committed = store.bucket(bucket).committed.get(upload_id)
        if command == "POST" and committed is not None and committed[0] == key:
            blob = store.blob(bucket, key)  # a retried commit: the same answer, if still ours
            if blob.etag != committed[1]:
                raise _Refusal(404, "NoSuchUpload", f"upload {upload_id!r} was committed and replaced")
            self._json(200, blob.info(key), {"ETag": f'"{blob.etag}"'})
            return
        upload = store.upload(bucket, upload_id)
        if upload.key != key:
            raise _Refusal(404, "NoSuchUpload", f"upload {upload_id!r} is not one of {key!r}")
        if command == "PUT":
            number = int(query["part"])
            if not 1 <= number <= 10_000:
                raise _Refusal(400, "InvalidPart", "part numbers are 1 to 10000")
            _check_md5(self.headers.get("Content-MD5"), body)
            upload.parts[number] = body
            self._json(200, {"number": number, "size": len(body), "md5": _md5(body)})
        elif command == "GET":
            found = [{"number": n, "size": len(d), "md5": _md5(d)} for n, d in sorted(upload.parts.items())]
            self._json(200, {"parts": found})
        elif command == "POST":
            self._commit(bucket, key, upload_id, upload, json.loads(body or b"{}"))
        elif command == "DELETE":
            del store.buckets[bucket].uploads[upload_id]
            self._answer(204)
        else:
            raise _Refusal(405, "MethodNotAllowed")

    def _commit(self, bucket: str, key: str, upload_id: str, upload: _Upload, request: Any) -> None:
        numbers = sorted(upload.parts)
        if numbers != list(range(1, len(numbers) + 1)):
            raise _Refusal(400, "InvalidPart", f"parts must be 1..n without gaps, have {numbers}")
        if any(len(upload.parts[n]) < MIN_PART_SIZE for n in numbers[:-1]):
            raise _Refusal(400, "EntityTooSmall", f"every part but the last needs {MIN_PART_SIZE} bytes")
        data = b"".join(upload.parts[n] for n in numbers)
        metadata = request.get("metadata", upload.metadata)
        blob = _Blob(data, upload.content_type, dict(metadata), _md5(data), _now())
        target = self.server.store.buckets[bucket]
        del target.uploads[upload_id]
        target.committed[upload_id] = (key, blob.etag)
        self._stored(bucket, key, blob)

    def _content_type(self) -> str:
        return self.headers.get("Content-Type") or "application/octet-stream"

    def _metadata(self) -> dict[str, str]:
        raw = json.loads(self.headers.get("X-Tb-Metadata") or "{}")
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise _Refusal(400, "BadRequest", "X-Tb-Metadata is a JSON object of strings")
        return {str(k).lower(): v for k, v in raw.items()}


def _limit(query: dict[str, str]) -> int:
    return max(1, min(int(query.get("limit") or _MAX_LIMIT), _MAX_LIMIT))


def _summary(key: str, blob: _Blob) -> dict[str, Any]:
    return {"key": key, "size": len(blob.data), "etag": blob.etag, "modified": blob.modified.isoformat()}


def _check_md5(header: str | None, body: bytes) -> None:
    if header is not None and base64.b64decode(header) != hashlib.md5(body).digest():
        raise _Refusal(400, "BadDigest", "the Content-MD5 given is not that of the body received")


def _range(header: str, size: int) -> tuple[int, int]:
    """``bytes=A-B`` or ``bytes=A-`` as (first, last), cut at the end; A >= size -> 416."""
    unit, _, spec = header.partition("=")
    first_text, _, last_text = spec.partition("-")
    if unit.strip() != "bytes" or not first_text.isdigit() or (last_text and not last_text.isdigit()):
        raise _Refusal(400, "BadRequest", f"unsupported Range {header!r}")
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or last < first:
        raise _Refusal(416, "InvalidRange", f"range {header!r} is outside a blob of {size} bytes")
    return first, last


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    store: _Store
    token: str | None


class TinyBlobServer:
    """The service on ``host:port`` (port 0: a free one) in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None) -> None:
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.store = _Store()
        self._httpd.token = token
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        """Serve in a daemon thread; return the endpoint URL."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="tinyblob", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and close the socket. Idempotent."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()


def main(argv: list[str] | None = None) -> None:
    """``tinyblob-server [--host H] [--port P]``; the token comes from ``TINYBLOB_TOKEN``."""
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8750)
    args = parser.parse_args(argv)
    server = TinyBlobServer(args.host, args.port, os.environ.get("TINYBLOB_TOKEN") or None)
    print(f"tinyblob serving on {server.url}", flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
