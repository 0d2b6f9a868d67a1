#!/usr/bin/env bash
# `make bench`: every benchmark against the running local stack; figures, not tests.
# Writes one JSON file per run, summary.json, results.md and PNG plots under $BUILD_DIR/bench/, and
# ends with every figure and the table of the performance targets, met / not met (bench/README.md).
#
# Environment: BUILD_DIR (build), BENCH_REPEAT (3 runs of each figure; the median counts),
# BENCH_LIMIT_MESSAGES (20,000 per run of the limit's concurrency sweep), BENCH_LATENCY_SECONDS
# (20 per rate and path), BENCH_ONLY (a space-separated subset of:
# limit drain retry latency sweep runner studio mock compat negative stages scale), KAFKA_PORT / SQS_PORT (the stack's ports).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
BIN=$BUILD_DIR/bin
OUT=$BUILD_DIR/bench
REPEAT=${BENCH_REPEAT:-3}
LIMIT_MESSAGES=${BENCH_LIMIT_MESSAGES:-20000}
LATENCY_SECONDS=${BENCH_LATENCY_SECONDS:-20}
ONLY=${BENCH_ONLY:-limit drain retry latency sweep runner studio mock compat negative stages scale}
KAFKA=127.0.0.1:${KAFKA_PORT:-9092}
SQS=http://127.0.0.1:${SQS_PORT:-4566}
LAB_CONFIG=${LAB_CONFIG:-../shared/reference/kafka-sqs-retry-dlq/specmatic.yaml}
# The local stack accepts any credentials; setting them keeps the service's warning out of the way.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.dat "$OUT"/*.png "$OUT"/*.gp "$OUT"/*.log
export BENCH_LOG_DIR=$OUT   # the service's log of every run
common=(--kafka "$KAFKA" --sqs-endpoint "$SQS" --service "$BIN/order-service")
wants() { [[ " $ONLY " == *" $1 "* ]]; }
section() { printf '\n== %s\n' "$*"; }

pom_version() { sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "stack/$1/pom.xml" | head -1; }
section "settings"
echo "Kafka $(pom_version kafka kafka.version) (KRaft, single node), ElasticMQ $(pom_version elasticmq elasticmq.version)," \
  "order-service defaults: SQS_BATCH_SIZE=10 SQS_MAX_IN_FLIGHT_BATCHES=8 SQS_BATCH_LINGER_MS=5" \
  "MAX_IN_FLIGHT_MESSAGES=2000; $REPEAT runs per throughput figure, latency runs of ${LATENCY_SECONDS} s"
echo "$(pom_version kafka kafka.version) $(pom_version elasticmq elasticmq.version)" >"$OUT/versions.txt"

# A stack just started runs its JVMs cold for the first seconds (the first figures came out at a third of
# the warm ones): one throwaway round through SQS and the service first.
section "warm-up (not counted)"
"$BIN/sqs_limit_bench" -n 50000 -t 4 --sqs-endpoint "$SQS" >/dev/null
"$BIN/drain_bench" "${common[@]}" -n 20000 --label warm-up >/dev/null
echo "done"

if wants limit; then
  section "1. the limit: SQS SendMessageBatch of 10, $LIMIT_MESSAGES messages at each concurrency 1-16 (best median)"
  for t in 1 2 4 6 8 12 16; do
    for r in $(seq "$REPEAT"); do
      "$BIN/sqs_limit_bench" -n "$LIMIT_MESSAGES" -t "$t" --sqs-endpoint "$SQS" \
        --json "$OUT/limit-t$t-$r.json" | tail -n +$((t == 1 && r == 1 ? 1 : 2))
    done
  done
fi

if wants drain; then
  section "2. backlog drain (mixed STANDARD/PRIORITY/BULK), 1. raw Kafka consume and 5. memory"
  for n in 20000 100000; do
    for r in $(seq "$REPEAT"); do
      "$BIN/drain_bench" "${common[@]}" -n "$n" --raw-consume --label "drain-$n" \
        --json "$OUT/drain-$n-$r.json"
    done
  done
  # A small backlog, as a new user tries it: process start -> first message in SQS, and
  # process start -> all 5,000 in SQS (the queue depth is sampled every 25 ms).
  for r in $(seq "$REPEAT"); do
    "$BIN/drain_bench" "${common[@]}" -n 5000 --label "small-5000" --json "$OUT/small-5000-$r.json"
  done
fi

