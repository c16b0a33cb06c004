#!/usr/bin/env bash
# Runs the whole suite on the build scripts/setup.sh made: unit tests and the end-to-end tests,
# which start a real headless Sway, real LXC containers and the real panel themselves.
# One file at a time: the end-to-end tests share the machine's LXC and the desktop user.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-output
export NO_AT_BRIDGE=1
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
if [ ${#files[@]} -eq 0 ]; then
  echo "run-tests: no compiled tests under dist/test: run scripts/setup.sh first" >&2
  exit 1
fi
# The tests run the installed LXC helper: install the one just built, as setup.sh does.
bash scripts/install-helper.sh --allow-test-lxc
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
