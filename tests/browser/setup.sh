#!/usr/bin/env bash
# Install Selenium (from PyPI) into its own virtualenv for the Studio page's browser tests. The
# browser and its driver are Debian's (/usr/bin/chromium, /usr/bin/chromedriver); nothing here
# downloads a browser or a driver.
#   venv: $STACK_DIR/venv/browser   (STACK_DIR defaults to <repo>/.stack)
# Idempotent: a stamp holding the requirement spec skips pip when nothing changed.
# Usage: tests/browser/setup.sh [--force]
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$REPO_DIR/.stack}"
VENV="$STACK_DIR/venv/browser"
SPEC='selenium==4.51.0'
STAMP="$VENV/.driftline-stamp"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

command -v python3 >/dev/null || { echo "browser setup: python3 not found" >&2; exit 1; }
for bin in /usr/bin/chromium /usr/bin/chromedriver; do
  [[ -x "$bin" ]] || { echo "browser setup: $bin missing (apt-get install chromium chromium-driver)" >&2; exit 1; }
done

if [[ $FORCE -eq 0 && -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$SPEC" ]]; then
  exit 0
fi

mkdir -p "$(dirname "$VENV")"
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SPEC"
echo "$SPEC" >"$STAMP"
echo "browser setup: installed selenium $("$VENV/bin/python" -c 'import selenium; print(selenium.__version__)') in $VENV"
