"""Build (or check) the Rackspace cassettes assembled from real sources.

    python scripts/rackspace/build_cassettes.py            # write every cassette
    python scripts/rackspace/build_cassettes.py --check    # exit 1 if any is out of date
    python scripts/rackspace/build_cassettes.py FILE.py    # only these assembly scripts

Assembly scripts are ``scripts/rackspace/assemblies/*.py``, each defining ``SCRIPT``;
cassettes go to ``cassettes/rackspace/<SCRIPT.name>.yaml``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from raxcassette.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
