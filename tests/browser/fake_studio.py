#!/usr/bin/env python3
"""A stand-in for `contract-test studio`: the routes of the Studio HTTP API with canned data, so the
page's browser tests run without a broker, a service or the C++ server.

What it holds:
  - candidates: the lab's specmatic.yaml and contract, and a broken pair whose load answers 400
    with a file:line message;
  - the lab-like contract view: one receive operation with reply, retry (3 attempts, 1 s, 2 s, 4 s)
    and dead-letter channels, four examples (success, retry-then-success, retry-then-dlq,
    direct-dlq); the direct-dlq one is invalid and carries a <script> in its payload;
  - runs that emit events over SSE at realistic offsets (scaled by --time-scale): the
    retry-then-dlq scenario fails because its retry #2 comes about a second before it is due;
  - history with two finished runs of that contract (run 1 all passed, stored with its events;
    run 2 with that failure, stored with its result only), so compare shows a changed verdict.

Test-only controls (absent from the real server):
  POST /__fake/reset                 nothing loaded, history back to the two canned runs
  POST /__fake/hold {"hold": bool}   hold runs mid-way (after HOLD_AT_MS of run time) until released
                                      or cancelled; false releases a held run

Usage: fake_studio.py [--port 0] [--host 127.0.0.1] [--time-scale 0.25] [--web DIR]
Prints "fake-studio: http://127.0.0.1:PORT/ (root ROOT, history in memory)" once listening.
"""

import argparse
import copy
import datetime
import html
import http.server
import json
import os
import posixpath
import sys
import threading
import time
import urllib.parse

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
ROOT = REPO  # shown as the root; the files it loads are canned
HOLD_AT_MS = 1500

# ---------------------------------------------------------------------------------------------
# The contract view


def _ts():
    return {'type': 'string', 'format': 'date-time',
            'description': 'UTC, ISO 8601 with seconds, e.g. 2026-01-19T10:00:05Z'}


CORRELATION_HEADERS = {
    'type': 'object',
    'description': "Every hop carries the caller's CorrelationId unchanged.",
    'properties': {'CorrelationId': {'type': 'string', 'minLength': 1}},
    'required': ['CorrelationId'],
}
LINE_ITEM = {
    'type': 'object',
    'properties': {'productId': {'type': 'string', 'minLength': 1},
                   'quantity': {'type': 'integer', 'minimum': 1},
                   'price': {'type': 'number', 'minimum': 0}},
    'required': ['productId', 'quantity', 'price'],
}
ORDER_HEADERS = {'allOf': [CORRELATION_HEADERS, {'type': 'object', 'properties': {
    'MessageGroupId': {'type': 'string'}, 'Subject': {'type': 'string'}}}]}
SINGLE_ORDER = {
    'type': 'object',
    'properties': {'orderId': {'type': 'string', 'minLength': 1},
                   'customerId': {'type': 'string', 'minLength': 1},
                   'items': {'type': 'array', 'minItems': 1, 'items': LINE_ITEM},
                   'totalAmount': {'type': 'number', 'minimum': 0},
                   'orderDate': _ts()},
    'required': ['orderType', 'orderId', 'customerId', 'items', 'totalAmount', 'orderDate'],
}
CORR = '$message.header#/CorrelationId'


def _message(name, title, payload, headers, correlation=CORR):
    return {'name': name, 'title': title, 'content_type': 'application/json', 'payload': payload,
            'headers': headers, 'correlation_id': correlation}


def _outcome(name, title, status, extra):
    props = {'orderId': {'type': 'string'}, 'itemsCount': {'type': 'integer', 'minimum': 0},
             'status': {'type': 'string', 'const': status}}
    props.update(extra)
    return _message(name, title, {'type': 'object', 'properties': props,
                                  'required': list(props), 'additionalProperties': False},
                    CORRELATION_HEADERS, None)


