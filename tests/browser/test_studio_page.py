"""The Studio page in a real browser: Debian's headless Chromium through Selenium.

STUDIO_URL names the studio to test (tests/browser/run.sh starts fake_studio.py when none is given).
Against the fake, the tests also use its controls (/__fake/reset, /__fake/hold) and check its canned
data exactly; what they check of a run is always compared with the server's own stored events.
"""

import contextlib
import json
import os
import re
import unittest
import urllib.error
import urllib.request

# Selenium Manager must never download a driver or a browser.
os.environ.setdefault('SE_OFFLINE', 'true')

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
URL = (os.environ.get('STUDIO_URL') or 'http://127.0.0.1:9000/').rstrip('/') + '/'
SHOTS = os.environ.get('BROWSER_SCREENSHOTS', os.path.join(REPO, 'build', 'browser-screenshots'))
# The longest a condition is awaited; every wait ends as soon as its condition holds.
WAIT = float(os.environ.get('BROWSER_WAIT_SECONDS', '30'))
CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'

CONFIG_PATH = 'contracts/specmatic.yaml'
FLOWS = {'success', 'retry-then-success', 'retry-then-dlq', 'direct-dlq'}


def http(method, path, body=None):
    """(status, parsed JSON or text, headers) of a request to the studio, as another client."""
    data = None if body is None else json.dumps(body).encode('utf-8')
    req = urllib.request.Request(URL + path.lstrip('/'), data=data, method=method)
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            status, raw, headers = res.status, res.read(), res.headers
    except urllib.error.HTTPError as e:
        status, raw, headers = e.code, e.read(), e.headers
    text = raw.decode('utf-8', 'replace')
    try:
        return status, json.loads(text), headers
    except ValueError:
        return status, text, headers


def _is_fake():
    try:
        return http('POST', '/__fake/hold', {'hold': False})[0] == 200
    except OSError:
        return False


FAKE = _is_fake()


def make_driver():
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                '--window-size=1280,800', '--force-device-scale-factor=1', '--no-first-run',
                '--disable-extensions', '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--disable-default-apps', '--mute-audio', '--password-store=basic'):
        options.add_argument(arg)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    service = Service(executable_path=CHROMEDRIVER)
    return webdriver.Chrome(service=service, options=options)


def _status_pattern(path, status):
    return re.compile(re.escape(path) + r'.* Failed to load resource: the server responded with a status of ' +
                      str(status))


