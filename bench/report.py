#!/usr/bin/env python3
"""Summarises the JSON files `bench/run.sh` wrote: prints every figure against its target,
writes summary.json and renders the plots (gnuplot, pngcairo) into the same directory."""
import glob
import json
import os
import statistics
import subprocess
import sys

out = sys.argv[1]


def load(pattern):
    return [json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, pattern)))]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0):
    return "-" if v is None else f"{v:,.{digits}f}"


rows = []  # (figure, value, target, verdict)
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

# The limit for N messages, measured with the same N as the drain it is compared with.
limits = {n: median([d["msgs_per_s"] for d in load(f"limit-{n}-*.json")]) for n in (20000, 100000)}
summary["sqs_limit_msgs_per_s"] = limits
for n, value in limits.items():
    if value is not None:
        row(f"SQS ingest limit, {n:,} messages (SendMessageBatch x4 in flight)", fmt(value) + " msg/s")
limit = limits[100000] or limits[20000]

drains = {}
for n in (20000, 100000):
    runs = load(f"drain-{n}-*.json")
    if not runs:
        continue
    rate = median([d["drain_msgs_per_s"] for d in runs])
    raw = median([d.get("raw_consume", {}).get("msgs_per_s") for d in runs])
    drains[n] = runs
    summary[f"drain_{n}"] = {"msgs_per_s": rate, "raw_kafka_consume_msgs_per_s": raw,
                             "runs": [d["drain_msgs_per_s"] for d in runs]}
    row(f"raw librdkafka consume of the {n:,}-order backlog (service's prefetch)", fmt(raw) + " msg/s")
    ratio = rate / limits[n] if limits.get(n) else None
    cpu = median([d.get("service_cpu_us_per_order") for d in runs])
    summary[f"drain_{n}"]["cpu_us_per_order"] = cpu
    row(f"drain {n:,} orders", f"{fmt(rate)} msg/s = {fmt(ratio, 2)} x limit ({fmt(cpu, 1)} us CPU/order)",
        ">= 0.9 x limit", None if ratio is None else ratio >= 0.9)

small = load("small-5000-*.json")
if small:
    first_ms = median([d["first_message_s"] * 1000 for d in small if d.get("first_message_s", -1) >= 0])
    e2e = median([5000 / d["all_in_sqs_s"] for d in small if d.get("all_in_sqs_s", -1) > 0])
    summary["small_backlog_5000"] = {"start_to_first_sqs_ms": first_ms, "end_to_end_msgs_per_s": e2e,
                                     "runs": [[d.get("first_message_s"), d.get("all_in_sqs_s")]
                                              for d in small]}
    row("5,000-order backlog: process start to first message in SQS (25 ms sampling)",
        f"{fmt(first_ms)} ms", "<= 100 ms", None if first_ms is None else first_ms <= 100)
    row("5,000-order backlog: process start to all in SQS, end to end", f"{fmt(e2e)} msg/s",
        ">= 10,000 msg/s", None if e2e is None else e2e >= 10000)

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

latency = load("latency.json")
steady_latency = []
if latency:
    summary["latency"] = []
    for r in latency[0]["runs"]:
        summary["latency"].append({k: r[k] for k in r if k != "cdf"})
        steady_latency.append(r["steady_rss_mb"])
        target = "p99 <= 25 ms" if r["rate"] == 1000 else ""
        ok = r["p99_ms"] <= 25 if r["rate"] == 1000 else None
        row(f"latency at {r['rate']:,}/s (p50 / p90 / p99 / max ms)",
            f"{r['p50_ms']:.1f} / {r['p90_ms']:.1f} / {r['p99_ms']:.1f} / {r['max_ms']:.1f}"
            f" ({r['missing']} missing)", target, ok)

steady = [d["steady_rss_mb"] for runs in drains.values() for d in runs] + steady_latency
peak = [d["peak_rss_mb"] for runs in drains.values() for d in runs] + \
    [r["peak_rss_mb"] for l in latency for r in l["runs"]]
