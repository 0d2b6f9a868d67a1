"""Studio figures: the page's first paint, how long a run's events take from the server to the page,
and the studio process's resident memory. Prints a table and writes one JSON file.

    studio_bench.py --studio-bin build/bin/contract-test --order-service-bin build/bin/order-service \
        --lab-dir ../shared/reference/kafka-sqs-retry-dlq --json build/bench/studio.json [--loads 10] [--runs 3]

Runs with the browser tests' venv (tests/browser/setup.sh) against the real stack: it starts
`contract-test studio` and order-service on the lab's topics, like tests/browser/test_studio_real.py.

  first paint     performance 'first-contentful-paint' of a fresh load of / (cache disabled), ms
  event latency   per run event: the page's Date.now() when it rendered it minus the server's
                  emitted_epoch_ms (stamped in the same callback that prints the CLI's progress line)
  RSS             VmRSS of the studio process: idle after start, with the lab loaded, 5 s after runs
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'browser'))
os.environ.setdefault('SE_OFFLINE', 'true')

import test_studio_page as page  # noqa: E402
import test_studio_real as real  # noqa: E402


def rss_mb(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return float('nan')


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--studio-bin', required=True)
    ap.add_argument('--order-service-bin', required=True)
    ap.add_argument('--lab-dir', required=True)
    ap.add_argument('--json', required=True)
    ap.add_argument('--loads', type=int, default=10)
    ap.add_argument('--runs', type=int, default=3)
    args = ap.parse_args()
    real.ORDER_SERVICE_BIN = args.order_service_bin

    work = tempfile.mkdtemp(prefix='studio-bench-')
    root = os.path.join(work, 'root')
    shutil.copytree(args.lab_dir, os.path.join(root, 'lab'))
    port = real.free_port()
    log = open(os.path.join(work, 'studio.log'), 'w')
    studio = subprocess.Popen([args.studio_bin, 'studio', '--port', str(port), '--root', root, '--db',
                               os.path.join(work, 'history.sqlite'), '--kafka', real.KAFKA, '--sqs',
                               f'{real.SQS}/000000000000'], stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}/'
    page.URL = url
    service = None
    driver = None
    try:
        real.wait_http_200(url + 'api/state', studio, 'contract-test studio')
        time.sleep(1)
        rss_idle = rss_mb(studio.pid)
        service = real.OrderService(os.path.join(work, 'order-service.log'))
        driver = page.make_driver()
        driver.execute_cdp_cmd('Network.setCacheDisabled', {'cacheDisabled': True})

        paints = []
        for _ in range(args.loads):
            driver.get(url)
            for _ in range(200):
                fcp = driver.execute_script(
                    "const e = performance.getEntriesByName('first-contentful-paint')[0];"
                    "return e ? e.startTime : null;")
                if fcp is not None:
                    break
                time.sleep(0.01)
            paints.append(fcp)

        status, _, _ = page.http('POST', '/api/load', {'path': 'lab/specmatic.yaml'})
        assert status == 200, status
        rss_loaded = rss_mb(studio.pid)

        latencies, firsts, walls, slowest = [], [], [], []
        for _ in range(args.runs):
            driver.get(url)
            for _ in range(300):
                if driver.execute_script("return document.body.dataset.ready === 'true'"):
                    break
                time.sleep(0.01)
            driver.find_element('css selector', '#tab-run').click()
            driver.find_element('css selector', '#run-button').click()
            deadline = time.monotonic() + 180
            done = None
            while time.monotonic() < deadline:
                events = driver.execute_script('return window.studioMetrics.events')
                done = next((e for e in events if e['type'] == 'done'), None)
                if done:
                    break
                time.sleep(0.1)
            assert done, 'the run did not finish within 180 s'
            lat = [e['rendered_epoch_ms'] - e['emitted_epoch_ms'] for e in events]
            slowest += [(l, e['type'], e['seq']) for l, e in zip(lat, events)]
            latencies += lat
            firsts.append(lat[0])
            walls.append(done['rendered_epoch_ms'] - events[0]['emitted_epoch_ms'])
        time.sleep(5)
        rss_after = rss_mb(studio.pid)
    finally:
        if driver is not None:
            driver.quit()
        if service is not None:
            service.stop()
        studio.send_signal(signal.SIGTERM)
        studio.wait(timeout=30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)

    result = {
        'first_paint_ms': {'median': statistics.median(paints), 'max': max(paints), 'loads': len(paints)},
        'event_latency_ms': {'first_event_max': max(firsts), 'p50': percentile(latencies, 50),
                             'p99': percentile(latencies, 99), 'max': max(latencies), 'events': len(latencies),
                             'runs': args.runs,
                             'slowest': [{'ms': l, 'type': t, 'seq': q} for l, t, q in sorted(slowest)[::-1][:5]]},
        'rss_mb': {'idle': round(rss_idle, 1), 'loaded': round(rss_loaded, 1), 'after_runs': round(rss_after, 1)},
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, 'w') as f:
        json.dump(result, f, indent=2)
    fp, ev, rss = result['first_paint_ms'], result['event_latency_ms'], result['rss_mb']
    print(f"studio first paint        median {fp['median']:.0f} ms, max {fp['max']:.0f} ms over {fp['loads']} loads "
          f"(target <= 300 ms)")
    print(f"studio event latency      first event max {ev['first_event_max']} ms; all {ev['events']} events: "
          f"p50 {ev['p50']} ms, p99 {ev['p99']} ms, max {ev['max']} ms (target <= 100 ms)")
    print(f"studio RSS                idle {rss['idle']} MB, contract loaded {rss['loaded']} MB, after "
          f"{args.runs} runs {rss['after_runs']} MB (target idle < 30 MB)")


if __name__ == '__main__':
    main()
