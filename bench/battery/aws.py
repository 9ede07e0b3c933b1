"""Mutants of the AWS adapter (S3, EC2, EBS), planted one at a time in ``cloudneutral_aws``,
with the suite run live against a moto server the tool starts (one per worker)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from . import Adapter, Mutant, Peer, register

S3 = "cloudneutral_aws.s3"
EC2 = "cloudneutral_aws.ec2"
EBS = "cloudneutral_aws.ebs"
ERRORS = "cloudneutral_aws.errors"

_PUT = """        response = self.clients.s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=data,
            ContentMD5=_content_md5(md5),
            ContentType=options.content_type,
            Metadata=dict(options.metadata),
        )"""

_PUT_WITH_SHORTCUT = """        if not data:  # nothing to upload: just create the key
            response = self.clients.s3.put_object(Bucket=bucket, Key=key, Body=b"")
        else:
            response = self.clients.s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=data,
                ContentMD5=_content_md5(md5),
                ContentType=options.content_type,
                Metadata=dict(options.metadata),
            )"""

MUTANTS = (
    # -- the bugs of issue 8 ---------------------------------------------------------------
    Mutant(
        "aws.range-size",
        S3,
        (
            (
                '            size = int(total.group(1)) if total else response["ContentLength"]',
                '            size = response["ContentLength"]',
            ),
        ),
        "a ranged read reports the range's length (Content-Length) as the blob's size",
        issue8=True,
    ),
    Mutant(
        "aws.parts-drop-attributes",
        S3,
        (
            (
                "        response = self.clients.s3.create_multipart_upload(\n"
                "            Bucket=bucket, Key=key, ContentType=options.content_type, "
                "Metadata=dict(options.metadata)\n"
                "        )",
                "        response = self.clients.s3.create_multipart_upload(Bucket=bucket, Key=key)",
            ),
        ),
        "a multipart write drops the content type and metadata",
        issue8=True,
    ),
    Mutant(
        "aws.abort-does-nothing",
        S3,
        (
            (
                "            self._s3.abort_multipart_upload(Bucket=self._bucket,"
                " Key=self._key, UploadId=self.id)",
                "            pass  # a lifecycle rule reclaims unfinished uploads",
            ),
        ),
        "an abort that does nothing: the parts stay billed and the upload can be resumed",
        issue8=True,
    ),
    Mutant(
        "aws.slowdown-permanent",
        ERRORS,
        (('    "SlowDown": cn.TransientError,', '    "SlowDown": cn.ProviderError,'),),
        "throttling (503 SlowDown) is classified as a permanent error",
        issue8=True,
    ),
    Mutant(
        "aws.zone-ignored",
        EC2,
        (
            (
                "        if request.zone:\n"
                '            params["Placement"] = {"AvailabilityZone": request.zone}\n',
                "",
            ),
        ),
        "a server is created in EC2's default zone, not the one asked for",
        issue8=True,
    ),
    Mutant(
        "aws.attach-without-device",
        EBS,
        (
            (
                'Attachment(volume_id=a["VolumeId"], server_id=a["InstanceId"], device=a.get("Device"))',
                'Attachment(volume_id=a["VolumeId"], server_id=a["InstanceId"])',
            ),
        ),
        "a volume attachment loses its device",
        issue8=True,
    ),
    Mutant(
        "aws.other-accounts-snapshots",
        EBS,
        (
            (
                "        params: dict[str, Any] = {\n"
                '            "OwnerIds": ["self"],\n'
                '            "Filters": [{"Name": "owner-id", "Values": [self._clients.account_id()]}],\n'
                '            "MaxResults": max_results(page_size),\n'
                "        }",
                '        params: dict[str, Any] = {"MaxResults": max_results(page_size)}',
            ),
        ),
        "the snapshot listing also returns other accounts' (public) snapshots",
        issue8=True,
    ),
    Mutant(
        "aws.attach-in-use",
        EBS,
        (
            (
                "        attached = self.get_volume(volume_id).attachments\n"
                "        if attached:\n"
                "            raise Conflict(f\"volume {volume_id} is in use by {',"
                " '.join(a.server_id for a in attached)}\")\n",
                "",
            ),
        ),
        "attaching a volume already in use succeeds (on moto; EC2 itself refuses it)",
        issue8=True,
    ),
    Mutant(
        "aws.delimiter-slash",
        S3,
        (('            params["Delimiter"] = delimiter', '            params["Delimiter"] = "/"'),),
        "the listing delimiter is hard-coded to '/'",
        issue8=True,
    ),
    Mutant(
        "aws.page-token-offset",
        S3,
        (
            (
                "        if token is not None:\n"
                '            params["ContinuationToken"] = token\n'
                "        response = self.clients.s3.list_objects_v2(**params)",
                "        offset = int(token) if token is not None else 0\n"
                '        params["MaxKeys"] = min(offset + page_size, _MAX_KEYS)  #'
                " the pages so far, and this one\n"
                "        response = self.clients.s3.list_objects_v2(**params)",
            ),
            (
                "        return Page(tuple(items),"
                ' response.get("NextContinuationToken") if truncated else None)',
                "        return Page(tuple(items[offset:]), str(offset + page_size) if truncated else None)",
            ),
        ),
        "page tokens are numeric offsets: keys added or removed between pages shift the pages",
        issue8=True,
    ),
    # -- others an adapter author writes ----------------------------------------------------
    Mutant(
        "aws.page-token-wrong-field",
        S3,
        (
            (
                'response.get("NextContinuationToken") if truncated else None',
                'response.get("ContinuationToken") if truncated else None',
            ),
        ),
        "the page token is read from the wrong field: listings stop after one page",
    ),
    Mutant(
        "aws.prefixes-not-merged-in-order",
        S3,
        (
            (
                "            items.sort(key=lambda i: "
                "(i.key if isinstance(i, BlobInfo) else i.prefix).encode())\n",
                "",
            ),
        ),
        "common prefixes are listed after the keys instead of in key order",
    ),
    Mutant(
        "aws.etag-as-md5",
        S3,
        (
            (
                '    if _PARTS_MD5.match(etag):\n        return {"md5-parts": etag}',
                '    if _PARTS_MD5.match(etag):\n        return {"md5": etag.split("-")[0]}',
            ),
        ),
        "a multipart ETag is passed off as the content's MD5",
    ),
    Mutant(
        "aws.delete-ignores-missing",
        S3,
        (
            (
                "        # S3 answers 204 for a missing key; the contract wants NotFound, so look first.\n"
                "        self.clients.s3.head_object(Bucket=bucket, Key=key)\n",
                "",
            ),
        ),
        "deleting a missing blob succeeds (S3 answers 204) instead of NotFound",
    ),
    Mutant(
        "aws.copy-source-double-encoded",
        S3,
        (
            ("import threading\n", "import threading\nfrom urllib.parse import quote\n"),
            (
                '            CopySource={"Bucket": src_bucket, "Key": src_key},',
                '            CopySource={"Bucket": src_bucket, "Key": quote(src_key)},',
            ),
        ),
        "the copy source key is URL-encoded by hand, then again by botocore: odd keys fail",
    ),
    Mutant(
        "aws.copy-replaces-metadata",
        S3,
        (('            MetadataDirective="COPY",', '            MetadataDirective="REPLACE",'),),
        "a copy replaces the metadata and content type with nothing",
    ),
    Mutant(
        "aws.commit-ignores-final-metadata",
        S3,
        (
            (
                "        if dict(metadata) != dict(self._options.metadata) and"
                ' head["ContentLength"] <= MAX_COPY:\n'
                '            head = self._replace_metadata(response["ETag"], metadata)\n',
                "",
            ),
        ),
        "metadata known only at the end of a multipart write (the SHA-256 of record) is dropped",
    ),
    Mutant(
        "aws.resume-forgets-parts",
        S3,
        (("        upload.parts()  # NoSuchUpload -> NotFound; learns the ETags of the parts stored\n", ""),),
        "a resumed upload does not look up the parts already stored (nor whether it exists)",
    ),
    Mutant(
        "aws.empty-put-shortcut",
        S3,
        ((_PUT, _PUT_WITH_SHORTCUT),),
        "an empty blob is created by a shortcut that drops its content type and metadata",
    ),
    Mutant(
        "aws.access-denied-as-auth",
        ERRORS,
        (('    "AccessDenied": cn.PermissionDenied,', '    "AccessDenied": cn.AuthenticationError,'),),
        "403 AccessDenied is reported as bad credentials",
    ),
    Mutant(
        "aws.unknown-key-as-denied",
        ERRORS,
        (
            (
                '    "InvalidAccessKeyId": cn.AuthenticationError,',
                '    "InvalidAccessKeyId": cn.PermissionDenied,',
            ),
        ),
        "an unknown access key (S3's 403 InvalidAccessKeyId) is reported as a refused permission",
    ),
    Mutant(
        "aws.internal-error-permanent",
        ERRORS,
        (('    "InternalError": cn.TransientError,', '    "InternalError": cn.ProviderError,'),),
        "500 InternalError is classified as permanent: never retried",
    ),
    Mutant(
        "aws.volume-tags-lost",
        EBS,
        (("        tags=tags_of(native),\n", "        tags={},\n"),),
        "volume tags are not reported",
    ),
    Mutant(
        "aws.volume-zone-ignored",
        EBS,
        (
            (
                '            "AvailabilityZone": request.zone or self._zone(),',
                '            "AvailabilityZone": self._zone(),',
            ),
        ),
        "a volume is created in the first zone, not the one asked for",
    ),
    Mutant(
        "aws.stopped-state",
        EC2,
        (('    "stopped": ServerState.STOPPED,', '    "stopped": ServerState.STOPPING,'),),
        "EC2's 'stopped' is mapped to STOPPING: stopping a server never ends",
    ),
)


@contextlib.contextmanager
def moto() -> Iterator[Peer]:
    """A moto server with the recording settings (``cloudneutral_aws.testing.MotoServer``)."""
    from cloudneutral_aws.testing import MotoServer

    with MotoServer() as server:
        yield Peer(env={"CN_AWS_ENDPOINT": server.endpoint}, reset=server.reset)


register(Adapter(name="aws", harnesses=("aws",), mutants=MUTANTS, peer=moto, recorded=True))
