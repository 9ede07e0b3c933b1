"""S3's and EC2's own answers to throttling, server errors and refused credentials, served
to botocore in place of the real endpoint's, for the conformance suite's fault cases.

:func:`answering` registers a ``before-send`` handler on a connection's S3 and EC2
clients: while it is active, the next ``times`` requests get the service's real error
answer (status, headers and XML body, as S3 and EC2 send them) without reaching the
network or a cassette. botocore parses it as it parses any answer, so the adapter's error
mapping (:mod:`cloudneutral_aws.errors`) is what the suite tests. Imported only by the
conformance harness.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import attrs
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.client import BaseClient

from cloudneutral import Cloud, Unsupported
from cloudneutral.conformance.injection import Fault, Injection

__all__ = ["ANSWERS", "Answer", "answering"]


@attrs.frozen
class Answer:
    """One error answer: HTTP status, error code and message (the body is built from them
    in the service's own XML shape)."""

    status: int
    code: str
    message: str


#: Service -> fault -> the answer the real service gives. S3 answers a key it does not know
#: with 403 InvalidAccessKeyId (it never sends 401); EC2 with 401 AuthFailure.
ANSWERS: dict[str, dict[Fault, Answer]] = {
    "s3": {
        Fault.THROTTLE: Answer(503, "SlowDown", "Please reduce your request rate."),
        Fault.SERVER_ERROR: Answer(
            500, "InternalError", "We encountered an internal error. Please try again."
        ),
        Fault.UNAUTHENTICATED: Answer(
            403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
        ),
        Fault.FORBIDDEN: Answer(403, "AccessDenied", "Access Denied"),
    },
    "ec2": {
        Fault.THROTTLE: Answer(503, "RequestLimitExceeded", "Request limit exceeded."),
        Fault.SERVER_ERROR: Answer(500, "InternalError", "An internal error has occurred"),
        Fault.UNAUTHENTICATED: Answer(
            401, "AuthFailure", "AWS was not able to validate the provided access credentials"
        ),
        Fault.FORBIDDEN: Answer(
            403, "UnauthorizedOperation", "You are not authorized to perform this operation."
        ),
    },
}

_REQUEST_ID = "CNFAULT0000000001"
_HOST_ID = "Y24tY29uZm9ybWFuY2UtZmF1bHQtaW5qZWN0aW9u"


def _body(service: str, answer: Answer) -> bytes:
    if service == "s3":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{answer.code}</Code><Message>{answer.message}</Message>"
            f"<RequestId>{_REQUEST_ID}</RequestId><HostId>{_HOST_ID}</HostId></Error>"
        ).encode()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{answer.code}</Code><Message>{answer.message}</Message>"
        f"</Error></Errors><RequestID>{_REQUEST_ID}</RequestID></Response>"
    ).encode()


class _Raw:
    """The raw body botocore reads an answer from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *_: Any) -> bytes:
        data, self._data = self._data, b""
        return data


def response(service: str, fault: Fault, method: str, url: str) -> AWSResponse:
    """The service's answer to a request (a HEAD gets the status and no body, as from S3)."""
    answer = ANSWERS[service][fault]
    body = b"" if method.upper() == "HEAD" else _body(service, answer)
    headers = {
        "Content-Type": "application/xml",
        "Content-Length": str(len(body)),
        "x-amz-request-id": _REQUEST_ID,
        "Server": "AmazonS3" if service == "s3" else "AmazonEC2",
    }
    if service == "s3":
        headers["x-amz-id-2"] = _HOST_ID
    fields: Any = HeadersDict(headers)  # what AWSResponse makes of any mapping
    return AWSResponse(url, answer.status, fields, _Raw(body))


def _clients(cloud: Cloud) -> list[BaseClient]:
    found: list[BaseClient] = []
    for service in ("blobs", "servers", "volumes"):
        try:
            client = getattr(cloud, service).as_native(BaseClient)
        except Unsupported:
            continue
        if all(client is not c for c in found):
            found.append(client)
    return found


@contextlib.contextmanager
def answering(cloud: Cloud, fault: Fault, times: int) -> Iterator[Injection]:
    """While active, the next ``times`` S3 or EC2 requests of ``cloud`` get ``fault``'s answer."""
    injection = Injection(cloud)
    lock = threading.Lock()
    left = [times]

    def handler(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        service = event_name.split(".")[1]
        with lock:
            if left[0] <= 0 or service not in ANSWERS:
                return None
            left[0] -= 1
            injection.served += 1
        return response(service, fault, request.method, request.url)

    clients = _clients(cloud)
    hook: Any = handler  # botocore's stubs say handlers return None; before-send ones answer
    for client in clients:
        client.meta.events.register_first("before-send", hook, unique_id="cn-fault")
    try:
        yield injection
    finally:
        for client in clients:
            client.meta.events.unregister("before-send", hook, unique_id="cn-fault")
