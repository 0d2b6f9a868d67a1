#!/usr/bin/env bash
# The real local stack: Apache Kafka (KRaft, single node) and ElasticMQ (SQS), both from Maven Central.
#
#   stack/stack.sh up       start both (idempotent), create topics, wait until real requests answer
#   stack/stack.sh status   running/stopped, pid, port, readiness per server; exit 0 only if both ready
#   stack/stack.sh down     stop both (SIGTERM, then SIGKILL after ${STACK_STOP_TIMEOUT}s), idempotent
#   stack/stack.sh reset    down + wipe data, generated configs and logs (keeps the jars)
#   stack/stack.sh logs [kafka|elasticmq] [-f]
#   stack/stack.sh stop kafka|elasticmq    stop one server of a stack that was up (fault tests)
#   stack/stack.sh start kafka|elasticmq   start it again with its data; returns once it answers
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), SQS_PORT (4566), STACK_DIR (<repo>/.stack),
# STACK_TOPIC_PARTITIONS (1), KAFKA_HEAP (512m), ELASTICMQ_HEAP (256m), STACK_READY_TIMEOUT (90 s),
# STACK_STOP_TIMEOUT (20 s), JAVA_HOME (else `java` from PATH). See stack/README.md.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${STACK_DIR:-$REPO_DIR/.stack}"
mkdir -p "$STACK_DIR"
STACK_DIR="$(cd "$STACK_DIR" && pwd)"   # absolute: it is part of the servers' command lines

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
SQS_PORT="${SQS_PORT:-4566}"
STACK_TOPIC_PARTITIONS="${STACK_TOPIC_PARTITIONS:-1}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
ELASTICMQ_HEAP="${ELASTICMQ_HEAP:-256m}"
READY_TIMEOUT="${STACK_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-20}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

TOPICS=(place-order-topic place-order-retry-topic place-order-dlq-topic)
QUEUE=place-order-queue
QUEUE_VISIBILITY_TIMEOUT=180
SQS_ACCOUNT=000000000000
QUEUE_URL="http://127.0.0.1:$SQS_PORT/$SQS_ACCOUNT/$QUEUE"

KAFKA_LOG_DIR="$STACK_DIR/data/kafka"
CONF_DIR="$STACK_DIR/conf"
SERVICES=(kafka elasticmq)

# ---------------------------------------------------------------------------------------------- helpers

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
secs() { local ms=$1; printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }   # ms -> "12.3"

pid_file() { echo "$STACK_DIR/pids/$1.pid"; }
log_file() { echo "$STACK_DIR/logs/$1.log"; }
svc_ports() { case $1 in kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;; elasticmq) echo "$SQS_PORT" ;; esac; }

need() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null || die "'$c' not found on PATH"; done
}

# is_ours PID SVC: PID is alive and is a server of this STACK_DIR (markers on its java command line).
is_ours() {
  local pid=$1 svc=$2 args
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  args="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  grep -qxF -- "-Dstack.service=$svc" <<<"$args" && grep -qxF -- "-Dstack.dir=$STACK_DIR" <<<"$args"
}

# find_pids SVC: our live processes for SVC, from the pid file and from a command-line scan
# (the scan catches strays whose pid file was lost).
find_pids() {
  local svc=$1 pf pid
  local -A seen=()
  pf="$(pid_file "$svc")"
  if [[ -f $pf ]]; then
    pid="$(<"$pf")"
    is_ours "$pid" "$svc" && seen[$pid]=1
  fi
  for pid in $(pgrep -f -- "-Dstack.service=$svc" || true); do
    is_ours "$pid" "$svc" && seen[$pid]=1
  done
  echo "${!seen[@]}"
}

# port_pids PORT: pids of the processes listening on TCP PORT (any address).
port_pids() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true; }
port_listening() { [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }

describe_pid() {
  local pid=$1
  if [[ -r /proc/$pid/cmdline ]]; then
    printf 'pid %s: %s' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-160)"
  else
    printf 'pid %s' "$pid"
  fi
}