CHANNELS = [
    {'id': 'orderRequests', 'address': 'place-order-topic', 'protocol': 'kafka',
     'describe': "topic 'place-order-topic'", 'messages': [
         _message('StandardOrder', 'A standard order', {'allOf': [SINGLE_ORDER, {
             'type': 'object', 'properties': {'orderType': {'type': 'string', 'const': 'STANDARD'}}}]},
             ORDER_HEADERS),
         _message('PriorityOrder', 'An order to deliver first', {'allOf': [SINGLE_ORDER, {
             'type': 'object', 'properties': {
                 'orderType': {'type': 'string', 'const': 'PRIORITY'},
                 'priorityLevel': {'type': 'string', 'enum': ['HIGH', 'URGENT']},
                 'expectedDeliveryDate': _ts()},
             'required': ['priorityLevel', 'expectedDeliveryDate']}]}, ORDER_HEADERS),
         _message('BulkOrder', 'Several orders placed together', {
             'type': 'object', 'properties': {
                 'orderType': {'type': 'string', 'const': 'BULK'},
                 'batchId': {'type': 'string', 'minLength': 1},
                 'orders': {'type': 'array', 'minItems': 1, 'items': {'type': 'object'}},
                 'totalOrderCount': {'type': 'integer', 'minimum': 1}},
             'required': ['orderType', 'batchId', 'orders', 'totalOrderCount']}, ORDER_HEADERS),
         _message('RejectedOrder', 'Input the service cannot process at all', {'oneOf': [
             {'type': ['array', 'string', 'number', 'boolean', 'null']},
             {'type': 'object', 'properties': {'orderType': {
                 'type': 'string', 'not': {'enum': ['STANDARD', 'PRIORITY', 'BULK']}}},
              'required': ['orderType']}]}, CORRELATION_HEADERS),
     ]},
    {'id': 'orderOutcomes', 'address': 'place-order-queue', 'protocol': 'sqs',
     'describe': "queue 'place-order-queue'", 'messages': [
         _outcome('OrderInProgress', 'A standard order being worked on', 'WIP',
                  {'processingStartedAt': _ts()}),
         _outcome('OrderDelivered', 'A priority order, delivered', 'DELIVERED',
                  {'deliveredAt': _ts(), 'deliveryLocation': {'type': 'string', 'minLength': 1}}),
         _outcome('BatchCompleted', 'A bulk order, completed', 'COMPLETED',
                  {'completedAt': _ts(), 'customerConfirmation': {'type': 'boolean', 'const': True}}),
     ]},
    {'id': 'orderRetries', 'address': 'place-order-retry-topic', 'protocol': 'kafka',
     'describe': "topic 'place-order-retry-topic'", 'messages': [
         _message('RetryEnvelope', 'An order waiting for another attempt', {
             'type': 'object', 'properties': {
                 'originalMessage': {'type': 'object', 'description': 'the order as it arrived'},
                 'messageKey': {'type': 'string'},
                 'retryCount': {'type': 'integer', 'minimum': 0,
                                'description': 'retries already made; 0 on the hand-off from the main topic'},
                 'firstAttemptTimestamp': _ts(), 'lastAttemptTimestamp': _ts(),
                 'errorMessage': {'type': 'string'}, 'errorStackTrace': {'type': 'string'}},
             'required': ['originalMessage', 'messageKey', 'retryCount', 'firstAttemptTimestamp',
                          'lastAttemptTimestamp', 'errorMessage', 'errorStackTrace']},
             CORRELATION_HEADERS, None),
     ]},
    {'id': 'deadOrders', 'address': 'place-order-dlq-topic', 'protocol': 'kafka',
     'describe': "topic 'place-order-dlq-topic'", 'messages': [
         _message('DeadLetter', 'An order given up on', {
             'type': 'object', 'properties': {
                 'originalMessage': {'type': 'object'},
                 'messageKey': {'type': 'string', 'minLength': 1},
                 'totalRetries': {'type': 'integer', 'minimum': 0},
                 'firstAttemptTimestamp': _ts(), 'failedTimestamp': _ts(),
                 'finalErrorMessage': {'type': 'string'},
                 'failureReason': {'type': 'string', 'pattern': '^[a-z][a-z0-9-]*$'}},
             'required': ['originalMessage', 'messageKey', 'totalRetries', 'firstAttemptTimestamp',
                          'failedTimestamp', 'finalErrorMessage', 'failureReason']},
             CORRELATION_HEADERS, None),
     ]},
]

OPERATION = {
    'id': 'processOrder', 'action': 'receive', 'channel': 'orderRequests', 'address': 'place-order-topic',
    'messages': ['StandardOrder', 'PriorityOrder', 'BulkOrder', 'RejectedOrder'],
    'reply': {'channel': 'orderOutcomes', 'address': 'place-order-queue'},
    'retry': {'channel': 'orderRetries', 'address': 'place-order-retry-topic', 'max_attempts': 3,
              'strategy': 'exponential', 'schedule_ms': [1000, 2000, 4000],
              'schedule_text': '1 s, 2 s, 4 s', 'source': 'x-specmatic-retry'},
    'dead_letter': {'channel': 'deadOrders', 'address': 'place-order-dlq-topic', 'wait_ms': 15000},
}

INJECTED = '<script>window.__studioInjected = true;</script><img src="x" onerror="window.__studioInjected = true">'
EXAMPLE_DIR = 'order-service_examples'


def _read_example(file):
    with open(os.path.join(REPO, 'contracts', EXAMPLE_DIR, file), encoding='utf-8') as f:
        return json.load(f)