class StudioPage(unittest.TestCase):
    """The browser and the helpers every Studio page test uses; holds no test itself."""

    driver = None

    @classmethod
    def setUpClass(cls):
        os.makedirs(SHOTS, exist_ok=True)
        cls.driver = make_driver()

    @classmethod
    def tearDownClass(cls):
        if cls.driver is not None:
            cls.driver.quit()

    def setUp(self):
        if FAKE:
            self.assertEqual(200, http('POST', '/__fake/reset', {})[0])
        # Console errors a test causes on purpose (a 400 it asked for), as regular expressions.
        self.expected_console = []
        self.driver.set_window_size(1280, 800)
        self.open_page()

    def tearDown(self):
        if FAKE:
            http('POST', '/__fake/hold', {'hold': False})
        severe = [e['message'] for e in self.driver.get_log('browser')
                  if e['level'] == 'SEVERE' and not any(p.search(e['message']) for p in self.expected_console)]
        self.assertEqual([], severe, 'console errors')

    # --- helpers

    def open_page(self):
        self.driver.get(URL)
        self.wait_for(lambda: self.driver.find_element(By.TAG_NAME, 'body').get_attribute('data-ready') == 'true',
                      'the page finished starting')

    def wait_for(self, condition, what, timeout=WAIT):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda _d: condition(), message=what)

    def q(self, css, root=None):
        return (root or self.driver).find_element(By.CSS_SELECTOR, css)

    def qa(self, css, root=None):
        return (root or self.driver).find_elements(By.CSS_SELECTOR, css)

    @staticmethod
    def text(element):
        return element.get_attribute('textContent')

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def select_tab(self, name):
        self.q(f'#tab-{name}').click()
        self.assertEqual('true', self.q(f'#tab-{name}').get_attribute('aria-selected'))
        self.assertTrue(self.q(f'#panel-{name}').is_displayed())

    def load_config(self, path=CONFIG_PATH):
        select = Select(self.q('#candidate-select'))
        option = next((o for o in select.options if o.text.startswith(path + ' ')), None)
        self.assertIsNotNone(option, f'{path} among the candidates')
        select.select_by_visible_text(option.text)
        loads = self.q('body').get_attribute('data-loads')
        self.q('#pick-load').click()
        # A studio that had a contract loaded already shows its view: wait for this load's.
        self.wait_for(lambda: self.q('body').get_attribute('data-loads') != loads, 'the load answered')
        self.wait_for(lambda: self.qa('#contract-view .operation'), 'the contract view')

    @contextlib.contextmanager
    def held_runs(self):
        """Against the fake: runs stop mid-way until released, so a running state can be seen."""
        if FAKE:
            self.assertEqual(200, http('POST', '/__fake/hold', {'hold': True})[0])
        try:
            yield
        finally:
            if FAKE:
                http('POST', '/__fake/hold', {'hold': False})

    def release_runs(self):
        if FAKE:
            self.assertEqual(200, http('POST', '/__fake/hold', {'hold': False})[0])

    def watch_states(self):
        """Records every data-state a scenario card of #run-view takes, in order."""
        self.js("""
          window.__states = [];
          const log = (card) => window.__states.push([card.dataset.test, card.dataset.state]);
          new MutationObserver((records) => {
            for (const r of records) {
              if (r.type === 'attributes' && r.target.classList.contains('scenario')) log(r.target);
              for (const n of r.addedNodes || []) {
                if (n.nodeType === 1) {
                  if (n.classList.contains('scenario')) log(n);
                  n.querySelectorAll && n.querySelectorAll('.scenario').forEach(log);
                }
              }
            }
          }).observe(document.getElementById('run-view'),
                     {subtree: true, childList: true, attributes: true, attributeFilter: ['data-state']});
        """)

    def run_id(self):
        title = self.text(self.q('#run-view .run-title'))
        m = re.match(r'Run (\d+)', title)
        self.assertIsNotNone(m, title)
        return int(m.group(1))

    def wait_run_done(self, root_css='#run-view'):
        self.wait_for(lambda: any(e.get_attribute('hidden') is None
                                  for e in self.qa(f'{root_css} .run-summary')), 'the run finished')

    def stored_run(self, run_id):
        status, body, _ = http('GET', f'/api/runs/{run_id}')
        self.assertEqual(200, status)
        return body

    def shot(self, name, full_page=True):
        """Saves a PNG of the page (the whole page's height, up to 4000 px) as SHOTS/name."""
        size = self.driver.get_window_size()
        try:
            if full_page:
                self.js('window.scrollTo(0, 0)')
                height = self.js('return document.documentElement.scrollHeight')
                self.driver.set_window_size(size['width'], max(size['height'], min(int(height) + 40, 4000)))
            self.assertTrue(self.driver.save_screenshot(os.path.join(SHOTS, name)))
        finally:
            self.driver.set_window_size(size['width'], size['height'])

    def markers(self, card):
        """(role, retry_count, offset_ms, due_ms) of every actual message marker of a timeline."""
        out = []
        for g in self.qa('svg.timeline g.marker[data-kind="actual"]', card):
            retry = g.get_attribute('data-retry-count')
            due = g.get_attribute('data-due-ms')
            out.append((g.get_attribute('data-role'), None if retry is None else int(retry),
                        float(g.get_attribute('data-offset-ms')), None if due is None else float(due)))
        return out

    @staticmethod
    def events_of(stored, test):
        return [e for e in stored['events'] if e.get('test') == test]

    def check_timeline_matches(self, card, messages):
        """The card's markers are the messages, in arrival order, retries numbered #0, #1, ..."""
        expected = [(m['role'], m['retry_count'], float(m['offset_ms']),
                     None if m['due_ms'] is None else float(m['due_ms'])) for m in messages]
        got = self.markers(card)
        self.assertEqual(expected, got)
        retries = [r for role, r, _, _ in got if role == 'retry']
        self.assertEqual(list(range(len(retries))), retries, 'retry envelopes in order #0, #1, ...')
        dues = self.qa('svg.timeline g.due[data-kind="due"]', card)
        self.assertEqual(sum(1 for m in messages if m['due_ms'] is not None), len(dues))
        for g in dues:  # each due marker has its line to the actual marker
            self.assertEqual(1, len(self.qa('line.due-line', g)))
            self.assertEqual(1, len(self.qa('circle.due-marker', g)))
        if expected:
            self.assertEqual('publish', got[0][0])


