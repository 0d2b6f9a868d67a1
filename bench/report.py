#!/usr/bin/env python3
"""Summarises the JSON files `bench/run.sh` wrote into DIR: prints every figure, then the results
table (one row per target of the performance issue, met / not met); writes summary.json,
results.md and the plots (gnuplot, pngcairo) into DIR.

    report.py DIR                      summary, results table and plots in DIR
    report.py DIR --publish docs/bench  the same, then copies the plots, summary.json and
                                        results.md to docs/bench/ (what the README shows)

Every file in DIR comes from one `make bench` run: run.sh deletes the previous run's files first,
so the limit and the drain it is compared with, or the service's latency and the raw path's, are
always measured in the same run.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("dir", help="the run's output directory (build/bench)")
parser.add_argument("--publish", metavar="DEST",
                    help="copy the plots, summary.json and results.md here (docs/bench)")
args = parser.parse_args()
out = args.dir

LATENCY_RATES = (1000, 2000, 5000)
RATIO_RATE = 1000  # latency_p99_ratio: service p99 / raw p99 at this rate


def load(pattern):
    return [json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, pattern)))]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0):
    return "-" if v is None else f"{v:,.{digits}f}"


rows = []  # every figure: (figure, value, target, verdict)
summary = {}


def row(figure, value, target="", ok=None):
    verdict = "" if ok is None else ("met" if ok else "NOT met")
    rows.append((figure, value, target, verdict))


machine = None
for f in glob.glob(os.path.join(out, "*.json")):
    data = json.load(open(f))
    if isinstance(data, dict) and "machine" in data:
        machine = data["machine"]
        break
versions = None
if os.path.exists(os.path.join(out, "versions.txt")):
    kafka, elasticmq = (open(os.path.join(out, "versions.txt")).read().split() + ["?", "?"])[:2]
    versions = {"kafka": kafka, "elasticmq": elasticmq}

# ---- 1. the limit: the best median over the concurrency sweep
sweep_runs = {}
for d in load("limit-t*.json"):
    sweep_runs.setdefault(d["threads"], []).append(d["msgs_per_s"])
limit_sweep = {t: median(v) for t, v in sorted(sweep_runs.items())}
limit = limit_threads = None
if limit_sweep:
    limit_threads, limit = max(limit_sweep.items(), key=lambda kv: kv[1])
    messages = load("limit-t*.json")[0]["messages"]
    summary["limit"] = {"msgs_per_s": limit, "threads": limit_threads, "messages": messages,
                        "batch": 10, "sweep": {str(t): {"median": m, "runs": sweep_runs[t]}
                                               for t, m in limit_sweep.items()}}
    row(f"SQS limit: SendMessageBatch of 10, {messages:,} messages, best median over concurrency",
        f"{fmt(limit)} msg/s at {limit_threads} in flight")
    row("  the sweep (in flight: median msg/s)",
        "; ".join(f"{t}: {fmt(m)}" for t, m in limit_sweep.items()))

# ---- 2. drain
drains = {}
for n in (20000, 100000):
    runs = load(f"drain-{n}-*.json")
    if not runs:
        continue
    drains[n] = runs
    rate = median([d["drain_msgs_per_s"] for d in runs])
    raw = median([d.get("raw_consume", {}).get("msgs_per_s") for d in runs])
    cpu = median([d.get("service_cpu_us_per_order") for d in runs])
    steady = median([d["steady_rss_mb"] for d in runs])
    peak = max(d["peak_rss_mb"] for d in runs)
    ratio = rate / limit if limit else None
    summary[f"drain_{n}"] = {"msgs_per_s": rate, "limit_ratio": ratio,
                             "raw_kafka_consume_msgs_per_s": raw, "cpu_us_per_order": cpu,
                             "steady_rss_mb": steady, "peak_rss_mb_max": peak,
                             "runs": [d["drain_msgs_per_s"] for d in runs]}
    row(f"raw librdkafka consume of the {n:,}-order backlog (service's prefetch)", fmt(raw) + " msg/s")
    row(f"drain {n:,} orders at defaults", f"{fmt(rate)} msg/s = {fmt(ratio, 2)} x limit "
        f"({fmt(cpu, 1)} us CPU/order, RSS {fmt(steady, 1)} MB steady, {fmt(peak, 1)} peak)")
if 100000 in drains:
    summary["limit_ratio"] = summary["drain_100000"]["limit_ratio"]
    if limit:  # side by side with the limit, under the sweep
        d = summary["drain_100000"]
        rows.insert(2, ("  vs the drain of 100,000 orders at defaults (same run)",
                        f"{fmt(d['msgs_per_s'])} msg/s = {fmt(d['limit_ratio'], 2)} x {fmt(limit)}",
                        ">= 0.9 x limit", "met" if d["limit_ratio"] >= 0.9 else "NOT met"))

small = load("small-5000-*.json")
if small:
    first_ms = median([d["first_message_s"] * 1000 for d in small if d.get("first_message_s", -1) >= 0])
    e2e = median([5000 / d["all_in_sqs_s"] for d in small if d.get("all_in_sqs_s", -1) > 0])
    summary["small_backlog_5000"] = {"start_to_first_sqs_ms": first_ms, "end_to_end_msgs_per_s": e2e,
                                     "runs": [[d.get("first_message_s"), d.get("all_in_sqs_s")]
                                              for d in small]}
    row("5,000-order backlog: process start to first message in SQS (25 ms sampling)", f"{fmt(first_ms)} ms")
    row("5,000-order backlog: process start to all in SQS, end to end", f"{fmt(e2e)} msg/s")

# ---- 4. retry isolation
retry = load("retry-20000-*.json")
if retry and 20000 in drains:
    clean_main = median([d["main_path_msgs_per_s"] for d in drains[20000]])
    main = median([d["main_path_msgs_per_s"] for d in retry])
    early = sum(d["retry"]["before_due"] for d in retry)
    missing = sum(d["retry"]["missing"] for d in retry)
    delta = (main - clean_main) / clean_main
    summary["retry_isolation"] = {"main_path_msgs_per_s": main, "clean_main_path_msgs_per_s": clean_main,
                                  "delta": delta, "before_due": early, "missing": missing}
    row("main path with 10 % failing once", f"{fmt(main)} msg/s vs {fmt(clean_main)} clean "
        f"({delta * 100:+.1f} %)", "within 5 %", delta >= -0.05)
    row("retried orders delivered before their due time",
        f"{early} of {sum(d['retry']['retried'] for d in retry)} "
        f"(after due by {fmt(min(d['retry']['after_due_ms_min'] for d in retry))}.."
        f"{fmt(max(d['retry']['after_due_ms_max'] for d in retry))} ms), missing {missing}",
        "0 early, 0 missing", early == 0 and missing == 0)

# ---- 3. latency: service and raw path, medians over the repeats; the ratio per run, then its median
latency_files = load("latency-[0-9]*.json")
lat_runs = {}  # (path, rate) -> [run, ...]
ratios = []
for f in latency_files:
    by = {(r.get("path", "service"), r["rate"]): r for r in f["runs"]}
    for key, r in by.items():
        lat_runs.setdefault(key, []).append(r)
    s, w = by.get(("service", RATIO_RATE)), by.get(("raw", RATIO_RATE))
    if s and w and w["p99_ms"] > 0:
        ratios.append(s["p99_ms"] / w["p99_ms"])
latency_p99_ratio = median(ratios)
lat = {}  # (path, rate) -> medians
for (path, rate), runs in sorted(lat_runs.items(), key=lambda kv: (kv[0][1], kv[0][0] != "service")):
    m = {k: median([r[k] for r in runs]) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")}
    m["missing"] = sum(r["missing"] for r in runs)
    m["runs"] = len(runs)
    cpus = [r.get("cpu", {}) for r in runs]
    recv = [r.get("receive_side", {}) for r in runs]
    m["cpu_us_per_order"] = median([c.get("path_cpu_us_per_order") for c in cpus])
    m["receive_side"] = {
        "cores": median([c.get("receive_side_cores") for c in cpus]),
        "cpu_us_per_msg": median([c.get("receive_side_cpu_us_per_msg") for c in cpus]),
        "msgs_per_receive": median([x.get("msgs_per_receive") for x in recv]),
        "msgs_per_delete": median([x.get("msgs_per_delete") for x in recv]),
        "sqs_server_cores": median([c.get("sqs_server_cores") for c in cpus]),
        "machine_busy": median([c.get("machine_busy") for c in cpus]),
    }
    if path == "service":
        m["steady_rss_mb"] = median([r.get("steady_rss_mb") for r in runs])
        m["peak_rss_mb"] = max(r.get("peak_rss_mb", 0) for r in runs)
    lat[(path, rate)] = m
if lat:
    summary["latency"] = {f"{path}_{rate}": m for (path, rate), m in lat.items()}
    summary["latency_p99_ratio"] = latency_p99_ratio
    summary["latency_p99_ratio_runs"] = ratios
    for rate in sorted({rate for _, rate in lat}):
        s, w = lat.get(("service", rate)), lat.get(("raw", rate))
        parts = []
        for name, m in (("service", s), ("raw", w)):
            if m:
                parts.append(f"{name} {m['p50_ms']:.1f} / {m['p99_ms']:.1f}"
                             + (f" ({m['missing']} missing)" if m["missing"] else ""))
        ratio = s["p99_ms"] / w["p99_ms"] if s and w and w["p99_ms"] > 0 else None
        row(f"latency at {rate:,}/s, p50 / p99 ms (medians of the runs)", "; ".join(parts)
            + (f"; p99 {ratio:.2f} x raw" if ratio is not None else ""))
    for rate in sorted({rate for _, rate in lat}):
        for path in ("service", "raw"):
            m = lat.get((path, rate))
            if not m:
                continue
            rs = m["receive_side"]
            row(f"  receive side during {path} at {rate:,}/s",
                f"{fmt(rs['cores'], 2)} cores ({fmt(rs['cpu_us_per_msg'], 0)} us/msg), "
                f"{fmt(rs['msgs_per_receive'], 1)} msg/receive, {fmt(rs['msgs_per_delete'], 1)} msg/delete; "
                f"SQS server {fmt(rs['sqs_server_cores'], 2)} cores, machine "
                f"{fmt(None if rs['machine_busy'] is None else rs['machine_busy'] * 100)} % busy; "
                f"{path} {fmt(m['cpu_us_per_order'], 1)} us CPU/order")

steady = [d["steady_rss_mb"] for runs in drains.values() for d in runs] + \
    [r["steady_rss_mb"] for (path, _), runs in lat_runs.items() if path == "service" for r in runs]
peak = [d["peak_rss_mb"] for runs in drains.values() for d in runs] + \
    [r["peak_rss_mb"] for (path, _), runs in lat_runs.items() if path == "service" for r in runs]
if steady:
    summary["rss_mb"] = {"steady_max": max(steady), "peak_max": max(peak)}
    row("order-service RSS, steady (max over drain and latency runs) / peak",
        f"{max(steady):.1f} / {max(peak):.1f} MB")

# ---- runner, mock, studio (their own targets)
runner = {m: load(f"runner-{m}.json") for m in ("parallel", "sequential")}
if runner["parallel"] and runner["sequential"]:
    p, s = runner["parallel"][0], runner["sequential"][0]
    summary["runner"] = {"parallel": p, "sequential": s, "floor_s": 7}
    # The lab's declared waits (1 + 2 + 4 s) + its settle window (4 s) + 1 s.
    row("lab suite wall time, parallel / sequential",
        f"{p['suite_wall_ms'] / 1000:.1f} / {s['suite_wall_ms'] / 1000:.1f} s "
        f"({p['passed']}/{p['tests']} and {s['passed']}/{s['tests']} passed)", "parallel <= 7+4+1 = 12 s",
        p["suite_wall_ms"] <= 12000 and p["passed"] == p["tests"])
    row("runner start-up to first publish", f"{p['startup_ms']} ms (process wall "
        f"{p['process_wall_ms'] / 1000:.1f} s)")

scale = load("runner-scale-1000-*.json")
scale_lab = load("runner-scale-lab-*.json")
lab_threads = max(d["peak_threads"] for d in scale_lab) if scale_lab else None
if scale:
    ratio = median([d["ratio"] for d in scale])
    wall = median([d["suite_wall_s"] for d in scale])
    declared = scale[0]["declared_s"]
    rss = median([d["peak_rss_mb"] for d in scale])
    first = median([d["startup_ms"] for d in scale])
    threads = max(d["peak_threads"] for d in scale)
    passed = min(d["passed"] for d in scale)
    n = scale[0]["examples"]
    summary["runner_scale"] = {"ratio": ratio, "suite_wall_s": wall, "declared_s": declared,
                               "peak_rss_mb": rss, "startup_ms": first, "peak_threads_max": threads,
                               "passed_min": passed, "examples": n, "runs": scale}
    process = median([d["process_wall_s"] for d in scale])
    summary["runner_scale"]["process_wall_s"] = process
    row(f"contract-test, {n:,} examples in parallel: suite / (waits + settle) (median)",
        f"{wall:.2f} s / {declared:.1f} s = {ratio:.3f} x ({passed}/{n} passed, worst run; "
        f"process {process:.2f} s = {process / declared:.2f} x)", "<= 1.2 x, all pass",
        ratio <= 1.2 and passed == n)
    row(f"contract-test, {n:,} examples: runner peak RSS (median)", f"{rss:.1f} MB", "<= 200 MB", rss <= 200)
    row(f"contract-test, {n:,} examples: start-up to first publish (median)", f"{first:.0f} ms", "<= 50 ms",
        first <= 50)
    lab_threads = max(d["peak_threads"] for d in scale_lab) if scale_lab else None
    row(f"contract-test, {n:,} examples: runner threads at peak (max)",
        f"{threads} (the lab's six: {fmt(lab_threads)})", "no thread per test",
        None if lab_threads is None else threads <= lab_threads)
if scale_lab:
    wall = median([d["suite_wall_s"] for d in scale_lab])
    declared = scale_lab[0]["declared_s"]
    passed = min(d["passed"] for d in scale_lab)
    summary["runner_scale_lab"] = {"suite_wall_s": wall, "declared_s": declared, "passed_min": passed,
                                   "runs": scale_lab}
    row("contract-test, the lab's six vs the mock: suite wall (median)",
        f"{wall:.2f} s ({passed}/{scale_lab[0]['examples']} passed, worst run)",
        f"<= {declared:.0f}+1 = {declared + 1:.0f} s", wall <= declared + 1 and passed == scale_lab[0]["examples"])

mock = load("mock-20000-*.json")
if mock:
    rate = median([d["replies_per_s"] for d in mock])
    ready = median([d["startup_ms"] for d in mock])
    rss = max(d["steady_rss_mb"] for d in mock)
    cpu = median([d["cpu_us_per_reply"] for d in mock])
    summary["mock"] = {"replies_per_s": rate, "startup_ms": ready, "steady_rss_mb_max": rss,
                       "cpu_us_per_reply": cpu, "runs": [d["replies_per_s"] for d in mock]}
    row("contract-test mock: generated replies/s (20,000 orders, median)",
        f"{fmt(rate)} /s ({cpu:.0f} us CPU/reply, RSS {rss:.1f} MB)", ">= 5,000 /s", rate >= 5000)
    row("contract-test mock: start-up to ready (median)", f"{ready:.0f} ms", "<= 1,000 ms", ready <= 1000)
micro = load("mock-micro.json")
if micro:
    stages = {b["name"]: b["cpu_time"] / 1000.0 for b in micro[0]["benchmarks"]}
    summary.setdefault("mock", {})["stages_us"] = stages
    row("contract-test mock stages (us): decide / generate reply / schema check",
        f"{stages.get('BM_DecideGeneratedStandard', 0):.1f} / {stages.get('BM_GenerateReply', 0):.1f} / "
        f"{stages.get('BM_ValidateValid', 0):.1f}")

studio = load("studio.json")
if studio:
    st = studio[0]
    summary["studio"] = st
    fp, ev, rss = st["first_paint_ms"], st["event_latency_ms"], st["rss_mb"]
    row("Studio first paint (median / max)", f"{fp['median']:.0f} / {fp['max']:.0f} ms", "<= 300 ms",
        fp["max"] <= 300)
    row("Studio run event to page (first max / p99 / max)",
        f"{ev['first_event_max']} / {ev['p99']} / {ev['max']} ms", "<= 100 ms", ev["max"] <= 100)
    row("Studio RSS idle / loaded / after runs", f"{rss['idle']} / {rss['loaded']} / {rss['after_runs']} MB",
        "idle < 30 MB", rss["idle"] < 30)

# ---- 11. order-service's stages: time per order (medians of the repetitions when there are any)
stages_us = {}  # benchmark run name -> us per order
for f in load("stages.json"):
    entries = f["benchmarks"]
    aggregated = any(b.get("run_type") == "aggregate" for b in entries)
    for b in entries:
        if aggregated and b.get("aggregate_name") != "median":
            continue
        if "time/order" in b:
            stages_us[b.get("run_name", b["name"])] = b["time/order"] * 1e6


def stage_mix(prefix):
    """The mean over the mix's three order types, or the one batch benchmark."""
    values = [v for k, v in stages_us.items() if k == prefix or k.startswith(prefix + "/")]
    return sum(values) / len(values) if values else None