# check_ports SVC: fail clearly when one of SVC's ports is held by a process that is not ours.
check_ports() {
  local svc=$1 port pid holders
  for port in $(svc_ports "$svc"); do
    port_listening "$port" || continue
    holders=""
    for pid in $(port_pids "$port"); do
      is_ours "$pid" "$svc" || holders+="    $(describe_pid "$pid")"$'\n'
    done
    if [[ -z $holders ]]; then
      holders="    (process not visible to ss; run: ss -ltnp 'sport = :$port')"$'\n'
    fi
    printf 'stack: ERROR: port %s (needed by %s) is already in use by a process that is not part of this stack:\n%s' \
      "$port" "$svc" "$holders" >&2
    printf 'stack:        stop it, or choose other ports (KAFKA_PORT, KAFKA_CONTROLLER_PORT, SQS_PORT).\n' >&2
    exit 1
  done
}

# --------------------------------------------------------------------------------- readiness requests

kafka_metadata() { kcat -b "127.0.0.1:$KAFKA_PORT" -L -m "${1:-3}" 2>/dev/null; }

# Ready = a real Metadata request is answered and lists our broker.
kafka_ready() {
  local md
  port_listening "$KAFKA_PORT" || return 1
  md="$(kafka_metadata "${1:-3}")" || return 1
  grep -q "broker 1 at 127.0.0.1:$KAFKA_PORT" <<<"$md"
}

sqs_call() {   # ACTION JSON-BODY
  curl -sS --max-time 5 -X POST \
    -H 'Content-Type: application/x-amz-json-1.0' -H "X-Amz-Target: AmazonSQS.$1" \
    -d "$2" "http://127.0.0.1:$SQS_PORT/"
}

# Ready = a real SQS ListQueues request (JSON protocol) answers with our queue URL.
elasticmq_ready() {
  local out
  port_listening "$SQS_PORT" || return 1
  out="$(sqs_call ListQueues '{}' 2>/dev/null)" || return 1
  grep -qF "\"$QUEUE_URL\"" <<<"$out"
}

svc_ready() { "${1}_ready" "${@:2}"; }

# --------------------------------------------------------------------------------------------- configs

render() {   # TEMPLATE OUT: replace ${VAR} for the variables this stack defines
  local tpl=$1 out=$2
  sed -e "s|\${KAFKA_PORT}|$KAFKA_PORT|g" \
      -e "s|\${KAFKA_CONTROLLER_PORT}|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|\${KAFKA_LOG_DIR}|$KAFKA_LOG_DIR|g" \
      -e "s|\${STACK_TOPIC_PARTITIONS}|$STACK_TOPIC_PARTITIONS|g" \
      -e "s|\${SQS_PORT}|$SQS_PORT|g" \
      "$tpl" >"$out.tmp"
  # shellcheck disable=SC2016  # a literal "${" is searched for
  if grep -v '^[[:space:]]*#' "$out.tmp" | grep '\${' >/dev/null; then
    die "unreplaced \${...} left in $out.tmp (from $tpl)"
  fi
  mv -f "$out.tmp" "$out"
}

write_configs() {
  mkdir -p "$CONF_DIR"
  render "$REPO_DIR/stack/kafka/server.properties.in" "$CONF_DIR/server.properties"
  render "$REPO_DIR/stack/elasticmq/elasticmq.conf.in" "$CONF_DIR/elasticmq.conf"
  write_topic_tool
}

# A tiny Admin-client program (run by the JDK's single-file source launcher): creates all missing topics
# in one JVM, treating "already exists" as success.
write_topic_tool() {
  cat >"$CONF_DIR/CreateTopics.java" <<'JAVA'
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/** Usage: CreateTopics BOOTSTRAP PARTITIONS TOPIC... (replication factor 1). */
public class CreateTopics {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000);
    int partitions = Integer.parseInt(args[1]);
    List<NewTopic> topics = new ArrayList<>();
    for (int i = 2; i < args.length; i++) topics.add(new NewTopic(args[i], partitions, (short) 1));
    int failed = 0;
    try (Admin admin = Admin.create(props)) {
      for (Map.Entry<String, KafkaFuture<Void>> e : admin.createTopics(topics).values().entrySet()) {
        try {
          e.getValue().get();
          System.out.println("created topic " + e.getKey() + " (" + partitions + " partitions)");
        } catch (ExecutionException ex) {
          if (ex.getCause() instanceof TopicExistsException) {
            System.out.println("topic " + e.getKey() + " already exists");
          } else {
            System.err.println("failed to create topic " + e.getKey() + ": " + ex.getCause());
            failed++;
          }
        }
      }
    }
    System.exit(failed == 0 ? 0 : 1);
  }
}
JAVA
}

# Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what StorageTool random-uuid
# prints); ids starting with '-' are avoided, as Kafka itself does.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    [[ $id != -* ]] && { echo "$id"; return; }
  done
}

format_kafka_storage() {
  [[ -f $KAFKA_LOG_DIR/meta.properties ]] && return 0
  local id
  id="$(new_cluster_id)"
  mkdir -p "$KAFKA_LOG_DIR"
  say "formatting KRaft storage in $KAFKA_LOG_DIR (cluster id $id)"
  if ! "$JAVA" -Xmx256m -cp "$STACK_DIR/lib/kafka/*" \
      -Dlog4j2.configurationFile="$REPO_DIR/stack/kafka/log4j2.properties" -Dstack.log.level=WARN \
      kafka.tools.StorageTool format -t "$id" -c "$CONF_DIR/server.properties" -g \
      >"$STACK_DIR/logs/kafka-format.log" 2>&1; then
    cat "$STACK_DIR/logs/kafka-format.log" >&2
    die "kafka storage format failed"
  fi
}

# ------------------------------------------------------------------------------------- start / stop

# launch SVC JAVA-ARGS...: background JVM in its own session, immune to the terminal's SIGHUP/SIGINT,
# stdout+stderr to logs/SVC.log, pid (the JVM's own: bash execs java) in pids/SVC.pid.
launch() {
  local svc=$1 pf lf i
  shift
  pf="$(pid_file "$svc")"
  lf="$(log_file "$svc")"
  rm -f "$pf"
  [[ -f $lf ]] && mv -f "$lf" "$lf.1"
  # shellcheck disable=SC2016  # $$, $0 and $@ belong to the inner bash
  setsid bash -c 'trap "" HUP; echo $$ >"$0.tmp" && mv -f "$0.tmp" "$0"; exec "$@"' "$pf" \
    "$JAVA" -Dstack.service="$svc" -Dstack.dir="$STACK_DIR" "$@" </dev/null >"$lf" 2>&1 9>&- &
  for ((i = 0; i < 50; i++)); do
    [[ -s $pf ]] && return 0
    sleep 0.1
  done
  die "$svc did not start (no pid file); see $lf"
}