class StudioPageTest(StudioPage):
    """The page against the studio at STUDIO_URL (by default the fake)."""

    # --- tests

    def test_page_loads_without_console_errors(self):
        self.assertEqual('driftline Studio', self.q('h1').text)
        tabs = self.qa('[role="tablist"] [role="tab"]')
        self.assertEqual(['Contract', 'Examples', 'Run', 'History'], [t.text for t in tabs])
        self.assertTrue(all(t.tag_name == 'button' for t in tabs))
        self.assertEqual(['true', 'false', 'false', 'false'], [t.get_attribute('aria-selected') for t in tabs])
        self.assertTrue(self.q('#panel-contract').is_displayed())
        self.assertFalse(self.q('#panel-run').is_displayed())
        self.wait_for(lambda: self.js('return window.studioMetrics.firstPaint') is not None, 'a first-paint entry')
        self.assertIsInstance(self.js('return window.studioMetrics.firstPaint'), (int, float))
        self.assertEqual([], self.js('return window.studioMetrics.events'))
        self.assertEqual('false', self.q('#tab-examples').get_attribute('aria-selected'))
        self.select_tab('history')
        self.select_tab('contract')

    def test_load_from_picker_shows_operations_and_drawn_flow(self):
        self.load_config()
        self.assertFalse(self.q('#load-error').is_displayed())
        self.assertIn('order-service', self.q('#loaded-title').text)
        ops = self.qa('#contract-view .operation')
        self.assertGreaterEqual(len(ops), 1)
        op = next(o for o in ops if self.qa('svg.flow[data-max-attempts]', o))
        flow = self.q('svg.flow', op)
        nodes = {g.get_attribute('data-flow-node') for g in self.qa('g.flow-node', flow)}
        self.assertEqual({'input', 'operation', 'reply', 'retry', 'dlq'}, nodes)
        schedule = flow.get_attribute('data-schedule')
        self.assertRegex(schedule, r'^\d+(\.\d+)? s(, \d+(\.\d+)? s)*$')
        self.assertIn(f'backoff {schedule}', self.text(flow))
        self.assertIn(f'max {flow.get_attribute("data-max-attempts")} attempts', self.text(flow))
        self.assertEqual(schedule, self.q('.schedule-text', op).text)
        self.assertTrue(flow.get_attribute('aria-label').startswith('Flow of '))
        if FAKE:
            self.assertEqual('1 s, 2 s, 4 s', schedule)
            self.assertEqual('3', flow.get_attribute('data-max-attempts'))
            self.assertIn('place-order-retry-topic', self.text(self.q('g[data-flow-node="retry"]', flow)))
            self.assertIn('place-order-dlq-topic', self.text(self.q('g[data-flow-node="dlq"]', flow)))
        channels = self.qa('#contract-view table.channels tbody tr')
        self.assertGreaterEqual(len(channels), 4)
        self.shot('contract-view.png')

    def test_clicking_a_message_shows_its_schema_and_headers(self):
        self.load_config()
        button = self.q('#contract-view .operation button.message-link[data-message="RetryEnvelope"]')
        button.click()
        drawer = self.q('#message-drawer')
        self.wait_for(drawer.is_displayed, 'the message drawer')
        self.assertEqual('RetryEnvelope', self.q('#drawer-title').text)
        payload = json.loads(self.text(self.q('pre.schema-payload', drawer)))
        self.assertIn('retryCount', payload['properties'])
        headers = json.loads(self.text(self.q('pre.schema-headers', drawer)))
        self.assertIn('CorrelationId', json.dumps(headers))
        self.assertEqual(self.q('#drawer-close'), self.driver.switch_to.active_element)
        ActionChains(self.driver).send_keys(Keys.ESCAPE).perform()
        self.wait_for(lambda: not drawer.is_displayed(), 'the drawer closed')
        self.assertEqual(button, self.driver.switch_to.active_element, 'focus back on the message button')

    def test_examples_show_flow_badges_and_an_invalid_examples_problem(self):
        self.load_config()
        self.select_tab('examples')
        cards = self.qa('#examples-view article.example')
        self.assertGreaterEqual(len(cards), 1)
        for card in cards:
            badge = self.q('.badge.flow', card)
            self.assertTrue(badge.text)
            self.assertEqual(card.get_attribute('data-flow'), badge.get_attribute('data-flow'))
            self.assertTrue(self.text(self.q('pre.example-json', card)).startswith('{'))
        if FAKE:
            self.assertEqual(FLOWS, {c.get_attribute('data-flow') for c in cards})
            self.assertEqual(['success', 'retry → success', 'retry → DLQ', 'direct DLQ'],
                             [self.q('.badge.flow', c).text for c in cards])
        invalid = [c for c in cards if c.get_attribute('data-valid') == 'false']
        self.assertTrue(invalid, 'an invalid example')
        problems = self.qa('ul.problems li.problem', invalid[0])
        self.assertTrue(problems)
        self.assertIn('invalid', self.q('.validity', invalid[0]).text)
        if FAKE:
            self.assertEqual('/dlq/payload/failureReason', self.q('code.pointer', problems[0]).text)
            self.assertIn('does not match the pattern', self.q('.problem-message', problems[0]).text)

    def test_broken_contract_shows_the_error_with_file_and_line(self):
        self.expected_console.append(_status_pattern('/api/load', 400))
        self.expected_console.append(_status_pattern('/api/load', 403))
        select = Select(self.q('#candidate-select'))
        broken = next((o.text for o in select.options if o.text.startswith('broken/specmatic.yaml ')), None)
        if broken is None:
            self.skipTest('no broken/specmatic.yaml under this studio\'s root')
        select.select_by_visible_text(broken)
        self.q('#pick-load').click()
        alert = self.q('#load-error')
        self.wait_for(alert.is_displayed, 'the load error')
        self.assertEqual('alert', alert.get_attribute('role'))
        self.assertRegex(alert.text, r'[\w./-]+\.yaml:\d+')
        self.assertIn('Could not load broken/specmatic.yaml', alert.text)
        if FAKE:
            self.assertIn("broken/order-service.yaml:14:5: duplicate key 'address'", alert.text)
        # A typed path outside the root is refused with the server's words.
        self.q('#path-input').send_keys('../../etc/passwd')
        self.q('#path-load').click()
        self.wait_for(lambda: 'outside the root' in alert.text, 'the outside-the-root error')
        # A good load clears it.
        self.load_config()
        self.assertFalse(alert.is_displayed())

    def test_run_shows_states_timelines_and_the_cli_summary(self):
        self.load_config()
        self.select_tab('run')
        self.watch_states()
        with self.held_runs():
            self.q('#run-button').click()
            self.wait_for(lambda: self.qa('#run-view article.scenario'), 'the scenarios')
            self.wait_for(lambda: self.qa('#run-view article.scenario[data-state="running"]'), 'a running scenario')
            self.assertFalse(self.q('#cancel-button').get_attribute('disabled'))
            self.assertTrue(self.q('#run-button').get_attribute('disabled'))
            if FAKE:  # held after 1.5 s of the run: the retry-then-dlq scenario is between its retries
                dlq_card = '#run-view article.scenario[data-flow="retry-then-dlq"]'
                self.wait_for(lambda: len(self.qa(f'{dlq_card} g.marker[data-role="retry"]')) == 2,
                              'two retries of the retry-then-dlq scenario')
                self.wait_for(lambda: self.qa('#run-view article.scenario[data-flow="success"][data-state="passed"]'),
                              'the success scenario passed')
                self.assertEqual('running', self.q(dlq_card).get_attribute('data-state'))
            self.shot('running-suite.png')
            self.release_runs()
            self.wait_run_done()
        run_id = self.run_id()
        stored = self.stored_run(run_id)
        done = next(e for e in stored['events'] if e['type'] == 'done')
        finals = {e['test']: e for e in stored['events'] if e['type'] == 'finished'}

        states = self.js('return window.__states')
        for card in self.qa('#run-view article.scenario'):
            name = card.get_attribute('data-test')
            seen = [s for t, s in states if t == name]
            final = finals[name]['outcome']
            self.assertEqual(final, card.get_attribute('data-state'))
            self.assertEqual(final, seen[-1], seen)
            self.assertIn('running', seen, f'{name} was seen running')
            self.assertLess(seen.index('running'), len(seen) - 1)
            self.assertIn(final, self.q('.state', card).text)
            self.check_timeline_matches(card, [e for e in self.events_of(stored, name) if e['type'] == 'message'])
            reasons = [li.text for li in self.qa('ul.reasons li', card)]
            self.assertEqual([r for r in finals[name]['reasons'] if r], reasons)
        if FAKE:
            outcomes = {c.get_attribute('data-flow'): c.get_attribute('data-state')
                        for c in self.qa('#run-view article.scenario')}
            self.assertEqual({'success': 'passed', 'retry-then-success': 'passed', 'retry-then-dlq': 'failed',
                              'direct-dlq': 'passed'}, outcomes)
            card = self.q('#run-view article.scenario[data-flow="retry-then-dlq"]')
            self.assertEqual([('publish', None), ('retry', 0), ('retry', 1), ('retry', 2), ('retry', 3), ('dlq', None)],
                             [(r, n) for r, n, _, _ in self.markers(card)])
            early = self.qa('g.due.early', card)
            self.assertEqual(['2'], [g.get_attribute('data-retry-count') for g in early], 'retry #2 came early')
            self.assertIn('981 ms before it was due', self.text(self.q('ul.reasons', card)))

        summary = self.q('#run-view .run-summary')
        self.assertEqual(done['outcome'], summary.get_attribute('data-outcome'))
        self.assertEqual(done['summary_line'], self.text(self.q('pre.summary-line', summary)))
        self.assertRegex(done['summary_line'], r'^Tests run: \d+, Successes: \d+, Failures: \d+, WIP: \d+, Errors: \d+$')
        self.assertEqual(done['count_table'], self.text(self.q('pre.count-table', summary)))
        if FAKE:
            self.assertEqual('Tests run: 4, Successes: 3, Failures: 1, WIP: 0, Errors: 0',
                             self.q('pre.summary-line', summary).text)
        self.assertTrue(self.q('#cancel-button').get_attribute('disabled'))
        self.assertIsNone(self.q('#run-button').get_attribute('disabled'))

        # Every event rendered is recorded for the benchmarks.
        recorded = self.js('return window.studioMetrics.events')
        self.assertEqual([(e['type'], e['seq']) for e in stored['events']], [(r['type'], r['seq']) for r in recorded])
        for r in recorded:
            self.assertGreaterEqual(r['rendered_epoch_ms'], r['emitted_epoch_ms'])
        self.shot('finished-run.png')

    def test_a_second_run_is_refused_with_409(self):
        self.expected_console.append(_status_pattern('/api/runs', 409))
        self.load_config()
        with self.held_runs():
            status, body, _ = http('POST', '/api/runs', {'mode': 'parallel'})  # another client's run
            self.assertEqual(202, status, body)
            other = body['run_id']
            try:
                self.select_tab('run')
                self.q('#run-button').click()
                alert = self.q('#run-error')
                self.wait_for(alert.is_displayed, 'the 409 message')
                self.assertEqual('alert', alert.get_attribute('role'))
                self.assertIn('a run is already in progress', alert.text)
                self.assertIn(f'(run {other})', alert.text)
                follow = self.q('#run-error button.follow')
                self.assertEqual(f'Follow run {other}', follow.text)
                follow.click()
                self.wait_for(lambda: self.qa('#run-view article.scenario'), 'the other run followed')
                self.assertEqual(other, self.run_id())
            finally:
                http('POST', f'/api/runs/{other}/cancel', {})
            self.wait_run_done()
        self.assertEqual('cancelled', self.q('#run-view .run-summary').get_attribute('data-outcome'))

    def test_cancel_stops_the_run(self):
        self.load_config()
        self.select_tab('run')
        with self.held_runs():
            self.q('#run-button').click()
            self.wait_for(lambda: self.qa('#run-view article.scenario[data-state="running"]'), 'a running scenario')
            self.q('#cancel-button').click()
            self.wait_run_done()
        summary = self.q('#run-view .run-summary')
        self.assertEqual('cancelled', summary.get_attribute('data-outcome'))
        self.assertIn('cancelled', self.q('.outcome-line', summary).text)
        states = {c.get_attribute('data-state') for c in self.qa('#run-view article.scenario')}
        self.assertNotIn('running', states)
        self.assertNotIn('pending', states)
        if FAKE:
            self.assertIn('cancelled', states)
        self.assertIsNone(self.q('#run-button').get_attribute('disabled'))
        run_id = self.run_id()
        self.select_tab('history')
        self.wait_for(lambda: self.qa(f'#history-rows tr[data-run="{run_id}"][data-outcome="cancelled"]'),
                      'the cancelled run in the history')

    def test_history_lists_runs_and_opens_one(self):
        self.select_tab('history')
        status, body, _ = http('GET', '/api/runs')
        self.assertEqual(200, status)
        runs = [r for r in body['runs'] if r['outcome'] != 'running']
        if len(runs) < 1:
            self.skipTest('no finished run in this studio\'s history')
        rows = self.qa('#history-rows tr[data-run]')
        self.assertEqual([str(r['id']) for r in body['runs']], [r.get_attribute('data-run') for r in rows])
        first = rows[0]
        cells = self.qa('td', first)
        self.assertEqual(f"#{body['runs'][0]['id']}", cells[1].text)
        self.assertRegex(cells[2].text, r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$')
        self.assertEqual(body['runs'][0]['title'], cells[3].text)
        if FAKE:
            self.assertEqual({'1': 'passed', '2': 'failed'},
                             {r.get_attribute('data-run'): r.get_attribute('data-outcome') for r in rows})
        for run in runs[:2]:
            self.q(f'#history-rows tr[data-run="{run["id"]}"] button.open-run').click()
            view = f'#history-run section.history-run[data-run="{run["id"]}"]'
            self.wait_for(lambda: self.qa(f'{view} article.scenario'), f'run {run["id"]} opened')
            stored = self.stored_run(run['id'])
            cards = self.qa(f'{view} article.scenario')
            tests = stored['result']['tests'] if stored['result'] else []
            self.assertEqual(len(tests), len(cards))
            for card in cards:
                name = card.get_attribute('data-test')
                test = next(t for t in tests if t['name'] == name)
                self.assertEqual(test['outcome'], card.get_attribute('data-state'))
                if stored['events']:
                    messages = [e for e in self.events_of(stored, name) if e['type'] == 'message']
                else:  # rebuilt from the result's flow
                    messages = [{'role': 'publish' if f['kind'] == 'published' else f['role'],
                                 'retry_count': f['retry_count'], 'offset_ms': f['offset_ms'],
                                 'due_ms': f['due_ms']} for f in test['flow']]
                self.assertTrue(messages)
                self.check_timeline_matches(card, messages)
            self.assertEqual(stored['result']['summary_line'], self.q(f'{view} pre.summary-line').text)
            for kind, filename in (('junit', 'junit.xml'), ('ctrf', 'ctrf.json'), ('html', 'report.html')):
                link = self.q(f'{view} a.report-{kind}')
                href = link.get_attribute('href')
                self.assertTrue(href.endswith(f'/api/runs/{run["id"]}/report/{kind}'), href)
                status, _, headers = http('GET', href[len(URL) - 1:])
                self.assertEqual(200, status)
                self.assertIn(filename, headers.get('Content-Disposition', ''))
        if FAKE:
            self.shot('history-run.png')

    def test_compare_shows_a_changed_verdict(self):
        self.expected_console.append(_status_pattern('/api/compare', 400))
        self.select_tab('history')
        status, body, _ = http('GET', '/api/runs')
        finished = [r for r in body['runs'] if r['outcome'] not in ('running',)]
        pair = next(((a, b) for i, a in enumerate(finished) for b in finished[i + 1:]
                     if a['contract_key'] == b['contract_key']), None)
        if pair is None:
            self.skipTest('no two finished runs of one contract')
        a, b = sorted((pair[0]['id'], pair[1]['id']))
        button = self.q('#compare-button')
        self.assertTrue(button.get_attribute('disabled'))
        self.q(f'#history-rows tr[data-run="{a}"] input.compare-box').click()
        self.assertTrue(button.get_attribute('disabled'))
        self.q(f'#history-rows tr[data-run="{b}"] input.compare-box').click()
        self.assertIsNone(button.get_attribute('disabled'))
        button.click()
        self.wait_for(lambda: self.qa('#compare-view section.compare'), 'the comparison')
        status, expected, _ = http('GET', f'/api/compare?a={a}&b={b}')
        self.assertEqual(200, status)
        rows = self.qa('#compare-view tr.changed')
        self.assertEqual([(c['test'], c['a'], c['b']) for c in expected['changed']],
                         [(r.get_attribute('data-test'), r.get_attribute('data-a'), r.get_attribute('data-b'))
                          for r in rows])
        for r, c in zip(rows, expected['changed']):
            self.assertIn(c['a'], self.q('td:nth-of-type(1) .state', r).text)
            self.assertIn(c['b'], self.q('td:nth-of-type(2) .state', r).text)
        if FAKE:
            self.assertEqual([('passed', 'failed')], [(r.get_attribute('data-a'), r.get_attribute('data-b'))
                                                      for r in rows])
            self.assertIn('retried three times', rows[0].get_attribute('data-test'))

    def test_script_in_a_payload_or_example_stays_text(self):
        if not FAKE:
            self.skipTest('needs the fake studio\'s example with a <script> in it')
        self.load_config()
        self.select_tab('examples')
        card = self.q('#examples-view article.example[data-flow="direct-dlq"]')
        self.assertIn('<script>window.__studioInjected = true;</script>', self.text(self.q('pre.example-json', card)))
        self.assertIn('<img src=\\"x\\" onerror=', self.text(self.q('pre.example-json', card)))
        self.assertEqual('true', self.q('details.json', card).get_attribute('open'), 'an invalid example shows its JSON')
        self.assertTrue(self.q('pre.example-json', card).is_displayed())
        self.select_tab('run')
        self.q('#run-button').click()
        self.wait_run_done()
        failed = self.q('#run-view article.scenario[data-state="failed"]')
        self.assertIn('"<img src=x onerror=window.__studioInjected=true>"', self.text(self.q('ul.reasons', failed)))
        self.q('details.messages summary', failed).click()
        self.q('details.messages tbody tr:last-child button', failed).click()
        drawer = self.q('#message-drawer')
        self.wait_for(drawer.is_displayed, 'the dead letter in the drawer')
        self.assertIn('<script>window.__studioInjected = true;</script>', self.text(self.q('pre.observed-payload', drawer)))
        self.assertEqual(0, len(self.qa('main script, main img, #message-drawer script, #message-drawer img')))
        self.assertIsNone(self.js('return window.__studioInjected'))

    def test_narrow_window_is_one_column_without_horizontal_scroll(self):
        self.driver.set_window_size(420, 800)
        self.open_page()
        width = self.js('return window.innerWidth')
        self.assertLessEqual(width, 480)

        def no_horizontal_scroll(where):
            sizes = self.js('return [document.documentElement.scrollWidth, document.documentElement.clientWidth,'
                            ' document.body.scrollWidth]')
            self.assertLessEqual(sizes[0], sizes[1], f'horizontal scroll on {where}: {sizes}')
            self.assertLessEqual(sizes[2], sizes[1], f'body wider than the window on {where}: {sizes}')

        no_horizontal_scroll('the empty page')
        pick, path = self.q('#pick-form').rect, self.q('#path-form').rect
        self.assertEqual(pick['x'], path['x'], 'load forms in one column')
        self.assertGreater(path['y'], pick['y'])
        self.load_config()
        no_horizontal_scroll('the contract')
        self.shot('narrow-contract.png')
        self.select_tab('examples')
        for details in self.qa('#examples-view details.json:not([open])'):
            self.q('summary', details).click()
        no_horizontal_scroll('the examples')
        self.select_tab('run')
        self.q('#run-button').click()
        self.wait_run_done()
        for summary in self.qa('#run-view details summary'):
            summary.click()
        no_horizontal_scroll('a finished run')
        self.select_tab('history')
        self.wait_for(lambda: len(self.qa('#history-rows tr[data-run]')) >= 2, 'the history')
        self.qa('#history-rows button.open-run')[0].click()
        self.wait_for(lambda: self.qa('#history-run article.scenario'), 'a run opened')
        no_horizontal_scroll('the history')

    def test_keyboard_reaches_the_run_button_and_enter_starts_a_run(self):
        self.load_config()
        self.js('document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);')
        actions = ActionChains(self.driver)

        def tab_until(element_id, limit=60):
            for _ in range(limit):
                actions.send_keys(Keys.TAB).perform()
                if self.js('return document.activeElement && document.activeElement.id') == element_id:
                    return
            self.fail(f'Tab never reached #{element_id}')

        tab_until('tab-contract')
        actions.send_keys(Keys.ARROW_RIGHT).perform()
        actions.send_keys(Keys.ARROW_RIGHT).perform()
        self.assertEqual('tab-run', self.js('return document.activeElement.id'))
        self.assertEqual('true', self.q('#tab-run').get_attribute('aria-selected'))
        self.assertTrue(self.q('#panel-run').is_displayed())
        tab_until('run-button')
        outline = self.js('const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]')
        self.assertNotEqual('none', outline[0], 'a visible focus ring')
        self.assertNotEqual('0px', outline[1])
        actions.send_keys(Keys.ENTER).perform()
        self.wait_for(lambda: self.qa('#run-view article.scenario'), 'the run started from the keyboard')
        self.wait_run_done()


if __name__ == '__main__':
    unittest.main()
