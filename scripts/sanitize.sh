#!/usr/bin/env bash
# The sanitizer builds, each in its own Debug build folder, and their tests against the stack that
# is already running (stack/stack.sh up). Exits non-zero if the build fails, a test fails, or a
# sanitizer reports anything.
#
#   SANITIZER=address (default, `make sanitize`): AddressSanitizer + UndefinedBehaviorSanitizer in
#     build-asan/, the unit and integration tests. UBSan stops at the first finding
#     (-fno-sanitize-recover), ASan at the first error, LeakSanitizer fails the process at exit.
#     Nothing is suppressed.
#   SANITIZER=thread (`make tsan`): ThreadSanitizer in build-tsan/ (-O1: the tests run several
#     times faster than at -O0, and TSan sees every access either way), the unit, integration
#     and e2e tests; they start order-service and contract-test built with TSan too. The first
#     report stops the process (halt_on_error, exit code 66) and is written to
#     build-tsan/tsan-reports/ rather than stderr, so that a report from a child process whose
#     exit code a test does not check (killed, or expected to fail) still fails the run: any
#     file there afterwards fails it and is printed. Suppressions, if any, are in
#     scripts/tsan.supp, each with the reason it is a false positive.
#
# Usage: scripts/sanitize.sh [all|build|test]   (all: build, then test; `make test` builds while
# the plain tests run, then tests)
#
# Environment: SANITIZER (address), SANITIZE_BUILD_DIR (build-asan / build-tsan), JOBS (nproc),
# CTEST_ARGS (more ctest arguments), KAFKA_BOOTSTRAP_SERVERS / SQS_ENDPOINT (else
# 127.0.0.1:$KAFKA_PORT / http://127.0.0.1:$SQS_PORT, the stack's ports, 9092 and 4566 by
# default), ASAN_OPTIONS / UBSAN_OPTIONS / TSAN_OPTIONS to replace ours.
set -uo pipefail
cd "$(dirname "$0")/.."

SANITIZER=${SANITIZER:-address}
case "$SANITIZER" in
  address)
    NAME="ASan + UBSan"
    BUILD_DIR=${SANITIZE_BUILD_DIR:-build-asan}
    FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    LINK_FLAGS="-fsanitize=address,undefined"
    OPT_FLAGS="-g"
    LABELS="unit|integration"
    REPORT_DIR=""
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    ;;
  thread)
    NAME="TSan"
    BUILD_DIR=${SANITIZE_BUILD_DIR:-build-tsan}
    FLAGS="-fsanitize=thread -fno-omit-frame-pointer"
    LINK_FLAGS="-fsanitize=thread"
    OPT_FLAGS="-g -O1"
    LABELS="unit|integration|e2e"
    REPORT_DIR="$BUILD_DIR/tsan-reports"
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp:log_path=$PWD/$REPORT_DIR/tsan}"
    ;;
  *) echo "sanitize: SANITIZER is address or thread, not '$SANITIZER'" >&2; exit 2 ;;
esac
JOBS=${JOBS:-$(nproc)}
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
export SQS_ENDPOINT="${SQS_ENDPOINT:-http://127.0.0.1:${SQS_PORT:-4566}}"

PHASE=${1:-all}
case "$PHASE" in all | build | test) ;; *) echo "usage: $0 [all|build|test]" >&2; exit 2 ;; esac

step() { printf '\n== %s\n' "$*"; }
seconds_since() { echo $((SECONDS - $1)); }

# host:port of a URL or of a bootstrap list's first entry.
host_port() { local s=${1#*://}; s=${s%%,*}; echo "${s%%/*}"; }

if [[ $PHASE != test ]]; then
  step "configure and build ($BUILD_DIR: $NAME, Debug)"
  started=$SECONDS
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDRIFTLINE_BUILD_BENCH=OFF \
    -DDRIFTLINE_BUILD_FAULTS=OFF -DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_CXX_FLAGS_DEBUG="$OPT_FLAGS" \
    -DCMAKE_EXE_LINKER_FLAGS="$LINK_FLAGS" || exit 1
  cmake --build "$BUILD_DIR" -j "$JOBS" || exit 1
  build_time=$(seconds_since $started)
  echo "sanitize: $NAME build ${build_time} s"
  [[ $PHASE == build ]] && exit 0
fi

for endpoint in "$KAFKA_BOOTSTRAP_SERVERS" "$SQS_ENDPOINT"; do
  hp=$(host_port "$endpoint")
  if ! (exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null; then
    echo "sanitize: nothing listens on $hp; start the stack first (stack/stack.sh up)" >&2
    exit 1
  fi
done

step "$NAME: tests labelled $LABELS (kafka $KAFKA_BOOTSTRAP_SERVERS, sqs $SQS_ENDPOINT)"
started=$SECONDS
[[ -n $REPORT_DIR ]] && { rm -rf "$REPORT_DIR"; mkdir -p "$REPORT_DIR"; }
ctest --test-dir "$BUILD_DIR" -L "$LABELS" --output-on-failure --timeout 900 ${CTEST_ARGS:-}
status=$?
test_time=$(seconds_since $started)

if [[ -n $REPORT_DIR ]] && compgen -G "$REPORT_DIR/*" >/dev/null; then
  step "$NAME reports ($REPORT_DIR/)"
  for report in "$REPORT_DIR"/*; do
    printf -- '-- %s\n' "$report"
    cat "$report"
  done
  status=1
fi

step "sanitize: $NAME tests ${test_time} s: $( ((status == 0)) && echo passed || echo FAILED)"
exit $status
