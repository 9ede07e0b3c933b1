"""Capture the rackspace conformance cassettes: run the suite against the Rackspace model.

    python scripts/rackspace/capture.py                 # every test: replaces plans and cassettes
    python scripts/rackspace/capture.py -k TestBuckets  # only these (other plans are kept)

See ``raxcassette.capture`` (what runs) and ``raxcassette.model`` (what answers). Needs
the openstack adapter installed (``pip install -e providers/openstack[test]``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from raxcassette.capture import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
