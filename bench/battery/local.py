"""Mutants of the local provider (memory and directory stores): the bugs an adapter author
writes, planted one at a time in ``cloudneutral/local/``."""

from __future__ import annotations

from . import Adapter, Mutant, register

BLOBS = "cloudneutral.local.blobs"
MEMORY = "cloudneutral.local.memory"
DIRECTORY = "cloudneutral.local.directory"
SERVERS = "cloudneutral.local.servers"
VOLUMES = "cloudneutral.local.volumes"
PROVIDER = "cloudneutral.local.provider"
LIFECYCLE = "cloudneutral.local.lifecycle"

#: The key-resuming page of a listing, replaced whole by an offset-resuming one.
_KEY_PAGE = '''    """One page of a listing of ``blobs`` (sorted by :func:`key_order`)."""
    skip: str | None = None  # keys under the prefix last rolled up are already listed
    start = bisect.bisect_left(blobs, key_order(prefix), key=lambda b: key_order(b.key))
    if token is not None:
        if token[:1] not in ("k", "p"):
            raise InvalidArgument(f"invalid page token {token!r}")
        after = bisect.bisect_right(blobs, key_order(token[1:]), key=lambda b: key_order(b.key))
        start = max(start, after)
        skip = token[1:] if token[0] == "p" else None
    items: list[BlobInfo | BlobPrefix] = []
    last = ""
    for stored in blobs[start:]:
        if not stored.key.startswith(prefix):
            break  # keys sharing the prefix are contiguous in byte order
        if skip is not None and stored.key.startswith(skip):
            continue
        item: BlobInfo | BlobPrefix
        cut = stored.key.find(delimiter, len(prefix)) if delimiter else -1
        if delimiter and cut >= 0:
            skip = stored.key[: cut + len(delimiter)]
            item, mark = BlobPrefix(bucket, skip), "p" + skip
        else:
            item, mark = make(bucket, stored), "k" + stored.key
        if len(items) == page_size:
            return Page(tuple(items), last)
        items.append(item)
        last = mark
    return Page(tuple(items), None)'''

_OFFSET_PAGE = '''    """One page of a listing of ``blobs``: the items from offset ``token``."""
    items: list[BlobInfo | BlobPrefix] = []
    rolled: set[str] = set()
    for stored in blobs:
        if not stored.key.startswith(prefix):
            continue
        cut = stored.key.find(delimiter, len(prefix)) if delimiter else -1
        if delimiter and cut >= 0:
            common = stored.key[: cut + len(delimiter)]
            if common not in rolled:
                rolled.add(common)
                items.append(BlobPrefix(bucket, common))
        else:
            items.append(make(bucket, stored))
    start = int(token) if token else 0
    end = start + page_size
    return Page(tuple(items[start:end]), str(end) if end < len(items) else None)'''

_STAGED_WRITE = """        with Staged(target, durable=self._durable) as staged:
            for chunk in chunks:
                staged.file.write(tally.add(chunk))
            info = tally.blob(key, options)
            staged.file.write(_trailer(info))
            staged.flush()
            with self._swap(bucket, key, target):
                staged.replace()
            staged.sync_dir()
        return info"""

_IN_PLACE_WRITE = """        data = b"".join(tally.add(chunk) for chunk in chunks)
        info = tally.blob(key, options)
        with self._swap(bucket, key, target), open(target, "wb") as fh:  # in place: no temporary file
            fh.write(data)
            fh.flush()
            fh.write(_trailer(info))
        return info"""

