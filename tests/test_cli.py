"""The ``cloudneutral`` command, in-process (``main([...])``) and as a real subprocess."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

import cloudneutral
from cloudneutral import cli
from cloudneutral._progress import Progress, human_bytes
from cloudneutral.errors import NotFound, Timeout, TransientError

BIG = 3 * 1024 * 1024 + 17  # more than one read chunk of the local provider


def url(root: Path, location: str = "") -> str:
    return f"local://{location}?root={quote(str(root))}"


@pytest.fixture
def src_root(tmp_path: Path) -> Path:
    """A directory-backed local store with bucket ``photos`` holding a few blobs."""
    root = tmp_path / "src"
    with cloudneutral.connect(url(root)) as cloud:
        cloud.blobs.create_bucket("photos")
        bucket = cloud.blobs.bucket("photos")
        bucket.put("readme.txt", b"hello", content_type="text/plain", metadata={"owner": "ann"})
        bucket.put("2024/jan/a.jpg", os.urandom(BIG))
        bucket.put("2024/jan/b.jpg", b"b" * 10)
        bucket.put("2024/feb/c.jpg", b"")
        bucket.put("2025/d.jpg", b"d")
    return root


def contents(root: Path, bucket: str) -> dict[str, tuple[str, str | None, dict[str, str]]]:
    """``{key: (md5 of the bytes, content type, metadata)}`` of every blob in ``bucket``."""
    with cloudneutral.connect(url(root)) as cloud:
        handle = cloud.blobs.bucket(bucket)
        out = {}
        for item in handle.list():
            assert isinstance(item, cloudneutral.BlobInfo)
            key = item.key
            with handle.open(key) as reader:
                digest = hashlib.md5(reader.read()).hexdigest()
                out[key] = (digest, reader.info.content_type, dict(reader.info.metadata))
        return out


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- ls -------------------------------------------------------------------------------------------
def test_ls_buckets(src_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with cloudneutral.connect(url(src_root)) as cloud:
        cloud.blobs.create_bucket("archive")
    code, out, err = run(capsys, "ls", url(src_root))
    assert (code, out, err) == (0, "archive\nphotos\n", "")


def test_ls_one_level_shows_prefixes_as_dirs(src_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ls", url(src_root, "photos"))
    assert code == 0
    assert out.splitlines() == ["2024/", "2025/", "readme.txt"]
    code, out, _ = run(capsys, "ls", url(src_root, "photos/2024/"))
    assert out.splitlines() == ["2024/feb/", "2024/jan/"]


def test_ls_recursive_and_long(src_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ls", "-r", url(src_root, "photos/2024/"))
    assert code == 0
    assert out.splitlines() == ["2024/feb/c.jpg", "2024/jan/a.jpg", "2024/jan/b.jpg"]
    code, out, _ = run(capsys, "ls", "-l", "-r", url(src_root, "photos/2024/jan/"))
    rows = [line.split() for line in out.splitlines()]
    assert [(r[0], r[-1]) for r in rows] == [(str(BIG), "2024/jan/a.jpg"), ("10", "2024/jan/b.jpg")]
    assert all(r[1].endswith("Z") or "T" in r[1] for r in rows)  # modification time
    etag = cloudneutral.connect(url(src_root, "")).blobs.bucket("photos").head("2024/jan/b.jpg").etag
    assert rows[1][2] == etag
    code, out, _ = run(capsys, "ls", "-l", url(src_root, "photos"))
    assert out.splitlines()[0].split() == ["DIR", "2024/"]


# -- cp -------------------------------------------------------------------------------------------
def test_cp_one_blob_between_roots(
    src_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst_root = tmp_path / "dst"
    code, out, err = run(capsys, "cp", url(src_root, "photos/readme.txt"), url(dst_root, "backup"))
    assert code == 0, err
    assert "created bucket 'backup'" in out
    assert "copied 1 blob" in out and "SHA-256: 1" in out
    assert contents(dst_root, "backup") == {
        "readme.txt": (hashlib.md5(b"hello").hexdigest(), "text/plain", {"owner": "ann"})
    }
    # to an explicit key, into an existing bucket (nothing is said about creating it)
    code, out, _ = run(capsys, "cp", url(src_root, "photos/2024/jan/a.jpg"), url(dst_root, "backup/big.bin"))
    assert code == 0 and "created" not in out
    assert set(contents(dst_root, "backup")) == {"readme.txt", "big.bin"}
    assert contents(dst_root, "backup")["big.bin"][0] == contents(src_root, "photos")["2024/jan/a.jpg"][0]


@pytest.mark.parametrize("src_location", ["photos/2024/", "photos/2024"])
def test_cp_prefix_between_roots(
    src_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], src_location: str
) -> None:
    dst_root = tmp_path / "dst"
    code, out, err = run(
        capsys, "cp", "--concurrency", "3", url(src_root, src_location), url(dst_root, "archive/old")
    )
    assert code == 0, err
    assert "copied 3 blobs" in out
    source = contents(src_root, "photos")
    assert contents(dst_root, "archive") == {
        "old/" + key[len("2024/") :]: value for key, value in source.items() if key.startswith("2024/")
    }


def test_cp_whole_bucket_same_root_uses_one_connection(
    src_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "cp", url(src_root, "photos"), url(src_root, "copy"))
    assert code == 0, err
    assert "server-side" in out
    assert contents(src_root, "copy") == contents(src_root, "photos")


def test_cp_refuses_to_copy_into_its_own_source(src_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "cp", url(src_root, "photos/"), url(src_root, "photos/again/"))
    assert code == 2
    assert err.startswith("cloudneutral: error: InvalidArgument: ")
    code, _, err = run(capsys, "cp", url(src_root, "photos/readme.txt"), url(src_root, "photos/"))
    assert code == 2


def test_cp_missing_source_writes_nothing(
    src_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst_root = tmp_path / "dst"
    code, _, err = run(capsys, "cp", url(src_root, "photos/nothing-here"), url(dst_root, "backup"))
    assert code == 1
    assert (
        err == "cloudneutral: error: NotFound: local: no blob or prefix 'nothing-here' in bucket 'photos'\n"
    )
    code, _, err = run(capsys, "cp", url(src_root, "absent/"), url(dst_root, "backup"))
    assert code == 1 and "NotFound" in err
    assert not dst_root.exists()  # neither the destination bucket nor its root was created


def test_cp_needs_buckets(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "cp", url(tmp_path), url(tmp_path, "b"))
    assert code == 2 and "SRC must name a bucket" in err


def test_cp_reports_each_failed_blob_and_goes_on(
    src_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_put = cloudneutral.BucketHandle._put_single  # every blob of one request goes through it

    def flaky_put(self: cloudneutral.BucketHandle, full: str, *args: object) -> object:
        if full.endswith("b.jpg"):
            raise TransientError("slow down", provider="local")
        return real_put(self, full, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cloudneutral.BucketHandle, "_put_single", flaky_put)
    code, out, err = run(
        capsys, "cp", "--concurrency", "1", url(src_root, "photos/2024/"), url(tmp_path / "d", "out")
    )
    assert code == cli.EX_TEMPFAIL
    lines = err.splitlines()
    assert lines[0].startswith(
        "cloudneutral: error: TransientError: local: slow down (copying photos/2024/jan/b.jpg"
    )
    assert lines[-1] == "cloudneutral: error: 1 of 3 blobs failed"
    assert "copied 2 blobs" in out
    assert set(contents(tmp_path / "d", "out")) == {"feb/c.jpg", "jan/a.jpg"}


# -- errors and exit codes --------------------------------------------------------------------------
def test_missing_bucket_is_permanent(src_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ls", url(src_root, "nobucket"))
    assert (code, out) == (1, "")
    assert err == "cloudneutral: error: NotFound: local: no bucket 'nobucket'\n"


def test_ls_of_a_root_that_does_not_exist_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo"
    code, out, err = run(capsys, "ls", url(missing, "photos"))
    assert (code, out) == (1, "")
    expected = f"no local store at {missing} (the first write creates it)"
    assert err == f"cloudneutral: error: NotFound: local: {expected}\n"
    assert not missing.exists()


def test_cp_into_an_in_memory_store_is_refused(src_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "cp", url(src_root, "photos/readme.txt"), "local://backup")
    assert code == 2 and out == ""
    assert "in-memory store that vanishes" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["ls", "not-a-url"], "ConfigurationError: not a connection URL"),
        (["ls", "nosuchprovider://bucket"], "ConfigurationError: no provider 'nosuchprovider' is installed"),
        (["ls", "local://b?bogus=1"], "ConfigurationError: unknown local option"),
        (["ls", "local://Bad_Bucket"], "InvalidArgument: "),
        (["cp", "local://a/x"], "cloudneutral cp: error: the following arguments are required: DST"),
        (["cp", "--concurrency", "0", "local://a/x", "local://b"], "must be at least 1"),
        (["frobnicate"], "cloudneutral: error: argument COMMAND: invalid choice"),
        (["conformance", "local", "--record", "--live"], "not allowed with argument"),
    ],
)
def test_usage_and_configuration_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert fragment in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TransientError("throttled", provider="aws"), 75),
        (Timeout("gave up", provider="aws"), 75),
        (NotFound("gone", provider="aws"), 1),
        (KeyboardInterrupt(), 130),
        (RuntimeError("a bug"), 1),
    ],
)
def test_exit_codes_follow_the_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, error: BaseException, code: int
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(cli, "connect", fail)
    monkeypatch.delenv("CLOUDNEUTRAL_DEBUG", raising=False)
    got, _, err = run(capsys, "ls", "local://b")
    assert got == code
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    if isinstance(error, Exception):
        assert err.startswith(f"cloudneutral: error: {type(error).__name__}: ")


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "ls" in out and "cp" in out and "conformance" in out
    code, out, _ = run(capsys, "--version")
    assert (code, out.strip()) == (0, f"cloudneutral {cloudneutral.__version__}")


# -- conformance ------------------------------------------------------------------------------------
def test_conformance_calls_the_runner(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cloudneutral.conformance import runner

    calls: list[tuple[str, dict[str, object]]] = []

    def fake_run(provider: str, **kwargs: object) -> int:
        calls.append((provider, kwargs))
        return 3

    monkeypatch.setattr(runner, "run", fake_run)
    args = ["--report", "r.md", "--report", "r.html", "--cassettes", "c"]
    assert cli.main(["conformance", "local-dir", "--record", *args]) == 3
    assert cli.main(["conformance", "local"]) == 3
    assert cli.main(["conformance", "local", "--live"]) == 3
    assert cli.main(["conformance", "local", "--drift"]) == 2  # records nothing: no cassettes to drift
    assert "local makes no HTTP requests" in capsys.readouterr().err
    assert calls == [
        ("local-dir", {"mode": "record", "report": ["r.md", "r.html"], "cassettes": "c"}),
        ("local", {"mode": "replay", "report": None, "cassettes": None}),
        ("local", {"mode": "live", "report": None, "cassettes": None}),
    ]


def test_conformance_of_an_unknown_harness_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "conformance", "no-such-provider")
    assert (code, out) == (2, "")
    assert err.startswith("cloudneutral: error: ConfigurationError: conformance harness 'no-such-provider'")
    assert len(err.splitlines()) == 1


# -- progress ---------------------------------------------------------------------------------------
class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_when_enabled() -> None:
    quiet = io.StringIO()
    progress = Progress(quiet, enabled=False)
    progress.add(nbytes=10, objects=1)
    progress.close()
    assert quiet.getvalue() == ""

    tty = _Tty()
    progress = Progress(tty, enabled=True, total_bytes=2048, interval=0.0)
    progress.add(nbytes=1024, objects=1)
    progress.message("cloudneutral: error: something")
    progress.add(nbytes=1024, objects=1)
    progress.close()
    text = tty.getvalue()
    assert "\rcloudneutral: 1 object, 1.0 KiB of 2.0 KiB (50%)" in text
    assert "cloudneutral: error: something\n" in text
    assert text.endswith("\r")  # the line is erased at the end
    assert "2 objects, 2.0 KiB of 2.0 KiB (100%)" in text
    assert progress.bytes == 2048 and progress.objects == 2


def test_cp_draws_progress_on_a_terminal(
    src_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    code = cli.main(["cp", url(src_root, "photos/2024/jan/a.jpg"), url(tmp_path / "d", "big")])
    assert code == 0
    assert f"of {human_bytes(BIG)}" in tty.getvalue()  # the total is known for one blob
    assert tty.getvalue().startswith("\rcloudneutral: ")
    assert "copied 1 blob" in capsys.readouterr().out


def test_human_bytes() -> None:
    assert [human_bytes(n) for n in (0, 1023, 1024, 5 * 1024**3)] == ["0 B", "1023 B", "1.0 KiB", "5.0 GiB"]


def test_cp_is_silent_on_a_pipe_and_with_quiet(
    src_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "cp", "-q", url(src_root, "photos/"), url(tmp_path / "d", "all"))
    assert (code, out, err) == (0, "", "")


# -- a real process ---------------------------------------------------------------------------------
def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cloudneutral", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_subprocess_round_trip(src_root: Path, tmp_path: Path) -> None:
    dst_root = tmp_path / "dst"
    done = _cli("cp", url(src_root, "photos/"), url(dst_root, "photos"))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not a TTY: no progress line
    assert "copied 5 blobs" in done.stdout
    assert contents(dst_root, "photos") == contents(src_root, "photos")

    listed = _cli("ls", "-r", url(dst_root, "photos"))
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == sorted(contents(src_root, "photos"))


@pytest.mark.parametrize(
    ("argv", "code", "start"),
    [
        (
            ["ls", "local://nobucket?root={root}"],
            1,
            "cloudneutral: error: NotFound: local: no local store at ",
        ),
        (["ls", "not a url"], 2, "cloudneutral: error: ConfigurationError: not a connection URL"),
        (["ls", "zzz://b"], 2, "cloudneutral: error: ConfigurationError: no provider 'zzz' is installed"),
    ],
)
def test_subprocess_errors(tmp_path: Path, argv: list[str], code: int, start: str) -> None:
    done = _cli(*[a.format(root=quote(str(tmp_path))) for a in argv])
    assert done.returncode == code
    assert done.stdout == ""
    assert done.stderr.startswith(start)
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