STAGES = (("decode", "BM_Decode"), ("transform", "BM_Transform"), ("encode", "BM_EncodeBatch"),
          ("sign (estimate)", "BM_SignBatch"), ("client SendMessageBatch", "BM_ClientSendBatch"),
          ("route (decode + transform + ...)", "BM_RouteMain"),
          ("route + contract check", "BM_RouteMainContractChecked"))
stage_figures = [(label, stage_mix(prefix)) for label, prefix in STAGES]
stage_figures = [(label, v) for label, v in stage_figures if v is not None]
if stage_figures:
    summary["stages_us_per_order"] = dict(stage_figures)
    row("order-service stages, us per order of the mix",
        "; ".join(f"{label} {v:.2f}" for label, v in stage_figures))

sweep = []
for name, pattern in (("SQS_BATCH_SIZE", "sweep-batch-*.json"),
                      ("SQS_MAX_IN_FLIGHT_BATCHES", "sweep-inflight-*.json"),
                      ("SQS_BATCH_LINGER_MS", "sweep-linger-[0-9]*.json"),
                      ("queued.min.messages/kbytes", "sweep-prefetch-*.json")):
    for d in load(pattern):
        value = d["label"].split("=", 1)[1]
        entry = {"knob": name, "value": value, "orders": d["orders"],
                 "drain_msgs_per_s": d["drain_msgs_per_s"], "steady_rss_mb": d["steady_rss_mb"],
                 "cpu_us_per_order": d.get("service_cpu_us_per_order")}
        if name == "SQS_BATCH_LINGER_MS":
            lat_sweep = load(f"sweep-linger-latency-{value}.json")
            if lat_sweep:
                entry["p99_ms_at_1000"] = lat_sweep[0]["runs"][0]["p99_ms"]
                entry["p50_ms_at_1000"] = lat_sweep[0]["runs"][0]["p50_ms"]
        sweep.append(entry)