start_kafka() {
  launch kafka -Xmx"$KAFKA_HEAP" -Xms64m \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$REPO_DIR/stack/kafka/log4j2.properties" \
    -cp "$STACK_DIR/lib/kafka/*" kafka.Kafka "$CONF_DIR/server.properties"
}

start_elasticmq() {
  launch elasticmq -Xmx"$ELASTICMQ_HEAP" -Xms32m -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dconfig.file="$CONF_DIR/elasticmq.conf" \
    -cp "$STACK_DIR/lib/elasticmq/*" org.elasticmq.server.Main
}

# stop_services SVC...: SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL. Leaves no process behind.
stop_services() {
  local svc pid deadline left all=()
  local -A owner=()
  for svc in "$@"; do
    for pid in $(find_pids "$svc"); do
      owner[$pid]=$svc
      all+=("$pid")
    done
  done
  if ((${#all[@]} == 0)); then
    for svc in "$@"; do say "$svc: not running"; done
  else
    for pid in "${all[@]}"; do
      say "${owner[$pid]}: stopping pid $pid (SIGTERM)"
      kill -TERM "$pid" 2>/dev/null || true
    done
    deadline=$((SECONDS + STOP_TIMEOUT))
    while :; do
      left=()
      for pid in "${all[@]}"; do is_ours "$pid" "${owner[$pid]}" && left+=("$pid"); done
      ((${#left[@]} == 0)) && break
      if ((SECONDS >= deadline)); then
        for pid in "${left[@]}"; do
          say "${owner[$pid]}: pid $pid still alive after ${STOP_TIMEOUT}s, SIGKILL"
          kill -KILL "$pid" 2>/dev/null || true
        done
        sleep 0.5
        break
      fi
      sleep 0.2
    done
    for pid in "${all[@]}"; do
      is_ours "$pid" "${owner[$pid]}" && die "${owner[$pid]}: pid $pid survived SIGKILL"
      say "${owner[$pid]}: stopped (pid $pid)"
    done
    # The exited JVMs are reaped by their parent (init, as they run in their own session); give it a
    # moment so that no <defunct> entry lingers in `ps` right after `down`.
    local i
    for ((i = 0; i < 30; i++)); do
      left=()
      for pid in "${all[@]}"; do [[ -e /proc/$pid ]] && left+=("$pid"); done
      ((${#left[@]} == 0)) && break
      sleep 0.1
    done
  fi
  for svc in "$@"; do
    [[ -z "$(find_pids "$svc")" ]] || die "$svc: processes still running: $(find_pids "$svc")"
    rm -f "$(pid_file "$svc")"
  done
}

# ---------------------------------------------------------------------------------- topics and queue

ensure_topics() {
  local md t missing=() out
  md="$(kafka_metadata 10)" || die "kafka: metadata request failed"
  for t in "${TOPICS[@]}"; do
    grep -q "topic \"$t\" with" <<<"$md" || missing+=("$t")
  done
  if ((${#missing[@]})); then
    [[ -f $CONF_DIR/CreateTopics.java ]] || { mkdir -p "$CONF_DIR"; write_topic_tool; }
    say "kafka: creating topics ${missing[*]} ($STACK_TOPIC_PARTITIONS partitions, replication 1)"
    if ! out="$("$JAVA" -Xmx256m -cp "$STACK_DIR/lib/kafka/*" \
        -Dlog4j2.configurationFile="$REPO_DIR/stack/kafka/log4j2.properties" -Dstack.log.level=ERROR \
        "$CONF_DIR/CreateTopics.java" "127.0.0.1:$KAFKA_PORT" "$STACK_TOPIC_PARTITIONS" "${missing[@]}" 2>&1)"; then
      printf '%s\n' "$out" >&2
      die "kafka: topic creation failed"
    fi
    printf '%s\n' "$out" | sed 's/^/stack: kafka: /'
  fi
  # Metadata can lag creation by a moment; wait until all topics are visible.
  local i
  for ((i = 0; i < 50; i++)); do
    md="$(kafka_metadata 5)" || true
    missing=()
    for t in "${TOPICS[@]}"; do grep -q "topic \"$t\" with" <<<"$md" || missing+=("$t"); done
    ((${#missing[@]} == 0)) && break
    sleep 0.2
  done
  ((${#missing[@]} == 0)) || die "kafka: topics not visible in metadata: ${missing[*]}"
  for t in "${TOPICS[@]}"; do
    local n
    n="$(grep -o "topic \"$t\" with [0-9]* partitions" <<<"$md" | grep -o '[0-9]* partitions' | cut -d' ' -f1)"
    if [[ $n != "$STACK_TOPIC_PARTITIONS" ]]; then
      say "kafka: WARNING: topic $t has $n partitions, STACK_TOPIC_PARTITIONS=$STACK_TOPIC_PARTITIONS (run 'reset' to recreate)"
    fi
  done
  say "kafka: topics ready: ${TOPICS[*]}"
}

ensure_queue() {
  local out
  out="$(sqs_call GetQueueAttributes \
    "{\"QueueUrl\":\"$QUEUE_URL\",\"AttributeNames\":[\"VisibilityTimeout\"]}" 2>&1)" \
    || die "elasticmq: GetQueueAttributes failed: $out"
  grep -q "\"VisibilityTimeout\" *: *\"$QUEUE_VISIBILITY_TIMEOUT\"" <<<"$out" \
    || die "elasticmq: $QUEUE has unexpected attributes: $out"
  say "elasticmq: queue ready: $QUEUE_URL (VisibilityTimeout=$QUEUE_VISIBILITY_TIMEOUT)"
}

# --------------------------------------------------------------------------------------------- commands

take_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  flock -w 300 9 || die "another 'stack.sh' holds $STACK_DIR/.lock"
}

cmd_up() {
  need "${JAVA}" kcat curl ss pgrep setsid flock sha256sum
  take_lock
  local t0 svc pids started=() waiting=() now
  local -A t_start=() t_ready=()
  t0="$(now_ms)"
  mkdir -p "$STACK_DIR"/{lib,data,logs,pids,conf} "$KAFKA_LOG_DIR"

  # Which servers are already ours and running? Adopt strays whose pid file was lost.
  for svc in "${SERVICES[@]}"; do
    read -r -a pids <<<"$(find_pids "$svc")"
    if ((${#pids[@]} > 1)); then
      die "$svc: several processes of this stack are running (${pids[*]}); run 'stack/stack.sh down' first"
    elif ((${#pids[@]} == 1)); then
      echo "${pids[0]}" >"$(pid_file "$svc")"
      waiting+=("$svc")
    fi
  done
  if ((${#waiting[@]} == 2)) && kafka_ready 3 && elasticmq_ready; then
    say "already running and ready (kafka pid $(<"$(pid_file kafka)"), elasticmq pid $(<"$(pid_file elasticmq)"))"
    ensure_topics
    ensure_queue
    say "up in $(secs $(($(now_ms) - t0))) s (nothing to start)"
    return 0
  fi

  for svc in "${SERVICES[@]}"; do
    [[ " ${waiting[*]} " == *" $svc "* ]] || check_ports "$svc"
  done

  "$REPO_DIR/stack/setup-maven.sh"
  write_configs

  for svc in "${SERVICES[@]}"; do
    if [[ " ${waiting[*]} " == *" $svc "* ]]; then
      say "$svc: already running (pid $(<"$(pid_file "$svc")")), waiting for it to answer"
      t_start[$svc]="$(now_ms)"
      continue
    fi
    [[ $svc == kafka ]] && format_kafka_storage
    t_start[$svc]="$(now_ms)"
    "start_$svc"
    say "$svc: started pid $(<"$(pid_file "$svc")"), log $(log_file "$svc")"
    started+=("$svc")
    waiting+=("$svc")
  done

  # Wait for real answers from both (they start in parallel).
  local deadline=$((SECONDS + READY_TIMEOUT)) pending
  while :; do
    pending=()
    for svc in "${SERVICES[@]}"; do
      [[ -n ${t_ready[$svc]:-} ]] && continue
      if [[ -z "$(find_pids "$svc")" ]]; then
        echo "---- last lines of $(log_file "$svc") ----" >&2
        tail -n 40 "$(log_file "$svc")" >&2 || true
        ((${#started[@]})) && { stop_services "${started[@]}" >&2 || true; }
        die "$svc exited during startup (see $(log_file "$svc"))"
      fi
      if svc_ready "$svc" 2; then
        now="$(now_ms)"
        t_ready[$svc]="$now"
        say "$svc: ready in $(secs $((now - t_start[$svc]))) s"
      else
        pending+=("$svc")
      fi
    done
    ((${#pending[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      for svc in "${pending[@]}"; do
        echo "---- last lines of $(log_file "$svc") ----" >&2
        tail -n 40 "$(log_file "$svc")" >&2 || true
      done
      stop_services "${pending[@]}" >&2 || true
      die "not ready after ${READY_TIMEOUT}s: ${pending[*]} (stopped; logs above and in $STACK_DIR/logs)"
    fi
    sleep 0.5
  done

  ensure_topics
  ensure_queue
  say "kafka:     127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)"
  say "elasticmq: http://127.0.0.1:$SQS_PORT/  queue $QUEUE_URL"
  say "up in $(secs $(($(now_ms) - t0))) s total"
}

cmd_down() {
  take_lock
  stop_services "${SERVICES[@]}"
}

cmd_reset() {
  take_lock
  stop_services "${SERVICES[@]}"
  rm -rf "$STACK_DIR/data" "$STACK_DIR/conf" "$STACK_DIR/logs" "$STACK_DIR/pids"
  say "reset: wiped $STACK_DIR/{data,conf,logs,pids} (jars in $STACK_DIR/lib kept)"
}

check_svc_name() {
  case ${1:-} in
    kafka | elasticmq) ;;
    *) die "unknown server '${1:-}' (kafka or elasticmq)" ;;
  esac
}

# stop SVC: one server down, the other left as it is; its data stays for `start SVC`.
cmd_stop() {
  check_svc_name "${1:-}"
  take_lock
  stop_services "$1"
}

# start SVC: one server of a stack that was brought `up` before (jars, configs and data are
# there) started again; returns once a real request is answered, fails after READY_TIMEOUT.
cmd_start() {
  local svc=${1:-} t0 now
  check_svc_name "$svc"
  need "${JAVA}" kcat curl ss pgrep setsid flock
  take_lock
  [[ -f $CONF_DIR/server.properties && -d $STACK_DIR/lib/$svc ]] \
    || die "$svc: no configs or jars in $STACK_DIR; run 'stack/stack.sh up' first"
  t0="$(now_ms)"
  if [[ -n "$(find_pids "$svc")" ]]; then
    say "$svc: already running (pid $(find_pids "$svc")), waiting for it to answer"
  else
    check_ports "$svc"
    [[ $svc == kafka ]] && format_kafka_storage
    "start_$svc"
    say "$svc: started pid $(<"$(pid_file "$svc")"), log $(log_file "$svc")"
  fi
  local deadline=$((SECONDS + READY_TIMEOUT))
  until svc_ready "$svc" 2; do
    if [[ -z "$(find_pids "$svc")" ]]; then
      echo "---- last lines of $(log_file "$svc") ----" >&2
      tail -n 40 "$(log_file "$svc")" >&2 || true
      die "$svc exited during startup (see $(log_file "$svc"))"
    fi
    if ((SECONDS >= deadline)); then
      stop_services "$svc" >&2 || true
      die "$svc: not ready after ${READY_TIMEOUT}s (stopped; see $(log_file "$svc"))"
    fi
    sleep 0.2
  done
  now="$(now_ms)"
  say "$svc: ready in $(secs $((now - t0))) s"
}

cmd_status() {
  local svc pids state ready ok=0 port
  for svc in "${SERVICES[@]}"; do
    pids="$(find_pids "$svc")"
    port="$(svc_ports "$svc" | cut -d' ' -f1)"
    if [[ -n $pids ]]; then state="running"; else state="stopped"; pids="-"; fi
    if svc_ready "$svc" 3; then
      ready="ready"
      case $svc in
        kafka)
          local md t n=0
          md="$(kafka_metadata 3 || true)"
          for t in "${TOPICS[@]}"; do grep -q "topic \"$t\" with" <<<"$md" && n=$((n + 1)); done
          ready+=" (Metadata answered; $n/${#TOPICS[@]} place-order topics)"
          ;;
        elasticmq) ready+=" (ListQueues answered: $QUEUE_URL)" ;;
      esac
    else
      ready="NOT ready (no answer to the readiness request)"
      ok=1
    fi
    [[ $state == running ]] || ok=1
    printf '%-10s %-8s pid %-8s port %-6s %s\n' "$svc" "$state" "$pids" "$port" "$ready"
  done
  return $ok
}

cmd_logs() {
  local svc="${1:-}" follow=()
  [[ ${2:-} == -f || ${1:-} == -f ]] && follow=(-F)
  [[ $svc == -f ]] && svc=""
  if [[ -n $svc ]]; then
    tail -n 50 "${follow[@]}" "$(log_file "$svc")"
  else
    tail -n 50 "${follow[@]}" "$(log_file kafka)" "$(log_file elasticmq)"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  start) shift; cmd_start "$@" ;;
  *)
    echo "usage: $0 {up|down|status|reset|logs [kafka|elasticmq] [-f]|stop SERVER|start SERVER}" >&2
    exit 2
    ;;
esac
