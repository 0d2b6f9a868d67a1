#!/usr/bin/env python3
"""contract-test at scale: a generated run of N examples over the lab's channels, in parallel,
against `contract-test mock` playing every example's flow (retry schedule included).

In a temporary directory it copies the lab's specmatic.yaml and contract unchanged and writes N
example files derived from the lab's six (example i is the lab's example i % 6 with its name,
correlation id and order/batch ids made unique: success, retry-then-success and dead-letter flows
in the lab's proportions). It starts `contract-test mock` on those examples, waits until it is
ready, then runs `contract-test --config <tmp>/specmatic.yaml` (parallel, the default) and reports:

  - the suite's wall time (the CTRF report's summary stop - start) against the longest scenario's
    declared waits + settle window, as the runner computes them (below), and their ratio;
  - the runner's peak RSS (the child's ru_maxrss, and VmHWM as last polled) and its peak thread
    count (Threads: in /proc/<pid>/status, polled every 10 ms);
  - start-up to first publish (the CTRF report's extra.startupMs: process start -> first publish);
  - how many of the N passed.

`--lab-six` runs the lab's six examples themselves (copied unchanged) the same way instead, with
the target waits + settle + 1 s.

Declared waits of a scenario (the mock plays them; the runner waits for them): a reply or a dead
letter without retries, none; retry + reply, the delay before envelope 1 (delay(0)); retry + dead
letter, delay(0) + ... + delay(N-1) (envelopes 0..N, N = maxAttempts). The settle window is the
operation's largest declared delay, at least 1 s (engine.h, Timing::SettleFor). For the lab's
exponential 1 s x 2, maxAttempts 3: 1 + 2 + 4 = 7 s of waits + 4 s of settle = 11 s.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import yaml

EXAMPLES_DIR = "spec/order-service-sqs-kafka_examples"


def delay(strategy, k):
    initial = float(strategy.get("initialDelaySeconds", 1))
    kind = strategy.get("type", "exponential")
    if kind == "fixed":
        d = initial
    elif kind == "linear":
        d = initial + k * float(strategy.get("incrementSeconds", 0))
    else:
        d = initial * float(strategy.get("multiplier", 2)) ** k
    if "maxDelaySeconds" in strategy:
        d = min(d, float(strategy["maxDelaySeconds"]))
    return d


def declared_waits(contract_path, examples):
    """The longest scenario's declared waits and the settle window, in seconds."""
    doc = yaml.safe_load(open(contract_path))
    retry = None
    for op in (doc.get("operations") or {}).values():
        retry = op.get("x-specmatic-retry") or op.get("retry") or retry
    delays = []
    if retry:
        delays = [delay(retry.get("strategy") or {}, k) for k in range(int(retry.get("maxAttempts", 0)))]
    settle = max([1.0] + delays)
    longest = 0.0
    for ex in examples:
        if "retry" in ex and "dlq" in ex:
            longest = max(longest, sum(delays))
        elif "retry" in ex:
            longest = max(longest, delays[0] if delays else 0.0)
    return longest, settle


def lab_paths(lab_dir):
    config = yaml.safe_load(open(os.path.join(lab_dir, "specmatic.yaml")))
    specs = config["components"]["services"]["sqsKafkaService"]["definitions"][0]["definition"]["specs"]
    contract = None
    for root, _, files in os.walk(os.path.join(lab_dir, ".specmatic")):
        for f in files:
            if os.path.join(root, f).endswith(specs[0]):
                contract = os.path.join(root, f)
    if contract is None:
        sys.exit(f"runner_scale_bench: {specs[0]} not found under {lab_dir}/.specmatic")
    return contract


def copy_lab(lab_dir, dest):
    """specmatic.yaml and the contract, unchanged; an empty examples directory."""
    shutil.copy(os.path.join(lab_dir, "specmatic.yaml"), dest)
    shutil.copytree(os.path.join(lab_dir, ".specmatic"), os.path.join(dest, ".specmatic"))
    os.makedirs(os.path.join(dest, EXAMPLES_DIR))


def lab_examples(lab_dir):
    src = os.path.join(lab_dir, EXAMPLES_DIR)
    return [(f, open(os.path.join(src, f)).read()) for f in sorted(os.listdir(src)) if f.endswith(".json")]


# Ids in the lab's examples: correlation ids, and the order and batch ids the replies echo.
ID = re.compile(r'"((?:corr-[a-z-]+-9000\d)|(?:ORD-[A-Z-]*9000\d)|(?:BATCH-9000\d))"')


def write_examples(lab_dir, dest, n, tag):
    base = lab_examples(lab_dir)
    out = []
    for i in range(n):
        name, text = base[i % len(base)]
        suffix = f"-{tag}-{i:05d}"
        text = ID.sub(lambda m: f'"{m.group(1)}{suffix}"', text)
        ex = json.loads(text)
        ex["name"] = f"{ex['name']}_{i:05d}"
        with open(os.path.join(dest, EXAMPLES_DIR, f"{i:05d}-{name}"), "w") as f:
            json.dump(ex, f, indent=1)
        out.append(ex)
    return out


