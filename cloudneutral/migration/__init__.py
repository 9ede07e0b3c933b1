"""Migrations between providers: plan, copy, verify, resume.

    import cloudneutral

    plan = cloudneutral.plan("aws://photos?region=eu-west-1", "local://photos?root=/srv/photos")
    print(plan.summary())
    report = cloudneutral.migrate(plan)      # or migrate(src, dst): plans again, then copies

:func:`plan` compares a source location (``PROVIDER://BUCKET[/PREFIX]``) with a destination
and records what will be copied, skipped (already identical, proven by a checksum),
overwritten (same key, other content) or deleted, in a journal (:mod:`.journal`).
:func:`migrate` runs a plan (the same object, or a fresh one), verified end to end and
resumable after a crash at any instant; :func:`verify` checks a finished migration without
downloading what the providers can prove.

:func:`plan_servers` maps a provider's servers, volumes and snapshots onto another's
(closest size, matching image, same CPU architecture; volumes of equal size attached as on
the source) and says what cannot be mapped; :func:`apply_servers` creates them, idempotent
with a journal of its own. The package is written only against the public API of
:mod:`cloudneutral` (bucket handles, uploads, copies, the server and volume services).
"""

from __future__ import annotations

from .api import migrate, plan, verify
from .engine import MigrationReport, Outcome, Settings
from .journal import Entry, Journal, default_journal_path
from .planning import ACTIONS, Plan, proven_identical
from .servers_api import apply_servers, plan_servers
from .servers_apply import Applied, ServerReport
from .servers_journal import Item, ServerJournal
from .servers_plan import ServerPlan
from .verifying import Check, VerifyReport

__all__ = [
    "ACTIONS",
    "Applied",
    "Check",
    "Entry",
    "Item",
    "Journal",
    "MigrationReport",
    "Outcome",
    "Plan",
    "ServerJournal",
    "ServerPlan",
    "ServerReport",
    "Settings",
    "VerifyReport",
    "apply_servers",
    "default_journal_path",
    "migrate",
    "plan",
    "plan_servers",
    "proven_identical",
    "verify",
]