if steady:
    summary["rss_mb"] = {"steady_max": max(steady), "peak_max": max(peak)}
    row("order-service RSS, steady (max over runs) / peak", f"{max(steady):.1f} / {max(peak):.1f} MB",
        "steady <= 40 MB", max(steady) <= 40)

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
            lat = load(f"sweep-linger-latency-{value}.json")
            if lat:
                entry["p99_ms_at_1000"] = lat[0]["runs"][0]["p99_ms"]
                entry["p50_ms_at_1000"] = lat[0]["runs"][0]["p50_ms"]
        sweep.append(entry)
sweep.sort(key=lambda e: (e["knob"], int(e["value"].split("/")[0])))
summary["sweep"] = sweep
summary["machine"] = machine

if machine:
    print(f"machine: {machine['cores']} cores, {machine['cpu']}, {machine['memory_gib']} GiB, "
          f"{machine['kernel']}; librdkafka {machine['librdkafka']}, libcurl {machine['libcurl']}")
w = max(len(r[0]) for r in rows) if rows else 10
v = max(len(r[1]) for r in rows) if rows else 10
for figure, value, target, verdict in rows:
    print(f"{figure:<{w}}  {value:<{v}}  {target:<18} {verdict}")
if sweep:
    print("\nknob sweep (drain of N orders; p50/p99 at 1,000/s for the linger):")
    for e in sweep:
        extra = ""
        if "p99_ms_at_1000" in e:
            extra = f"  p50 {e['p50_ms_at_1000']:.1f} ms, p99 {e['p99_ms_at_1000']:.1f} ms"
        print(f"  {e['knob']:<26} {e['value']:>10}  N={e['orders']:<7} {fmt(e['drain_msgs_per_s']):>7} msg/s"
              f"  {e['steady_rss_mb']:5.1f} MB  {fmt(e['cpu_us_per_order'], 1)} us/order{extra}")
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)

# ---- plots
plots = []
if drains:
    lines = []
    for n, runs in sorted(drains.items()):
        d = runs[0]
        path = os.path.join(out, f"drain-{n}.dat")
        with open(path, "w") as f:
            series = d["series"]
            # SQS arrivals per second over 250 ms windows.
            last_t, last_depth = 0.0, 0
            for t, committed, depth in series:
                if t - last_t >= 0.25:
                    f.write(f"{t:.3f} {(depth - last_depth) / (t - last_t):.0f}\n")
                    last_t, last_depth = t, depth
        lines.append(f"'{path}' using 1:2 with steps lw 2 title '{n:,} orders'")
    if limit:
        lines.append(f"{limit} with lines dt 2 lc rgb 'gray40' title 'SQS ingest limit (100,000 messages)'")
    plots.append(("drain-throughput.png", "order-service backlog drain: messages into SQS per second",
                  "seconds since order-service started", "messages/s", "", lines))
if latency:
    lines = []
    for r in latency[0]["runs"]:
        path = os.path.join(out, f"latency-{r['rate']}.dat")
        with open(path, "w") as f:
            for ms, p in r["cdf"]:
                f.write(f"{max(ms, 0.1):.3f} {p}\n")
        lines.append(f"'{path}' using 1:2 with lines lw 2 title '{r['rate']:,} orders/s'")
    plots.append(("latency-cdf.png", "Kafka append -> SQS receive latency (CDF)",
                  "latency (ms, log scale)", "percentile", "set logscale x; set yrange [0:100]; "
                  "set key bottom right; set arrow from 25, graph 0 to 25, graph 1 nohead dt 2", lines))
for name, title, xlabel, ylabel, extra, lines in plots:
    script = (f"set terminal pngcairo size 900,500 font 'sans,10'; set output '{os.path.join(out, name)}';"
              f"set title \"{title}\"; set xlabel '{xlabel}'; set ylabel '{ylabel}'; set grid; {extra};"
              f"plot {', '.join(lines)}\n")
    gp = os.path.join(out, name.replace(".png", ".gp"))
    open(gp, "w").write(script)
    try:
        subprocess.run(["gnuplot", gp], check=True)
        print(f"plot: {os.path.join(out, name)}")
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"plot: {name} not drawn ({e})")