def write_lab_six(lab_dir, dest):
    out = []
    for name, text in lab_examples(lab_dir):
        with open(os.path.join(dest, EXAMPLES_DIR, name), "w") as f:
            f.write(text)
        out.append(json.loads(text))
    return out


class Mock:
    """`contract-test mock` on the temporary config; ready once /_mock/health answers 200."""

    def __init__(self, binary, config, kafka, sqs, log_path):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([binary, "mock", "--config", config, "--kafka", kafka, "--sqs", sqs,
                                      "--port", "0"], stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.port = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.log.write(line)
            m = re.search(r"control http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            self.stop()
            sys.exit(f"runner_scale_bench: the mock printed no control port; see {log_path}")
        threading.Thread(target=self._copy_output, daemon=True).start()
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_mock/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        sys.exit(f"runner_scale_bench: the mock was not ready within 60 s; see {log_path}")

    def _copy_output(self):
        for line in self.proc.stdout:
            self.log.write(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def status_fields(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "Threads"):
                    fields[key] = int(value.split()[0])
    except OSError:
        pass
    return fields


def run_suite(binary, config, kafka, sqs, report_dir, log_path):
    """Runs contract-test; its exit code, rusage, and the peaks polled from /proc."""
    peaks = {"VmHWM": 0, "Threads": 0}
    with open(log_path, "w") as log:
        t0 = time.monotonic()
        proc = subprocess.Popen([binary, "--config", config, "--kafka", kafka, "--sqs", sqs,
                                 "--report-dir", report_dir], stdout=log, stderr=subprocess.STDOUT)
        while True:
            for k, v in status_fields(proc.pid).items():
                peaks[k] = max(peaks[k], v)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid != 0:
                break
            time.sleep(0.01)
        wall = time.monotonic() - t0
    return os.waitstatus_to_exitcode(status), usage, peaks, wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="examples (1000)")
    ap.add_argument("--lab-six", action="store_true", help="the lab's six examples, unchanged")
    ap.add_argument("--contract-test", default="build/bin/contract-test")
    ap.add_argument("--lab-dir", default="../shared/reference/kafka-sqs-retry-dlq")
    ap.add_argument("--kafka", default="127.0.0.1:9092")
    ap.add_argument("--sqs", default="http://127.0.0.1:4566/000000000000", help="with the account path")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    contract = lab_paths(args.lab_dir)
    tmp = tempfile.mkdtemp(prefix="runner-scale-")
    try:
        copy_lab(args.lab_dir, tmp)
        tag = f"{os.getpid()}-{int(time.time()) % 100000}"
        examples = write_lab_six(args.lab_dir, tmp) if args.lab_six else \
            write_examples(args.lab_dir, tmp, args.n, tag)
        label = "lab-six" if args.lab_six else f"scale-{len(examples)}"
        waits, settle = declared_waits(contract, examples)
        declared = waits + settle
        config = os.path.join(tmp, "specmatic.yaml")
        mock = Mock(args.contract_test, config, args.kafka, args.sqs, os.path.join(tmp, "mock.log"))
        try:
            code, usage, peaks, process_wall = run_suite(
                args.contract_test, config, args.kafka, args.sqs, os.path.join(tmp, "report"),
                os.path.join(tmp, "contract-test.log"))
        finally:
            mock.stop()
        ctrf_path = os.path.join(tmp, "report", "ctrf.json")
        if not os.path.exists(ctrf_path):
            print(open(os.path.join(tmp, "contract-test.log")).read()[-4000:])
            sys.exit(f"runner_scale_bench: contract-test exited {code} without a CTRF report")
        ctrf = json.load(open(ctrf_path))["results"]
        s = ctrf["summary"]
        suite_wall = (s["stop"] - s["start"]) / 1000.0
        rss_mb = usage.ru_maxrss / 1024.0  # KiB on Linux
        result = {
            "label": label, "examples": len(examples), "tests": s["tests"], "passed": s["passed"],
            "failed": s["failed"], "exit_code": code,
            "suite_wall_s": suite_wall, "process_wall_s": process_wall,
            "declared_waits_s": waits, "settle_s": settle, "declared_s": declared,
            "ratio": suite_wall / declared, "over_declared_s": suite_wall - declared,
            "startup_ms": ctrf["extra"]["startupMs"], "peak_rss_mb": rss_mb,
            "vm_hwm_polled_mb": peaks["VmHWM"] / 1024.0, "peak_threads": peaks["Threads"],
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }
        print(f"{label}: {s['passed']}/{s['tests']} passed (exit {code}); suite {suite_wall:.2f} s vs declared "
              f"waits {waits:.1f} s + settle {settle:.1f} s = {declared:.1f} s: ratio {result['ratio']:.3f} "
              f"({result['over_declared_s']:+.2f} s); process {process_wall:.2f} s, CPU {result['cpu_s']:.2f} s; "
              f"first publish {result['startup_ms']} ms; peak RSS {rss_mb:.1f} MB; "
              f"peak threads {peaks['Threads']}")
        if s["passed"] != s["tests"]:
            for t in ctrf["tests"]:
                if t["status"] != "passed":
                    print(f"  {t['name']}: {t.get('message', '')[:200]}")
                    break
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=1)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
