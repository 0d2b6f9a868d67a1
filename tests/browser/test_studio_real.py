"""The Studio in a real browser against the real stack: `contract-test studio` (the built binary)
and a real `order-service` on the lab's topics, both started here.

Environment (tests/browser/CMakeLists.txt sets it): STUDIO_BIN, ORDER_SERVICE_BIN, LAB_DIR (the lab's
specmatic.yaml and spec/, used unchanged), KAFKA_BOOTSTRAP_SERVERS, SQS_ENDPOINT, BROWSER_SCREENSHOTS.

The tests run in their numbered order, each building on the one before: the lab passes 6/6; with
order-service's retry consumer off the two retry scenarios fail with their reasons; a broken
contract shows its file:line; the history opens the first run and compares it with the second.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

import test_studio_page as page

STUDIO_BIN = os.environ.get('STUDIO_BIN', '')
ORDER_SERVICE_BIN = os.environ.get('ORDER_SERVICE_BIN', '')
LAB_DIR = os.environ.get('LAB_DIR', '')
KAFKA = os.environ.get('KAFKA_BOOTSTRAP_SERVERS', '127.0.0.1:9092')
SQS = os.environ.get('SQS_ENDPOINT', 'http://127.0.0.1:4566')
# The longest a run of the lab may take before the test gives up on it (it takes about 10 s).
RUN_WAIT = 180

LAB_TABLE = (
    "+-------------------------+-------------------------+----------+\n"
    "| Topic                   | No of messages received            |\n"
    "+-------------------------+-------------------------+----------+\n"
    "|                         | Actual                  | Expected |\n"
    "+-------------------------+-------------------------+----------+\n"
    "| place-order-topic       | 6                       | 6        |\n"
    "| place-order-queue       | 4                       | 4        |\n"
    "| place-order-dlq-topic   | 2                       | 2        |\n"
    "| place-order-retry-topic | 2                       | 2        |\n"
    "+-------------------------+-------------------------+----------+\n")
RETRY_SCENARIOS = {'Retry_Scenario_Standard_Order', 'Receive_Retry_DLQ_Scenario_Priority_Order'}

# A contract with a YAML error (an unclosed flow sequence: yaml-cpp names line 5, column 9).
BROKEN_CONTRACT = """asyncapi: 3.0.0
info:
  title: broken
  version: [1.0.0
channels: {}
"""


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_http_200(url, proc, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f'{what} exited with {proc.returncode}')
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f'{what} did not answer 200 on {url} within {timeout} s')


class OrderService:
    """order-service on the lab's topics (fault injection on, fresh groups at the topics' end)."""

    def __init__(self, log_path, extra_env=()):
        self.port = free_port()
        env = dict(os.environ)
        tag = f'{os.getpid()}-{time.monotonic_ns()}'
        env.update({
            'KAFKA_BOOTSTRAP_SERVERS': KAFKA, 'SQS_ENDPOINT': SQS,
            'SQS_QUEUE_URL': f'{SQS}/000000000000/place-order-queue',
            'ENABLE_TEST_FAILURE_SCENARIOS': 'true', 'MAX_RETRIES': '3',
            'KAFKA_MAIN_GROUP_ID': f'studio-main-{tag}', 'KAFKA_RETRY_GROUP_ID': f'studio-retry-{tag}',
            'KAFKA_PROPERTY_AUTO_OFFSET_RESET': 'latest', 'LOG_LEVEL': 'info',
            'METRICS_ADDRESS': f'127.0.0.1:{self.port}'})
        env.update(dict(e.split('=', 1) for e in extra_env))
        self.log = open(log_path, 'w')
        self.proc = subprocess.Popen([ORDER_SERVICE_BIN], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http_200(f'http://127.0.0.1:{self.port}/healthz', self.proc, 'order-service')

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@unittest.skipUnless(STUDIO_BIN and ORDER_SERVICE_BIN and LAB_DIR, 'STUDIO_BIN, ORDER_SERVICE_BIN and LAB_DIR')
class RealStackStudioTest(page.StudioPage):
    service = None
    studio = None

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix='studio-real-')
        root = os.path.join(cls.work, 'root')
        shutil.copytree(LAB_DIR, os.path.join(root, 'lab'))
        os.makedirs(os.path.join(root, 'broken'))
        with open(os.path.join(root, 'broken', 'broken.yaml'), 'w') as f:
            f.write(BROKEN_CONTRACT)
        cls.logs = os.path.join(page.SHOTS, 'logs')
        os.makedirs(cls.logs, exist_ok=True)
        port = free_port()
        cls.studio_log = open(os.path.join(cls.logs, 'studio.log'), 'w')
        cls.studio = subprocess.Popen(
            [STUDIO_BIN, 'studio', '--port', str(port), '--root', root, '--db', os.path.join(cls.work, 'history.sqlite'),
             '--kafka', KAFKA, '--sqs', f'{SQS}/000000000000'],
            stdout=cls.studio_log, stderr=subprocess.STDOUT)
        page.URL = f'http://127.0.0.1:{port}/'
        wait_http_200(page.URL + 'api/state', cls.studio, 'contract-test studio')
        cls.service = OrderService(os.path.join(cls.logs, 'order-service.log'))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        failures = []
        if cls.service is not None and cls.service.stop() != 0:
            failures.append(f'order-service exited with {cls.service.proc.returncode}')
        if cls.studio is not None:
            cls.studio.send_signal(signal.SIGTERM)
            try:
                if cls.studio.wait(timeout=30) != 0:
                    failures.append(f'contract-test studio exited with {cls.studio.returncode} on SIGTERM')
            except subprocess.TimeoutExpired:
                cls.studio.kill()
                failures.append('contract-test studio did not stop within 30 s of SIGTERM')
        cls.studio_log.close()
        shutil.rmtree(cls.work, ignore_errors=True)
        if failures:
            raise AssertionError('; '.join(failures))

    def run_lab(self, shot_running=None):
        """Loads the lab, runs it from the page, waits for the end; returns (run id, stored run)."""
        self.load_config('lab/specmatic.yaml')
        self.select_tab('run')
        self.watch_states()
        self.q('#run-button').click()
        self.wait_for(lambda: self.qa('#run-view article.scenario'), 'the scenarios')
        if shot_running:
            # Mid-run: a retry envelope is on the page while a scenario still runs.
            self.wait_for(lambda: self.qa('#run-view g.marker[data-role="retry"]'), 'a retry envelope', RUN_WAIT)
            self.shot(shot_running)
        self.wait_for(lambda: any(e.get_attribute('hidden') is None for e in self.qa('#run-view .run-summary')),
                      'the run finished', RUN_WAIT)
        run_id = self.run_id()
        return run_id, self.stored_run(run_id)

    def check_cards_match_the_events(self, stored):
        finals = {e['test']: e for e in stored['events'] if e['type'] == 'finished'}
        cards = self.qa('#run-view article.scenario')
        self.assertEqual(6, len(cards))
        for card in cards:
            name = card.get_attribute('data-test')
            self.assertEqual(finals[name]['outcome'], card.get_attribute('data-state'), name)
            self.check_timeline_matches(card, [e for e in self.events_of(stored, name) if e['type'] == 'message'])
            reasons = [li.text for li in self.qa('ul.reasons li', card)]
            self.assertEqual([r for r in finals[name]['reasons'] if r], reasons)
        return finals

    def test_1_the_lab_passes_six_of_six(self):
        self.load_config('lab/specmatic.yaml')
        flow = self.q('#contract-view svg.flow[data-max-attempts]')
        self.assertEqual('1 s, 2 s, 4 s', flow.get_attribute('data-schedule'))
        self.assertEqual('3', flow.get_attribute('data-max-attempts'))
        self.shot('real-contract-view.png')
        run_id, stored = self.run_lab(shot_running='real-running-suite.png')
        done = next(e for e in stored['events'] if e['type'] == 'done')
        summary = self.q('#run-view .run-summary')
        self.assertEqual('Tests run: 6, Successes: 6, Failures: 0, WIP: 0, Errors: 0',
                         self.text(self.q('pre.summary-line', summary)))
        self.assertEqual(LAB_TABLE, self.text(self.q('pre.count-table', summary)))
        self.assertEqual('passed', done['outcome'])
        self.check_cards_match_the_events(stored)
        # Every retry envelope of the retry-then-DLQ scenario, #0..#3 in order, then the dead letter.
        card = self.q('#run-view article.scenario[data-test="Receive_Retry_DLQ_Scenario_Priority_Order"]')
        roles = [(role, n) for role, n, _, _ in self.markers(card)]
        self.assertEqual([('publish', None), ('retry', 0), ('retry', 1), ('retry', 2), ('retry', 3), ('dlq', None)],
                         roles)
        self.shot('real-finished-run.png')

    def test_2_with_the_retry_consumer_off_the_two_retry_scenarios_fail(self):
        self.assertEqual(0, type(self).service.stop())
        type(self).service = OrderService(os.path.join(self.logs, 'order-service-drift.log'),
                                          ['RETRY_CONSUMER_ENABLED=false'])
        run_id, stored = self.run_lab()
        summary = self.q('#run-view .run-summary')
        self.assertEqual('Tests run: 6, Successes: 4, Failures: 2, WIP: 0, Errors: 0',
                         self.text(self.q('pre.summary-line', summary)))
        self.assertEqual('failed', summary.get_attribute('data-outcome'))
        finals = self.check_cards_match_the_events(stored)
        failed = {c.get_attribute('data-test') for c in self.qa('#run-view article.scenario[data-state="failed"]')}
        self.assertEqual(RETRY_SCENARIOS, failed)
        for name in RETRY_SCENARIOS:
            card = self.q(f'#run-view article.scenario[data-test="{name}"]')
            reasons = [li.text for li in self.qa('ul.reasons li', card)]
            self.assertTrue(reasons, f'{name} shows why it failed')
            self.assertEqual(finals[name]['reasons'][0], reasons[0])
        self.shot('real-drift-run.png')

    def test_3_a_broken_contract_shows_file_and_line(self):
        self.expected_console.append(page._status_pattern('/api/load', 400))
        self.load_config('lab/specmatic.yaml')
        select = page.Select(self.q('#candidate-select'))
        select.select_by_visible_text(next(o.text for o in select.options
                                           if o.text.startswith('broken/broken.yaml ')))
        self.q('#pick-load').click()
        alert = self.q('#load-error')
        self.wait_for(alert.is_displayed, 'the load error')
        self.assertRegex(alert.text, r'broken/broken\.yaml:5:9: end of sequence flow not found')
        status, body, _ = page.http('POST', '/api/load', {'contract': 'broken/broken.yaml'})
        self.assertEqual(400, status)
        self.assertIn(body['error'], alert.text, 'the page shows the server\'s (the command line\'s) words')

    def test_4_the_history_opens_the_first_run_and_compares_it(self):
        self.select_tab('history')
        self.wait_for(lambda: len(self.qa('#history-rows tr[data-run]')) >= 2, 'two runs in the history')
        status, body, _ = page.http('GET', '/api/runs')
        first, second = sorted(r['id'] for r in body['runs'])[:2]
        self.q(f'#history-rows tr[data-run="{first}"] button.open-run').click()
        view = f'#history-run section.history-run[data-run="{first}"]'
        self.wait_for(lambda: len(self.qa(f'{view} article.scenario')) == 6, 'the first run opened')
        self.assertEqual(['passed'] * 6, [c.get_attribute('data-state') for c in self.qa(f'{view} article.scenario')])
        stored = self.stored_run(first)
        for card in self.qa(f'{view} article.scenario'):
            name = card.get_attribute('data-test')
            self.check_timeline_matches(card, [e for e in self.events_of(stored, name) if e['type'] == 'message'])
        self.q(f'#history-rows tr[data-run="{first}"] input.compare-box').click()
        self.q(f'#history-rows tr[data-run="{second}"] input.compare-box').click()
        self.q('#compare-button').click()
        self.wait_for(lambda: self.qa('#compare-view section.compare'), 'the comparison')
        changed = {(r.get_attribute('data-test'), r.get_attribute('data-a'), r.get_attribute('data-b'))
                   for r in self.qa('#compare-view tr.changed')}
        self.assertEqual({(n, 'passed', 'failed') for n in RETRY_SCENARIOS}, changed)
        self.shot('real-history.png')


if __name__ == '__main__':
    unittest.main()
