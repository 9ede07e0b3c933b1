"""Replay that notices: cassette matching on what decides an answer, a missing interaction
as one clear permanent failure (never retried), and cassettes found from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from vcr.request import Request  # type: ignore[import-untyped]

from cloudneutral.conformance.harness import Harness
from cloudneutral.conformance.matching import Matcher
from cloudneutral.conformance.recording import cassette

ROOT = Path(__file__).resolve().parents[1]
URL = "http://127.0.0.1:5999/bucket/key"


class Plain(Harness):
    name = "plain"


class Picky(Harness):
    name = "picky"
    ignored_query_params = frozenset({"nonce"})
    ignored_body_fields = frozenset({"ClientToken"})
    unmatched_headers = frozenset({"content-md5"})
    matched_headers = frozenset({"x-custom"})
    unmatched_body_types = frozenset({"application/octet-stream"})


def request(method: str = "GET", uri: str = URL, body: Any = None, **headers: str) -> Any:
    return Request(method, uri, body, {k.replace("_", "-"): v for k, v in headers.items()})


def same(matcher: Matcher, a: Any, b: Any) -> bool:
    assert matcher(a, b) == (matcher.differences(a, b) == [])
    return bool(matcher(a, b))


@pytest.mark.parametrize(
    ("header", "one", "other"),
    [
        ("Range", "bytes=0-9", "bytes=0-10"),
        ("If-Match", '"a"', '"b"'),
        ("If-None-Match", "*", '"b"'),
        ("Content-MD5", "AAAA", "BBBB"),
        ("Content-Type", "text/plain", "text/csv"),
        ("x-amz-meta-owner", "alice", "bob"),
        ("x-amz-copy-source", "b/k1", "b/k2"),
        ("x-amz-copy-source-if-match", '"a"', '"b"'),
        ("x-amz-metadata-directive", "COPY", "REPLACE"),
    ],
)
def test_headers_that_decide_the_answer_are_matched(header: str, one: str, other: str) -> None:
    matcher = Matcher.of(Plain())
    assert same(matcher, request(**{header: one}), request(**{header: one}))
    assert not same(matcher, request(**{header: one}), request(**{header: other}))
    assert not same(matcher, request(**{header: one}), request())  # present vs absent
    (difference,) = matcher.differences(request(**{header: one}), request(**{header: other}))
    assert header.lower() in difference and one in difference and other in difference


def test_other_headers_query_order_and_boundaries_do_not_matter() -> None:
    matcher = Matcher.of(Plain())
    assert same(matcher, request(User_Agent="a", X_Amz_Date="1"), request(User_Agent="b", X_Amz_Date="2"))
    assert same(matcher, request(uri=URL + "?a=1&b=2"), request(uri=URL + "?b=2&a=1"))
    assert not same(matcher, request(uri=URL + "?a=1"), request(uri=URL + "?a=2"))
    assert same(
        matcher,
        request(Content_Type="multipart/form-data; boundary=xyz"),
        request(Content_Type="multipart/form-data; boundary=abc"),
    )
    assert not same(matcher, request("GET"), request("HEAD"))
    assert not same(matcher, request(uri=URL), request(uri=URL + "2"))


def test_bodies_are_matched_by_digest() -> None:
    matcher = Matcher.of(Plain())
    assert same(matcher, request("PUT", body=b"abc"), request("PUT", body=b"abc"))
    assert not same(matcher, request("PUT", body=b"abc"), request("PUT", body=b"abd"))
    assert same(matcher, request("PUT", body=b""), request("PUT", body=None))
    from io import BytesIO

    assert same(matcher, request("PUT", body=BytesIO(b"abc")), request("PUT", body=b"abc"))
    (difference,) = matcher.differences(request("PUT", body=b"abc"), request("PUT", body=b"abd"))
    assert difference.startswith("body sha256")
    form = "multipart/form-data; boundary={}"
    one = request("POST", body=b"--a1\r\nx\r\n--a1--", Content_Type=form.format("a1"))
    other = request("POST", body=b"--b2\r\nx\r\n--b2--", Content_Type=form.format("b2"))
    changed = request("POST", body=b"--b2\r\ny\r\n--b2--", Content_Type=form.format("b2"))
    assert same(matcher, one, other)  # the random boundary is not what decides the answer
    assert not same(matcher, one, changed)
    json_type = "application/json"  # openstacksdk orders a body's keys by a set: per process
    ordered = request("POST", body='{"server": {"name": "a", "flavorRef": "2"}}', Content_Type=json_type)
    shuffled = request("POST", body='{"server": {"flavorRef": "2", "name": "a"}}', Content_Type=json_type)
    other_value = request("POST", body='{"server": {"flavorRef": "3", "name": "a"}}', Content_Type=json_type)
    assert same(matcher, ordered, shuffled)
    assert not same(matcher, ordered, other_value)


def test_json_bodies_match_whatever_their_key_order() -> None:
    # openstacksdk builds a request's JSON from a dict whose order follows the hash seed
    matcher = Matcher.of(Plain())
    json_type = {"Content_Type": "application/json"}
    one = request("POST", body=b'{"server": {"name": "s", "imageRef": "i"}}', **json_type)
    other = request("POST", body=b'{"server": {"imageRef": "i", "name": "s"}}', **json_type)
    changed = request("POST", body=b'{"server": {"imageRef": "j", "name": "s"}}', **json_type)
    assert same(matcher, one, other)
    assert not same(matcher, one, changed)


def test_harness_opt_outs_and_additions() -> None:
    matcher = Matcher.of(Picky())
    form = "application/x-www-form-urlencoded"
    a = request("POST", body="Action=RunInstances&ClientToken=1", Content_Type=form)
    b = request("POST", body="Action=RunInstances&ClientToken=2", Content_Type=form)
    assert same(matcher, a, b)
    c = request("POST", body="Action=RunInstances&ImageId=ami-2&ClientToken=3", Content_Type=form)
    assert matcher.differences(a, c) == ["body field ImageId: '(none)' (recorded 'ami-2')"]
    json_type = "application/json"
    assert same(
        matcher,
        request("POST", body='{"a": 1, "ClientToken": "x"}', Content_Type=json_type),
        request("POST", body='{"ClientToken": "y", "a": 1}', Content_Type=json_type),
    )
    octets = "application/octet-stream"
    assert same(
        matcher,
        request("PUT", body=b"1", Content_Type=octets),
        request("PUT", body=b"2", Content_Type=octets),
    )
    assert same(matcher, request(Content_MD5="A"), request(Content_MD5="B"))
    assert not same(matcher, request(X_Custom="1"), request(X_Custom="2"))
    assert same(matcher, request(uri=URL + "?nonce=1"), request(uri=URL + "?nonce=2"))


CASSETTE = """\
interactions:
- request:
    body: null
    headers:
      Range:
      - bytes=0-9
    method: GET
    uri: http://127.0.0.1:5999/bucket/key
  response:
    body:
      string: '0123456789'
    headers:
      Content-Length:
      - '10'
    status:
      code: 206
      message: Partial Content
