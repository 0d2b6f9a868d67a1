#!/usr/bin/env bash
# The demo: the local stack, order-service (fault injection on, its input held to the contract
# under test: ORDER_CONTRACT, the project's unless set), and contract-test on the project's
# contract; prints the run and leaves the reports in $BUILD_DIR/reports/contract/.
# order-service runs in fresh consumer groups that start at the topics' end, so records left by
# earlier runs are not processed again; it is stopped when the demo ends.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

stack/stack.sh up
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$BUILD_DIR/demo-order-service.log"
suffix="demo-$$-$RANDOM"
ENABLE_TEST_FAILURE_SCENARIOS=true METRICS_ADDRESS="127.0.0.1:$port" \
  ORDER_CONTRACT="${ORDER_CONTRACT:-contracts/order-service.yaml}" \
  KAFKA_MAIN_GROUP_ID="contract-$suffix-main" KAFKA_RETRY_GROUP_ID="contract-$suffix-retry" \
  KAFKA_PROPERTY_AUTO_OFFSET_RESET=latest \
  "$BUILD_DIR/bin/order-service" >"$log" 2>&1 &
service=$!
stop_service() {
  kill -TERM "$service" 2>/dev/null || true
  wait "$service" 2>/dev/null || true
}
trap stop_service EXIT

for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$service" 2>/dev/null || { echo "demo: order-service exited; see $log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "demo: order-service not healthy; see $log" >&2; exit 1; }
echo "demo: order-service healthy on 127.0.0.1:$port (log $log)"

"$BUILD_DIR/bin/contract-test" --config contracts/specmatic.yaml \
  --report-dir "$BUILD_DIR/reports/contract" "$@"