def _examples():
    """The four lab examples the fake plays: (file, flow, expects)."""
    plan = [
        ('01-standard.json', 'success', [('send', 'place-order-queue')]),
        ('04-retry-then-success.json', 'retry-then-success',
         [('retry', 'place-order-retry-topic'), ('send', 'place-order-queue')]),
        ('05-retries-exhausted.json', 'retry-then-dlq',
         [('retry', 'place-order-retry-topic'), ('dlq', 'place-order-dlq-topic')]),
        ('06-permanent-failure.json', 'direct-dlq', [('dlq', 'place-order-dlq-topic')]),
    ]
    out = []
    for file, flow, expects in plan:
        data = copy.deepcopy(_read_example(file))
        valid, problems = True, []
        if flow == 'direct-dlq':
            # The page must show this as text, never run it.
            data['receive']['payload']['customerId'] = 'CUST-2006 ' + INJECTED
            data['dlq']['payload']['failureReason'] = 'Injected Permanent'
            valid = False
            problems = [{'pointer': '/dlq/payload/failureReason',
                         'message': "'Injected Permanent' does not match the pattern '^[a-z][a-z0-9-]*$' "
                                    "(order-service.yaml:265)"}]
        out.append({
            'name': data['name'], 'file': f'contracts/{EXAMPLE_DIR}/{file}', 'operation': 'processOrder',
            'correlation_id': data['receive']['headers']['CorrelationId'], 'flow': flow,
            'expects': [{'role': r, 'address': a} for r, a in expects],
            'json': data, 'valid': valid, 'problems': problems,
        })
    return out


def contract_view(source):
    return {
        'source': source,
        'title': 'driftline order-service 1.0.0',
        'strict': False,
        'warnings': ['contracts/order-service_examples/06-permanent-failure.json: the example does not '
                     'validate against the contract; it runs because strict mode is off'],
        'contracts': [{
            'file': 'contracts/order-service.yaml', 'title': 'driftline order-service', 'version': '1.0.0',
            'servers': [{'name': 'broker', 'protocol': 'kafka', 'host': '127.0.0.1:9092'},
                        {'name': 'queues', 'protocol': 'sqs', 'host': 'http://127.0.0.1:4566/000000000000'}],
            'channels': CHANNELS,
            'operations': [OPERATION],
        }],
        'examples': _examples(),
    }


CONFIG_SOURCE = {'config': 'contracts/specmatic.yaml', 'contracts': ['contracts/order-service.yaml'],
                 'examples': ['contracts/order-service_examples']}
CONTRACT_SOURCE = {'config': None, 'contracts': ['contracts/order-service.yaml'],
                   'examples': ['contracts/order-service_examples']}
BROKEN_ERROR = "broken/order-service.yaml:14:5: duplicate key 'address' (first at broken/order-service.yaml:12:5)"
CONTRACT_KEY = 'contracts/order-service.yaml'
TITLE = 'driftline order-service 1.0.0'

CANDIDATES = [
    {'path': 'broken/order-service.yaml', 'kind': 'contract', 'examples': None},
    {'path': 'broken/specmatic.yaml', 'kind': 'config'},
    {'path': 'contracts/order-service.yaml', 'kind': 'contract', 'examples': 'contracts/order-service_examples'},
    {'path': 'contracts/specmatic.yaml', 'kind': 'config'},
]

# ---------------------------------------------------------------------------------------------
# Scripted scenarios: what each example's run looks like, offsets since its publish.

DELAYS = [1000, 2000, 4000]


def _script(flow, good):
    """[(role, retry_count, offset_ms)] after the publish, the outcome and its reasons."""
    if flow == 'success':
        return [('send', None, 184)], 'passed', []
    if flow == 'retry-then-success':
        return [('retry', 0, 41), ('send', None, 1068)], 'passed', []
    if flow == 'direct-dlq':
        return [('dlq', None, 57)], 'passed', []
    # retry-then-dlq: envelopes 0..3, then the dead letter.
    if good:
        return [('retry', 0, 38), ('retry', 1, 1052), ('retry', 2, 3060), ('retry', 3, 7071),
                ('dlq', None, 7085)], 'passed', []
    return ([('retry', 0, 38), ('retry', 1, 1052), ('retry', 2, 2071), ('retry', 3, 6079),
             ('dlq', None, 6093)], 'failed',
            ['retry #2 on place-order-retry-topic came 1019 ms after retry #1, 981 ms before it was due '
             '(backoff 2 s): expected at 3052 ms since the publish, got 2071 ms',
             'dead letter /payload/failureReason: expected "retries-exhausted", got '
             '"<img src=x onerror=window.__studioInjected=true>"'])


def _with_due(steps):
    """Adds due_ms to each step as TimelineTracker does (contract/run/engine.h)."""
    out, last_env, env_count = [], None, 0
    for role, retry, offset in steps:
        if role == 'retry':
            due = 0 if last_env is None else last_env + DELAYS[min(env_count - 1, len(DELAYS) - 1)]
            last_env, env_count = offset, env_count + 1
        elif role == 'send':
            due = None if last_env is None else last_env + DELAYS[min(env_count - 1, len(DELAYS) - 1)]
        elif role == 'dlq':
            due = last_env
        else:
            due = None
        out.append((role, retry, offset, due))
    return out


