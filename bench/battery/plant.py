"""Plant a mutant in this process only: an import hook serves the edited source of one
module, so the files on disk are never touched.

Install :class:`Planter` before anything imports the module (the tool runs pytest in a
fresh interpreter for each mutant and installs it first). Each edit's old text must occur
exactly once in the module's source, else :class:`StaleMutant` is raised when the module
is imported: the battery no longer matches the code and must be updated.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import CodeType
from typing import Any

__all__ = ["Planter", "StaleMutant", "apply_edits"]


class StaleMutant(RuntimeError):
    """An edit whose old text is not in the module exactly once."""


def apply_edits(source: str, edits: Sequence[tuple[str, str]], where: str) -> str:
    """``source`` with every ``(old, new)`` edit applied; each ``old`` must occur once."""
    for old, new in edits:
        count = source.count(old)
        if count != 1:
            raise StaleMutant(f"{where}: the text to replace occurs {count} times, not once:\n{old}")
        source = source.replace(old, new)
    return source


class _Loader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname: str, path: str, planter: Planter) -> None:
        super().__init__(fullname, path)
        self._planter = planter

    def get_code(self, fullname: str) -> CodeType:
        with open(self.path, encoding="utf-8") as fh:
            source = apply_edits(fh.read(), self._planter.edits, self.path)
        self._planter.applied = True
        return compile(source, self.path, "exec", dont_inherit=True)


class Planter(importlib.abc.MetaPathFinder):
    """A meta path finder that serves ``module`` with ``edits`` applied (``applied`` tells
    whether it was imported)."""

    def __init__(self, module: str, edits: Sequence[tuple[str, str]]) -> None:
        self.module = module
        self.edits = tuple(edits)
        self.applied = False

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.module:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        spec.loader = _Loader(fullname, spec.origin, self)
        return spec

    def install(self) -> Planter:
        if self.module in sys.modules:
            raise RuntimeError(f"{self.module} is imported already: plant before importing it")
        sys.meta_path.insert(0, self)
        return self
