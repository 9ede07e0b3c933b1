"""The suite's fixtures, registered by :mod:`cloudneutral.conformance.plugin`.

``cn_harness`` (session)  the :class:`~cloudneutral.conformance.harness.Harness`; from
                          ``--cn-provider`` (parametrised when several are given), or
                          overridden by a test module that defines its own.
``cn_target`` (session)   the started harness: mode, URL, cassette directory; stopped at end.
                          In replay, a harness whose cassette folder is missing stops the
                          whole session with one line saying where it looked.
``cn`` (function)         an :class:`~cloudneutral.conformance.env.Env`: a fresh connection
                          inside the test's cassette, capability checks, clean-up.

Only pytest is imported at module level; the rest loads when a fixture is first used.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .env import Env, Target
    from .harness import Harness, Mode

__all__ = ["cassette_root", "cn", "cn_harness", "cn_target", "option", "test_key"]

ENV_VARS = {
    "cn_provider": "CN_PROVIDER",
    "cn_mode": "CN_MODE",
    "cn_cassettes": "CN_CASSETTES",
    "cn_report": "CN_REPORT",
}


def option(config: pytest.Config, name: str) -> str | None:
    """A ``--cn-*`` option, else its environment variable (``CN_PROVIDER`` ...), else ``None``."""
    value = config.getoption(name, default=None)
    if value is None:
        value = os.environ.get(ENV_VARS[name]) or None
    return value if value is None else str(value)


def _param_id(value: object) -> str:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return f"{len(value)}B"
    return getattr(value, "value", None) or type(value).__name__


def test_key(node: Any) -> str:
    """``module.Class.test[params]`` of the defining class, without the provider parameter:
    the same on every provider and every run. Names and cassette files derive from it."""
    function = node.function
    module = function.__module__.rsplit(".", 1)[-1]
    key = f"{module}.{function.__qualname__}"
    callspec = getattr(node, "callspec", None)
    if callspec is not None:
        params = [f"{k}={_param_id(v)}" for k, v in sorted(callspec.params.items()) if k != "cn_harness"]
        if params:
            key += "[" + ",".join(params) + "]"
    return key


test_key.__test__ = False  # type: ignore[attr-defined]


class RecordingClock:
    """Really sleeps, but tells time by the sleeps alone (like a FakeClock), so a wait polls
    exactly as often when recorded as when replayed on a FakeClock, whatever the latency."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
        self.slept.append(seconds)
        self.now += seconds


def _clock(mode: str, fake_live: bool) -> Any:
    """FakeClock for replay (never sleeps) and for providers that move per observation;
    RecordingClock when recording; the system clock (``None``) for other live runs."""
    import cloudneutral

    if mode == "replay" or fake_live:
        return cloudneutral.FakeClock()
    return RecordingClock() if mode == "record" else None


def cassette_root(harness: Harness, given: str | None, rootdir: Path) -> tuple[Path, str]:
    """Where ``harness``'s cassettes are, and why there: ``--cn-cassettes``/``CN_CASSETTES``
    (``given``), else the harness's own ``cassettes``, else ``<rootdir>/cassettes``."""
    if given:
        return Path(given), "--cn-cassettes / CN_CASSETTES"
    if harness.cassettes:
        return Path(harness.cassettes), f"the {harness.name} harness's cassettes"
    return rootdir / "cassettes", "pytest's root directory"


def missing_cassettes(harness: Harness, mode: str, root: Path, why: str) -> str | None:
    """The one-line complaint when a replay has no cassette folder to read, else ``None``."""
    folder = root / harness.name
    if mode != "replay" or folder.is_dir():
        return None
    return (
        f"no cassettes for {harness.name!r}: {folder} does not exist "
        f"(looked there because of {why}); pass --cn-cassettes=DIR, or record them with --cn-mode=record"
    )


@pytest.fixture(scope="session")
def cn_harness(request: pytest.FixtureRequest) -> Harness:
    """The harness of ``--cn-provider`` (or of this parametrisation's provider)."""
    from .harness import load_harness

    name = getattr(request, "param", None) or option(request.config, "cn_provider")
    if not name:
        pytest.fail(
            "no conformance provider selected: pass --cn-provider=NAME (or set CN_PROVIDER), "
            "or define a session fixture `cn_harness` returning your Harness",
            pytrace=False,
        )
    return load_harness(str(name).split(",")[0])


@pytest.fixture(scope="session")
def cn_target(cn_harness: Harness, request: pytest.FixtureRequest) -> Iterator[Target]:
    """Start the harness once per session (per provider) and stop it at the end."""
    from .env import Target
    from .harness import MODES

    requested = option(request.config, "cn_mode") or "replay"
    if requested not in MODES:
        raise pytest.UsageError(f"--cn-mode must be one of {', '.join(MODES)}, not {requested!r}")
    mode: Mode = cn_harness.effective_mode(requested)
    root, why = cassette_root(cn_harness, option(request.config, "cn_cassettes"), request.config.rootpath)
    complaint = missing_cassettes(cn_harness, mode, root, why)
    if complaint is not None:
        pytest.exit(f"cloudneutral conformance: {complaint}", returncode=pytest.ExitCode.USAGE_ERROR)
    cassettes = str(root)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in cn_harness.environment(mode).items():
            patch.setenv(name, value)
        try:
            url = cn_harness.start(mode)
            yield Target(harness=cn_harness, mode=mode, url=url, cassettes=cassettes)
        finally:
            cn_harness.stop()


@pytest.fixture
def cn(cn_target: Target, request: pytest.FixtureRequest) -> Iterator[Env]:
    """A fresh connection for one test, inside its cassette; skipped when the provider
    lacks a capability the test requires (``@pytest.mark.cn_requires(Capability.X)``)."""
    import cloudneutral

    from .env import Env
    from .marks import required, skip_reason, subject

    node = request.node
    harness = cn_target.harness
    if not any(name == "cn_provider" for name, _ in node.user_properties):
        node.user_properties.append(("cn_provider", harness.name))
    key = test_key(node)
    with contextlib.ExitStack() as stack:
        if cn_target.mode != "live":
            from .recording import cassette, cassette_path

            path = cassette_path(Path(cn_target.cassettes), harness.name, key)
            stack.enter_context(cassette(harness, cn_target.mode, path))
        clock = _clock(cn_target.mode, harness.fake_clock_live)
        cloud = cloudneutral.connect(cn_target.url, clock=clock)
        stack.callback(cloud.close)
        if not any(name == "cn_declared" for name, _ in node.user_properties):
            declared = ",".join(sorted(c.value for c in cloud.capabilities))
            node.user_properties += [("cn_declared", declared), ("cn_mode", cn_target.mode)]
        needed = required(node)
        about = subject(needed)
        missing = [c for c in needed if c not in cloud.capabilities]
        if missing:
            lacking = about if about in missing else missing[0]
            node.user_properties.append(("cn_missing", lacking.value))
            pytest.skip(skip_reason(lacking, about))
        deviation = next(
            (why for test, why in harness.peer_deviations().items() if key.startswith(test)), None
        )
        if deviation is not None:  # the peer's bug, not the adapter's; a fixed peer fails the run
            node.add_marker(pytest.mark.xfail(reason=f"peer deviation: {deviation}", strict=True))
        env = Env(cloud=cloud, target=cn_target, key=key, clock=clock)
        try:
            yield env
        finally:
            env.cleanup()