ADDRESS = {'publish': 'place-order-topic', 'send': 'place-order-queue', 'retry': 'place-order-retry-topic',
           'dlq': 'place-order-dlq-topic'}
DESCRIBE = {'publish': "topic 'place-order-topic'", 'send': "queue 'place-order-queue'",
            'retry': "topic 'place-order-retry-topic'", 'dlq': "topic 'place-order-dlq-topic'"}
MESSAGE_NAME = {'publish': 'StandardOrder', 'send': 'OrderInProgress', 'retry': 'RetryEnvelope',
                'dlq': 'DeadLetter'}


def _payload(example, role, retry, outcome):
    j = example['json']
    if role == 'publish':
        return j['receive']['payload']
    if role == 'send':
        p = dict(j['send']['payload'])
        p['processingStartedAt'] = '2026-01-20T09:18:01Z'
        return p
    if role == 'retry':
        p = dict(j['retry']['payload'])
        p.update({'retryCount': retry, 'firstAttemptTimestamp': '2026-01-20T09:18:00Z',
                  'lastAttemptTimestamp': '2026-01-20T09:18:01Z',
                  'errorMessage': f"transient failure for {p.get('messageKey')}", 'errorStackTrace': 'at transform()'})
        return p
    p = dict(j['dlq']['payload'])
    p.update({'firstAttemptTimestamp': '2026-01-20T09:19:00Z', 'failedTimestamp': '2026-01-20T09:19:07Z',
              'finalErrorMessage': 'Retries exhausted after 3 attempts ' + INJECTED, 'finalErrorStackTrace': ''})
    if outcome == 'failed':
        p['failureReason'] = '<img src=x onerror=window.__studioInjected=true>'
    return p


class Scenario:
    """One example's scripted run."""

    def __init__(self, example, index, good):
        self.example = example
        self.index = index
        steps, self.outcome, self.reasons = _script(example['flow'], good)
        self.steps = [('publish', None, 0, None)] + _with_due(steps)
        self.duration_ms = self.steps[-1][2] + 60

    def messages(self):
        ex = self.example
        for n, (role, retry, offset, due) in enumerate(self.steps):
            yield {
                'test': ex['name'], 'role': role, 'channel': DESCRIBE[role], 'address': ADDRESS[role],
                'offset_ms': offset, 'due_ms': due, 'retry_count': retry,
                'coordinates': f"{ADDRESS[role]}[0]@{100 + 7 * self.index + n}",
                'payload': json.dumps(_payload(ex, role, retry, self.outcome)),
                'headers': {'CorrelationId': ex['correlation_id']},
            }

    def result(self, started_at):
        ex = self.example
        flow = []
        for m in self.messages():
            role = m['role']
            flow.append({
                'kind': 'published' if role == 'publish' else 'received', 'role': role,
                'channel': m['channel'], 'address': m['address'], 'offset_ms': m['offset_ms'],
                'at': _iso(started_at + datetime.timedelta(milliseconds=30 + m['offset_ms'])),
                'coordinates': m['coordinates'], 'key': None, 'headers': m['headers'], 'payload': m['payload'],
                'message_name': MESSAGE_NAME[role],
                'ok': not (self.outcome == 'failed' and role in ('retry', 'dlq') and m['retry_count'] in (2, None)),
                'mismatches': [], 'retry_count': m['retry_count'], 'due_ms': m['due_ms'],
            })
        return {
            'name': ex['name'], 'file': ex['file'], 'operation': ex['operation'],
            'correlation_id': ex['correlation_id'], 'outcome': self.outcome, 'wip': False,
            'reasons': self.reasons, 'warnings': [],
            'checks': [{'name': 'expected messages', 'passed': self.outcome == 'passed', 'detail': '',
                        'mismatches': []}],
            'started_at': _iso(started_at), 'duration_ms': self.duration_ms, 'flow': flow,
        }

    def tally(self):
        """The channels this test expects a message on (SuiteResult::MessageCounts counts each once)."""
        return [e['address'] for e in self.example['expects']]


def _iso(dt):
    return dt.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.') + \
        f"{dt.microsecond // 1000:03d}Z"


def summary_line(c):
    return (f"Tests run: {c['run']}, Successes: {c['successes']}, Failures: {c['failures']}, "
            f"WIP: {c['wip']}, Errors: {c['errors']}")


def count_table(counts):
    """FormatMessageCountTable (contract/report/console.cc), line for line."""
    nw, aw, ew = 5, 23, 8
    for ch, actual, expected in counts:
        nw, aw, ew = max(nw, len(ch)), max(aw, len(str(actual))), max(ew, len(str(expected)))
    rule = '+' + '-' * (nw + 2) + '+' + '-' * (aw + 2) + '+' + '-' * (ew + 2) + '+\n'
    out = rule
    out += '| ' + 'Topic'.ljust(nw) + ' | ' + 'No of messages received'.ljust(aw + 3 + ew) + ' |\n'
    out += rule
    out += '| ' + ''.ljust(nw) + ' | ' + 'Actual'.ljust(aw) + ' | ' + 'Expected'.ljust(ew) + ' |\n'
    out += rule
    for ch, actual, expected in counts:
        out += '| ' + ch.ljust(nw) + ' | ' + str(actual).ljust(aw) + ' | ' + str(expected).ljust(ew) + ' |\n'
    out += rule
    return out