if wants retry; then
  section "4. retry isolation: 10 % of 20,000 orders fail once"
  for r in $(seq "$REPEAT"); do
    "$BIN/drain_bench" "${common[@]}" -n 20000 --fail-once-percent 10 --label retry-20000 \
      --json "$OUT/retry-20000-$r.json"
  done
fi

if wants latency; then
  section "3. latency at a fixed rate (Kafka append -> SQS receive), order-service and the raw path; 5. memory"
  # The SQS server's pid, for its CPU share over each run (the receive side must not saturate it).
  sqs_pid=$(ss -ltnpH "sport = :${SQS_PORT:-4566}" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
  for r in $(seq "$REPEAT"); do
    # Alternate which path goes first at each rate, so neither always runs on a fresher stack.
    paths="service raw"
    ((r % 2 == 0)) && paths="raw service"
    "$BIN/latency_bench" "${common[@]}" --rates 1000 2000 5000 -d "$LATENCY_SECONDS" --paths $paths \
      ${sqs_pid:+--sqs-server-pid "$sqs_pid"} --json "$OUT/latency-$r.json" ||
      echo "latency_bench: some orders never reached SQS (the 'missing' column)"
  done
fi

if wants sweep; then
  section "7. knob sweep (20,000-order drain; 100,000 for the prefetch; latency at 1,000/s for the linger)"
  for b in 1 5 10; do
    "$BIN/drain_bench" "${common[@]}" -n 20000 --label "batch=$b" --env "SQS_BATCH_SIZE=$b" \
      --json "$OUT/sweep-batch-$b.json"
  done
  for f in 1 2 4 8; do
    "$BIN/drain_bench" "${common[@]}" -n 20000 --label "in-flight=$f" \
      --env "SQS_MAX_IN_FLIGHT_BATCHES=$f" --json "$OUT/sweep-inflight-$f.json"
  done
  # records/KiB; 20000/8192 is the default, 100000/65536 librdkafka's own
  for q in 5000/4096 10000/4096 20000/8192 40000/16384 100000/65536; do
    "$BIN/drain_bench" "${common[@]}" -n 100000 --label "prefetch=$q" \
      --env "KAFKA_PROPERTY_QUEUED_MIN_MESSAGES=${q%/*}" \
      --env "KAFKA_PROPERTY_QUEUED_MAX_MESSAGES_KBYTES=${q#*/}" --json "$OUT/sweep-prefetch-${q%/*}.json"
  done
  for l in 0 5 20; do
    "$BIN/drain_bench" "${common[@]}" -n 20000 --label "linger=$l" --env "SQS_BATCH_LINGER_MS=$l" \
      --json "$OUT/sweep-linger-$l.json"
    "$BIN/latency_bench" "${common[@]}" --rates 1000 -d 10 --paths service --env "SQS_BATCH_LINGER_MS=$l" \
      --json "$OUT/sweep-linger-latency-$l.json"
  done
fi

if wants mock; then
  section "8. contract-test mock: start-up to ready, generated replies per second, and its stages"
  for r in $(seq "$REPEAT"); do
    "$BIN/mock_bench" -n 20000 --contract-test "$BIN/contract-test" --kafka "$KAFKA" \
      --sqs-endpoint "$SQS" --json "$OUT/mock-20000-$r.json"
  done
  "$BIN/mock_micro_bench" --benchmark_out="$OUT/mock-micro.json" --benchmark_out_format=json \
    2>/dev/null | grep -E '^(BM_|-|Benchmark)'
fi

if wants compat; then
  section "9. contract-test compat: the lab's contract pair, loaded and compared (target 50 ms)"
  "$BIN/compat_bench" --benchmark_out="$OUT/compat.json" --benchmark_out_format=json \
    2>/dev/null | grep -E '^(BM_|-|Benchmark)'
fi

if wants negative; then
  section "10. contract-test --generate negative: the lab's contract's variants, generated (target 100 ms)"
  "$BIN/negative_bench" --benchmark_out="$OUT/negative.json" --benchmark_out_format=json \
    2>/dev/null | grep -E '^(BM_|-|Benchmark)'
fi

if wants stages; then
  section "11. order-service's hot path per stage: decode, transform, encode, sign, route (ns and allocations per order)"
  # The route with the contract input check uses the lab's contract beside LAB_CONFIG.
  ORDER_CONTRACT=${ORDER_CONTRACT:-$(dirname "$LAB_CONFIG")/.specmatic/repos/labs-contracts/asyncapi/kafka-sqs-retry-dlq/order-service-sqs-kafka.yaml} \
    "$BIN/stages_bench" --benchmark_repetitions="$REPEAT" --benchmark_report_aggregates_only=true \
    --benchmark_out="$OUT/stages.json" --benchmark_out_format=json \
    2>/dev/null | grep -E '^(BM_|-|Benchmark)' | grep -vE '^BM_[^ ]*_(mean|stddev|cv) '
fi

if wants runner; then
  section "6. contract-test: the lab's six scenarios, parallel and sequential"
  if [[ ! -f $LAB_CONFIG ]]; then
    echo "runner: $LAB_CONFIG not found (the lab's files sit beside the clone); skipped"
  else
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    suffix="bench-$$-$RANDOM"
    ENABLE_TEST_FAILURE_SCENARIOS=true METRICS_ADDRESS="127.0.0.1:$port" LOG_LEVEL=warn \
      KAFKA_BOOTSTRAP_SERVERS="$KAFKA" SQS_ENDPOINT="$SQS" \
      SQS_QUEUE_URL="$SQS/000000000000/place-order-queue" \
      KAFKA_MAIN_GROUP_ID="$suffix-main" KAFKA_RETRY_GROUP_ID="$suffix-retry" \
      KAFKA_PROPERTY_AUTO_OFFSET_RESET=latest \
      "$BIN/order-service" >"$OUT/runner-order-service.log" 2>&1 &
    service=$!
    trap 'kill -TERM $service 2>/dev/null || true; wait $service 2>/dev/null || true' EXIT
    for _ in $(seq 1 300); do
      curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
      sleep 0.1
    done
    for mode in parallel sequential; do
      flag=()
      [[ $mode == sequential ]] && flag=(--sequential)
      t0=${EPOCHREALTIME/./}
      "$BIN/contract-test" --config "$LAB_CONFIG" --kafka "$KAFKA" --sqs "$SQS/000000000000" \
        --report-dir "$OUT/runner-$mode" "${flag[@]}" | tail -n 12
      t1=${EPOCHREALTIME/./}
      python3 - "$OUT/runner-$mode/ctrf.json" "$mode" $(((t1 - t0) / 1000)) >"$OUT/runner-$mode.json" <<'EOF'
import json, sys
ctrf = json.load(open(sys.argv[1]))["results"]
s = ctrf["summary"]
print(json.dumps({"mode": sys.argv[2], "process_wall_ms": int(sys.argv[3]),
                  "suite_wall_ms": s["stop"] - s["start"], "startup_ms": ctrf["extra"]["startupMs"],
                  "tests": s["tests"], "passed": s["passed"]}))
EOF
    done
    kill -TERM "$service" 2>/dev/null || true
    wait "$service" 2>/dev/null || true
    trap - EXIT
  fi
fi

if wants scale; then
  section "12. runner-scale: contract-test on 1,000 generated examples and on the lab's six, against contract-test mock (parallel)"
  if [[ ! -f $LAB_CONFIG ]]; then
    echo "runner-scale: $LAB_CONFIG not found (the lab's files sit beside the clone); skipped"
  else
    scale=(--contract-test "$BIN/contract-test" --lab-dir "$(dirname "$LAB_CONFIG")" --kafka "$KAFKA"
      --sqs "$SQS/000000000000")
    for r in $(seq "$REPEAT"); do
      bench/runner_scale_bench.py "${scale[@]}" -n 1000 --json "$OUT/runner-scale-1000-$r.json"
      bench/runner_scale_bench.py "${scale[@]}" --lab-six --json "$OUT/runner-scale-lab-$r.json"
    done
  fi
fi

if wants studio; then
  section "7. Studio: first paint, run events to the page, memory"
  if [[ ! -f $LAB_CONFIG ]]; then
    echo "studio: $LAB_CONFIG not found (the lab's files sit beside the clone); skipped"
  else
    tests/browser/setup.sh
    SE_OFFLINE=true KAFKA_BOOTSTRAP_SERVERS="$KAFKA" SQS_ENDPOINT="$SQS" \
      "${STACK_DIR:-.stack}/venv/browser/bin/python" bench/studio_bench.py \
      --studio-bin "$BIN/contract-test" --order-service-bin "$BIN/order-service" \
      --lab-dir "$(dirname "$LAB_CONFIG")" --json "$OUT/studio.json"
  fi
fi

section "summary (medians of $REPEAT runs; plots in $OUT/)"
python3 bench/report.py "$OUT"
