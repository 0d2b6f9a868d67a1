#!/usr/bin/env bash
# Install moto (a second SQS implementation, from PyPI) into its own virtualenv. The SQS
# integration tests start `moto_server` themselves, on a free loopback port with IAM checks on,
# to check that requests signed by libcurl are accepted and that a wrong secret is rejected —
# ElasticMQ never checks signatures.
#   venv: $STACK_DIR/venv/moto   (STACK_DIR defaults to <repo>/.stack)
#   server: $STACK_DIR/venv/moto/bin/moto_server
# Idempotent: a stamp holding the requirement spec skips pip when nothing changed.
# Usage: stack/setup-moto.sh [--force]
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${STACK_DIR:-$REPO_DIR/.stack}"
VENV="$STACK_DIR/venv/moto"
SPEC='moto[server]==5.1.*'
STAMP="$VENV/.driftline-stamp"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

command -v python3 >/dev/null || { echo "setup-moto: python3 not found" >&2; exit 1; }

if [[ $FORCE -eq 0 && -x "$VENV/bin/moto_server" && -f "$STAMP" && "$(cat "$STAMP")" == "$SPEC" ]]; then
  echo "setup-moto: $("$VENV/bin/python" -c 'import moto; print("moto", moto.__version__)') up to date in $VENV"
  exit 0
fi

mkdir -p "$(dirname "$VENV")"
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet "$SPEC"
echo "$SPEC" >"$STAMP"
echo "setup-moto: installed $("$VENV/bin/python" -c 'import moto; print("moto", moto.__version__)') in $VENV"