sweep.sort(key=lambda e: (e["knob"], int(e["value"].split("/")[0])))
summary["sweep"] = sweep

# ---- the results table: one row per target of the performance issue
targets = []  # {"target", "measured", "goal", "met"}; met None: not measured in this run


def target(name, measured, goal, met):
    targets.append({"target": name, "measured": measured, "goal": goal, "met": met})


d100 = summary.get("drain_100000", {})
ratio = d100.get("limit_ratio")
target("drain of a 100,000-order mixed backlog at defaults vs the limit",
       f"{fmt(d100.get('msgs_per_s'))} msg/s vs {fmt(limit)} msg/s (at {limit_threads} in flight) "
       f"= {fmt(ratio, 2)} x" if ratio is not None else "not measured",
       ">= 0.9 x limit", None if ratio is None else ratio >= 0.9)
cpu100 = d100.get("cpu_us_per_order")
target("service CPU per order (100,000-order drain)",
       f"{fmt(cpu100, 1)} us" if cpu100 is not None else "not measured", "<= 12 us",
       None if cpu100 is None else cpu100 <= 12)
s1, r1 = lat.get(("service", RATIO_RATE)), lat.get(("raw", RATIO_RATE))
target(f"latency at {RATIO_RATE:,}/s: service p99 / raw-path p99 (latency_p99_ratio)",
       f"{latency_p99_ratio:.2f} (median of the runs' {', '.join(f'{x:.2f}' for x in ratios)}; "
       f"median p99 {s1['p99_ms']:.1f} vs {r1['p99_ms']:.1f} ms)"
       if latency_p99_ratio is not None and s1 and r1 else "not measured",
       "<= 1.5", None if latency_p99_ratio is None else latency_p99_ratio <= 1.5)