def suite_summary(scenarios, finished, parallel, wall_ms):
    c = {'run': 0, 'successes': 0, 'failures': 0, 'wip': 0, 'errors': 0}
    counts = []
    for s in scenarios:
        if s.example['name'] not in finished:
            continue
        outcome = finished[s.example['name']]
        c['run'] += 1
        c[{'passed': 'successes', 'failed': 'failures'}.get(outcome, 'errors')] += 1
        for address in s.tally():
            row = next((r for r in counts if r[0] == address), None)
            if row is None:
                row = [address, 0, 0]
                counts.append(row)
            row[1] += 1  # every scripted message arrives; a failure is in what or when
            row[2] += 1
    table = count_table(counts)
    line = summary_line(c)
    unsuccessful = ''
    for s in scenarios:
        if finished.get(s.example['name']) in ('failed', 'error'):
            unsuccessful = unsuccessful or 'Unsuccessful Scenarios:\n'
            unsuccessful += f"  {s.example['name']}\n"
            for i, r in enumerate(s.reasons):
                unsuccessful += ('    Reason: ' if i == 0 else '            ') + r + '\n'
    final = ('\n' + unsuccessful if unsuccessful else '') + '\n' + table + '\n' + line + '\n' + \
        f"Wall time {wall_ms / 1000:.2f} s ({'parallel' if parallel else 'sequential'}), first publish after 0.03 s\n"
    return c, line, table, final, counts


# ---------------------------------------------------------------------------------------------
# Runs


class Run:
    def __init__(self, run_id, mode, scenarios, started_at):
        self.id = run_id
        self.mode = mode
        self.scenarios = scenarios
        self.started_at = started_at
        self.events = []
        self.cond = threading.Condition()
        self.cancel = threading.Event()
        self.outcome = 'running'
        self.counts = {'run': 0, 'successes': 0, 'failures': 0, 'wip': 0, 'errors': 0}
        self.summary_line = ''
        self.duration_ms = 0
        self.result = None

    def item(self):
        return {'id': self.id, 'started_at': _iso(self.started_at), 'title': TITLE, 'contract_key': CONTRACT_KEY,
                'outcome': self.outcome, 'counts': self.counts, 'duration_ms': self.duration_ms, 'mode': self.mode,
                'summary_line': self.summary_line}

    def append(self, ev):
        with self.cond:
            ev = dict(ev)
            ev['run_id'] = self.id
            ev['seq'] = len(self.events) + 1
            ev['emitted_epoch_ms'] = int(time.time() * 1000)
            self.events.append(ev)
            self.cond.notify_all()

    def schedule(self):
        """[(at_ms, event)] of the whole run, in order."""
        plan = []
        parallel = self.mode == 'parallel'
        start = 5
        for i, s in enumerate(self.scenarios):
            t0 = start + 3 * i if parallel else start
            name = s.example['name']
            plan.append((t0, {'type': 'test', 'test': name, 'state': 'running'}))
            remaining = [e['role'] for e in s.example['expects']]
            for m in s.messages():
                at = t0 + 30 + m['offset_ms']
                ev = dict(m)
                ev['type'] = 'message'
                plan.append((at, ev))
                if m['role'] in remaining:
                    remaining.remove(m['role'])
                if remaining:
                    plan.append((at + 1, {'type': 'waiting', 'test': name,
                                          'status': 'waiting for ' + ', '.join(
                                              {'send': 'the reply', 'retry': 'retry envelopes',
                                               'dlq': 'the dead letter'}[r] for r in remaining)}))
            end = t0 + 30 + s.duration_ms
            plan.append((end, {'type': 'finished', 'test': name, 'outcome': s.outcome, 'reasons': s.reasons,
                               'duration_ms': s.duration_ms, 'result': s.result(self.started_at)}))
            if not parallel:
                start = end + 10
        plan.sort(key=lambda p: p[0])
        return plan


