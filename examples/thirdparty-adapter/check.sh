#!/usr/bin/env bash
# The provider-author kit in one command: `bash examples/thirdparty-adapter/check.sh`.
#
# Creates a fresh virtualenv in a temporary directory (python3, or $PYTHON), installs the
# cloudneutral core from this checkout and the example adapter with its test extra (pip
# fetches the rest from the package index), then, from an empty directory as an outside
# author would, runs the installed conformance suite against the adapter twice:
#   1. live:   the harness starts a TinyBlob service on loopback; no cassettes
#   2. replay: offline, from examples/thirdparty-adapter/cassettes (committed)
# Each run ends with the suite's report card (what passed, what was skipped and why);
# CN_REPORT=FILE also writes the replay's card to FILE (.json, else Markdown).
# Exit 0 only when both pass. The temporary directory is removed on exit
# (CN_KEEP_VENV=1 keeps it and prints where). Takes about a minute, mostly pip.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CORE="$(cd "$HERE/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tinyblob-check.XXXXXX")"
cleanup() {
    if [[ "${CN_KEEP_VENV:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
t0=$SECONDS

echo "== fresh virtualenv: $WORK/venv"
"${PYTHON:-python3}" -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check -e "$CORE" -e "$HERE[test]"
echo "installed in $((SECONDS - t0)) s: $("$PY" -c 'import cloudneutral; print(cloudneutral.available_providers())')"

mkdir "$WORK/run" && cd "$WORK/run"  # no conftest, no pytest configuration: the installed suite only
# The plugin comes from cloudneutral's pytest11 entry point, the harness from the adapter's
# cloudneutral.conformance entry point: nothing here names a file of the example.
export PYTEST_ADDOPTS="-q -p no:cacheprovider"

echo "== conformance, live against a TinyBlob service on loopback"
t1=$SECONDS
"$WORK/venv/bin/cloudneutral" conformance tinyblob --live
echo "live: $((SECONDS - t1)) s"

echo "== conformance, replayed from the committed cassettes (offline)"
t1=$SECONDS
"$WORK/venv/bin/cloudneutral" conformance tinyblob ${CN_REPORT:+--report "$CN_REPORT"}
echo "replay: $((SECONDS - t1)) s"
echo "== check.sh passed in $((SECONDS - t0)) s"