rss100 = d100.get("steady_rss_mb")
target("RSS draining 100,000 orders (steady, median)",
       f"{fmt(rss100, 1)} MB (peak {fmt(d100.get('peak_rss_mb_max'), 1)})" if rss100 is not None
       else "not measured", "<= 30 MB", None if rss100 is None else rss100 <= 30)
small5k = summary.get("small_backlog_5000", {})
first_ms = small5k.get("start_to_first_sqs_ms")
target("start-up: process start to first message in SQS (5,000 backlog)",
       f"{fmt(first_ms)} ms" if first_ms is not None else "not measured", "<= 100 ms",
       None if first_ms is None else first_ms <= 100)
e2e = small5k.get("end_to_end_msgs_per_s")
target("5,000-order backlog, process start to all in SQS",
       f"{fmt(e2e)} msg/s" if e2e is not None else "not measured", ">= 10,000 msg/s",
       None if e2e is None else e2e >= 10000)
rs = summary.get("runner_scale")
n_ex = rs["examples"] if rs else 1000
target(f"runner: {n_ex:,} examples in parallel within 1.2 x the longest scenario's waits + settle",
       f"{rs['suite_wall_s']:.2f} s / {rs['declared_s']:.1f} s = {rs['ratio']:.3f} x "
       f"({rs['passed_min']}/{n_ex} passed)" if rs else "not measured", "<= 1.2 x, all pass",
       None if not rs else rs["ratio"] <= 1.2 and rs["passed_min"] == n_ex)
