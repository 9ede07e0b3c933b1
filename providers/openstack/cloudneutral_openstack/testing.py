"""The local OpenStack peer, reached the one way the tests, the harness and the benches use.

The peer is a real single-node OpenStack (Keystone, Nova with the fake virt driver, Cinder
with its fake volume driver, Glance, Placement, Swift) on fixed loopback ports, started by
``scripts/peers/openstack.sh`` of a cloudneutral checkout (root on Debian 12; about a
minute). Its clouds.yaml (``.peers/openstack/clouds.yaml``) has clouds ``cn-demo`` (a
plain member) and ``cn-admin``; the project ids come from the peer's committed snapshot,
so every URL is the same on every machine. :class:`Peer` finds, starts and stops it;
:func:`replay_clouds_yaml` writes the clouds.yaml replays use (same identity URL, a
password worth nothing). Nothing here needs vcrpy or a running peer to import.
"""

from __future__ import annotations

import os
import subprocess
import urllib.request
from pathlib import Path

__all__ = [
    "CLOUD",
    "KEYSTONE",
    "PROJECT",
    "REPLAY_PASSWORD",
    "Peer",
    "openstack_url",
    "replay_clouds_yaml",
]

#: Keystone of the peer (fixed port), and the ``demo`` project of its committed snapshot.
KEYSTONE = "http://127.0.0.1:5000/v3"
PROJECT = "e505d756b8234454a27c039d106d3c3c"
#: The cloud of the peer's clouds.yaml the suite runs as (a plain member).
CLOUD = "cn-demo"
#: The password replays log in with: the recorded login's password is redacted and
#: request bodies are not matched, so any value works; this one is worth nothing.
REPLAY_PASSWORD = "cn-replay-not-a-password"

_REPLAY_YAML = """\
# Written by cloudneutral_openstack.testing for a replay: the peer's identity URL, a
# password worth nothing (recorded logins are redacted and bodies are not matched).
clouds:
  {cloud}:
    auth:
      auth_url: {keystone}
      username: demo
      password: {password}
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
"""


def openstack_url(clouds_yaml: str | Path, cloud: str = CLOUD) -> str:
    """The ``openstack://`` URL of ``cloud`` in the clouds.yaml at ``clouds_yaml``."""
    return f"openstack://?cloud={cloud}&clouds_yaml={clouds_yaml}"


def replay_clouds_yaml(path: Path, cloud: str = CLOUD, password: str = REPLAY_PASSWORD) -> Path:
    """Write the clouds.yaml of a replay at ``path``; return it."""
    path.write_text(_REPLAY_YAML.format(cloud=cloud, keystone=KEYSTONE, password=password), encoding="utf-8")
    return path


def _checkout() -> Path | None:
    """The cloudneutral checkout holding the peer script (this editable install's, else
    the working directory's), or ``None``."""
    for base in (Path(__file__).resolve().parents[3], Path.cwd()):
        if (base / "scripts" / "peers" / "openstack.sh").is_file():
            return base
    return None


class Peer:
    """The peer of a checkout: its clouds.yaml, whether it answers, start and stop."""

    def __init__(self, checkout: Path | None = None) -> None:
        self.checkout = checkout or _checkout()
        state = os.environ.get("CN_OPENSTACK_STATE")
        base = Path(state) if state else (self.checkout / ".peers" / "openstack" if self.checkout else None)
        self.clouds_yaml = base / "clouds.yaml" if base else None
        self._started = False

    @staticmethod
    def answers(timeout: float = 2.0) -> bool:
        """Whether Keystone answers on its port."""
        try:
            urllib.request.urlopen(KEYSTONE, timeout=timeout).close()
        except OSError:
            return False
        return True

    def _script(self, *args: str) -> str:
        if self.checkout is None:
            raise RuntimeError("no cloudneutral checkout with scripts/peers/openstack.sh is at hand")
        done = subprocess.run(
            ["bash", str(self.checkout / "scripts" / "peers" / "openstack.sh"), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"openstack.sh {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def ensure(self) -> Path:
        """Start the peer unless it answers; return its clouds.yaml. Raises ``RuntimeError``."""
        if not (self.answers() and self.clouds_yaml and self.clouds_yaml.is_file()):
            self._script("start")
            self._started = True
        if self.clouds_yaml is None or not self.clouds_yaml.is_file():
            raise RuntimeError(f"the OpenStack peer runs but has no clouds.yaml at {self.clouds_yaml}")
        return self.clouds_yaml

    def stop(self) -> None:
        """Stop the peer if :meth:`ensure` started it (keeping its state). Idempotent."""
        if self._started:
            self._started = False
            self._script("stop")
