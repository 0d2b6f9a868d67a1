#!/usr/bin/env bash
# The Studio page's browser tests: Selenium driving Debian's headless Chromium.
#   tests/browser/run.sh                       start tests/browser/fake_studio.py on a free port, test it
#   tests/browser/run.sh --studio-url URL      test a running studio (e.g. contract-test studio)
#   tests/browser/run.sh --real                the real stack: starts contract-test studio and order-service
#                                              (STUDIO_BIN, ORDER_SERVICE_BIN, LAB_DIR; exits 77, skipped,
#                                              when the lab's files are absent)
# Extra arguments go to unittest instead of the whole module, e.g.
#   test_studio_page.StudioPageTest.test_cancel_stops_the_run
# Screenshots: $BROWSER_SCREENSHOTS (default <repo>/build/browser-screenshots).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$HERE/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$REPO_DIR/.stack}"
export STACK_DIR

URL=""
REAL=0
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --studio-url) URL="${2:?--studio-url needs a URL}"; shift 2 ;;
    --studio-url=*) URL="${1#*=}"; shift ;;
    --real) REAL=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

"$HERE/setup.sh"

# Selenium Manager must never fetch a driver or a browser: the paths are given, and it is offline.
export SE_OFFLINE=true
export BROWSER_SCREENSHOTS="${BROWSER_SCREENSHOTS:-$REPO_DIR/build/browser-screenshots}"
mkdir -p "$BROWSER_SCREENSHOTS"

WORK="$(mktemp -d)"
FAKE_PID=""
cleanup() {
  if [[ -n "$FAKE_PID" ]]; then
    kill "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if ((REAL)); then
  : "${STUDIO_BIN:?--real needs STUDIO_BIN}" "${ORDER_SERVICE_BIN:?--real needs ORDER_SERVICE_BIN}"
  if [[ ! -f "${LAB_DIR:-}/specmatic.yaml" ]]; then
    echo "run.sh: SKIPPED: the lab's files are absent (LAB_DIR=${LAB_DIR:-unset})" >&2
    exit 77
  fi
  "$REPO_DIR/stack/stack.sh" status >/dev/null || { echo "run.sh: the local stack is not ready (make stack-up)" >&2; exit 1; }
  ARGS=("${ARGS[@]:-test_studio_real}")
elif [[ -z "$URL" ]]; then
: >"$WORK/fake.out"
  python3 "$HERE/fake_studio.py" --port 0 >"$WORK/fake.out" 2>"$WORK/fake.err" &
  FAKE_PID=$!
  # The fake prints its URL once it listens; wait for that line (or for it to die).
  for _ in $(seq 1 200); do
    URL="$(sed -n 's/^fake-studio: \(http:[^ ]*\).*/\1/p' "$WORK/fake.out")"
    [[ -n "$URL" ]] && break
    kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.err" >&2; echo "run.sh: fake_studio.py died" >&2; exit 1; }
    sleep 0.05
  done
  [[ -n "$URL" ]] || { echo "run.sh: fake_studio.py printed no URL" >&2; exit 1; }
  echo "run.sh: fake studio at $URL"
fi
export STUDIO_URL="$URL"

cd "$HERE"
start=$(date +%s.%N)
rc=0
"$STACK_DIR/venv/browser/bin/python" -m unittest -v "${ARGS[@]:-test_studio_page}" || rc=$?
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v d="$BROWSER_SCREENSHOTS" \
  'BEGIN { printf "run.sh: browser tests took %.1f s; screenshots in %s\n", e - s, d }'
exit $rc
