"""``python -m cloudneutral``: the ``cloudneutral`` command (see :mod:`cloudneutral.cli`)."""

from .cli import run

run()
