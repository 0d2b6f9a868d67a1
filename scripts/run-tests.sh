#!/usr/bin/env bash
# `make test`: build, check formatting, start the stack, run every test (unit, integration,
# e2e) while the ASan + UBSan build runs beside them, the unit and integration tests again under
# ASan + UBSan, then the fault campaign's short form, stop the stack. Exits non-zero if any step
# or any test fails.
# A stack that was already running before is left running; one this script started is stopped.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
WERROR=${WERROR:-$([[ -n "${CI:-}" ]] && echo ON || echo OFF)}
status=0
# The tests find the stack through these; they follow the stack's port settings.
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
export SQS_ENDPOINT="${SQS_ENDPOINT:-http://127.0.0.1:${SQS_PORT:-4566}}"

step() { printf '\n== %s\n' "$*"; }

step "build ($BUILD_DIR, -Werror=$WERROR)"
make --no-print-directory build BUILD_DIR="$BUILD_DIR" WERROR="$WERROR" || exit 1

step "format check"
make --no-print-directory format-check || status=1

started_stack=0
if ! stack/stack.sh status >/dev/null 2>&1; then
  step "stack up"
  stack/stack.sh up || { echo "run-tests: the stack did not start" >&2; exit 1; }
  started_stack=1
fi
cleanup() { ((started_stack)) && { step "stack down"; stack/stack.sh down; }; }
trap cleanup EXIT

# The unit and integration tests run again later, built with ASan + UBSan (build-asan/). That
# build runs beside the plain tests: the tests spend most of their time waiting on the servers,
# and it makes them pass under load, as they must. SANITIZE=0 leaves the step out (said so in
# the output; CI always runs it).
sanitize_build=""
asan_log="$BUILD_DIR/sanitize-build.log"
if [[ ${SANITIZE:-1} != 0 ]]; then
  step "sanitizer build started beside the tests (log: $asan_log)"
  scripts/sanitize.sh build >"$asan_log" 2>&1 &
  sanitize_build=$!
fi

step "tests"
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600 ${CTEST_ARGS:-} || status=1

if [[ -z $sanitize_build ]]; then
  step "sanitizers: NOT RUN (SANITIZE=0)"
else
  step "sanitizers (ASan + UBSan build of the unit and integration tests)"
  if wait "$sanitize_build"; then
    tail -n 1 "$asan_log"
    scripts/sanitize.sh test || status=1
  else
    tail -n 40 "$asan_log"
    echo "run-tests: the sanitizer build failed (whole log: $asan_log)" >&2
    status=1
  fi
fi

# After every other test: it stops and restarts the broker, so nothing else may run meanwhile.
step "fault campaign (short form)"
mkdir -p "$BUILD_DIR/faults"
"$BUILD_DIR/bin/fault_campaign" --short --json "$BUILD_DIR/faults/campaign-short.json" || status=1

exit $status