target(f"runner: peak RSS with {n_ex:,} examples", f"{rs['peak_rss_mb']:.1f} MB" if rs else "not measured",
       "<= 200 MB", None if not rs else rs["peak_rss_mb"] <= 200)
target(f"runner: start-up to first publish with {n_ex:,} examples",
       f"{rs['startup_ms']:.0f} ms" if rs else "not measured", "<= 50 ms",
       None if not rs else rs["startup_ms"] <= 50)
rl = summary.get("runner_scale_lab")
target("runner: the lab's six within their waits + settle + 1 s",
       f"{rl['suite_wall_s']:.2f} s (limit {rl['declared_s'] + 1:.0f} s)" if rl else "not measured",
       "<= waits + settle + 1 s", None if not rl else rl["suite_wall_s"] <= rl["declared_s"] + 1)
target("runner: one watcher per channel, no thread per scenario",
       f"{rs['peak_threads_max']} threads at peak with {n_ex:,} examples" if rs else "not measured",
       "as many as for the lab's six", None if not rs or lab_threads is None else
       rs["peak_threads_max"] <= lab_threads)
# Hook: a section that fills summary["scale"] with {"targets": [{"target", "measured", "goal",
# "met"}, ...]} (e.g. from its own scale-*.json files, read above this table) gets its rows here.
for t in summary.get("scale", {}).get("targets", []):
    target(t["target"], t["measured"], t["goal"], t.get("met"))
