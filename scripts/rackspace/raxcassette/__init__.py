"""raxcassette: vcrpy cassettes assembled from real recorded Rackspace traffic.

No Rackspace account is reachable, so the rackspace conformance cassettes are assembled
from what Rackspace really answered, as kept under ``cassettes/rackspace/sources``
(fog-rackspace VCR cassettes, php-opencloud raw responses, pkgcloud bodies). Read
:mod:`raxcassette.sources` for the readers, :mod:`raxcassette.edits` for the edits an
assembly script may make, :mod:`raxcassette.assemble` for scripts, steps and the
provenance markers, and :mod:`raxcassette.rackspace` for logins, endpoints and version
discovery. ``python scripts/rackspace/build_cassettes.py [--check]`` (re)builds every
cassette from ``scripts/rackspace/assemblies/*.py``.
"""

from __future__ import annotations

from . import rackspace
from .assemble import (
    BASIS_HEADER,
    CASSETTES,
    EDITS_HEADER,
    PROVENANCE_HEADER,
    Script,
    Step,
    Synthesized,
    assemble,
    delete,
    get,
    head,
    load_script,
    post,
    preview,
    put,
    render,
    write,
)
from .edits import (
    DropHeader,
    EditError,
    JsonSet,
    Replace,
    SetBody,
    SetHeader,
    SetStatus,
    SetTokenExpiry,
)
from .sources import SOURCES, SourceResponse, fog_interaction, json_body, raw_response

__all__ = [
    "BASIS_HEADER",
    "CASSETTES",
    "EDITS_HEADER",
    "PROVENANCE_HEADER",
    "SOURCES",
    "DropHeader",
    "EditError",
    "JsonSet",
    "Replace",
    "Script",
    "SetBody",
    "SetHeader",
    "SetStatus",
    "SetTokenExpiry",
    "SourceResponse",
    "Step",
    "Synthesized",
    "assemble",
    "delete",
    "fog_interaction",
    "get",
    "head",
    "json_body",
    "load_script",
    "post",
    "preview",
    "put",
    "rackspace",
    "raw_response",
    "render",
    "write",
]
