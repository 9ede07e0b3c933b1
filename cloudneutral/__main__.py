"""``python -m cloudneutral``: the ``cloudneutral`` command (see :mod:`cloudneutral.cli`)."""

import sys

from .cli import main

sys.exit(main())
