"""Running a plan over a Dask cluster (placeholder until the Dask executor lands)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import Unsupported
from .engine import MigrationReport, Outcome, Settings
from .planning import Plan

__all__ = ["DaskClient", "run_on_dask"]

DaskClient = Any


def run_on_dask(
    plan: Plan, client: DaskClient, settings: Settings, *, on_done: Callable[[Outcome], None] | None = None
) -> MigrationReport:
    raise Unsupported("running a migration on Dask is not available yet")