class Studio:
    def __init__(self, time_scale):
        self.lock = threading.Lock()
        self.time_scale = time_scale
        self.hold = False
        self.release = threading.Event()
        self.reset()

    def reset(self):
        with self.lock:
            self.loaded = None
            self.running = None
            self.hold = False
            self.release.set()
            self.runs = {}
            self.next_id = 1
            now = datetime.datetime.now(datetime.timezone.utc)
            self._canned(now - datetime.timedelta(days=1, minutes=12), 'sequential', good=True, keep_events=True)
            self._canned(now - datetime.timedelta(hours=1, minutes=3), 'parallel', good=False, keep_events=False)

    def _scenarios(self, names, good):
        examples = contract_view(CONFIG_SOURCE)['examples']
        return [Scenario(ex, i, good) for i, ex in enumerate(examples) if names is None or ex['name'] in names]

    def _canned(self, started_at, mode, good, keep_events):
        run = Run(self.next_id, mode, self._scenarios(None, good), started_at)
        self.next_id += 1
        finished = {}
        last = 0
        run.append({'type': 'started', 'at_ms': 0, 'title': TITLE, 'mode': mode, 'tests': self._tests(run)})
        for at, ev in run.schedule():
            ev = dict(ev, at_ms=at)
            run.append(ev)
            if ev['type'] == 'finished':
                finished[ev['test']] = ev['outcome']
            last = at
        self._finish(run, finished, last + 5)
        if not keep_events:
            run.events = []
        self.runs[run.id] = run

    @staticmethod
    def _tests(run):
        return [{'name': s.example['name'], 'operation': 'processOrder', 'flow': s.example['flow'],
                 'correlation_id': s.example['correlation_id']} for s in run.scenarios]

    def _finish(self, run, finished, wall_ms):
        counts, line, table, final, message_counts = suite_summary(
            run.scenarios, finished, run.mode == 'parallel', wall_ms)
        if run.cancel.is_set():
            outcome = 'cancelled'
        elif counts['errors']:
            outcome = 'error'
        elif counts['failures']:
            outcome = 'failed'
        else:
            outcome = 'passed'
        exit_code = 1 if counts['failures'] or counts['errors'] else 0
        run.result = {
            'title': TITLE, 'started_at': _iso(run.started_at), 'wall_ms': wall_ms, 'startup_ms': 30,
            'parallel': run.mode == 'parallel', 'counts': counts, 'summary_line': line, 'count_table': table,
            'final_report': final, 'message_counts': [{'channel': c, 'actual': a, 'expected': e}
                                                      for c, a, e in message_counts],
            'exit_code': exit_code, 'warnings': [],
            'tests': [s.result(run.started_at) for s in run.scenarios if s.example['name'] in finished],
        }
        run.counts, run.summary_line, run.duration_ms = counts, line, wall_ms
        run.append({'type': 'done', 'at_ms': wall_ms, 'outcome': outcome, 'counts': counts, 'summary_line': line,
                    'count_table': table, 'final_report': final, 'exit_code': exit_code, 'wall_ms': wall_ms})
        run.outcome = outcome

    def start_run(self, names, mode):
        with self.lock:
            run = Run(self.next_id, mode, self._scenarios(names, good=False),
                      datetime.datetime.now(datetime.timezone.utc))
            self.next_id += 1
            self.runs[run.id] = run
            self.running = run.id
            if self.hold:
                self.release.clear()
        threading.Thread(target=self._play, args=(run,), daemon=True).start()
        return run

    def _play(self, run):
        t0 = time.monotonic()
        run.append({'type': 'started', 'at_ms': 0, 'title': TITLE, 'mode': run.mode, 'tests': self._tests(run)})
        finished = {}
        held = False
        last = 0
        for at, ev in run.schedule():
            if not held and at >= HOLD_AT_MS and not self.release.is_set():
                held = True
                while not self.release.is_set() and not run.cancel.is_set():
                    self.release.wait(0.05)
                t0 = time.monotonic() - at * self.time_scale / 1000.0
            wait = t0 + at * self.time_scale / 1000.0 - time.monotonic()
            if wait > 0 and run.cancel.wait(wait):
                pass
            if run.cancel.is_set():
                break
            run.append(dict(ev, at_ms=at))
            if ev['type'] == 'finished':
                finished[ev['test']] = ev['outcome']
            last = at
        self._finish(run, finished, last + 5)
        with self.lock:
            if self.running == run.id:
                self.running = None

    def compare(self, a, b):
        ra, rb = self.runs.get(a), self.runs.get(b)
        if ra is None or rb is None:
            return 404, {'error': f'unknown run {a if ra is None else b}'}
        if ra.result is None or rb.result is None:
            return 409, {'error': 'a run to compare is still in progress'}
        oa = {t['name']: t['outcome'] for t in ra.result['tests']}
        ob = {t['name']: t['outcome'] for t in rb.result['tests']}
        return 200, {
            'a': a, 'b': b, 'contract_key': CONTRACT_KEY,
            'changed': [{'test': n, 'a': oa[n], 'b': ob[n]} for n in oa if n in ob and oa[n] != ob[n]],
            'unchanged': [{'test': n, 'outcome': oa[n]} for n in oa if n in ob and oa[n] == ob[n]],
            'only_in_a': [{'test': n, 'outcome': oa[n]} for n in oa if n not in ob],
            'only_in_b': [{'test': n, 'outcome': ob[n]} for n in ob if n not in oa],
        }