MUTANTS = (
    # -- the bugs of issue 8 ---------------------------------------------------------------
    Mutant(
        "local.range-size",
        BLOBS,
        (
            (
                "        return self.info(bucket, stored), _Chunks(stream, end - start)",
                "        return attrs.evolve(self.info(bucket, stored), size=end -"
                " start), _Chunks(stream, end - start)",
            ),
        ),
        "a ranged read reports the range's length as the blob's size",
        issue8=True,
    ),
    Mutant(
        "local.parts-drop-attributes",
        BLOBS,
        (
            (
                "            options = attrs.evolve(self._options, metadata=dict(metadata))",
                '            options = WriteOptions(content_type="application/octet-stream")',
            ),
        ),
        "a write in parts drops the content type and metadata",
        issue8=True,
    ),
    Mutant(
        "local-dir.parts-drop-attributes",
        DIRECTORY,
        (
            (
                "        info = committed(key, parts, options, location)",
                '        info = committed(key, parts, WriteOptions("application/octet-stream"), location)',
            ),
        ),
        "the directory store commits parts without their content type and metadata",
        issue8=True,
        harnesses=("local-dir",),
    ),
    Mutant(
        "local.abort-does-nothing",
        BLOBS,
        (
            (
                "        with contextlib.suppress(NotFound):  # aborted already, or committed\n"
                "            self._store.drop_upload(*self._where)",
                "        pass  # unfinished uploads are reclaimed later anyway",
            ),
        ),
        "an abort that does nothing: the parts stay and the upload can still be resumed",
        issue8=True,
    ),
    Mutant(
        "local.page-token-offset",
        BLOBS,
        ((_KEY_PAGE, _OFFSET_PAGE),),
        "page tokens are numeric offsets: keys added or removed between pages shift the pages",
        issue8=True,
    ),
    Mutant(
        "local.delimiter-slash",
        BLOBS,
        (
            (
                "        cut = stored.key.find(delimiter, len(prefix)) if delimiter else -1",
                '        cut = stored.key.find("/", len(prefix)) if delimiter else -1',
            ),
            (
                "            skip = stored.key[: cut + len(delimiter)]",
                "            skip = stored.key[: cut + 1]",
            ),
        ),
        "the listing delimiter is hard-coded to '/'",
        issue8=True,
    ),
    Mutant(
        "local.zone-ignored",
        SERVERS,
        (("        zone = check_zone(request.zone)", "        zone = check_zone(None)"),),
        "a server is created in the default zone, not the one asked for",
        issue8=True,
    ),
    Mutant(
        "local.attach-without-device",
        VOLUMES,
        (
            (
                "(Attachment(record.id, attached.server, attached.device),)",
                "(Attachment(record.id, attached.server),)",
            ),
        ),
        "a volume attachment loses its device",
        issue8=True,
    ),
    Mutant(
        "local.delete-server-keeps-volumes",
        SERVERS,
        (
            (
                "            for volume in state.volumes_of(server_id):\n"
                "                volume.attachment = None\n"
                '                volume.state, volume.next, volume.seen = "available", [], 0\n',
                "",
            ),
        ),
        "deleting a server leaves its volumes marked attached (and undeletable)",
        issue8=True,
    ),
    Mutant(
        "local.attach-in-use",
        VOLUMES,
        (
            (
                "            if volume.attachment is not None:\n"
                '                raise Conflict(f"volume {volume_id} is in use by'
                ' {volume.attachment.server}")\n'
                "            if volume.state != VolumeState.AVAILABLE.value:",
                "            if volume.state not in (VolumeState.AVAILABLE.value, VolumeState.IN_USE.value):",
            ),
        ),
        "attaching a volume that is already in use succeeds (and moves it)",
        issue8=True,
    ),
    # -- others an adapter author writes ----------------------------------------------------
    Mutant(
        "local.copy-keeps-destination-attributes",
        BLOBS,
        (
            (
                "        options = WriteOptions(content_type=stored.content_type,"
                " metadata=stored.metadata)\n",
                "        options = WriteOptions(content_type=stored.content_type, metadata=stored.metadata)\n"
                "        try:  # keep what the destination had\n"
                "            kept = self._store.stat(check_bucket_name(dst_bucket), _check_key(dst_key))\n"
                "            options = WriteOptions(kept.content_type,"
                " {**kept.metadata, **stored.metadata})\n"
                "        except NotFound:\n"
                "            pass\n",
            ),
        ),
        "a copy over an existing blob keeps the destination's content type and metadata",
    ),
    Mutant(
        "local.copy-into-source-bucket",
        BLOBS,
        (
            (
                "self._store.write(check_bucket_name(dst_bucket), _check_key(dst_key), chunks, options)",
                "self._store.write(check_bucket_name(src_bucket), _check_key(dst_key), chunks, options)",
            ),
        ),
        "a copy to another bucket lands in the source bucket",
    ),
    Mutant(
        "local.restore-keeps-snapshot-size",
        VOLUMES,
        (
            (
                "                size_gib=request.size_gib,\n",
                "                size_gib=request.size_gib if request.snapshot_id is None "
                "else snap.size_gib,\n",
            ),
        ),
        "a volume restored larger than its snapshot keeps the snapshot's size",
    ),
    Mutant(
        "local-dir.torn-writes",
        DIRECTORY,
        ((_STAGED_WRITE, _IN_PLACE_WRITE),),
        "the directory store rewrites a blob file in place: readers see half-written blobs",
        harnesses=("local-dir",),
    ),
    Mutant(
        "local.overwrite-keeps-modified",
        MEMORY,
        (
            (
                "            b = self._bucket(bucket)\n            b.blobs[info.key] = (info, data)",
                "            b = self._bucket(bucket)\n"
                "            if info.key in b.blobs:  # keep the first write's time\n"
                "                info = attrs.evolve(info, modified=b.blobs[info.key][0].modified)\n"
                "            b.blobs[info.key] = (info, data)",
            ),
        ),
        "an overwrite keeps the first version's modified time",
        harnesses=("local",),
    ),
    Mutant(
        "local.empty-blob-drops-metadata",
        MEMORY,
        (
            (
                "        return self._put(bucket, tally.blob(key, options), data)",
                "        kept = options if data else"
                " WriteOptions(options.content_type)  # nothing to describe\n"
                "        return self._put(bucket, tally.blob(key, kept), data)",
            ),
        ),
        "an empty blob is stored without its metadata",
        harnesses=("local",),
    ),
    Mutant(
        "local.delete-ignores-missing",
        MEMORY,
        (
            (
                "        with self._lock:\n            info, _ = self._entry(bucket, key)\n",
                "        with self._lock:\n"
                "            if key not in self._bucket(bucket).blobs:\n"
                "                return  # deleting what is not there is done already\n"
                "            info, _ = self._entry(bucket, key)\n",
            ),
        ),
        "deleting a missing blob succeeds instead of NotFound",
        harnesses=("local",),
    ),
    Mutant(
        "local.if-match-ignored",
        MEMORY,
        (
            (
                "            if if_match is not None and info.etag != if_match:\n"
                '                raise Conflict(f"blob {key!r} is at version {info.etag}, not {if_match}")\n',
                "",
            ),
        ),
        "a conditional delete deletes whatever version is there",
        harnesses=("local",),
    ),
    Mutant(
        "local-dir.resume-loses-content-type",
        DIRECTORY,
        (
            (
                '        return WriteOptions(content_type=doc["content_type"], metadata=doc["metadata"])',
                "        return"
                ' WriteOptions(content_type="application/octet-stream", metadata=doc["metadata"])',
            ),
        ),
        "an upload resumed from another process loses its content type",
        harnesses=("local-dir",),
    ),
    Mutant(
        "local.volume-tags-lost",
        VOLUMES,
        (("            tags=record.tags,\n", "            tags={},\n"),),
        "volume tags are not reported",
    ),
    Mutant(
        "local.volume-zone-ignored",
        VOLUMES,
        (("        zone = check_zone(request.zone)", "        zone = check_zone(None)"),),
        "a volume is created in the default zone, not the one asked for",
    ),
    Mutant(
        "local.list-token-offset",
        LIFECYCLE,
        (
            (
                "    rest = sorted((r for r in table.values() if r.seq > after and"
                " keep(r)), key=lambda r: r.seq)\n"
                "    chosen = rest[:page_size]\n"
                "    next_token = str(chosen[-1].seq) if len(rest) > page_size else None",
                "    rest = sorted((r for r in table.values() if keep(r)), key=lambda r: r.seq)[after:]\n"
                "    chosen = rest[:page_size]\n"
                "    next_token = str(after + len(chosen)) if len(rest) > page_size else None",
            ),
        ),
        "server and volume page tokens are offsets: a delete between pages skips one",
    ),
    Mutant(
        "local.throttle-permanent",
        PROVIDER,
        (
            (
                "_TRANSIENT_ERRNOS = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR,"
                " errno.EBUSY, errno.ETIMEDOUT}",
                "_TRANSIENT_ERRNOS = {errno.EINTR, errno.ETIMEDOUT}",
            ),
        ),
        "a busy or temporarily unavailable disk (EAGAIN, EBUSY) is a permanent error",
    ),
    Mutant(
        "local.denied-as-provider-error",
        PROVIDER,
        (
            (
                "        if isinstance(exc, PermissionError):\n            return"
                " PermissionDenied(message)\n",
                "",
            ),
        ),
        "a permission refused by the disk is reported as a generic ProviderError",
    ),
)

register(Adapter(name="local", harnesses=("local", "local-dir"), mutants=MUTANTS))
