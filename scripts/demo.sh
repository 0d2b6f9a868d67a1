#!/usr/bin/env bash
# `make demo`: builds only the two binaries the demo runs (order-service, contract-test) while the
# local stack starts, then runs contracts/run-demo.sh (which holds order-service's input to the
# contract under test, ORDER_CONTRACT). Prints the time to the summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
WERROR=${WERROR:-OFF}
JOBS=${JOBS:-$(nproc)}
started=$SECONDS

# The stack starts in the background: its JVMs wait on I/O and the topic tool while the compiler
# has the cores; a stack that is already up answers at once.
stack_log="$(mktemp)"
stack/stack.sh up >"$stack_log" 2>&1 &
stack_pid=$!
trap 'kill "$stack_pid" 2>/dev/null || true; rm -f "$stack_log"' EXIT

[[ -f "$BUILD_DIR/build.ninja" ]] ||
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DDRIFTLINE_WERROR="$WERROR"
cmake --build "$BUILD_DIR" -j "$JOBS" --target order-service contract-test
echo "demo: built order-service and contract-test in $((SECONDS - started)) s"

if ! wait "$stack_pid"; then
  cat "$stack_log" >&2
  echo "demo: the stack did not start" >&2
  exit 1
fi
cat "$stack_log"
trap - EXIT
rm -f "$stack_log"

status=0
BUILD_DIR="$BUILD_DIR" contracts/run-demo.sh "$@" || status=$?
echo "demo: $((SECONDS - started)) s from the start of the build to the end of the run"
exit $status
