"""The pytest plugin (entry point ``pytest11: cloudneutral``): options, markers, fixtures.

Costs nothing when unused: importing it loads neither vcrpy, boto3, any adapter nor the
suite (only pytest and the light cloudneutral core, its parent package). It adds
``--cn-*`` options and two markers, and registers the fixtures of
:mod:`cloudneutral.conformance.fixtures` (which load their machinery on first use). The
report card is wired only when collected tests carry the ``conformance`` marker.

Run the installed suite against a provider whose harness is registered under the
entry-point group ``cloudneutral.conformance``::

    pytest --pyargs cloudneutral.conformance.suite --cn-provider=myprov \\
        [--cn-mode=replay|record|live] [--cn-cassettes=DIR] [--cn-report=card.md ...]

(``--cn-provider=a,b`` runs it for each; ``--cn-provider=pkg.module:factory`` needs no
entry point; environment variables ``CN_PROVIDER``, ``CN_MODE``, ``CN_CASSETTES`` and
``CN_REPORT`` are fallbacks.) Or, in an adapter's own tests, a file of about 20 lines::

    # tests/test_conformance.py
    import pytest

    from cloudneutral.conformance import Harness
    from cloudneutral.conformance.suite import *  # noqa: F403  (the suite's test classes)


    class MyHarness(Harness):
        name = "myprov"                         # cassettes/myprov/<test>.yaml
        ignored_query_params = frozenset({"blockid"})

        def start(self, mode):                  # start an emulator unless mode == "replay"
            return "myprov://?endpoint_url=http://127.0.0.1:9000"


    @pytest.fixture(scope="session")
    def cn_harness():
        return MyHarness()

Then ``pytest tests/test_conformance.py --cn-mode=record`` records the cassettes and a
plain ``pytest`` replays them offline. With ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` set, add
``-p cloudneutral.conformance.plugin`` (never together with autoloading: pytest would
register the plugin twice).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest

_AREA = "conformance"
_REPORT = "cloudneutral-conformance-report"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cloudneutral", "cloudneutral conformance suite")
    group.addoption(
        "--cn-provider",
        dest="cn_provider",
        default=None,
        help="conformance harness(es) to run, comma-separated: entry-point names of group "
        "'cloudneutral.conformance' or module:factory (env CN_PROVIDER)",
    )
    group.addoption(
        "--cn-mode",
        dest="cn_mode",
        default=None,
        choices=("replay", "record", "live"),
        help="replay cassettes offline (default), record them against a live endpoint, or run "
        "live without cassettes (env CN_MODE)",
    )
    group.addoption(
        "--cn-cassettes",
        dest="cn_cassettes",
        default=None,
        help="cassette directory; <DIR>/<provider>/<test>.yaml (default <rootdir>/cassettes; "
        "env CN_CASSETTES)",
    )
    group.addoption(
        "--cn-report",
        dest="cn_report",
        action="append",
        default=None,
        help="write the conformance report card to FILE (.json, .html, else Markdown; repeatable; "
        "{provider} in FILE writes one file per provider; env CN_REPORT)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{_AREA}(area): a cloudneutral conformance test of an area")
    config.addinivalue_line(
        "markers", "cn_requires(*capabilities): skip unless the provider declares every capability"
    )
    config.pluginmanager.register(importlib.import_module("cloudneutral.conformance.fixtures"))


def _providers(config: pytest.Config) -> list[str]:
    raw = config.getoption("cn_provider", default=None) or os.environ.get("CN_PROVIDER") or ""
    return [name.strip() for name in raw.split(",") if name.strip()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """With several providers, run each conformance test once per provider."""
    if "cn_harness" not in metafunc.fixturenames:
        return
    providers = _providers(metafunc.config)
    if len(providers) > 1:
        metafunc.parametrize("cn_harness", providers, indirect=True, scope="session", ids=providers)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tag conformance items with their area and wire the report card when there are any."""
    from .fixtures import test_key
    from .marks import required, subject

    found = False
    for item in items:
        marker = item.get_closest_marker(_AREA)
        if marker is None:
            continue
        found = True
        item.user_properties.append(("cn_area", str(marker.args[0]) if marker.args else "other"))
        about = subject(required(item))
        item.user_properties.append(("cn_subject", about.value if about is not None else ""))
        if getattr(item, "function", None) is not None:
            item.user_properties.append(("cn_test", test_key(item)))
        callspec: Any = getattr(item, "callspec", None)
        if callspec is not None and isinstance(callspec.params.get("cn_harness"), str):
            item.user_properties.append(("cn_provider", callspec.params["cn_harness"]))
    if found and not config.pluginmanager.has_plugin(_REPORT):
        report = importlib.import_module("cloudneutral.conformance.report")
        config.pluginmanager.register(report.ReportCard(config), _REPORT)
