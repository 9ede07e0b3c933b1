"""The conformance machinery itself: plugin lightness, harness loading, names, scrubbing,
capability skips, the minimum, the report card, the runner, cassettes found from anywhere,
and record -> replay with the endpoint down. (Replay matching: test_conformance_replay.py.)"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from cloudneutral.conformance import runner
from cloudneutral.conformance.cards import Card, TestResult, render_json, render_markdown
from cloudneutral.conformance.cards.model import Outcome
from cloudneutral.conformance.harness import Harness, load_harness
from cloudneutral.conformance.local_harness import DirectoryHarness, MemoryHarness
from cloudneutral.conformance.scrub import REDACTED, find_secrets, scrub_response, scrub_text

ROOT = Path(__file__).resolve().parents[1]
SUPPORT = Path(__file__).resolve().parent / "conformance_support"


def run_pytest(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join([str(SUPPORT), full_env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_plugin_import_is_light() -> None:
    code = textwrap.dedent(
        """
        import sys
        import cloudneutral.conformance.plugin
        heavy = [m for m in ("vcr", "boto3", "botocore", "moto", "cloudneutral.conformance.suite",
                 "cloudneutral.conformance.recording", "cloudneutral.conformance.fixtures",
                 "cloudneutral.conformance.harness", "cloudneutral.local", "azure", "openstack")
                 if m in sys.modules]
        print(heavy)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unrelated_run_is_unaffected(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_ok():\n    assert 1 + 1 == 2\n")
    result = run_pytest("-q", "-W", "error", "-p", "no:randomly", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "conformance report card" not in result.stdout


def test_load_harness() -> None:
    assert isinstance(load_harness("local"), MemoryHarness)
    assert isinstance(load_harness("local-dir"), DirectoryHarness)
    assert load_harness("cloudneutral.conformance.local_harness:memory").name == "local"
    with pytest.raises(LookupError, match="no conformance harness 'nope'"):
        load_harness("nope")
    import cloudneutral.conformance as package

    assert package.Harness is Harness and package.load_harness is load_harness
    with pytest.raises(AttributeError):
        package.nothing  # noqa: B018


def test_local_harness_runs_live_and_cleans_its_directory() -> None:
    harness = DirectoryHarness()
    assert harness.effective_mode("replay") == "live"
    url = harness.start("live")
    root = Path(url.split("root=", 1)[1])
    assert root.is_dir()
    harness.stop()
    assert not root.exists()


def test_base_harness_needs_start() -> None:
    with pytest.raises(NotImplementedError):
        Harness().start("live")
    assert Harness().effective_mode("record") == "record"


def test_scrub_text() -> None:
    text = (
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0a2V5PT0=;"
        ' {"password": "hunter2", "access_token": "abc.def"} Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x'
        " <SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey> AKIAIOSFODNN7EXAMPLE"
    )
    clean = scrub_text(text)
    for secret in (
        "c2VjcmV0a2V5PT0=",
        "hunter2",
        "abc.def",
        "eyJhbGciOiJIUzI1NiJ9",
        "wJalrXUtnFEMI",
        "AKIAIOSFODNN7",
    ):
        assert secret not in clean
    assert "AccountName=x" in clean
    assert find_secrets(text)
    assert find_secrets(clean) == []
    assert find_secrets("nothing here", known=["s3cr3t"]) == []
    assert find_secrets("has s3cr3t inside", known=["s3cr3t"])


def test_scrub_request_and_response() -> None:
    from vcr.request import Request  # type: ignore[import-untyped]

    from cloudneutral.conformance.scrub import scrub_request

    request = Request(
        "GET",
        "https://acct.blob.core.windows.net/c/b?sv=2021&sig=SECRETSIG&se=2030&comp=block&blockid=QQ",
        b"",
        {
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIA/x",
            "X-Amz-Date": "20240101T000000Z",
            "Accept": "*/*",
        },
    )
    scrubbed = scrub_request(request, headers={"Accept"})
    assert "SECRETSIG" not in scrubbed.uri and "blockid=QQ" in scrubbed.uri and "comp=block" in scrubbed.uri
    assert scrubbed.headers["Authorization"] == REDACTED
    assert scrubbed.headers["X-Amz-Date"] == REDACTED
    assert scrubbed.headers["Accept"] == REDACTED
    assert "SECRETSIG" in request.uri  # the request on the wire is untouched
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Set-Cookie": ["session=abc"], "Content-Type": ["application/json"]},
        "body": {"string": b'{"access_token": "tok123", "data": 1}'},
    }
    out = scrub_response(response)
    assert out["headers"]["Set-Cookie"] == [REDACTED]
    assert b"tok123" not in out["body"]["string"] and b'"data": 1' in out["body"]["string"]
    binary = {
        "status": {},
        "headers": {"Content-Type": ["application/octet-stream"]},
        "body": {"string": b"\xff password=x"},
    }
    assert scrub_response(binary)["body"]["string"] == b"\xff password=x"


def _tests(area: str, passed: int = 0, failed: int = 0, skipped: int = 0, why: str = "") -> list[TestResult]:
    made: list[tuple[Outcome, str]] = [("passed", "")] * passed + [("failed", "boom")] * failed
    made += [("skipped", why)] * skipped
    return [TestResult(f"t{i}", area, outcome, reason=r) for i, (outcome, r) in enumerate(made)]


def test_render_markdown_and_json() -> None:
    why = "provider lacks blobs.copy (test needs blobs.copy)"
    card = Card("p", ("blobs", "blobs.range"), _tests("blobs", passed=2, failed=1, skipped=1, why=why))
    text = render_markdown([card])
    assert "p: declares blobs, blobs.range" in text
    assert "| p | blobs | 2 | 1 | 1 |" in text
    assert "- p / blobs: provider lacks blobs.copy (test needs blobs.copy) (1)" in text
    assert "WARNING" not in text
    doc = json.loads(render_json([card]))["providers"][0]
    assert (doc["provider"], doc["capabilities"], doc["passed"], doc["warning"]) == (
        "p",
        ["blobs", "blobs.range"],
        2,
        None,
    )
    assert doc["areas"][0]["skip_reasons"] == {"provider lacks blobs.copy (test needs blobs.copy)": 1}
    assert [t["outcome"] for t in doc["tests"]] == ["passed", "passed", "failed", "skipped"]


def test_a_card_of_mostly_skips_carries_a_warning() -> None:
    assert Card("half", (), _tests("blobs", passed=1, failed=1, skipped=2)).warning is None
    card = Card("thin", (), _tests("servers", passed=1, skipped=30))
    assert card.warning is not None and "30 of 31 tests were skipped" in card.warning
    assert card.warning in render_markdown([card])
    assert json.loads(render_json([card]))["providers"][0]["warning"] == card.warning


def test_skip_reason_names_what_is_missing_and_what_the_test_is_about() -> None:
    from cloudneutral import Capability as C
    from cloudneutral.conformance.marks import skip_reason, subject

    assert subject([C.VOLUMES, C.SERVERS, C.VOLUME_ATTACH]) is C.VOLUME_ATTACH
    assert subject([C.BLOBS, C.BLOB_COPY, C.BLOB_METADATA]) is C.BLOB_COPY
    assert subject([C.VOLUMES, C.SERVERS]) is C.VOLUMES
    assert subject([]) is None
    assert skip_reason(C.BLOB_RANGE, C.BLOB_RANGE) == "provider lacks blobs.range (test needs blobs.range)"
    assert (
        skip_reason(C.SERVERS, C.VOLUME_ATTACH) == "provider lacks servers (needed by a volumes.attach test)"
    )


def test_suite_exports_every_test_class() -> None:
    import importlib
    import pkgutil

    import cloudneutral.conformance.suite as suite

    defined = set()
    for info in pkgutil.iter_modules(suite.__path__):
        module = importlib.import_module(f"{suite.__name__}.{info.name}")
        defined |= {
            name
            for name, obj in vars(module).items()
            if name.startswith("Test") and isinstance(obj, type) and obj.__module__ == module.__name__
        }
    assert defined == set(suite.__all__)


def test_runner_args() -> None:
    args = runner.build_args("local", mode="live", report="r.md", cassettes="c", extra_args=["-x"])
    assert args[:2] == ["--pyargs", "cloudneutral.conformance.suite"]
    assert {"--cn-provider=local", "--cn-mode=live", "--cn-report=r.md", "--cn-cassettes=c"} <= set(args)
    assert args[-1] == "-x"
    with pytest.raises(ValueError, match="mode"):
        runner.build_args("local", mode="bogus")


LIMITED = """
import pytest
from cloudneutral import Capability
from cloudneutral.conformance.local_harness import MemoryHarness
from cloudneutral.conformance.suite import *  # noqa: F403
from cloudneutral.local import LocalProvider


class Limited(MemoryHarness):
    name = "limited"

    def start(self, mode):
        LocalProvider.capabilities = frozenset({Capability.BLOBS})
        return super().start(mode)


@pytest.fixture(scope="session")
def cn_harness():
    return Limited()
"""


def test_capability_skips_and_report_card(tmp_path: Path) -> None:
    (tmp_path / "test_limited.py").write_text(LIMITED)
    card = tmp_path / "card.json"
    result = run_pytest(
        "-q",
        "-k",
        "TestBuckets or TestServerCatalogue or TestBlobRanges or copy or attach",
        "test_limited.py",
        f"--cn-report={card}",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conformance report card" in result.stdout
    (doc,) = json.loads(card.read_text())["providers"]
    assert (doc["provider"], doc["capabilities"]) == ("limited", ["blobs"])
    assert "limited: declares blobs" in result.stdout
    rows = {r["area"]: r for r in doc["areas"]}
    assert rows["buckets"]["passed"] > 10 and rows["buckets"]["skipped"] == 0
    servers = rows["servers"]
    assert servers["passed"] == 0 and servers["skipped"] > 10
    assert servers["skip_reasons"] == {"provider lacks servers (test needs servers)": servers["skipped"]}
    assert rows["blobs"]["skip_reasons"].keys() == {
        "provider lacks blobs.range (test needs blobs.range)",
        "provider lacks blobs.copy (test needs blobs.copy)",
        "provider lacks blobs.metadata (test needs blobs.metadata)",  # the record surviving a copy
    }
    assert set(rows["volumes"]["skip_reasons"]) == {
        "provider lacks volumes.attach (test needs volumes.attach)",
    }
    assert doc["warning"] and "WARNING: limited:" in result.stdout


NO_CAPABILITY = """
import pytest
from cloudneutral import Capability
from cloudneutral.conformance.local_harness import MemoryHarness
from cloudneutral.conformance.suite import *  # noqa: F403
from cloudneutral.local import LocalProvider


class Nothing(MemoryHarness):
    name = "nothing"

    def start(self, mode):
        LocalProvider.capabilities = frozenset(CAPABILITIES)
        return super().start(mode)


@pytest.fixture(scope="session")
def cn_harness():
    return Nothing()
"""


@pytest.mark.parametrize(
    ("capabilities", "complaint"),
    [
        ("()", "declares neither blobs nor servers"),
        (
            "{Capability.BLOBS, Capability.VOLUMES, Capability.VOLUME_ATTACH}",
            "declares volumes.attach without servers",
        ),
        ("{Capability.SERVERS, Capability.SNAPSHOTS}", "declares volumes.snapshots without volumes"),
        ("{Capability.SERVERS, Capability.BLOB_RANGE}", "declares blobs.range without blobs"),
    ],
    ids=["nothing", "attach-without-servers", "snapshots-without-volumes", "range-without-blobs"],
)
def test_an_adapter_declaring_too_little_fails_the_suite(
    tmp_path: Path, capabilities: str, complaint: str
) -> None:
    (tmp_path / "test_nothing.py").write_text(NO_CAPABILITY.replace("CAPABILITIES", capabilities))
    result = run_pytest("-q", "test_nothing.py", cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-3000:]
    assert (
        "FAILED test_nothing.py::TestMinimum::test_declares_a_core_capability_and_what_it_needs"
        in result.stdout
    )
    assert complaint in result.stdout


def test_problems_checks_drivers_and_their_methods() -> None:
    from cloudneutral import Capability as C
    from cloudneutral.conformance.contract import problems

    class Blobs:
        def read_blob(self) -> None: ...

    driver = SimpleNamespace(blobs=Blobs(), servers=None, volumes=None)
    found = problems(driver, frozenset({C.BLOBS, C.BLOB_MULTIPART, C.SERVERS}))
    assert "declares servers but has no servers driver" in found
    assert any(p.startswith("declares blobs.multipart but its blobs driver lacks open_upload") for p in found)
    assert any(
        p.startswith("declares blobs but its blobs driver lacks") and "create_bucket" in p for p in found
    )
    local = __import__("cloudneutral").connect("local://")
    assert problems(local.driver, local.capabilities) == []


def test_undeclared_capabilities_are_refused_without_calling_the_driver() -> None:
    import cloudneutral
    from cloudneutral import Capability as C
    from cloudneutral.conformance.contract import REFUSALS
    from cloudneutral.conformance.injection import SpyDriver, rewrap

    cloud = cloudneutral.connect("local://")
    for capability in C:
        spy = SpyDriver(cloud.driver, capabilities=cloud.capabilities - {capability})
        with pytest.raises(cloudneutral.Unsupported):
            REFUSALS[capability](rewrap(cloud, spy))
        assert spy.calls == [], capability
    spy = SpyDriver(cloud.driver)  # and the same calls do reach a driver that declares them
    with pytest.raises(cloudneutral.NotFound):
        REFUSALS[C.BLOB_RANGE](rewrap(cloud, spy))
    assert spy.calls == ["blobs.read_blob"]


def test_default_inject_makes_the_driver_raise_the_native_fault() -> None:
    import errno

    import cloudneutral
    from cloudneutral.conformance.injection import Fault

    harness = MemoryHarness()
    cloud = cloudneutral.connect("local://", clock=cloudneutral.FakeClock())
    with harness.inject(cloud, Fault.THROTTLE, 2) as injected:
        assert injected.cloud.servers.sizes()  # two faults, then the third attempt works
    assert injected.served == 2
    with (
        harness.inject(cloud, Fault.FORBIDDEN, 5) as injected,
        pytest.raises(cloudneutral.PermissionDenied) as denied,
    ):
        injected.cloud.servers.sizes()
    assert injected.served == 1 and isinstance(denied.value.__cause__, PermissionError)
    assert harness.native_fault(Fault.THROTTLE).errno == errno.EAGAIN  # type: ignore[union-attr]
    with pytest.raises(LookupError, match="no answer for fault unauthenticated"):
        harness.inject(cloud, Fault.UNAUTHENTICATED, 1)
    assert isinstance(Harness().native_fault(Fault.UNAUTHENTICATED), cloudneutral.AuthenticationError)


def test_runner_on_local(tmp_path: Path) -> None:
    code = (
        "import sys; from cloudneutral.conformance.runner import run; "
        f"sys.exit(run('local', report={str(tmp_path / 'card.md')!r}, "
        "extra_args=['-q', '-k', 'TestListing']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| local | listing |" in (tmp_path / "card.md").read_text()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_record_then_replay_with_endpoint_down(tmp_path: Path) -> None:
    pytest.importorskip("cloudneutral_aws")
    pytest.importorskip("moto.server")
    cassettes = tmp_path / "cassettes"
    env = {"CN_TEST_MOTO_PORT": str(_free_port())}
    selection = (
        "TestBuckets or TestListing or round_trip or multipart_from_file or metadata_round_trip"
        " or test_stop_and_start or test_wait_times_out or test_attach_and_detach"
    )
    common = [
        "-q",
        "--pyargs",
        "cloudneutral.conformance.suite",
        "--cn-provider=moto_harness:harness",
        f"--cn-cassettes={cassettes}",
        "-k",
        selection,
    ]
    recorded = run_pytest(*common, "--cn-mode=record", cwd=tmp_path, env=env)
    assert recorded.returncode == 0, recorded.stdout[-4000:] + recorded.stderr[-2000:]
    files = sorted((cassettes / "aws-moto").glob("*.yaml"))
    assert len(files) > 20
    text = "".join(f.read_text() for f in files)
    assert "cnSecretValueThatMustNotLeak" not in text and "AKIACNTESTKEY" not in text
    assert "EXAMPLESESSIONTOKEN" not in text
    assert re.search(r"Authorization:\n\s+- REDACTED", text)
    assert "AWS4-HMAC-SHA256" not in text and "X-Amz-Security-Token:\n" not in text.replace(
        "X-Amz-Security-Token:\n      - REDACTED", ""
    )
    # the server is stopped now: replay must succeed from the cassettes alone
    replayed = run_pytest(*common, cwd=tmp_path, env=env)
    assert replayed.returncode == 0, replayed.stdout[-4000:] + replayed.stderr[-2000:]
    assert "failed" not in replayed.stdout.splitlines()[-1]
    # a replay that asks for something never recorded fails instead of reaching the network
    (cassettes / "aws-moto" / files[0].name).write_text("interactions: []\nversion: 1\n")
    broken = run_pytest(*common, cwd=tmp_path, env=env)
    assert broken.returncode == 1


def test_cassette_paths_are_distinct_and_safe(tmp_path: Path) -> None:
    from cloudneutral.conformance.recording import cassette_path

    plain = cassette_path(tmp_path, "aws", "test_buckets.TestBuckets.test_delete")
    assert plain == tmp_path / "aws" / "test_buckets.TestBuckets.test_delete.yaml"
    assert cassette_path(tmp_path, "aws", "m.T.t[key=a b]").name == "m.T.t[key=a_b].yaml"
    with pytest.raises(ValueError, match="share cassette"):
        cassette_path(tmp_path, "aws", "m.T.t[key=a/b]")
    c = cassette_path(tmp_path, "aws", "m.T.t[key=../../etc/passwd]")
    assert c.parent == tmp_path / "aws" and "/" not in c.name
    long = cassette_path(tmp_path, "aws", "m.T.t[key=" + "é" * 600 + "]")
    assert len(long.name) < 200


def test_key_ignores_provider_parameter() -> None:
    from cloudneutral.conformance.fixtures import test_key

    class Node:
        callspec = SimpleNamespace(params={"cn_harness": "local-dir", "size": 0, "key": "a b"})

        @staticmethod
        def function() -> None: ...

    Node.function.__module__ = "cloudneutral.conformance.suite.test_blobs"
    Node.function.__qualname__ = "TestBlobReadWrite.test_round_trip"
    assert test_key(Node()) == "test_blobs.TestBlobReadWrite.test_round_trip[key=a b,size=0]"


def test_clocks_per_mode() -> None:
    from cloudneutral import FakeClock
    from cloudneutral.conformance.fixtures import RecordingClock, _clock

    assert isinstance(_clock("replay", False), FakeClock)
    assert isinstance(_clock("live", True), FakeClock)
    assert _clock("live", False) is None
    recording = _clock("record", False)
    assert isinstance(recording, RecordingClock)
    recording.sleep(0.01)
    recording.sleep(0.02)
    assert recording.monotonic() == pytest.approx(0.03)
    assert recording.slept == [0.01, 0.02]