summary["targets"] = targets
summary["machine"] = machine
summary["versions"] = versions


def verdict(met):
    return "not measured" if met is None else ("met" if met else "not met")


results_md = ["| target | measured | goal | |", "|---|---|---|---|"]
for t in targets:
    results_md.append(f"| {t['target']} | {t['measured']} | {t['goal']} | {verdict(t['met'])} |")

# ---- print
if machine:
    print(f"machine: {machine['cores']} cores, {machine['cpu']}, {machine['memory_gib']} GiB, "
          f"{machine['kernel']}; librdkafka {machine['librdkafka']}, libcurl {machine['libcurl']}"
          + (f"; Kafka {versions['kafka']}, ElasticMQ {versions['elasticmq']}" if versions else ""))
w = max(len(r[0]) for r in rows) if rows else 10
v = min(max(len(r[1]) for r in rows), 60) if rows else 10  # longer values push their target out
for figure, value, goal, ok in rows:
    print(f"{figure:<{w}}  {value:<{v}}  {goal:<18} {ok}".rstrip())
if sweep:
    print("\nknob sweep (drain of N orders; p50/p99 at 1,000/s for the linger):")
    for e in sweep:
        extra = ""
        if "p99_ms_at_1000" in e:
            extra = f"  p50 {e['p50_ms_at_1000']:.1f} ms, p99 {e['p99_ms_at_1000']:.1f} ms"
        print(f"  {e['knob']:<26} {e['value']:>10}  N={e['orders']:<7} {fmt(e['drain_msgs_per_s']):>7} msg/s"
              f"  {e['steady_rss_mb']:5.1f} MB  {fmt(e['cpu_us_per_order'], 1)} us/order{extra}")
