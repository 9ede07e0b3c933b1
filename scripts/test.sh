#!/usr/bin/env bash
# Run the test suite: `bash scripts/test.sh [PYTEST ARGS...]`.
#
# Uses .venv at the repository root; creates it with python3 (or $PYTHON) and installs the
# core (with its dask extra: the Dask migration tests) and the in-repo adapters (aws, azure, openstack)
# editable, with their test dependencies, when it is missing or incomplete. Network is needed
# only for that first installation (package index).
#
# Without arguments: `python -m pytest` (tests/, the core, local provider, CLI, examples and
# the conformance suite), then each adapter's own tests (providers/NAME/tests) in a session
# of its own (an adapter's test set-up, such as moto's settings, must come first in its
# process). With arguments: one `python -m pytest ARGS...`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

if [[ ! -x "$PY" ]]; then
    echo "scripts/test.sh: creating $VENV" >&2
    "${PYTHON:-python3}" -m venv "$VENV"
fi

# What must import, and from this checkout, for the tests to run: the core with its test
# extra, and every adapter under providers/ (each a distribution of its own) with its own.
check='import pathlib, cloudneutral, pytest, vcr, yaml, distributed
assert pathlib.Path(cloudneutral.__file__).resolve().is_relative_to(pathlib.Path.cwd().resolve() / "cloudneutral")'
packages=(-e '.[test,dask]')
for adapter in providers/*/pyproject.toml; do
    dir="${adapter%/pyproject.toml}"
    [[ "$dir" == providers/_template ]] && continue
    name="${dir#providers/}"
    check+=$'\n'"import cloudneutral_${name}"
    packages+=(-e "$dir[test]")
done
if ! "$PY" -c "$check" >/dev/null 2>&1; then
    echo "scripts/test.sh: installing test dependencies into $VENV" >&2
    "$PY" -m pip install --quiet --disable-pip-version-check "${packages[@]}"
fi

if [[ $# -gt 0 ]]; then
    exec "$PY" -m pytest "$@"
fi

status=0
"$PY" -m pytest || status=$?
for tests in providers/*/tests; do
    [[ -d "$tests" && -f "${tests%/tests}/pyproject.toml" && "$tests" != providers/_template/* ]] || continue
    echo "scripts/test.sh: $tests" >&2
    "$PY" -m pytest "$tests" || status=$?
done
exit "$status"
