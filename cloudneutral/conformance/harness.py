"""The harness: what a provider author writes so the suite can reach their adapter.

Subclass :class:`Harness`, set :attr:`~Harness.name`, implement :meth:`~Harness.start`
and register a factory under the entry-point group ``cloudneutral.conformance``::

    [project.entry-points."cloudneutral.conformance"]
    myprov = "myprov_testing:harness"

Contract of one session: :meth:`start` is called once with the session's mode and returns
the connection URL every test connects to; :meth:`stop` is called once at the end, also
after failures. In ``replay`` mode :meth:`start` must not contact anything (the endpoint
may be down): it returns the URL that was used when recording. Recording and scrubbing
hooks receive vcrpy objects; the generic scrubbing of :mod:`~cloudneutral.conformance.scrub`
runs first, for every harness.

Hooks the suite calls during tests (all optional; the defaults work for any adapter):
:meth:`~Harness.inject` (make the provider answer a fault), :meth:`~Harness.native_fault`,
:meth:`~Harness.unfinished_uploads`, :meth:`~Harness.foreign_snapshots` and
:meth:`~Harness.native_types`. Each receives the test's :class:`~cloudneutral.Cloud`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from importlib import metadata
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from cloudneutral import Cloud

    from .injection import Fault, Injection

__all__ = ["ENTRY_POINT_GROUP", "MODES", "Harness", "Mode", "load_harness"]

ENTRY_POINT_GROUP = "cloudneutral.conformance"

Mode = Literal["replay", "record", "live"]
MODES: tuple[Mode, ...] = ("replay", "record", "live")

MiB = 1024 * 1024

#: Harnesses shipped with cloudneutral, used when no entry point of that name is installed.
_BUILTIN = {
    "local": "cloudneutral.conformance.local_harness:memory",
    "local-dir": "cloudneutral.conformance.local_harness:directory",
}


class Harness:
    """How the suite reaches one provider. Override what differs from these defaults."""

    #: The provider's name: cassettes live in ``<cassettes>/<name>/``; reports show it.
    name: str = ""
    #: ``False`` for providers that make no HTTP requests: every mode then runs ``live``.
    recorded: bool = True
    #: Whether live runs use a :class:`~cloudneutral.FakeClock` too (only for providers
    #: whose states advance per observation, never by wall time). Replay always does.
    fake_clock_live: bool = False
    #: The ``part_size`` multipart tests pass to ``put`` (at least the adapter's minimum).
    part_size: int = 5 * MiB
    #: The size of the "large" blob multipart tests write; more than ``part_size``.
    large_blob_size: int = 6 * MiB
    #: Seconds a live test waits for a state (create, stop, attach ...).
    wait_timeout: float = 600.0
    #: Prefix of every bucket, server and volume name (keep it short; make it unique per
    #: account when buckets are global, as on S3).
    name_prefix: str = "cn"
    #: Query parameters ignored when matching a request against a cassette (e.g. Azure's
    #: ``blockid``, random per upload).
    ignored_query_params: frozenset[str] = frozenset()
    #: Request and response headers removed from cassettes, besides the generic ones.
    scrubbed_headers: frozenset[str] = frozenset()
    #: Query parameters whose values are redacted in cassettes, besides the generic ones.
    scrubbed_query_params: frozenset[str] = frozenset()
    #: Request headers compared in replay besides the generic ones of
    #: :data:`~cloudneutral.conformance.matching.MATCHED_HEADERS` (range, conditions,
    #: Content-MD5, content type, metadata, copy source).
    matched_headers: frozenset[str] = frozenset()
    #: Request headers never compared in replay (opt-out of a generic one the SDK fills
    #: with something random).
    unmatched_headers: frozenset[str] = frozenset()
    #: Fields of form-encoded or JSON request bodies left out of the body comparison in
    #: replay: values random per run (e.g. EC2's ``ClientToken``).
    ignored_body_fields: frozenset[str] = frozenset()
    #: Media types (``type/subtype`` prefixes) whose request bodies are not compared in
    #: replay (random payloads; ``""`` for every body). Every other body is compared by
    #: its SHA-256.
    unmatched_body_types: frozenset[str] = frozenset()
    #: Where this harness's committed cassettes live (``<cassettes>/<name>/<test>.yaml``),
    #: used when ``--cn-cassettes`` (``CN_CASSETTES``) is not given; ``None``: the
    #: ``cassettes/`` folder of pytest's root directory. In-repository adapters point it at
    #: the repository's ``cassettes/``, found relative to their package.
    cassettes: str | None = None
    #: Seconds two writes of one blob must be apart for the provider to give them
    #: different modified times (S3 and most HTTP APIs: 1 s; 0 where times are exact).
    modified_resolution: float = 1.0

    def start(self, mode: Mode) -> str:
        """Prepare the endpoint for ``mode`` (start an emulator in ``record``/``live``) and
        return the connection URL tests connect to."""
        raise NotImplementedError(f"{type(self).__name__} must implement start(mode) -> url")

    def stop(self) -> None:
        """Undo :meth:`start` (stop the emulator, remove temporary directories). Idempotent."""

    def environment(self, mode: Mode) -> Mapping[str, str]:
        """Environment variables set for the session (e.g. dummy credentials for replay)."""
        return {}

    def secrets(self) -> Iterable[str]:
        """Values that must never appear in a cassette (checked after each recording)."""
        return ()

    def before_record_request(self, request: Any) -> Any:
        """Extra scrubbing of a vcrpy ``Request`` at record time; return ``None`` to drop it."""
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any] | None:
        """Extra scrubbing of a vcrpy response dict at record time; ``None`` drops it."""
        return response

    def missing_id(self, kind: str) -> str:
        """A well-formed id of a ``server``, ``volume`` or ``snapshot`` that does not exist
        (for not-found tests; override where ids have a strict format)."""
        return f"{self.name_prefix}-missing-{kind}-0000"

    # -- hooks the suite calls ----------------------------------------------------------
    def native_types(self) -> Mapping[str, Sequence[type]]:
        """The native types the escape hatch offers, by service: ``""`` for the connection
        (``cloud.as_native``), ``"blobs"``, ``"servers"``, ``"volumes"``; e.g. ``{"":
        [boto3.Session], "blobs": [BaseClient]}``. The suite checks each comes back and
        that other types raise ``Unsupported``. Empty: only the refusals are checked."""
        return {}

    def native_fault(self, fault: Fault) -> BaseException | None:
        """The exception the adapter's SDK raises when the provider answers ``fault``; the
        default :meth:`inject` makes the driver raise it, so the suite checks the adapter's
        ``translate_error``. ``None``: the provider has no such answer (the case is skipped).

        The default is the portable error itself (only the portable layer's handling is
        then checked): override it, or :meth:`inject`, to prove your error mapping."""
        from .injection import portable_fault

        return portable_fault(fault)

    def inject(self, cloud: Cloud, fault: Fault, times: int) -> AbstractContextManager[Injection]:
        """A context in which the provider answers the next ``times`` requests of ``cloud``
        with ``fault``; it yields an :class:`~cloudneutral.conformance.injection.Injection`
        whose ``cloud`` the test uses and whose ``served`` counts the faults answered.

        The default wraps ``cloud``'s driver (``Cloud.from_driver``) so that its next
        ``times`` calls raise :meth:`native_fault`. An HTTP adapter's harness may instead
        answer at the HTTP level (an SDK hook, or a fault proxy the SDK is pointed at), so
        that the SDK's own parsing and the adapter's mapping are what is tested."""
        from .injection import driver_faults

        error = self.native_fault(fault)
        if error is None:
            raise LookupError(f"{self.name} has no answer for fault {fault.value}")
        return driver_faults(cloud, error, times)

    def peer_deviations(self) -> Mapping[str, str]:
        """Tests the peer this harness records against answers wrongly (the peer's bug,
        not the adapter's): the start of a test's cassette name
        (``module.Class.test[params]``) -> why, naming the peer's faulty code. They are
        strict expected failures, live and in replay (the cassettes hold the peer's
        answers): a fixed peer fails the run, so the entry is removed. Default: none."""
        return {}

    def drift_varying(self) -> Mapping[str, str]:
        """What the peer decides differently from run to run -> why: the start of a
        cassette's file name (all its changes), or a request as the drift report names it
        (``GET /v2.1/servers/{id}``: the changes of its answers). The drift check shows
        those changes without counting them. Default: none."""
        return {}

    def unfinished_uploads(self, cloud: Cloud, bucket: str) -> list[str] | None:
        """The ids of the uploads in parts of ``bucket`` that are neither committed nor
        aborted (e.g. S3's ``ListMultipartUploads`` through ``cloud.blobs.as_native``), or
        ``None`` when the provider cannot list them. The suite checks that a failed or
        aborted write in parts leaves none behind."""
        return None

    def foreign_snapshots(self, cloud: Cloud) -> list[str]:
        """Ids of snapshots the credentials can see but that belong to another account
        (public or shared ones), planted here where the emulator allows. The suite checks
        that ``cloud.volumes.snapshots()`` lists none of them."""
        return []

    def effective_mode(self, requested: Mode) -> Mode:
        """The mode a session really runs in: ``live`` for providers without HTTP."""
        return requested if self.recorded else "live"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def _resolve(spec: str) -> Callable[[], Harness]:
    module, _, attr = spec.partition(":")
    target: Any = importlib.import_module(module)
    for part in attr.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def load_harness(name: str) -> Harness:
    """The harness registered as ``name`` (entry point, then the built-ins), or the factory
    at ``module:attribute`` when ``name`` contains a colon. Raises ``LookupError``."""
    if ":" in name:
        factory = _resolve(name)
    else:
        found = [ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if found:
            factory = found[0].load()
        elif name in _BUILTIN:
            factory = _resolve(_BUILTIN[name])
        else:
            known = sorted({ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)} | set(_BUILTIN))
            raise LookupError(
                f"no conformance harness {name!r} (entry-point group {ENTRY_POINT_GROUP!r}); "
                f"known: {', '.join(known)}"
            )
    harness = factory() if not isinstance(factory, Harness) else factory
    if not isinstance(harness, Harness):
        raise TypeError(f"harness factory for {name!r} returned {type(harness).__name__}, not a Harness")
    if not harness.name:
        raise TypeError(f"harness {harness!r} has no name")
    return harness