print("\nresults (the issue's targets; also in results.md):")
print("\n".join(results_md))
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)
with open(os.path.join(out, "results.md"), "w") as f:
    f.write("\n".join(results_md) + "\n")

# ---- plots
plots = []  # (file name, gnuplot commands before `plot`, plot clauses)


def dat(name, lines):
    path = os.path.join(out, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


drain100 = d100.get("msgs_per_s")
if limit_sweep:
    runs_path = dat("limit-sweep-runs.dat", [f"{t} {v:.0f}" for t, vs in sweep_runs.items() for v in vs])
    med_path = dat("limit-sweep.dat", [f"{t} {m:.0f}" for t, m in limit_sweep.items()])
    lines = [f"'{med_path}' using 1:2 with linespoints lw 2 pt 7 title 'SendMessageBatch of 10, median'",
             f"'{runs_path}' using 1:2 with points pt 1 lc rgb 'gray50' title 'each run'",
             f"{limit * 0.9:.0f} with lines dt 3 lc rgb 'gray40' title '0.9 x limit ({fmt(limit * 0.9)})'"]
    if drain100:
        lines.append(f"{drain100:.0f} with lines lw 2 lc rgb 'red' "
                     f"title 'order-service drain, 100,000 orders, defaults ({fmt(drain100)})'")
    plots.append(("limit-sweep.png",
                  "set title \"SQS limit: SendMessageBatch of 10 vs concurrency; the service's drain\"; "
                  "set xlabel 'requests in flight'; set ylabel 'messages/s'; set xtics (1,2,4,6,8,12,16); "
                  "set xrange [0:17]; set yrange [0:*]; set key bottom right", lines))
if lat:
    lines = []
    for path, color in (("service", "red"), ("raw", "blue")):
        pts = [(rate, m) for (p, rate), m in sorted(lat.items(), key=lambda kv: kv[0][1]) if p == path]
        if not pts:
            continue
        fname = dat(f"latency-{path}.dat", [f"{rate} {m['p50_ms']:.3f} {m['p99_ms']:.3f}" for rate, m in pts])
        label = "order-service" if path == "service" else "raw path (no-logic forwarder)"
        lines.append(f"'{fname}' using 1:3 with linespoints lw 2 pt 7 lc rgb '{color}' title '{label}, p99'")
        lines.append(f"'{fname}' using 1:2 with linespoints lw 2 dt 2 pt 6 lc rgb '{color}' title '{label}, p50'")
    plots.append(("latency.png",
                  "set title 'Kafka append -> SQS receive latency vs input rate (medians of the runs)'; "
                  "set xlabel 'orders/s'; set ylabel 'ms (log scale)'; set logscale y; "
                  f"set xtics ({', '.join(str(r) for r in sorted({r for _, r in lat}))}); "
                  "set xrange [500:5500]; set key top left", lines))
    # The whole distribution of the first run at each rate.
    first = latency_files[0]["runs"] if latency_files else []
    lines = []
    for r in first:
        path = r.get("path", "service")
        fname = dat(f"latency-cdf-{path}-{r['rate']}.dat",
                    [f"{max(ms, 0.1):.3f} {p}" for ms, p in r["cdf"]])
        color = ("dark-violet", "web-blue", "dark-orange", "forest-green")[sorted(
            {x["rate"] for x in first}).index(r["rate"]) % 4]  # one color a rate, raw dashed
        lines.append(f"'{fname}' using 1:2 with lines lw 2 lc rgb '{color}' "
                     f"{'' if path == 'service' else 'dt 2'} title '{path}, {r['rate']:,}/s'")
    if lines:
        plots.append(("latency-cdf.png",
                      "set title 'Kafka append -> SQS receive latency (CDF, first run)'; "
                      "set xlabel 'latency (ms, log scale)'; set ylabel 'percentile'; set logscale x; "
                      "set yrange [0:100]; set key bottom right", lines))
if stage_figures:
    bars = [(label, v) for label, v in stage_figures]
    if cpu100 is not None:
        bars.append(("whole service (drain 100,000)", cpu100))
    fname = dat("stages.dat", [f"\"{label}\" {v:.3f}" for label, v in bars])
    plots.append(("stages-cpu.png",
                  "set title 'order-service: CPU time per order, per stage (stages\\_bench, mix mean) "
                  "and whole (drain\\_bench)'; set ylabel 'us per order'; set style data histograms; "
                  "set style histogram clustered gap 1; set style fill solid 0.6 border -1; "
                  "set boxwidth 0.8 relative; set xtics rotate by -25; set bmargin 7; "
                  "set yrange [0:*]; set key top left",
                  [f"'{fname}' using 2:xtic(1) lc rgb 'steelblue' title 'us per order'",
                   "12 with lines dt 2 lc rgb 'red' title 'target 12 us (whole service)'"]))
if drains:
    lines = []
    for n, runs in sorted(drains.items()):
        series = runs[0]["series"]
        pts, last_t, last_depth = [], 0.0, 0
        for t, committed, depth in series:  # SQS arrivals per second over 250 ms windows
            if t - last_t >= 0.25:
                pts.append(f"{t:.3f} {(depth - last_depth) / (t - last_t):.0f}")
                last_t, last_depth = t, depth
        lines.append(f"'{dat(f'drain-{n}.dat', pts)}' using 1:2 with steps lw 2 title '{n:,} orders'")
    if limit:
        lines.append(f"{limit:.0f} with lines dt 2 lc rgb 'gray40' title 'SQS limit ({fmt(limit)} msg/s)'")
    plots.append(("drain-throughput.png",
                  "set title 'order-service backlog drain: messages into SQS per second'; "
                  "set xlabel 'seconds since order-service started'; set ylabel 'messages/s'", lines))

drawn = []
for name, settings, lines in plots:
    script = (f"set terminal pngcairo size 900,500 font 'sans,10'; set output '{os.path.join(out, name)}';"
              f" set grid; {settings}; plot {', '.join(lines)}\n")
    gp = os.path.join(out, name.replace(".png", ".gp"))
    open(gp, "w").write(script)
    try:
        subprocess.run(["gnuplot", gp], check=True)
        drawn.append(name)
        print(f"plot: {os.path.join(out, name)}")
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"plot: {name} not drawn ({e})")

if args.publish:
    os.makedirs(args.publish, exist_ok=True)
    for name in drawn + ["summary.json", "results.md"]:
        shutil.copy(os.path.join(out, name), os.path.join(args.publish, name))
    print(f"published to {args.publish}/: {', '.join(drawn + ['summary.json', 'results.md'])}")
