"""The cloudneutral conformance suite: one set of tests, every provider.

An adapter proves itself by running the tests of :mod:`cloudneutral.conformance.suite`
against a :class:`~cloudneutral.conformance.harness.Harness` that says how to reach it.
See ``docs/provider-authors.md`` and :mod:`cloudneutral.conformance.plugin`.

This package stays import-light (the pytest plugin imports it in every pytest run): names
below are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .harness import Harness, Mode, load_harness
    from .runner import run

__all__ = ["Harness", "Mode", "load_harness", "run"]

_LAZY = {"Harness": "harness", "Mode": "harness", "load_harness": "harness", "run": "runner"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