version: 1
"""


def _get(range_header: str) -> bytes:
    import urllib.request

    req = urllib.request.Request(URL, headers={"Range": range_header})
    with urllib.request.urlopen(req) as response:
        body: bytes = response.read()
        return body


def test_replay_answers_the_recorded_request(tmp_path: Path) -> None:
    path = tmp_path / "plain" / "t.yaml"
    path.parent.mkdir()
    path.write_text(CASSETTE)
    with cassette(Plain(), "replay", path):
        assert _get("bytes=0-9") == b"0123456789"


def test_a_request_the_cassette_lacks_fails_at_once_naming_what_differs(tmp_path: Path) -> None:
    path = tmp_path / "plain" / "t.yaml"
    path.parent.mkdir()
    path.write_text(CASSETTE)
    with pytest.raises(BaseException) as failed, cassette(Plain(), "replay", path):
        _get("bytes=0-10")  # the adapter asks for one byte too many
    assert not isinstance(failed.value, Exception), "no `except Exception` may take it for a network error"
    message = str(failed.value)
    assert str(path) in message and f"GET {URL}" in message
    assert "header range: 'bytes=0-10' (recorded 'bytes=0-9')" in message
    with pytest.raises(BaseException) as repeated, cassette(Plain(), "replay", path):
        _get("bytes=0-9")
        _get("bytes=0-9")  # played already: an adapter repeating a request
    assert "already been played" in str(repeated.value)
    with (
        pytest.raises(BaseException) as absent,
        cassette(Plain(), "replay", tmp_path / "plain" / "absent.yaml"),
    ):
        _get("bytes=0-9")
    assert "does not exist" in str(absent.value)


def test_a_recorded_request_never_sent_fails_the_test(tmp_path: Path) -> None:
    path = tmp_path / "plain" / "t.yaml"
    path.parent.mkdir()
    path.write_text(CASSETTE)
    with pytest.raises(BaseException) as failed, cassette(Plain(), "replay", path):
        pass  # the adapter no longer makes the recorded call (an abort, a copy ...)
    assert not isinstance(failed.value, Exception)
    assert f"never sent 1 request(s) recorded in {path}: GET {URL}" in str(failed.value)


MISS_THROUGH_BOTOCORE = """
import cloudneutral, pytest
from pathlib import Path
from cloudneutral.conformance.recording import cassette
from cloudneutral_aws.conformance import AwsHarness

