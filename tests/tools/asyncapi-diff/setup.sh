#!/usr/bin/env bash
# Install @asyncapi/diff and @asyncapi/parser (npm), pinned by package-lock.json, into node_modules/
# here, for the compat check's second opinion (tests/unit/contract/compat/asyncapi_diff_test.js).
# `npm ci --ignore-scripts`: exactly the locked versions, and no package's install script runs
# (the only one, @scarf/scarf's, reports the install to an analytics service). package.json pins
# jsep to 1.4.0: 1.6.0, which the parser would get, declares node >= 20.16 and Debian 12 has 18.
# Idempotent and offline once installed: a stamp holding the lock file's checksum skips npm when
# the lock file has not changed since the last install.
# Usage: tests/tools/asyncapi-diff/setup.sh [--force]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STAMP="$HERE/node_modules/.driftline-stamp"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

for bin in node npm; do
  command -v "$bin" >/dev/null || { echo "asyncapi-diff setup: $bin not found (scripts/setup.sh installs it)" >&2; exit 1; }
done

want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
if [[ $FORCE -eq 0 && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  exit 0
fi

cd "$HERE"
npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null
echo "$want" >"$STAMP"
echo "asyncapi-diff setup: installed $(node -p "['diff', 'parser'].map((p) => '@asyncapi/' + p + ' ' + require('@asyncapi/' + p + '/package.json').version).join(', ')") in $HERE/node_modules (node $(node --version))"
