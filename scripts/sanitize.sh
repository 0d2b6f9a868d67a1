#!/usr/bin/env bash
# `make sanitize`: an AddressSanitizer + UndefinedBehaviorSanitizer Debug build in build-asan/,
# then the unit and integration tests against the stack that is already running
# (stack/stack.sh up). Exits non-zero if the build fails, a test fails, or a sanitizer reports
# anything: UBSan stops at the first finding (-fno-sanitize-recover), ASan at the first error,
# LeakSanitizer fails the process at exit. Nothing is suppressed.
#
# Usage: scripts/sanitize.sh [all|build|test]   (all: build, then test; `make test` builds while
# the plain tests run, then tests)
#
# Environment: SANITIZE_BUILD_DIR (build-asan), JOBS (nproc), CTEST_ARGS (more ctest arguments),
# KAFKA_BOOTSTRAP_SERVERS / SQS_ENDPOINT (else 127.0.0.1:$KAFKA_PORT / http://127.0.0.1:$SQS_PORT,
# the stack's ports, 9092 and 4566 by default), ASAN_OPTIONS / UBSAN_OPTIONS to replace ours.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${SANITIZE_BUILD_DIR:-build-asan}
JOBS=${JOBS:-$(nproc)}
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
export SQS_ENDPOINT="${SQS_ENDPOINT:-http://127.0.0.1:${SQS_PORT:-4566}}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

PHASE=${1:-all}
case "$PHASE" in all | build | test) ;; *) echo "usage: $0 [all|build|test]" >&2; exit 2 ;; esac

step() { printf '\n== %s\n' "$*"; }
seconds_since() { echo $((SECONDS - $1)); }

# host:port of a URL or of a bootstrap list's first entry.
host_port() { local s=${1#*://}; s=${s%%,*}; echo "${s%%/*}"; }

if [[ $PHASE != test ]]; then
  step "configure and build ($BUILD_DIR: ASan + UBSan, Debug)"
  started=$SECONDS
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDRIFTLINE_BUILD_BENCH=OFF \
    -DDRIFTLINE_BUILD_FAULTS=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" || exit 1
  cmake --build "$BUILD_DIR" -j "$JOBS" || exit 1
  build_time=$(seconds_since $started)
  echo "sanitize: build ${build_time} s"
  [[ $PHASE == build ]] && exit 0
fi

for endpoint in "$KAFKA_BOOTSTRAP_SERVERS" "$SQS_ENDPOINT"; do
  hp=$(host_port "$endpoint")
  if ! (exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null; then
    echo "sanitize: nothing listens on $hp; start the stack first (stack/stack.sh up)" >&2
    exit 1
  fi
done

step "unit and integration tests (kafka $KAFKA_BOOTSTRAP_SERVERS, sqs $SQS_ENDPOINT)"
started=$SECONDS
ctest --test-dir "$BUILD_DIR" -L "unit|integration" --output-on-failure --timeout 900 ${CTEST_ARGS:-}
status=$?
test_time=$(seconds_since $started)

step "sanitize: tests ${test_time} s: $( ((status == 0)) && echo passed || echo FAILED)"
exit $status