clock = cloudneutral.FakeClock()
cloud = cloudneutral.connect("aws://?region=eu-west-1&endpoint_url=http://127.0.0.1:5999", clock=clock)
try:
    with cassette(AwsHarness(), "replay", Path("empty/aws/none.yaml")):
        cloud.blobs.bucket("cn-bucket").get("key")
except BaseException as exc:
    print("RAISED", type(exc).__module__, type(exc).__name__, isinstance(exc, Exception))
    print("SLEPT", clock.slept)
    print("MESSAGE", str(exc)[:300])
"""


def test_a_miss_inside_botocore_is_not_retried_as_transient(tmp_path: Path) -> None:
    pytest.importorskip("cloudneutral_aws")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIACNFAKEKEY0000001", "AWS_SECRET_ACCESS_KEY": "fake"}
    result = subprocess.run(
        [sys.executable, "-c", MISS_THROUGH_BOTOCORE], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    out = result.stdout
    assert "Failed False" in out, out + result.stderr
    assert "SLEPT []" in out  # no back-off: the runtime never saw a transient error
    assert "GET http://127.0.0.1:5999/cn-bucket/key" in out


def test_cassette_root_precedence(tmp_path: Path) -> None:
    from cloudneutral.conformance.fixtures import cassette_root, missing_cassettes

    class Located(Plain):
        cassettes = str(tmp_path / "mine")

    assert cassette_root(Plain(), "given", tmp_path) == (Path("given"), "--cn-cassettes / CN_CASSETTES")
    assert cassette_root(Located(), "given", tmp_path)[0] == Path("given")
    assert cassette_root(Located(), None, tmp_path)[0] == tmp_path / "mine"
    assert cassette_root(Plain(), None, tmp_path)[0] == tmp_path / "cassettes"
    complaint = missing_cassettes(Located(), "replay", tmp_path / "mine", "why")
    assert complaint is not None and str(tmp_path / "mine" / "plain") in complaint
    assert missing_cassettes(Located(), "record", tmp_path / "mine", "why") is None
    (tmp_path / "mine" / "plain").mkdir(parents=True)
    assert missing_cassettes(Located(), "replay", tmp_path / "mine", "why") is None


def test_aws_harness_finds_the_repository_cassettes() -> None:
    conformance = pytest.importorskip("cloudneutral_aws.conformance")
    assert Path(conformance.AwsHarness().cassettes) == ROOT / "cassettes"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    cli = Path(sys.executable).with_name("cloudneutral")
    return subprocess.run([str(cli), *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_cli_replays_from_another_directory(tmp_path: Path) -> None:
    pytest.importorskip("cloudneutral_aws")
    code = textwrap.dedent(
        f"""
        import sys
        from cloudneutral.conformance.runner import run
        sys.exit(run("aws", report={str(tmp_path / "card.md")!r}, extra_args=["-q", "-k", "TestBuckets"]))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "| aws | buckets | 18 | 0 | 0 |" in (tmp_path / "card.md").read_text()


def test_cli_says_once_where_it_looked_for_missing_cassettes(tmp_path: Path) -> None:
    pytest.importorskip("cloudneutral_aws")
    result = _cli("conformance", "aws", "--cassettes", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(tmp_path / "nowhere" / "aws") in lines[0] and "does not exist" in lines[0]


def test_plugin_stops_the_session_once_when_cassettes_are_missing(tmp_path: Path) -> None:
    pytest.importorskip("cloudneutral_aws")
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--pyargs",
            "cloudneutral.conformance.suite", "--cn-provider=aws", f"--cn-cassettes={tmp_path / 'none'}",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout[-2000:]
    assert result.stdout.count("no cassettes for 'aws'") == 1, result.stdout[-3000:]
    assert "FAILED" not in result.stdout and "ERROR" not in result.stdout
