"""The conformance harness of NAME (entry point ``NAME`` in ``cloudneutral.conformance``).

``cloudneutral conformance NAME --live`` runs the suite against the URL :meth:`start`
returns; ``--record`` also writes cassettes; the default (replay) mode must not contact
anything. See :mod:`cloudneutral.conformance.harness` for the whole contract.
"""

from __future__ import annotations

import os

from cloudneutral.conformance.harness import Harness, Mode

__all__ = ["NameHarness", "harness"]


class NameHarness(Harness):
    """How the suite reaches NAME: an emulator, or an account given by the environment."""

    name = "NAME"
    #: Headers that carry credentials in this SDK's requests (removed from cassettes).
    scrubbed_headers = frozenset({"Authorization"})

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


def harness() -> Harness:
    """Entry-point factory."""
    return NameHarness()