def junit(run):
    r = run.result
    cases = []
    for t in r['tests']:
        body = ''
        if t['outcome'] == 'failed':
            body = f'<failure message="{html.escape("; ".join(t["reasons"]))}"/>'
        cases.append(f'  <testcase classname="{html.escape(TITLE)}" name="{html.escape(t["name"])}" '
                     f'time="{t["duration_ms"] / 1000:.3f}">{body}</testcase>')
    c = r['counts']
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name="{html.escape(TITLE)}" tests="{c["run"]}" failures="{c["failures"]}" '
            f'errors="{c["errors"]}">\n' + '\n'.join(cases) + '\n</testsuite>\n')


def ctrf(run):
    r = run.result
    return json.dumps({'results': {'tool': {'name': 'driftline contract-test'}, 'summary': r['counts'],
                                   'tests': [{'name': t['name'], 'status': t['outcome'],
                                              'duration': t['duration_ms']} for t in r['tests']]}}, indent=2)


def html_report(run):
    rows = ''.join(f'<tr><td>{html.escape(t["name"])}</td><td>{t["outcome"]}</td></tr>' for t in run.result['tests'])
    return (f'<!doctype html><meta charset="utf-8"><title>{html.escape(TITLE)}</title>'
            f'<h1>{html.escape(run.result["summary_line"])}</h1><table>{rows}</table>')


# ---------------------------------------------------------------------------------------------
# HTTP

