#!/usr/bin/env bash
# `make test`: build, check formatting, start the stack, run every test (unit, integration,
# e2e) while the sanitizer builds run beside them, the unit and integration tests again under
# ASan + UBSan, the unit, integration and e2e tests under TSan, then the fault campaign's short
# form, stop the stack. Exits non-zero if any step or any test fails.
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

# The tests run again later, built with ASan + UBSan (build-asan/: unit and integration) and
# with TSan (build-tsan/: unit, integration and e2e). Both builds run in the background, one
# after the other (two at once would each take twice as long on two cores, and the ASan tests
# can start as soon as theirs is done): the ASan build beside the plain tests, the TSan build
# beside the plain tests' end and the ASan tests. The tests spend most of their time waiting on
# the servers, and running beside a build proves they pass under load, as they must. The test
# runs themselves never overlap: they share the stack's topics and queues. SANITIZE=0 leaves
# both steps out (said so in the output; CI always runs them).
asan_build="" tsan_build=""
asan_log="$BUILD_DIR/sanitize-build.log"
tsan_log="$BUILD_DIR/tsan-build.log"
unset SANITIZE_BUILD_DIR  # each sanitizer in its own folder
if [[ ${SANITIZE:-1} != 0 ]]; then
  step "sanitizer builds started beside the tests: ASan + UBSan, then TSan (logs: $asan_log, $tsan_log)"
  SANITIZER=address scripts/sanitize.sh build >"$asan_log" 2>&1 &
  asan_build=$!
  (
    tail --pid="$asan_build" -f /dev/null  # waits for the ASan build, whatever its outcome
    SANITIZER=thread scripts/sanitize.sh build
  ) >"$tsan_log" 2>&1 &
  tsan_build=$!
fi

step "tests"
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600 ${CTEST_ARGS:-} || status=1

# sanitizer_step NAME SANITIZER BUILD_PID BUILD_LOG: waits for the build, then runs its tests.
sanitizer_step() {
  local name=$1 sanitizer=$2 build=$3 log=$4
  step "sanitizers: $name"
  if wait "$build"; then
    tail -n 1 "$log"
    SANITIZER=$sanitizer scripts/sanitize.sh test || status=1
  else
    tail -n 40 "$log"
    echo "run-tests: the $name build failed (whole log: $log)" >&2
    status=1
  fi
}

if [[ -z $asan_build ]]; then
  step "sanitizers: NOT RUN (SANITIZE=0): neither ASan + UBSan nor TSan"
else
  sanitizer_step "ASan + UBSan build of the unit and integration tests" address "$asan_build" "$asan_log"
  sanitizer_step "TSan build of the unit, integration and e2e tests" thread "$tsan_build" "$tsan_log"
fi

# After every other test: it stops and restarts the broker, so nothing else may run meanwhile.
step "fault campaign (short form)"
mkdir -p "$BUILD_DIR/faults"
"$BUILD_DIR/bin/fault_campaign" --short --json "$BUILD_DIR/faults/campaign-short.json" || status=1

exit $status
