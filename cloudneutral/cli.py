"""The ``cloudneutral`` command: ``ls``, ``cp``, ``migrate``, ``verify``, ``migrate-servers``,
``gc`` and ``conformance`` over connection URLs (``migrate``, ``verify`` and
``migrate-servers``: :mod:`cloudneutral.migration.command`).

Exit codes: 0 success; 1 a permanent failure (``CloudError``); 2 usage or configuration
(bad arguments, bad URL, unknown provider, ``InvalidArgument``); 75 (``EX_TEMPFAIL``) a
transient failure worth retrying later (``error.transient``); 130 interrupted. Every error
is one line on stderr, ``cloudneutral: error: CLASS: message``, never a traceback
(``CLOUDNEUTRAL_DEBUG=1`` re-raises unexpected exceptions, for bug reports), and passes
through the one redactor, so no credential the process knows is ever printed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import itertools
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from ._progress import Progress, human_bytes
from .blobs import BucketHandle
from .cloud import Cloud, connect
from .errors import CloudError, ConfigurationError, InvalidArgument, NotFound
from .models import BlobInfo, BlobPrefix, Capability
from .redaction import redact
from .registry import ConnectionURL, parse_url
from .transfer import Cancel, Copied, Failed, copy_many

__all__ = ["EX_OK", "EX_PERMANENT", "EX_TEMPFAIL", "EX_USAGE", "build_parser", "exit_code", "main", "run"]

EX_OK = 0
EX_PERMANENT = 1
EX_USAGE = 2
EX_TEMPFAIL = 75
EX_INTERRUPTED = 130
PROG = "cloudneutral"


def exit_code(error: CloudError) -> int:
    """The exit code that tells a caller how to treat ``error``."""
    if isinstance(error, (ConfigurationError, InvalidArgument)):
        return EX_USAGE
    return EX_TEMPFAIL if error.transient else EX_PERMANENT


def error_line(error: BaseException, context: str = "") -> str:
    """``cloudneutral: error: CLASS: message [context]`` on one line, credentials redacted."""
    text = " ".join(f"{type(error).__name__}: {error}".splitlines())
    return redact(f"{PROG}: error: {text}" + (f" ({context})" if context else ""))


def _say(text: str) -> None:
    print(text, flush=True)


# -- ls ---------------------------------------------------------------------------------------
def _when(value: _dt.datetime | None) -> str:
    if value is None:
        return "-"
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _cmd_ls(args: argparse.Namespace) -> int:
    url = parse_url(args.url)
    with connect(url) as cloud:
        if not url.bucket:
            for bucket in cloud.blobs.list_buckets():
                _say(f"{_when(bucket.created):20}  {bucket.name}" if args.long else bucket.name)
            return EX_OK
        handle = cloud.blobs.bucket(url.bucket)
        for item in handle.list(url.prefix, delimiter=None if args.recursive else "/"):
            if isinstance(item, BlobPrefix):
                _say(f"{'DIR':>12}  {'':20}  {'':34}  {item.prefix}" if args.long else item.prefix)
            elif args.long:
                _say(f"{item.size:>12}  {_when(item.modified):20}  {item.etag or '-':34}  {item.key}")
            else:
                _say(item.key)
    return EX_OK


# -- cp ---------------------------------------------------------------------------------------
def _same_place(a: ConnectionURL, b: ConnectionURL) -> bool:
    """Whether two URLs reach the same provider account (so one connection serves both)."""
    return a.provider == b.provider and dict(a.options) == dict(b.options)


def _as_dir(prefix: str) -> str:
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def _plan(
    src: BucketHandle, src_url: ConnectionURL, dst_url: ConnectionURL, shared: bool
) -> tuple[Iterator[tuple[BlobInfo, str]], int | None]:
    """``(key pairs, total bytes if known)`` for copying ``src_url`` to ``dst_url``.

    One blob when SRC names an existing key without a trailing ``/``; else every blob
    under SRC as a prefix. Raises ``NotFound`` when SRC names neither, before anything
    is written; ``InvalidArgument`` when the copy would overwrite its own source.
    """
    assert dst_url.bucket is not None
    key = src_url.prefix
    same_bucket = shared and src_url.bucket == dst_url.bucket
    if key and not key.endswith("/"):
        try:
            info = src.head(key)
        except NotFound:
            pass
        else:
            dst_key = dst_url.prefix
            if not dst_key or dst_key.endswith("/"):
                dst_key += key.rsplit("/", 1)[-1]
            if same_bucket and dst_key == key:
                raise InvalidArgument(f"source and destination are the same blob: {src_url}")
            return iter([(info, dst_key)]), info.size
        key += "/"
    dst_prefix = _as_dir(dst_url.prefix)
    if same_bucket and dst_prefix.startswith(key):
        raise InvalidArgument(f"the destination {dst_url} is inside the source {src_url}")
    listing = (item for item in src.list(key) if isinstance(item, BlobInfo))
    first = next(listing, None)  # a missing bucket raises NotFound here, before any write
    if first is None:
        if src_url.prefix and not src_url.prefix.endswith("/"):
            missing = f"no blob or prefix {src_url.prefix!r} in bucket {src_url.bucket!r}"
            raise NotFound(missing, provider=src_url.provider)
        return iter(()), 0
    pairs = ((i, dst_prefix + i.key[len(key) :]) for i in itertools.chain([first], listing))
    return ((i, d) for i, d in pairs if d), None  # a folder marker equal to SRC maps to no key


def _ensure_bucket(cloud: Cloud, name: str, quiet: bool) -> None:
    if cloud.blobs.bucket_exists(name):
        return
    cloud.blobs.create_bucket(name, exist_ok=True)  # retried; a racing creator is fine
    if not quiet:
        _say(f"created bucket {name!r} on {cloud.provider}")


def _refuse_ephemeral(cloud: Cloud, url: ConnectionURL) -> None:
    """A destination that vanishes when the command exits would make a copy pointless."""
    if url.provider == "local" and url.option("root") is None:
        raise ConfigurationError(
            f"{url} is an in-memory store that vanishes when the command exits; "
            "give a directory: local://BUCKET?root=DIR"
        )


_SUMMARY_WAYS = (("sha256", "SHA-256"), ("md5", "MD5"), ("md5-parts", "part MD5s"))


def _verification(copied: Sequence[Copied]) -> str:
    """How the copies were verified, e.g. ``verified by SHA-256: 3, by size only: 1``."""
    counts = [(label, sum(1 for c in copied if c.verified == way)) for way, label in _SUMMARY_WAYS]
    parts = [f"by {label}: {n}" for label, n in counts if n]
    by_size = sum(1 for c in copied if c.verified == "size")
    parts.append(f"by size only: {by_size}")
    return "verified " + ", ".join(parts)


def _cmd_cp(args: argparse.Namespace) -> int:
    src_url, dst_url = parse_url(args.src), parse_url(args.dst)
    for role, url in (("SRC", src_url), ("DST", dst_url)):
        if not url.bucket:
            raise InvalidArgument(f"{role} must name a bucket: PROVIDER://BUCKET[/PREFIX], not {url}")
    assert src_url.bucket is not None and dst_url.bucket is not None
    shared = _same_place(src_url, dst_url)
    copied: list[Copied] = []
    failures: list[Failed] = []
    args.on_interrupt = lambda: f"{len(copied)} blobs were copied and verified before the stop"
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        src_cloud = stack.enter_context(connect(src_url))
        dst_cloud = src_cloud if shared else stack.enter_context(connect(dst_url))
        _refuse_ephemeral(dst_cloud, dst_url)
        src = src_cloud.blobs.bucket(src_url.bucket)
        dst = dst_cloud.blobs.bucket(dst_url.bucket)
        pairs, total = _plan(src, src_url, dst_url, shared)
        _ensure_bucket(dst_cloud, dst_url.bucket, args.quiet)
        server_side = shared and Capability.BLOB_COPY in src_cloud.capabilities
        progress = Progress(sys.stderr, enabled=sys.stderr.isatty() and not args.quiet, total_bytes=total)

        def done(outcome: Copied | Failed) -> None:
            if isinstance(outcome, Failed):
                failures.append(outcome)
                context = f"copying {src_url.bucket}/{outcome.src_key} to {dst_url.bucket}/{outcome.dst_key}"
                progress.message(error_line(outcome.error, context))
            else:
                copied.append(outcome)
                progress.add(objects=1)

        try:
            copy_many(
                src,
                dst,
                pairs,
                concurrency=args.concurrency,
                server_side=server_side,
                on_bytes=lambda n: progress.add(nbytes=n),
                on_done=done,
                cancel=Cancel(),
            )
        finally:
            progress.close()
    elapsed = time.monotonic() - started
    if not args.quiet:
        noun = "blob" if len(copied) == 1 else "blobs"
        how = "server-side, " if server_side and copied else ""
        size = human_bytes(sum(c.size for c in copied))
        _say(
            f"copied {len(copied)} {noun} ({size}) from {src_url} to {dst_url} in {elapsed:.1f}s; "
            f"{how}{_verification(copied)}"
        )
    if not failures:
        return EX_OK
    attempted = len(failures) + len(copied)
    print(f"{PROG}: error: {len(failures)} of {attempted} blobs failed", file=sys.stderr)
    return EX_TEMPFAIL if all(f.error.transient for f in failures) else EX_PERMANENT


# -- gc -----------------------------------------------------------------------------------------
def _cmd_gc(args: argparse.Namespace) -> int:
    url = parse_url(args.url)
    with connect(url) as cloud:
        from .local import LocalProvider

        if not isinstance(cloud.driver, LocalProvider) or cloud.driver.root is None:
            raise ConfigurationError(f"{url} keeps no crash leftovers to reclaim (only local roots do)")
        done = cloud.driver.reclaim(float(args.older_than))
        _say(f"reclaimed {done.files} files ({human_bytes(done.bytes)}), {done.uploads} unfinished uploads")
    return EX_OK


# -- conformance --------------------------------------------------------------------------------
def _cmd_conformance(args: argparse.Namespace) -> int:
    mode = "record" if args.record else "live" if args.live else "replay"
    try:
        from .conformance.fixtures import cassette_root, missing_cassettes
        from .conformance.harness import load_harness
        from .conformance.runner import run

        given = args.cassettes or os.environ.get("CN_CASSETTES") or None
        for name in args.provider.split(","):  # fail in one line, not once per test
            try:
                harness = load_harness(name.strip())
            except (LookupError, ImportError, AttributeError, TypeError) as exc:
                raise ConfigurationError(f"conformance harness {name.strip()!r}: {exc}") from exc
            root, why = cassette_root(harness, given, Path.cwd())
            complaint = missing_cassettes(harness, mode if harness.recorded else "live", root, why)
            if complaint is not None:
                raise ConfigurationError(complaint)
        if args.drift:
            from .conformance.drift.command import check_drift

            code, drift = check_drift(args.provider, cassettes=given, report=args.report or ())
            print(f"cassette drift of {args.provider} against the live peer:")
            print(drift.render(), end="")
            return code
        return int(run(args.provider, mode=mode, report=args.report, cassettes=args.cassettes))
    except ModuleNotFoundError as exc:
        if exc.name not in {"pytest", "vcr", "_pytest"}:
            raise
        raise ConfigurationError(
            f"the conformance suite needs {exc.name}: pip install 'cloudneutral[test]'"
        ) from exc


# -- parser and main ----------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EX_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return convert


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Portable cloud storage and compute: list and copy blobs between providers.",
        epilog="URLs: PROVIDER://[BUCKET[/PREFIX]][?option=value&...], e.g. local://photos?root=/tmp/cn, "
        "aws://photos/2024/?region=eu-west-1. Exit codes: 0 ok, 1 failed, 2 usage/configuration, "
        "75 transient failure (retry later), 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ls = commands.add_parser("ls", help="list buckets, or blobs under a bucket/prefix")
    ls.add_argument(
        "url", metavar="URL", help="PROVIDER:// lists buckets; PROVIDER://BUCKET[/PREFIX] lists blobs"
    )
    ls.add_argument("-l", "--long", action="store_true", help="show size, modification time and etag")
    ls.add_argument("-r", "--recursive", action="store_true", help="list every blob, not one level")
    ls.set_defaults(func=_cmd_ls)

    cp = commands.add_parser(
        "cp",
        help="copy one blob or a prefix between any two URLs",
        description="Copy one blob, or every blob under a prefix (SRC ending in '/', or naming no blob), "
        "to DST; the destination bucket is created if missing. Copies are streamed and verified.",
    )
    cp.add_argument("src", metavar="SRC", help="PROVIDER://BUCKET/KEY or PROVIDER://BUCKET[/PREFIX/]")
    cp.add_argument("dst", metavar="DST", help="PROVIDER://BUCKET[/KEY or /PREFIX/]")
    cp.add_argument(
        "--concurrency", type=_int_at_least(1), default=4, metavar="N", help="parallel copies (4)"
    )
    cp.add_argument("-q", "--quiet", action="store_true", help="no progress line and no summary")
    cp.set_defaults(func=_cmd_cp)

    gc = commands.add_parser(
        "gc",
        help="reclaim what crashed writers left in a local root",
        description="Remove temporary files, unfinished uploads and orphaned parts under a local root.",
    )
    gc.add_argument("url", metavar="URL", help="local://?root=DIR")
    gc.add_argument(
        "--older-than",
        type=_int_at_least(0),
        default=3600,
        metavar="SECONDS",
        help="only leftovers this old (3600)",
    )
    gc.set_defaults(func=_cmd_gc)

    from .migration.command import add_commands

    add_commands(commands, _int_at_least)

    conf = commands.add_parser("conformance", help="run the conformance suite against a provider")
    conf.add_argument("provider", metavar="PROVIDER", help="a harness name (local, local-dir, aws ...)")
    mode = conf.add_mutually_exclusive_group()
    mode.add_argument("--record", action="store_true", help="run against a live endpoint, record cassettes")
    mode.add_argument("--live", action="store_true", help="run against a live endpoint, no cassettes")
    mode.add_argument(
        "--drift",
        action="store_true",
        help="record against the live endpoint into a temporary folder and report what changed from "
        "the committed cassettes (exit 1 on drift)",
    )
    conf.add_argument(
        "--report",
        metavar="FILE",
        action="append",
        help="write a report card to FILE: .json, .html or Markdown by extension; repeatable",
    )
    conf.add_argument("--cassettes", metavar="DIR", help="cassette directory (default: cassettes/)")
    conf.set_defaults(func=_cmd_conformance)
    return parser


@contextlib.contextmanager
def _ignoring_sigint() -> Iterator[None]:
    """Ignore Ctrl-C for the block, then restore what was there (main may run in-process)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EX_USAGE
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        with _ignoring_sigint():  # a second Ctrl-C must not print a traceback
            # what the command had done, whichever Ctrl-C (the first or a second one that
            # arrived while the first was being handled) got here
            describe = getattr(args, "on_interrupt", None)
            detail = f": {describe()}" if describe is not None else ""
            print(f"{PROG}: interrupted{detail}", file=sys.stderr)
        return EX_INTERRUPTED
    except CloudError as exc:
        print(error_line(exc), file=sys.stderr)
        return exit_code(exc)
    except BrokenPipeError:  # e.g. `cloudneutral ls ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EX_PERMANENT
    except Exception as exc:
        if os.environ.get("CLOUDNEUTRAL_DEBUG"):
            raise
        print(error_line(exc, "unexpected; set CLOUDNEUTRAL_DEBUG=1 for a traceback"), file=sys.stderr)
        return EX_PERMANENT


def _return_large_buffers() -> None:
    """On glibc, hand every allocation of 128 KiB or more straight back to the system when
    it is freed. By default glibc raises that threshold as buffers are freed, after which
    the part buffers that many threads allocate and free stay resident: about 80 MB more
    peak memory for one 256 MiB migration. Only the command does this (it owns its process)."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
    except (ValueError, OSError, AttributeError):  # not glibc (or not POSIX)
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 128 * 1024)


_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def run() -> NoReturn:
    """The ``cloudneutral`` command: :func:`main`, then exit with its code. Once ``main``
    has returned the process only exits, so a late Ctrl-C (say, during the interpreter's
    shutdown) is ignored rather than turned into a traceback or a death by signal: the exit
    code is always the one of the work done."""
    _return_large_buffers()
    code = main()
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