CSP = "default-src 'self'"
ASSETS = {'/': ('index.html', 'text/html; charset=utf-8'),
          '/assets/app.js': ('app.js', 'text/javascript; charset=utf-8'),
          '/assets/app.css': ('app.css', 'text/css; charset=utf-8'),
          '/assets/icon.svg': ('icon.svg', 'image/svg+xml')}


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = 'fake-studio'
    studio = None  # set in main
    web_dir = None

    def log_message(self, fmt, *args):  # quiet: the tests print what matters
        if os.environ.get('FAKE_STUDIO_LOG'):
            sys.stderr.write('fake-studio: ' + (fmt % args) + '\n')

    # --- helpers
    def _send(self, status, body, ctype='application/json', extra=None):
        data = body if isinstance(body, bytes) else (
            body.encode('utf-8') if isinstance(body, str) else json.dumps(body).encode('utf-8'))
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Cache-Control', 'no-store')
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _json_body(self):
        n = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(n) if n else b''
        try:
            return json.loads(raw.decode('utf-8')) if raw else {}
        except ValueError:
            return None

    def _host_ok(self):
        port = self.server.server_address[1]
        return self.headers.get('Host') in (f'127.0.0.1:{port}', f'localhost:{port}', f'[::1]:{port}')

    def _post_ok(self):
        port = self.server.server_address[1]
        ctype = (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if ctype != 'application/json':
            self._send(415, {'error': 'POST bodies must be application/json'})
            return False
        origin = self.headers.get('Origin')
        if origin is not None and origin not in (f'http://127.0.0.1:{port}', f'http://localhost:{port}'):
            self._send(403, {'error': 'cross-origin request refused'})
            return False
        return True

    # --- routes
    def do_GET(self):
        if not self._host_ok():
            return self._send(403, {'error': 'unexpected Host header'})
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        st = self.studio
        if path in ASSETS:
            file, ctype = ASSETS[path]
            with open(os.path.join(self.web_dir, file), 'rb') as f:
                return self._send(200, f.read(), ctype, {'Content-Security-Policy': CSP})
        if path == '/api/state':
            return self._send(200, {'root': ROOT, 'loaded': st.loaded, 'running': st.running,
                                    'db': '(in memory)'})
        if path == '/api/candidates':
            return self._send(200, {'root': ROOT, 'candidates': CANDIDATES})
        if path == '/api/contract':
            return self._send(200, st.loaded) if st.loaded else self._send(404, {'error': 'nothing loaded'})
        if path == '/api/runs':
            runs = sorted(st.runs.values(), key=lambda r: r.id, reverse=True)
            return self._send(200, {'runs': [r.item() for r in runs]})
        if path == '/api/compare':
            try:
                a, b = int(query['a'][0]), int(query['b'][0])
            except (KeyError, ValueError):
                return self._send(400, {'error': 'compare needs ?a=N&b=M'})
            status, body = st.compare(a, b)
            return self._send(status, body)
        parts = path.strip('/').split('/')
        if len(parts) >= 3 and parts[:2] == ['api', 'runs']:
            try:
                run = st.runs.get(int(parts[2]))
            except ValueError:
                run = None
            if run is None:
                return self._send(404, {'error': f'unknown run {parts[2]}'})
            if len(parts) == 3:
                return self._send(200, {'run': run.item(), 'events': list(run.events),
                                        'result': run.result if run.outcome != 'running' else None})
            if len(parts) == 4 and parts[3] == 'events':
                return self._events(run)
            if len(parts) == 5 and parts[3] == 'report':
                if run.outcome == 'running':
                    return self._send(404, {'error': f'run {run.id} is still running'})
                kinds = {'junit': (junit, 'application/xml', 'junit.xml'),
                         'ctrf': (ctrf, 'application/json', 'ctrf.json'),
                         'html': (html_report, 'text/html; charset=utf-8', 'report.html')}
                if parts[4] not in kinds:
                    return self._send(404, {'error': 'unknown report'})
                make, ctype, name = kinds[parts[4]]
                return self._send(200, make(run), ctype,
                                  {'Content-Disposition': f'attachment; filename="{name}"'})
        return self._send(404, {'error': f'no such path: {path}'})

    def _events(self, run):
        self.send_response(200)
        self.send_header('Content-Type', 'text/event-stream')
        self.send_header('Cache-Control', 'no-cache')
        self.send_header('Connection', 'close')
        self.end_headers()
        sent = 0
        try:
            while True:
                with run.cond:
                    while sent >= len(run.events):
                        run.cond.wait()
                    batch = run.events[sent:]
                sent += len(batch)
                for ev in batch:
                    frame = f"id: {ev['seq']}\nevent: {ev['type']}\ndata: {json.dumps(ev)}\n\n"
                    self.wfile.write(frame.encode('utf-8'))
                self.wfile.flush()
                if batch[-1]['type'] == 'done':
                    return
        except (BrokenPipeError, ConnectionResetError):
            return

    def do_POST(self):
        if not self._host_ok():
            return self._send(403, {'error': 'unexpected Host header'})
        if not self._post_ok():
            return None
        body = self._json_body()
        if body is None:
            return self._send(400, {'error': 'the body is not JSON'})
        st = self.studio
        path = urllib.parse.urlsplit(self.path).path
        if path == '/__fake/reset':
            for r in list(st.runs.values()):
                r.cancel.set()
            st.reset()
            return self._send(200, {'reset': True})
        if path == '/__fake/hold':
            st.hold = bool(body.get('hold'))
            if st.hold:
                st.release.clear()
            else:
                st.release.set()
            return self._send(200, {'hold': st.hold})
        if path == '/api/load':
            if st.running is not None:
                return self._send(409, {'error': f'a run is in progress (run {st.running}); load after it ends'})
            target = body.get('path') or body.get('contract') or ''
            norm = posixpath.normpath(target)
            if target.startswith('/') or norm == '..' or norm.startswith('../'):
                return self._send(403, {'error': f'{target}: outside the root {ROOT}'})
            if norm.startswith('broken/'):
                return self._send(400, {'error': BROKEN_ERROR})
            if norm == 'contracts/specmatic.yaml' and 'path' in body:
                st.loaded = contract_view(CONFIG_SOURCE)
            elif norm == 'contracts/order-service.yaml':
                st.loaded = contract_view(CONTRACT_SOURCE)
            else:
                return self._send(400, {'error': f'{target}: cannot open: No such file or directory'})
            return self._send(200, st.loaded)
        if path == '/api/runs':
            if st.loaded is None:
                return self._send(400, {'error': 'load a contract first'})
            if st.running is not None:
                return self._send(409, {'error': f'a run is already in progress (run {st.running})',
                                        'run_id': st.running})
            names = body.get('examples') or None
            known = {e['name'] for e in st.loaded['examples']}
            if names:
                unknown = [n for n in names if n not in known]
                if unknown:
                    return self._send(400, {'error': 'unknown example(s): ' + ', '.join(unknown)})
            mode = body.get('mode') or 'parallel'
            if mode not in ('parallel', 'sequential'):
                return self._send(400, {'error': f'unknown mode {mode}'})
            run = st.start_run(set(names) if names else None, mode)
            return self._send(202, {'run_id': run.id})
        parts = path.strip('/').split('/')
        if len(parts) == 4 and parts[:2] == ['api', 'runs'] and parts[3] == 'cancel':
            try:
                run = st.runs.get(int(parts[2]))
            except ValueError:
                run = None
            if run is None:
                return self._send(404, {'error': f'unknown run {parts[2]}'})
            if run.outcome != 'running':
                return self._send(409, {'error': f'run {run.id} is not running'})
            run.cancel.set()
            return self._send(202, {'run_id': run.id})
        return self._send(404, {'error': f'no such path: {path}'})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--time-scale', type=float, default=0.25,
                    help='real seconds per scripted second (1 = the offsets as they would happen)')
    ap.add_argument('--web', default=os.path.join(REPO, 'src', 'studio', 'web'))
    args = ap.parse_args()
    Handler.studio = Studio(args.time_scale)
    Handler.web_dir = args.web
    server = Server((args.host, args.port), Handler)
    print(f'fake-studio: http://{args.host}:{server.server_address[1]}/ (root {ROOT}, history in memory)',
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
