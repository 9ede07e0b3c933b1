"""``python -m cloudneutral_azure.testing.arm_peer [--port N] [--polls N] [--log]``: serve until stopped."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from . import ArmPeer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arm_peer", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--polls", type=int, default=1, help="InProgress answers per operation (default 1)")
    parser.add_argument(
        "--retry-after", type=int, default=None, help="send this Retry-After with LRO answers"
    )
    parser.add_argument("--log", action="store_true", help="log method and path of each request")
    args = parser.parse_args(argv)
    peer = ArmPeer(args.port, polls=args.polls, retry_after=args.retry_after, log=args.log)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    peer.start()
    print(peer.endpoint, flush=True)
    stopping.wait()
    peer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
