"""The conformance harness of NAME (entry point ``NAME`` in ``cloudneutral.conformance``).

``cloudneutral conformance NAME --live`` runs the suite against the URL :meth:`start`
returns; ``--record`` also writes cassettes; the default (replay) mode must not contact
anything. See :mod:`cloudneutral.conformance.harness` for the whole contract and
``docs/provider-authors.md`` for what each hook lets the suite check.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from cloudneutral import Cloud
from cloudneutral.conformance.harness import Harness, Mode
from cloudneutral.conformance.injection import Fault

__all__ = ["NameHarness", "harness"]


class NameHarness(Harness):
    """How the suite reaches NAME: an emulator, or an account given by the environment."""

    name = "NAME"
    #: Headers that carry credentials in this SDK's requests (removed from cassettes).
    scrubbed_headers = frozenset({"Authorization"})
    #: The committed cassettes, found from this package (providers/NAME/cloudneutral_NAME),
    #: so the suite replays from any directory.
    cassettes = str(Path(__file__).resolve().parents[3] / "cassettes")
    #: Request body fields the SDK fills randomly (idempotency tokens ...): not matched.
    ignored_body_fields: frozenset[str] = frozenset()

    def start(self, mode: Mode) -> str:
        # In record/live mode, start an emulator here (and stop it in stop()), or read an
        # endpoint from the environment. Replay must return the URL used when recording.
        return os.environ.get("CN_NAME_URL", "NAME://?region=test-1")

    def secrets(self) -> list[str]:
        """Values that must never appear in a cassette: every credential variable of the
        vendor (``NAME_SECRET_KEY`` ...; upper-cased here, whatever the package is called)."""
        prefix = "NAME".upper() + "_"
        words = ("SECRET", "KEY", "TOKEN", "PASSWORD")
        return [v for k, v in os.environ.items() if k.startswith(prefix) and any(w in k for w in words) and v]

    # -- hooks of the suite: fill them in as the adapter grows ---------------------------
    def native_types(self) -> Mapping[str, Sequence[type]]:
        """The SDK types ``as_native`` offers per service, e.g. ``{"": [Session]}``."""
        return {}

    def native_fault(self, fault: Fault) -> BaseException | None:
        """What the SDK raises when the service answers ``fault`` (throttling, a 5xx, a 401,
        a 403), so the suite checks ``errors.translate``; or override ``inject`` to answer at
        the HTTP level. The default (the portable error itself) checks only the core."""
        return super().native_fault(fault)

    def unfinished_uploads(self, cloud: Cloud, bucket: str) -> list[str] | None:
        """The ids of the unfinished uploads in parts of ``bucket``; ``None``: cannot tell."""
        return None


def harness() -> Harness:
    """Entry-point factory."""
    return NameHarness()
