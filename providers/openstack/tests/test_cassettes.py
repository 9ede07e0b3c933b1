"""No credential reaches a cassette: a user with a planted password records against the peer
and every cassette is searched (bodies decoded) for it, for Keystone tokens, for Nova's
``adminPass`` and for unredacted token headers; the committed OpenStack and Rackspace
cassettes are searched the same way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack.config
import openstack.connection
import pytest
import yaml
from cloudneutral_openstack.conformance import RackspaceHarness

from cloudneutral.conformance.scrub import find_secrets

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = [ROOT / "cassettes" / "openstack", ROOT / "cassettes" / "rackspace"]
PLANTED_USER = "cn-planted"
PLANTED_PASSWORD = "cn-planted-password-7f3e9a51c2d84b06"
TOKEN_HEADERS = ("X-Auth-Token", "X-Subject-Token", "X-Service-Token")

PLANTED_MODULE = """
import pytest

from cloudneutral.conformance.suite import TestBlobReadWrite, TestBuckets, TestVolumes  # noqa: F401
from cloudneutral_openstack.conformance import OpenStackHarness


@pytest.fixture(scope="session")
def cn_harness():
    return OpenStackHarness(cloud={user!r}, clouds_yaml={clouds!r})


def test_the_user_logs_in(cn):
    import openstack.connection

    conn = cn.cloud.as_native(openstack.connection.Connection)
    assert conn.config.config["auth"]["username"] == {user!r}
    cn.bucket()  # one authenticated request at least, recorded
"""

CLOUDS = """\
clouds:
  {user}:
    auth:
      auth_url: http://127.0.0.1:5000/v3
      username: {user}
      password: {password}
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
"""


def _texts(path: Path) -> str:
    """The cassette's text plus every body decoded (scrubbed bodies are written as bytes)."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    parts = [raw]
    for interaction in (yaml.safe_load(raw) or {}).get("interactions", []):
        for body in (
            interaction["request"].get("body"),
            (interaction["response"].get("body") or {}).get("string"),
        ):
            if isinstance(body, bytes):
                parts.append(body.decode("utf-8", errors="replace"))
            elif isinstance(body, str):
                parts.append(body)  # unfolded: YAML may break a member across lines
    return "\n".join(parts)


def leaks(path: Path, known: tuple[str, ...] = ()) -> list[str]:
    text = _texts(path)
    found = find_secrets(text, known)
    found += [f"adminPass {m!r}" for m in re.findall(r'"adminPass":\s*"([^"]*)"', text) if m != "REDACTED"]
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for interaction in doc.get("interactions", []):
        for side in (interaction["request"], interaction["response"]):
            for name, values in (side.get("headers") or {}).items():
                if name.lower() in {h.lower() for h in TOKEN_HEADERS} and any(
                    v not in ("", "REDACTED") for v in values
                ):
                    found.append(f"header {name} not redacted")
    return found


@pytest.fixture
def planted_user(peer_clouds_yaml: Path) -> Iterator[None]:
    """The member ``cn-planted`` of project ``demo``, with the planted password."""
    config = openstack.config.OpenStackConfig(config_files=[str(peer_clouds_yaml)], load_envvars=False)
    admin: Any = openstack.connection.Connection(config=config.get_one(cloud="cn-admin"))
    user = admin.identity.find_user(PLANTED_USER, domain_id="default")
    if user is None:
        user = admin.identity.create_user(name=PLANTED_USER, domain_id="default", password=PLANTED_PASSWORD)
    else:
        admin.identity.update_user(user, password=PLANTED_PASSWORD)
    project = admin.identity.find_project("demo", domain_id="default")
    admin.identity.assign_project_role_to_user(project, user, admin.identity.find_role("member"))
    yield
    admin.identity.delete_user(user, ignore_missing=True)
    admin.close()


def test_recording_with_a_planted_password_leaves_no_trace(tmp_path: Path, planted_user: None) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(CLOUDS.format(user=PLANTED_USER, password=PLANTED_PASSWORD), encoding="utf-8")
    module = tmp_path / "test_secret_check.py"
    module.write_text(textwrap.dedent(PLANTED_MODULE.format(user=PLANTED_USER, clouds=str(clouds))), "utf-8")
    cassettes = tmp_path / "cassettes"
    plugin = (
        ["-p", "cloudneutral.conformance.plugin"] if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else []
    )
    keep = "logs_in or test_create_returns_bucket or test_multipart_from_iterator or test_attach_and_detach"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *plugin, str(module), "-q", "-p", "no:cacheprovider",
         f"--rootdir={tmp_path}", "--cn-mode=record", f"--cn-cassettes={cassettes}", "-k", keep],
        capture_output=True, text=True, cwd=tmp_path, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    files = sorted((cassettes / "openstack").glob("*.yaml"))
    assert len(files) == 4, files
    server_created = False
    for path in files:
        text = _texts(path)
        assert '"password": "REDACTED"' in text, f"{path.name}: no redacted login"
        assert "2099-01-01T00:00:00.000000Z" in text, f"{path.name}: token expiry not pinned"
        server_created |= '"adminPass": "REDACTED"' in text
        assert leaks(path, (PLANTED_PASSWORD,)) == [], path.name
    assert server_created, "no recorded server creation: adminPass went unchecked"


@pytest.mark.parametrize("root", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_cassettes_hold_no_credentials(root: Path) -> None:
    files = sorted(root.glob("*.yaml"))
    if not files:
        pytest.skip(f"no cassettes under {root}")
    known = (RackspaceHarness.API_KEY, PLANTED_PASSWORD)
    leaking = {p.name: leaks(p, known) for p in files}
    assert {name: found for name, found in leaking.items() if found} == {}
