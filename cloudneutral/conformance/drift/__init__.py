"""Cassette drift: does the live peer still answer as the committed cassettes say?

:func:`~.command.check_drift` records the suite into a temporary folder (record mode, another
cassette directory) and compares every fresh cassette with the committed one, request by
request, on what matters and not on what changes every run (:mod:`.shape`): the sequence of
method + path (ids normalised) + query names, the status codes, a few headers (content type,
ETag presence, error codes, content range), and the body's shape (JSON/XML structure and
value types; a length class for other bodies). :mod:`.compare` says what changed per
cassette. ``cloudneutral conformance PROVIDER --drift`` runs it.
"""

from __future__ import annotations

from .compare import CassetteDrift, DriftReport, compare_cassettes, compare_trees
from .shape import Exchange, exchanges

__all__ = ["CassetteDrift", "DriftReport", "Exchange", "compare_cassettes", "compare_trees", "exchanges"]
