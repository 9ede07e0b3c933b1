"""``import cloudneutral`` stays light: no vendor SDK, no test tooling."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "boto3",
    "botocore",
    "azure",
    "openstack",
    "keystoneauth1",
    "rackspaceauth",
    "vcr",
    "pytest",
    "moto",
    "requests",
    "urllib3",
    "dask",
    "distributed",
)


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return {name.split(".")[0] for name in out.split()}


def test_import_cloudneutral_loads_no_vendor_sdk_or_test_tooling() -> None:
    loaded = _modules_after("import cloudneutral")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_connecting_to_local_loads_no_vendor_sdk() -> None:
    loaded = _modules_after("import cloudneutral; cloudneutral.connect('local://').close()")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_listing_providers_loads_no_adapter() -> None:
    """Entry points are read, not loaded: installed adapters (aws, azure, openstack) stay unimported."""
    loaded = _modules_after("import cloudneutral; cloudneutral.available_providers()")
    adapters = {"cloudneutral_aws", "cloudneutral_azure", "cloudneutral_openstack"}
    assert not loaded & {*HEAVY, *adapters}, loaded & {*HEAVY, *adapters}


def test_migrations_load_no_dask_until_a_run_on_a_cluster() -> None:
    statement = (
        "import cloudneutral, cloudneutral.migration, cloudneutral.migration.distributed; "
        "import cloudneutral.migration.dask_task, cloudneutral.cli; cloudneutral.cli.build_parser(); "
        "cloudneutral.plan_servers, cloudneutral.apply_servers, cloudneutral.migrate"
    )
    loaded = _modules_after(statement)
    assert not loaded & {"dask", "distributed", "tornado"}, loaded & {"dask", "distributed", "tornado"}


def test_listing_and_parsing_provider_urls_loads_no_vendor_sdk() -> None:
    """Entry points are listed (openstack and rackspace among them when installed) and URLs
    parsed without importing any adapter: the SDK loads only when a provider is opened."""
    statement = (
        "import cloudneutral; from cloudneutral.registry import parse_url; "
        "cloudneutral.available_providers(); "
        "parse_url('openstack://c/p?cloud=x'); parse_url('rackspace://c?region=IAD')"
    )
    loaded = _modules_after(statement)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
