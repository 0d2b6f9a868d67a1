// driftline Studio: the page. Talks to the studio server's JSON API (same origin) and follows a
// run's events over EventSource. Every text that comes from a contract, an example, a message or an
// error body is put in the page as a text node: nothing received is ever parsed as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Read by benchmarks: one entry per SSE event the page rendered, and the paint timings.
// firstPaint / firstContentfulPaint: ms since navigation start (PerformanceEntry.startTime).
const metrics = { events: [], firstPaint: null, firstContentfulPaint: null };
window.studioMetrics = metrics;

function recordPaint(entry) {
  if (entry.name === 'first-paint') metrics.firstPaint = entry.startTime;
  if (entry.name === 'first-contentful-paint') metrics.firstContentfulPaint = entry.startTime;
}
for (const entry of performance.getEntriesByType('paint')) recordPaint(entry);
if (typeof PerformanceObserver === 'function') {
  try {
    new PerformanceObserver((list) => list.getEntries().forEach(recordPaint))
      .observe({ type: 'paint', buffered: true });
  } catch (_) {
    // An engine without paint timing leaves the fields null.
  }
}

// ---------------------------------------------------------------------------------------------
// DOM building

const $ = (id) => document.getElementById(id);

// el('p', {class: 'x', data: {role: 'retry'}, text: 'hi'}, child, 'text', ...)
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  appendAll(node, children);
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyAttrs(node, attrs);
  appendAll(node, children);
  return node;
}

function applyAttrs(node, attrs) {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'data') {
      for (const [k, v] of Object.entries(value)) {
        if (v !== null && v !== undefined) node.setAttribute('data-' + k, String(v));
      }
    } else if (key === 'on') {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else node.setAttribute(key, value === true ? '' : String(value));
  }
}

function appendAll(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' || typeof child === 'number'
      ? document.createTextNode(String(child)) : child);
  }
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function pretty(value) {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string') {
    try { return JSON.stringify(JSON.parse(value), null, 2); } catch (_) { return value; }
  }
  return JSON.stringify(value, null, 2);
}

function formatMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(Number(ms))) return '–';
  const n = Number(ms);
  if (Math.abs(n) < 1000) return `${Math.round(n)} ms`;
  return `${(n / 1000).toFixed(2)} s`;
}

function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso || '');
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
         `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const FLOW_LABELS = {
  'success': 'success',
  'retry-then-success': 'retry → success',
  'retry-then-dlq': 'retry → DLQ',
  'direct-dlq': 'direct DLQ',
  'send-only': 'send only',
};

function flowBadge(flow) {
  return el('span', { class: `badge flow flow-${flow || 'unknown'}`, data: { flow },
                      text: FLOW_LABELS[flow] || flow || 'unknown flow' });
}

const STATE_LABELS = {
  pending: ['○', 'pending'],
  running: ['◐', 'running'],
  passed: ['✓', 'passed'],
  failed: ['✗', 'failed'],
  error: ['!', 'error'],
  cancelled: ['–', 'cancelled'],
};

// A status chip: a symbol and a word, so the colour is never the only signal.
function stateChip(state, extraClass) {
  const [symbol, word] = STATE_LABELS[state] || ['?', state || 'unknown'];
  return el('span', { class: `state state-${state} ${extraClass || ''}`.trim(), data: { state } },
    el('span', { class: 'symbol', 'aria-hidden': 'true', text: symbol }), ' ', word);
}

function showAlert(node, title, text) {
  clear(node);
  if (title) node.appendChild(el('strong', { class: 'alert-title', text: title }));
  node.appendChild(el('p', { class: 'alert-text', text }));
  node.hidden = false;
}

function hideAlert(node) {
  clear(node);
  node.hidden = true;
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    return { ok: false, status: 0, data: null, error: 'cannot reach the studio server' };
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  const error = data && typeof data.error === 'string' ? data.error
    : (res.ok ? '' : `HTTP ${res.status}${text ? ': ' + text.slice(0, 300) : ''}`);
  return { ok: res.ok, status: res.status, data, error };
}

// ---------------------------------------------------------------------------------------------
// Tabs

const TABS = ['contract', 'examples', 'run', 'history'];

function selectTab(name, focus) {
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    const selected = t === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`panel-${t}`).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  refreshTimelines();
}

function setupTabs() {
  TABS.forEach((t, i) => {
    const tab = $(`tab-${t}`);
    tab.addEventListener('click', () => selectTab(t, false));
    tab.addEventListener('keydown', (e) => {
      let next = null;
      if (e.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
      else if (e.key === 'ArrowLeft') next = TABS[(i + TABS.length - 1) % TABS.length];
      else if (e.key === 'Home') next = TABS[0];
      else if (e.key === 'End') next = TABS[TABS.length - 1];
      if (next) {
        e.preventDefault();
        selectTab(next, true);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Message drawer

let drawerReturnFocus = null;

function openDrawer(title, sections) {
  drawerReturnFocus = document.activeElement;
  $('drawer-title').textContent = title;
  const body = clear($('drawer-body'));
  for (const section of sections) {
    if (section.facts) {
      const dl = el('dl', { class: 'facts' });
      for (const [k, v] of section.facts) {
        if (v === null || v === undefined || v === '') continue;
        dl.append(el('dt', { text: k }), el('dd', { text: String(v) }));
      }
      body.appendChild(dl);
    } else {
      body.appendChild(el('h3', { text: section.heading }));
      body.appendChild(el('pre', { class: `code ${section.class || ''}`.trim(), tabindex: '0',
                                   text: section.text }));
    }
  }
  const drawer = $('message-drawer');
  drawer.hidden = false;
  $('drawer-close').focus();
}

function closeDrawer() {
  $('message-drawer').hidden = true;
  if (drawerReturnFocus && document.contains(drawerReturnFocus)) drawerReturnFocus.focus();
  drawerReturnFocus = null;
}

function showContractMessage(message, channel) {
  openDrawer(message.name, [
    { facts: [['Title', message.title], ['Channel', channel ? `${channel.id} (${channel.describe || channel.address})` : ''],
              ['Content type', message.content_type], ['Correlation id', message.correlation_id]] },
    { heading: 'Payload schema', class: 'schema-payload', text: pretty(message.payload) },
    { heading: 'Headers', class: 'schema-headers', text: message.headers ? pretty(message.headers) : 'none' },
  ]);
}

function showObservedMessage(test, m) {
  const what = m.role === 'retry' && m.retry_count !== null && m.retry_count !== undefined
    ? `retry #${m.retry_count}` : roleLabel(m.role);
  openDrawer(`${what} · ${test}`, [
    { facts: [['Channel', m.channel || m.address], ['At', `${formatMs(m.offset_ms)} after the publish`],
              ['Due', m.due_ms === null || m.due_ms === undefined ? '' : formatMs(m.due_ms)],
              ['Coordinates', m.coordinates]] },
    { heading: 'Payload', class: 'observed-payload', text: pretty(m.payload) },
    { heading: 'Headers', class: 'observed-headers', text: pretty(m.headers) },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Contract view

let diagramCount = 0;

function findMessage(contract, channelId, name) {
  const channel = contract.channels.find((c) => c.id === channelId);
  const inChannel = channel && (channel.messages || []).find((m) => m.name === name);
  if (inChannel) return [inChannel, channel];
  for (const c of contract.channels) {
    const m = (c.messages || []).find((x) => x.name === name);
    if (m) return [m, c];
  }
  return [null, null];
}

function messageButton(contract, channelId, name) {
  return el('button', {
    type: 'button', class: 'message-link', data: { message: name, channel: channelId },
    text: name,
    on: {
      click: () => {
        const [m, c] = findMessage(contract, channelId, name);
        if (m) showContractMessage(m, c);
      },
    },
  });
}

function channelMessageButtons(contract, channelId) {
  const channel = contract.channels.find((c) => c.id === channelId);
  return ((channel && channel.messages) || []).map((m) => messageButton(contract, channelId, m.name));
}

function shorten(text, max) {
  const s = String(text || '');
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

// One box of the flow drawing: two lines of text, the full text in a <title>.
function flowNode(x, y, w, h, role, line1, line2) {
  return svg('g', { class: `flow-node node-${role}`, data: { 'flow-node': role } },
    svg('title', { text: `${line2}: ${line1}` }),
    svg('rect', { x, y, width: w, height: h, rx: 8 }),
    svg('text', { x: x + w / 2, y: y + 23, class: 'node-main', 'text-anchor': 'middle', text: shorten(line1, 24) }),
    svg('text', { x: x + w / 2, y: y + 42, class: 'node-sub', 'text-anchor': 'middle', text: line2 }));
}

function flowEdge(markerId, points, cls, label, labelAt) {
  const g = svg('g', { class: `flow-edge ${cls || ''}`.trim() });
  g.appendChild(svg('polyline', { points: points.map((p) => p.join(',')).join(' '),
                                  'marker-end': `url(#${markerId})` }));
  if (label) {
    g.appendChild(svg('text', { x: labelAt[0], y: labelAt[1], class: 'edge-label',
                                'text-anchor': labelAt[2] || 'middle', text: label }));
  }
  return g;
}

function protocolOf(contract, channelId) {
  const c = contract.channels.find((x) => x.id === channelId);
  return c ? c.protocol : '';
}

// The drawn flow of one operation: input → service → reply on the top row; below the service its
// retry channel with the loop (attempts and backoff written under it), and the dead-letter channel
// beside it, reached when retries run out or at once on a permanent failure.
function flowDiagram(contract, op) {
  const id = `arrow-${++diagramCount}`;
  const W = 220, H = 56;
  const col = [10, 335, 680];
  const rowY = [30, 176];
  const width = col[2] + W + 10;
  const retry = op.retry, dlq = op.dead_letter, reply = op.reply;
  const height = retry ? rowY[1] + H + 34 : (dlq ? rowY[1] + H + 10 : rowY[0] + H + 20);
  const describe = [`${op.address} into ${op.id}`];
  const root = svg('svg', {
    class: 'flow', viewBox: `0 0 ${width} ${height}`, role: 'img', 'data-operation': op.id,
    'data-max-attempts': retry ? retry.max_attempts : null,
    'data-schedule': retry ? retry.schedule_text : null,
  });
  root.appendChild(svg('defs', null,
    svg('marker', { id, viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7',
                    orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }))));

  const send = op.action === 'send';
  const midY = rowY[0] + H / 2;
  root.appendChild(flowNode(col[0], rowY[0], W, H, send ? 'operation' : 'input',
    send ? op.id : op.address, send ? 'service sends' : `input · ${protocolOf(contract, op.channel)}`));
  root.appendChild(flowNode(col[1], rowY[0], W, H, send ? 'input' : 'operation',
    send ? op.address : op.id, send ? `channel · ${protocolOf(contract, op.channel)}` : 'service'));
  root.appendChild(flowEdge(id, [[col[0] + W, midY], [col[1] - 3, midY]], 'edge-input'));

  if (reply) {
    root.appendChild(flowNode(col[2], rowY[0], W, H, 'reply', reply.address, `reply · ${protocolOf(contract, reply.channel)}`));
    root.appendChild(flowEdge(id, [[col[1] + W, midY], [col[2] - 3, midY]], 'edge-reply',
      'success', [(col[1] + W + col[2]) / 2, midY - 8]));
    describe.push(`reply on ${reply.address}`);
  }
  const gapY = (rowY[0] + H + rowY[1]) / 2;
  if (retry) {
    root.appendChild(flowNode(col[1], rowY[1], W, H, 'retry', retry.address, `retry · ${protocolOf(contract, retry.channel)}`));
    const down = col[1] + 55, up = col[1] + W - 55;
    root.appendChild(flowEdge(id, [[down, rowY[0] + H], [down, rowY[1] - 3]], 'edge-retry',
      'transient failure', [down - 10, gapY + 4, 'end']));
    root.appendChild(flowEdge(id, [[up, rowY[1]], [up, rowY[0] + H + 3]], 'edge-retry-back',
      'try again', [up - 10, gapY + 4, 'end']));
    root.appendChild(svg('text', { x: col[1] + W / 2, y: rowY[1] + H + 22, class: 'edge-label schedule',
                                   'text-anchor': 'middle',
                                   text: `max ${retry.max_attempts} attempts · backoff ${retry.schedule_text}` }));
    describe.push(`retry on ${retry.address}, at most ${retry.max_attempts} attempts, backoff ${retry.schedule_text}`);
  }
  if (dlq) {
    root.appendChild(flowNode(col[2], rowY[1], W, H, 'dlq', dlq.address, 'dead letter'));
    if (retry) {
      root.appendChild(flowEdge(id, [[col[1] + W, rowY[1] + H / 2], [col[2] - 3, rowY[1] + H / 2]], 'edge-dlq',
        'retries exhausted', [(col[1] + W + col[2]) / 2, rowY[1] + H / 2 + 18]));
    }
    root.appendChild(flowEdge(id, [[col[1] + W, rowY[0] + H - 8], [col[2] + 40, rowY[1] - 3]], 'edge-dlq',
      'permanent failure', [(col[1] + W + col[2] + 40) / 2 + 10, gapY + 4, 'start']));
    describe.push(`dead letters on ${dlq.address}`);
  }
  root.setAttribute('aria-label', `Flow of ${op.id}: ${describe.join('; ')}`);
  return root;
}

function operationCard(contract, op) {
  const card = el('article', { class: 'operation', data: { operation: op.id } });
  card.appendChild(el('h4', null, el('span', { class: 'op-name', text: op.id }), ' ',
    el('span', { class: `badge action action-${op.action}`, text: op.action })));
  card.appendChild(el('figure', { class: 'flow-figure' }, flowDiagram(contract, op)));

  const facts = el('dl', { class: 'facts' });
  const fact = (k, ...v) => facts.append(el('dt', { text: k }), el('dd', null, ...v));
  fact(op.action === 'send' ? 'Sends on' : 'Input', `${op.address} (${op.channel})`);
  if (op.reply) fact('Reply', `${op.reply.address} (${op.reply.channel})`);
  if (op.retry) {
    fact('Retry', `${op.retry.address} (${op.retry.channel})`);
    fact('Attempts', `at most ${op.retry.max_attempts}, ${op.retry.strategy || 'fixed'}`);
    fact('Backoff', el('span', { class: 'schedule-text', text: op.retry.schedule_text }),
      op.retry.source ? el('span', { class: 'muted', text: ` (from ${op.retry.source})` }) : null);
  }
  if (op.dead_letter) {
    fact('Dead letter', `${op.dead_letter.address} (${op.dead_letter.channel})`);
    if (op.dead_letter.wait_ms !== null && op.dead_letter.wait_ms !== undefined) {
      fact('Waits for it', formatMs(op.dead_letter.wait_ms));
    }
  }
  card.appendChild(facts);

  const groups = [
    [op.action === 'send' ? 'Messages' : 'Input messages', (op.messages || []).map((n) => messageButton(contract, op.channel, n))],
  ];
  if (op.reply) groups.push(['Reply messages', channelMessageButtons(contract, op.reply.channel)]);
  if (op.retry) groups.push(['Retry messages', channelMessageButtons(contract, op.retry.channel)]);
  if (op.dead_letter) groups.push(['Dead-letter messages', channelMessageButtons(contract, op.dead_letter.channel)]);
  const list = el('div', { class: 'message-groups' });
  for (const [label, buttons] of groups) {
    if (!buttons.length) continue;
    list.appendChild(el('div', { class: 'message-group' }, el('span', { class: 'group-label', text: label }),
      el('div', { class: 'buttons' }, buttons)));
  }
  card.appendChild(list);
  return card;
}

function renderContract(view) {
  const root = clear($('contract-view'));
  $('contract-empty').hidden = !!view;
  if (!view) return;
  $('loaded-title').textContent = view.title || '(untitled)';

  const source = view.source || {};
  const meta = el('dl', { class: 'facts source' });
  if (source.config) meta.append(el('dt', { text: 'Config' }), el('dd', { text: source.config }));
  meta.append(el('dt', { text: 'Contracts' }), el('dd', { text: (source.contracts || []).join(', ') || '–' }));
  meta.append(el('dt', { text: 'Examples' }), el('dd', { text: (source.examples || []).join(', ') || '–' }));
  meta.append(el('dt', { text: 'Strict mode' }), el('dd', { text: view.strict ? 'on' : 'off' }));
  root.appendChild(meta);

  if (view.warnings && view.warnings.length) {
    root.appendChild(el('div', { class: 'warnings', role: 'note' }, el('strong', { text: 'Warnings' }),
      el('ul', null, view.warnings.map((w) => el('li', { text: w })))));
  }

  for (const contract of view.contracts || []) {
    const section = el('section', { class: 'contract', data: { file: contract.file } });
    section.appendChild(el('h3', null, contract.title || contract.file, ' ',
      el('span', { class: 'badge version', text: contract.version ? `v${contract.version}` : '' })));
    section.appendChild(el('p', { class: 'muted file', text: contract.file }));
    if (contract.servers && contract.servers.length) {
      section.appendChild(el('ul', { class: 'servers' }, contract.servers.map((s) =>
        el('li', null, el('strong', { text: s.name }), ` · ${s.protocol} · `, el('code', { text: s.host })))));
    }

    section.appendChild(el('h4', { class: 'section-title', text: 'Operations' }));
    const ops = el('div', { class: 'operations' });
    for (const op of contract.operations || []) ops.appendChild(operationCard(contract, op));
    section.appendChild(ops);

    section.appendChild(el('h4', { class: 'section-title', text: 'Channels' }));
    const table = el('table', { class: 'channels stack' },
      el('thead', null, el('tr', null, ['Channel', 'Address', 'Protocol', 'Messages'].map((h) =>
        el('th', { scope: 'col', text: h })))));
    const body = el('tbody');
    for (const c of contract.channels || []) {
      body.appendChild(el('tr', { data: { channel: c.id } },
        el('th', { scope: 'row', text: c.id }),
        el('td', { data: { label: 'Address' } }, el('code', { text: c.address })),
        el('td', { data: { label: 'Protocol' }, text: c.protocol }), el('td', null, el('div', { class: 'buttons' },
          channelMessageButtons(contract, c.id)))));
    }
    table.appendChild(body);
    section.appendChild(el('div', { class: 'table-wrap' }, table));
    root.appendChild(section);
  }
}

// ---------------------------------------------------------------------------------------------
// Examples view

function roleLabel(role) {
  return { publish: 'publish', send: 'reply', retry: 'retry', dlq: 'dead letter', unexpected: 'unexpected' }[role] || role;
}

function renderExamples(view) {
  const root = clear($('examples-view'));
  const examples = (view && view.examples) || [];
  $('examples-empty').hidden = examples.length > 0;
  examples.forEach((ex) => {
    const card = el('article', { class: `example ${ex.valid ? 'valid' : 'invalid'}`,
                                 data: { example: ex.name, flow: ex.flow, valid: ex.valid } });
    card.appendChild(el('div', { class: 'example-head' },
      el('h3', { text: ex.name }), flowBadge(ex.flow),
      el('span', { class: `badge validity ${ex.valid ? 'is-valid' : 'is-invalid'}`,
                   text: ex.valid ? '✓ valid' : `✗ invalid (${(ex.problems || []).length})` })));
    const facts = el('dl', { class: 'facts' });
    facts.append(el('dt', { text: 'File' }), el('dd', { text: ex.file }));
    facts.append(el('dt', { text: 'Operation' }), el('dd', { text: ex.operation }));
    if (ex.correlation_id) facts.append(el('dt', { text: 'Correlation id' }), el('dd', { text: ex.correlation_id }));
    if (ex.expects && ex.expects.length) {
      facts.append(el('dt', { text: 'Expects' }),
        el('dd', { text: ex.expects.map((e) => `${roleLabel(e.role)} on ${e.address}`).join(', ') }));
    }
    card.appendChild(facts);
    if (!ex.valid && ex.problems && ex.problems.length) {
      card.appendChild(el('ul', { class: 'problems', 'aria-label': 'Problems' }, ex.problems.map((p) =>
        el('li', { class: 'problem' }, el('code', { class: 'pointer', text: p.pointer || '/' }), ' ',
          el('span', { class: 'problem-message', text: p.message })))));
    }
    card.appendChild(el('details', { class: 'json', open: !ex.valid }, el('summary', { text: 'Example JSON' }),
      el('pre', { class: 'code example-json', tabindex: '0', text: JSON.stringify(ex.json, null, 2) })));
    root.appendChild(card);
  });
}

function renderRunChecklist(view) {
  const list = clear($('run-examples'));
  const examples = (view && view.examples) || [];
  examples.forEach((ex, i) => {
    const id = `run-ex-${i}`;
    list.appendChild(el('li', null,
      el('input', { type: 'checkbox', id, value: ex.name, checked: true, class: 'run-example' }),
      el('label', { for: id }, ex.name, ' ', flowBadge(ex.flow))));
  });
}

function setLoaded(view) {
  state.contract = view;
  renderContract(view);
  renderExamples(view);
  renderRunChecklist(view);
  if (!view) $('loaded-title').textContent = 'No contract loaded';
  // Counts the loads shown, so a client can tell a new load's view from the one before it.
  state.loads += 1;
  document.body.dataset.loads = String(state.loads);
}

// ---------------------------------------------------------------------------------------------
// Loading

const state = { contract: null, candidates: [], live: null, history: [], loads: 0 };

async function loadCandidates() {
  const select = $('candidate-select');
  const r = await api('GET', '/api/candidates');
  clear(select);
  if (!r.ok) {
    select.appendChild(el('option', { value: '', text: `(cannot list: ${r.error})` }));
    return;
  }
  state.candidates = r.data.candidates || [];
  if (r.data.root && !$('root-info').textContent) $('root-info').textContent = `root ${r.data.root}`;
  if (!state.candidates.length) {
    select.appendChild(el('option', { value: '', text: '(no contract found under the root)' }));
    return;
  }
  $('candidates-hint').textContent = `${state.candidates.length} contract file(s) found under ${r.data.root || 'the root'}.`;
  state.candidates.forEach((c, i) => {
    const what = c.kind === 'config' ? 'config'
      : `contract${c.examples ? ' + ' + c.examples : ''}`;
    select.appendChild(el('option', { value: String(i), text: `${c.path} (${what})` }));
  });
  const firstConfig = state.candidates.findIndex((c) => c.kind === 'config');
  if (firstConfig >= 0) select.value = String(firstConfig);
}

async function load(body, label) {
  const button = document.activeElement;
  $('pick-load').disabled = true;
  $('path-load').disabled = true;
  const r = await api('POST', '/api/load', body);
  $('pick-load').disabled = false;
  $('path-load').disabled = false;
  if (!r.ok) {
    showAlert($('load-error'), `Could not load ${label}`, r.error);
    return;
  }
  hideAlert($('load-error'));
  setLoaded(r.data);
  selectTab('contract', false);
  if (button && button.tagName === 'BUTTON') button.focus();
}

function setupLoading() {
  $('pick-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const c = state.candidates[Number($('candidate-select').value)];
    if (!c || $('candidate-select').value === '') return;
    const body = c.kind === 'config' ? { path: c.path } : { contract: c.path, examples: c.examples || null };
    load(body, c.path);
  });
  $('path-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const path = $('path-input').value.trim();
    const examples = $('examples-input').value.trim();
    if (!path) {
      showAlert($('load-error'), 'Nothing to load', 'Type the path of a specmatic.yaml or of a contract file.');
      return;
    }
    const base = path.split('/').pop();
    const isConfig = /^specmatic\.(ya?ml|json)$/i.test(base) && !examples;
    load(isConfig ? { path } : { contract: path, examples: examples || null }, path);
  });
  $('candidates-refresh').addEventListener('click', loadCandidates);
}

// ---------------------------------------------------------------------------------------------
// Timelines

const LANES = ['publish', 'retry', 'send', 'dlq', 'unexpected'];
const FLOW_LANES = {
  'success': ['publish', 'send'],
  'retry-then-success': ['publish', 'retry', 'send'],
  'retry-then-dlq': ['publish', 'retry', 'dlq'],
  'direct-dlq': ['publish', 'dlq'],
  'send-only': ['send'],
};

function niceStep(span, maxTicks) {
  const steps = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 15000, 30000, 60000, 120000, 300000];
  for (const s of steps) if (span / s <= maxTicks) return s;
  return Math.ceil(span / maxTicks / 60000) * 60000;
}

function tickLabel(ms, step) {
  if (ms === 0) return '0';
  if (step < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

// One test's messages on a time axis: ms since the test's publish. An actual message is a filled
// marker at its offset; a message with a declared due time also gets a hollow marker at the due
// time and a thin line from due to actual, so a backoff that was too short or too long shows.
// `width`: the drawing's width in CSS pixels, so its text keeps its size on any window.
function timelineSvg(messages, flow, width) {
  const lanes = LANES.filter((l) => (FLOW_LANES[flow] || []).includes(l) || messages.some((m) => laneOf(m) === l));
  if (!lanes.length) lanes.push('publish');
  const left = width < 520 ? 76 : 92, right = 40, top = 26, laneH = 34, axisH = 30;
  const height = top + lanes.length * laneH + axisH;
  let maxMs = 1000;
  for (const m of messages) {
    maxMs = Math.max(maxMs, Number(m.offset_ms) || 0, m.due_ms === null || m.due_ms === undefined ? 0 : Number(m.due_ms));
  }
  const step = niceStep(maxMs * 1.05, Math.max(3, Math.min(8, Math.floor((width - left - right) / 80))));
  const span = Math.ceil((maxMs * 1.05) / step) * step;
  const x = (ms) => left + (Math.max(0, Number(ms) || 0) / span) * (width - left - right);
  const laneY = (lane) => top + lanes.indexOf(lane) * laneH + laneH / 2;

  const root = svg('svg', { class: 'timeline', viewBox: `0 0 ${width} ${height}`, role: 'img',
                            'aria-label': `Timeline: ${messages.length} message(s) over ${formatMs(maxMs)} since the publish` });
  const grid = svg('g', { class: 'grid' });
  for (let t = 0; t <= span; t += step) {
    grid.appendChild(svg('line', { x1: x(t), x2: x(t), y1: top - 6, y2: height - axisH + 4 }));
    grid.appendChild(svg('text', { x: x(t), y: height - axisH + 18, 'text-anchor': 'middle', class: 'tick', text: tickLabel(t, step) }));
  }
  grid.appendChild(svg('text', { x: width - right, y: height - 2, 'text-anchor': 'end', class: 'axis-title',
                                 text: 'ms since the publish' }));
  root.appendChild(grid);
  for (const lane of lanes) {
    const y = laneY(lane);
    root.appendChild(svg('g', { class: `lane lane-${lane}`, data: { lane } },
      svg('line', { x1: left, x2: width - right, y1: y, y2: y, class: 'lane-line' }),
      svg('text', { x: left - 10, y: y + 4, 'text-anchor': 'end', class: 'lane-label', text: roleLabel(lane) })));
  }

  const dues = svg('g', { class: 'dues' });
  const actuals = svg('g', { class: 'actuals' });
  messages.forEach((m, i) => {
    const lane = laneOf(m);
    const y = laneY(lane);
    const ax = x(m.offset_ms);
    const retry = m.retry_count === null || m.retry_count === undefined ? null : m.retry_count;
    const name = lane === 'retry' && retry !== null ? `retry #${retry}` : roleLabel(lane);
    const hasDue = m.due_ms !== null && m.due_ms !== undefined;
    const delta = hasDue ? Number(m.offset_ms) - Number(m.due_ms) : null;
    if (hasDue) {
      const dx = x(m.due_ms);
      const early = delta < -50;
      dues.appendChild(svg('g', { class: `due ${early ? 'early' : ''}`.trim(),
                                  data: { kind: 'due', role: m.role, 'retry-count': retry, 'due-ms': m.due_ms, index: i } },
        svg('title', { text: `${name} due at ${formatMs(m.due_ms)}` }),
        svg('line', { x1: Math.min(dx, ax), x2: Math.max(dx, ax), y1: y, y2: y, class: 'due-line' }),
        svg('circle', { cx: dx, cy: y, r: 6, class: 'due-marker' })));
    }
    const deltaText = delta === null ? '' : ` (due ${formatMs(m.due_ms)}, ${delta >= 0 ? '+' : '−'}${formatMs(Math.abs(delta))})`;
    const marker = svg('g', {
      class: `marker role-${lane}`,
      data: { kind: 'actual', role: m.role, 'retry-count': retry, 'offset-ms': m.offset_ms,
              'due-ms': hasDue ? m.due_ms : null, index: i },
    }, svg('title', { text: `${name} at ${formatMs(m.offset_ms)}${deltaText}` }),
       m.role === 'dlq' || m.role === 'unexpected'
         ? svg('rect', { x: ax - 6, y: y - 6, width: 12, height: 12, class: 'marker-shape', transform: m.role === 'dlq' ? `rotate(45 ${ax} ${y})` : null })
         : svg('circle', { cx: ax, cy: y, r: 6, class: 'marker-shape' }));
    if (lane === 'retry' && retry !== null) {
      marker.appendChild(svg('text', { x: ax, y: y - 11, 'text-anchor': 'middle', class: 'marker-label', text: `#${retry}` }));
    }
    actuals.appendChild(marker);
  });
  root.appendChild(dues);
  root.appendChild(actuals);
  return root;
}

function laneOf(m) {
  return LANES.includes(m.role) ? m.role : 'unexpected';
}

// The messages of a test result's "flow" in the shape of "message" events.
function messagesFromFlow(flow) {
  return (flow || []).map((f) => ({
    role: f.kind === 'published' ? 'publish' : (f.kind === 'unexpected' ? 'unexpected' : f.role),
    channel: f.channel, address: f.address, offset_ms: f.offset_ms, due_ms: f.due_ms ?? null,
    retry_count: f.retry_count ?? null, coordinates: f.coordinates, payload: f.payload, headers: f.headers,
  }));
}

// ---------------------------------------------------------------------------------------------
// A run: scenarios with their states, timelines and reasons, then the CLI's summary.

const runViews = new Set();

// Redraws the timelines of every shown run whose width changed (window resized, tab shown).
function refreshTimelines() {
  for (const view of runViews) {
    if (!document.contains(view.root)) {
      runViews.delete(view);
      continue;
    }
    for (const s of view.tests.values()) {
      const w = s.timeline.clientWidth;
      if (w > 0 && Math.abs(w - (s.drawnWidth || 0)) > 16) view.drawTimeline(s);
    }
  }
}

let resizePending = false;
window.addEventListener('resize', () => {
  if (resizePending) return;
  resizePending = true;
  requestAnimationFrame(() => {
    resizePending = false;
    refreshTimelines();
  });
});

class RunView {
  // `options.title`: false leaves out the "Run N · title" heading (the history shows its own).
  constructor(container, runId, options) {
    this.root = clear(container);
    runViews.add(this);
    this.runId = runId;
    this.tests = new Map();
    this.head = el('div', { class: 'run-head' });
    this.title = el('h3', { class: 'run-title', text: `Run ${runId}` });
    this.progress = el('p', { class: 'run-progress', text: 'waiting for the first event…' });
    if (options && options.title === false) this.title.hidden = true;
    this.head.append(this.title, this.progress);
    this.list = el('div', { class: 'scenarios' });
    this.summary = el('section', { class: 'run-summary', hidden: true, 'aria-label': 'Summary' });
    this.root.append(this.head, this.list, this.summary);
    this.outcome = null;
  }

  handle(ev) {
    switch (ev.type) {
      case 'started': return this.started(ev);
      case 'test': return this.testState(ev);
      case 'message': return this.message(ev);
      case 'waiting': return this.waiting(ev);
      case 'finished': return this.finished(ev);
      case 'done': return this.done(ev);
      default: return undefined;
    }
  }

  started(ev) {
    this.mode = ev.mode;
    this.title.textContent = `Run ${this.runId} · ${ev.title || ''}`;
    for (const t of ev.tests || []) this.scenario(t.name, t);
    this.updateProgress();
  }

  scenario(name, info) {
    let s = this.tests.get(name);
    if (s) return s;
    const flow = info && info.flow;
    s = { name, flow, state: 'pending', messages: [], reasons: [] };
    s.card = el('article', { class: 'scenario', data: { test: name, state: 'pending', flow } });
    s.chip = el('span', { class: 'chip-slot' }, stateChip('pending'));
    s.duration = el('span', { class: 'duration muted' });
    s.card.appendChild(el('div', { class: 'scenario-head' },
      el('h4', { text: name }), s.chip, flow ? flowBadge(flow) : null, s.duration));
    s.status = el('p', { class: 'waiting muted', hidden: true });
    s.timeline = el('div', { class: 'timeline-wrap' });
    s.table = el('details', { class: 'messages' });
    s.reasons = el('ul', { class: 'reasons', hidden: true, 'aria-label': 'Reasons' });
    s.card.append(s.status, s.timeline, s.reasons, s.table);
    this.list.appendChild(s.card);
    this.tests.set(name, s);
    this.drawTimeline(s);
    return s;
  }

  setState(s, st) {
    s.state = st;
    s.card.setAttribute('data-state', st);
    clear(s.chip).appendChild(stateChip(st));
  }

  testState(ev) {
    const s = this.scenario(ev.test);
    this.setState(s, ev.state || 'running');
    this.updateProgress();
  }

  message(ev) {
    const s = this.scenario(ev.test);
    s.messages.push(ev);
    this.drawTimeline(s);
  }

  waiting(ev) {
    const s = this.scenario(ev.test);
    s.status.textContent = ev.status;
    s.status.hidden = !ev.status;
  }

  finished(ev) {
    const s = this.scenario(ev.test);
    this.setState(s, ev.outcome);
    s.status.hidden = true;
    s.duration.textContent = ev.duration_ms !== undefined ? formatMs(ev.duration_ms) : '';
    if (!s.messages.length && ev.result && ev.result.flow) {
      s.messages = messagesFromFlow(ev.result.flow);
      this.drawTimeline(s);
    }
    const reasons = (ev.reasons || []).filter((r) => r);
    clear(s.reasons);
    for (const r of reasons) s.reasons.appendChild(el('li', { class: 'reason', text: r }));
    s.reasons.hidden = reasons.length === 0;
    this.updateProgress();
  }

  done(ev) {
    this.outcome = ev.outcome;
    for (const s of this.tests.values()) {
      if (s.state === 'pending' || s.state === 'running') {
        this.setState(s, ev.outcome === 'cancelled' ? 'cancelled' : 'error');
        s.status.hidden = true;
      }
    }
    const sum = clear(this.summary);
    sum.hidden = false;
    sum.setAttribute('data-outcome', ev.outcome);
    sum.appendChild(el('div', { class: 'outcome-line' }, el('span', { text: 'Result ' }), stateChip(ev.outcome),
      ev.wall_ms !== undefined ? el('span', { class: 'muted', text: ` in ${formatMs(ev.wall_ms)}` }) : null,
      ev.exit_code !== undefined ? el('span', { class: 'muted', text: ` · exit code ${ev.exit_code}` }) : null));
    if (ev.error) sum.appendChild(el('div', { class: 'alert', role: 'alert' }, el('p', { class: 'alert-text', text: ev.error })));
    if (ev.count_table) sum.appendChild(el('pre', { class: 'cli count-table', tabindex: '0', text: ev.count_table }));
    if (ev.summary_line) sum.appendChild(el('pre', { class: 'cli summary-line', text: ev.summary_line }));
    if (ev.final_report) {
      sum.appendChild(el('details', { class: 'final-report' }, el('summary', { text: 'Full console report' }),
        el('pre', { class: 'cli', tabindex: '0', text: ev.final_report })));
    }
    this.updateProgress();
  }

  updateProgress() {
    const all = [...this.tests.values()];
    const finished = all.filter((s) => !['pending', 'running'].includes(s.state)).length;
    const running = all.filter((s) => s.state === 'running').length;
    if (this.outcome) {
      this.progress.textContent = `${this.outcome} · ${finished} of ${all.length} finished` +
        (this.mode ? ` · ${this.mode}` : '');
    } else {
      this.progress.textContent = `${finished} of ${all.length} finished, ${running} running` +
        (this.mode ? ` · ${this.mode}` : '');
    }
  }

  drawTimeline(s) {
    const measured = s.timeline.clientWidth;
    s.drawnWidth = measured;
    const width = measured > 0 ? Math.max(300, Math.min(1400, measured)) : 760;
    clear(s.timeline).appendChild(timelineSvg(s.messages, s.flow, width));
    clear(s.table);
    if (!s.messages.length) {
      s.table.hidden = true;
      return;
    }
    s.table.hidden = false;
    s.table.appendChild(el('summary', { text: `Messages (${s.messages.length})` }));
    const body = el('tbody');
    s.messages.forEach((m) => {
      const retry = m.retry_count === null || m.retry_count === undefined ? '' : `#${m.retry_count}`;
      const hasDue = m.due_ms !== null && m.due_ms !== undefined;
      const delta = hasDue ? Number(m.offset_ms) - Number(m.due_ms) : null;
      body.appendChild(el('tr', null,
        el('td', { text: roleLabel(m.role) }), el('td', { text: retry }),
        el('td', { class: 'num', text: formatMs(m.offset_ms) }),
        el('td', { class: 'num', text: hasDue ? formatMs(m.due_ms) : '–' }),
        el('td', { class: 'num', text: delta === null ? '–' : `${delta >= 0 ? '+' : '−'}${formatMs(Math.abs(delta))}` }),
        el('td', null, el('code', { text: m.address || m.channel || '' })),
        el('td', null, el('button', { type: 'button', class: 'quiet small', text: 'Payload',
                                      on: { click: () => showObservedMessage(s.name, m) } }))));
    });
    s.table.appendChild(el('div', { class: 'table-wrap' }, el('table', { class: 'message-table' },
      el('thead', null, el('tr', null, ['Role', 'Retry', 'At', 'Due', 'Off by', 'Channel', ''].map((h) =>
        el('th', { scope: 'col', text: h })))), body)));
  }
}

// ---------------------------------------------------------------------------------------------
// Running

function selectedExamples() {
  const boxes = [...document.querySelectorAll('#run-examples input.run-example')];
  return { all: boxes.every((b) => b.checked), names: boxes.filter((b) => b.checked).map((b) => b.value), count: boxes.length };
}

function setRunning(running) {
  $('run-button').disabled = running;
  $('cancel-button').disabled = !running;
}

function runStatus(text) {
  $('run-status').textContent = text;
}

// Follows run `id`: replays its events so far, then the live ones, until `done`.
function followRun(id, first = []) {
  stopFollowing();
  const view = new RunView($('run-view'), id);
  const live = { id, view, lastSeq: -1, source: null, done: false };
  state.live = live;
  setRunning(true);
  runStatus(`Run ${id} is running`);
  const source = new EventSource(`/api/runs/${id}/events`);
  live.source = source;
  const onEvent = (e) => {
    let data;
    try { data = JSON.parse(e.data); } catch (_) { return; }
    if (typeof data.seq === 'number') {
      // A reconnect replays the run from the start: skip what was shown already.
      if (data.seq <= live.lastSeq) return;
      live.lastSeq = data.seq;
    }
    if (!data.type) data.type = e.type;
    view.handle(data);
    metrics.events.push({ type: data.type, seq: data.seq, emitted_epoch_ms: data.emitted_epoch_ms,
                          rendered_epoch_ms: Date.now() });
    if (data.type === 'done') {
      live.done = true;
      source.close();
      runFinished(live, data);
    }
  };
  // The events the POST answered with are shown now; the stream skips them by seq.
  for (const data of first) onEvent({ type: data.type, data: JSON.stringify(data) });
  if (live.done) return;
  for (const type of ['started', 'test', 'message', 'waiting', 'finished', 'done']) source.addEventListener(type, onEvent);
  source.addEventListener('error', () => {
    if (live.done) return;
    if (source.readyState === EventSource.CLOSED) {
      runStatus(`Lost the event stream of run ${id}`);
      setRunning(false);
    } else {
      runStatus(`Run ${id}: reconnecting to the event stream…`);
    }
  });
}

function stopFollowing() {
  if (state.live && state.live.source) state.live.source.close();
  state.live = null;
}

function runFinished(live, done) {
  if (state.live !== live) return;
  setRunning(false);
  runStatus(`Run ${live.id} ${done.outcome}` + (done.summary_line ? ` · ${done.summary_line}` : ''));
  loadHistory();
}

function showRunError(text, followId) {
  const box = $('run-error');
  showAlert(box, null, text);
  if (followId !== undefined && followId !== null && (!state.live || state.live.id !== followId)) {
    box.appendChild(el('button', { type: 'button', class: 'follow', text: `Follow run ${followId}`,
                                   on: { click: () => { hideAlert(box); followRun(followId); } } }));
  }
}

function setupRunning() {
  $('run-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    hideAlert($('run-error'));
    if (!state.contract) {
      showRunError('Load a contract first.');
      return;
    }
    const sel = selectedExamples();
    if (!sel.names.length) {
      showRunError('Select at least one example to run.');
      return;
    }
    const mode = document.querySelector('input[name="mode"]:checked').value;
    const body = sel.all ? { mode } : { examples: sel.names, mode };
    $('run-button').disabled = true;
    const r = await api('POST', '/api/runs', body);
    if (r.status === 202 || r.ok) {
      followRun(r.data.run_id, Array.isArray(r.data.events) ? r.data.events : []);
      return;
    }
    $('run-button').disabled = !!(state.live && !state.live.done);
    if (r.status === 409) {
      const text = r.error && r.error.includes('a run is already in progress') ? r.error : 'a run is already in progress';
      showRunError(text, r.data && r.data.run_id);
    } else {
      showRunError(r.error);
    }
  });
  $('cancel-button').addEventListener('click', async () => {
    const live = state.live;
    if (!live || live.done) return;
    $('cancel-button').disabled = true;
    runStatus(`Cancelling run ${live.id}…`);
    const r = await api('POST', `/api/runs/${live.id}/cancel`, {});
    if (!r.ok && r.status !== 409) {
      showRunError(r.error);
      $('cancel-button').disabled = false;
    }
  });
  const setAll = (checked) => document.querySelectorAll('#run-examples input.run-example').forEach((b) => { b.checked = checked; });
  $('select-all').addEventListener('click', () => setAll(true));
  $('select-none').addEventListener('click', () => setAll(false));
}

// ---------------------------------------------------------------------------------------------
// History

const compareSet = new Set();

async function loadHistory() {
  const r = await api('GET', '/api/runs');
  if (!r.ok) {
    showAlert($('history-error'), 'Could not read the history', r.error);
    return;
  }
  hideAlert($('history-error'));
  state.history = r.data.runs || [];
  const known = new Set(state.history.map((run) => run.id));
  for (const id of [...compareSet]) if (!known.has(id)) compareSet.delete(id);
  const rows = clear($('history-rows'));
  if (!state.history.length) {
    rows.appendChild(el('tr', null, el('td', { colspan: '8', class: 'muted', text: 'No runs yet.' })));
  }
  for (const run of state.history) {
    const box = el('input', { type: 'checkbox', class: 'compare-box', value: String(run.id),
                              'aria-label': `Compare run ${run.id}`, checked: compareSet.has(run.id),
                              on: { change: (e) => {
                                if (e.target.checked) compareSet.add(run.id); else compareSet.delete(run.id);
                                updateCompareButton();
                              } } });
    rows.appendChild(el('tr', { data: { run: run.id, outcome: run.outcome } },
      el('td', { class: 'pick' }, box),
      el('td', { class: 'id', text: `#${run.id}` }),
      el('td', { data: { label: 'Started' } }, el('time', { datetime: run.started_at, text: formatDate(run.started_at) })),
      el('td', { class: 'wrap', data: { label: 'Contract' }, text: run.title }),
      el('td', { data: { label: 'Result' } }, stateChip(run.outcome === 'running' ? 'running' : run.outcome),
        run.summary_line ? el('div', { class: 'muted small', text: run.summary_line }) : null),
      el('td', { class: 'num', data: { label: 'Duration' }, text: run.outcome === 'running' ? '–' : formatMs(run.duration_ms) }),
      el('td', { data: { label: 'Mode' }, text: run.mode || '' }),
      el('td', { class: 'open' }, el('button', { type: 'button', class: 'open-run', 'aria-label': `Open run ${run.id}`,
                                    text: 'Open', on: { click: () => openRun(run.id) } }))));
  }
  updateCompareButton();
}

function updateCompareButton() {
  const ids = [...compareSet];
  $('compare-button').disabled = ids.length !== 2;
  const runs = ids.map((id) => state.history.find((r) => r.id === id)).filter(Boolean);
  let hint = 'Tick two runs of the same contract to compare them.';
  if (ids.length === 2 && runs.length === 2 && runs[0].contract_key !== runs[1].contract_key) {
    hint = 'These two runs are of different contracts.';
  } else if (ids.length === 2) {
    hint = `Compare run ${Math.min(...ids)} with run ${Math.max(...ids)}.`;
  } else if (ids.length > 2) {
    hint = 'Tick exactly two runs.';
  }
  $('compare-hint').textContent = hint;
}

async function openRun(id) {
  const target = clear($('history-run'));
  const r = await api('GET', `/api/runs/${id}`);
  if (!r.ok) {
    showAlert($('history-error'), `Could not open run ${id}`, r.error);
    return;
  }
  hideAlert($('history-error'));
  const run = r.data.run || { id };
  const section = el('section', { class: 'history-run', data: { run: id }, 'aria-label': `Run ${id}` });
  section.appendChild(el('h3', { tabindex: '-1', class: 'history-run-title', text: `Run ${id} · ${run.title || ''}` }));
  section.appendChild(el('p', { class: 'muted', text:
    `${formatDate(run.started_at)} · ${run.mode || ''} · ${run.outcome}` +
    (run.outcome === 'running' ? '' : ` · ${formatMs(run.duration_ms)}`) }));
  if (run.outcome === 'running') {
    section.appendChild(el('p', null, 'This run is still in progress. ',
      el('button', { type: 'button', text: 'Follow it in the Run tab',
                     on: { click: () => { followRun(id); selectTab('run', true); } } })));
  } else {
    section.appendChild(el('p', { class: 'reports' }, el('span', { text: 'Reports: ' }),
      [['junit', 'JUnit XML'], ['ctrf', 'CTRF JSON'], ['html', 'HTML']].map(([kind, label]) =>
        el('a', { href: `/api/runs/${id}/report/${kind}`, download: '', class: `report report-${kind}`, text: label }))));
  }
  const holder = el('div', { class: 'history-run-view' });
  section.appendChild(holder);
  target.appendChild(section);

  const view = new RunView(holder, id, { title: false });
  const events = r.data.events || [];
  const result = r.data.result;
  if (events.length) {
    for (const ev of events) view.handle(ev);
  } else if (result) {
    view.handle({ type: 'started', title: result.title, mode: result.parallel ? 'parallel' : 'sequential',
                  tests: (result.tests || []).map((t) => ({ name: t.name, operation: t.operation, correlation_id: t.correlation_id })) });
    for (const t of result.tests || []) {
      view.handle({ type: 'finished', test: t.name, outcome: t.outcome, reasons: t.reasons, duration_ms: t.duration_ms, result: t });
    }
    view.handle({ type: 'done', outcome: run.outcome, counts: result.counts, summary_line: result.summary_line,
                  count_table: result.count_table, final_report: result.final_report, exit_code: result.exit_code,
                  wall_ms: result.wall_ms });
  }
  section.querySelector('h3').focus();
}

async function compareRuns() {
  const ids = [...compareSet].sort((x, y) => x - y);
  if (ids.length !== 2) return;
  const [a, b] = ids;
  const target = clear($('compare-view'));
  const r = await api('GET', `/api/compare?a=${a}&b=${b}`);
  if (!r.ok) {
    showAlert($('history-error'), 'Cannot compare', r.error);
    return;
  }
  hideAlert($('history-error'));
  const c = r.data;
  const section = el('section', { class: 'compare', data: { a: c.a, b: c.b }, 'aria-label': `Run ${c.a} compared with run ${c.b}` });
  section.appendChild(el('h3', { tabindex: '-1', text: `Run ${c.a} → run ${c.b}` }));
  const changed = c.changed || [];
  if (changed.length) {
    section.appendChild(el('p', { text: `${changed.length} scenario(s) changed verdict:` }));
    const body = el('tbody');
    for (const ch of changed) {
      body.appendChild(el('tr', { class: 'changed', data: { test: ch.test, a: ch.a, b: ch.b } },
        el('th', { scope: 'row', class: 'wrap', text: ch.test }), el('td', null, stateChip(ch.a)), el('td', null, stateChip(ch.b))));
    }
    section.appendChild(el('div', { class: 'table-wrap' }, el('table', { class: 'compare-table' },
      el('thead', null, el('tr', null, el('th', { scope: 'col', text: 'Scenario' }),
        el('th', { scope: 'col', text: `Run ${c.a}` }), el('th', { scope: 'col', text: `Run ${c.b}` }))), body)));
  } else {
    section.appendChild(el('p', { class: 'no-change', text: 'No scenario changed verdict.' }));
  }
  const list = (title, items, fmt) => {
    if (!items || !items.length) return;
    section.appendChild(el('details', { class: 'compare-list' }, el('summary', { text: `${title} (${items.length})` }),
      el('ul', null, items.map((i) => el('li', { text: fmt(i) })))));
  };
  list('Unchanged', c.unchanged, (i) => `${i.test}: ${i.outcome}`);
  list(`Only in run ${c.a}`, c.only_in_a, (i) => (typeof i === 'string' ? i : `${i.test}${i.outcome ? ': ' + i.outcome : ''}`));
  list(`Only in run ${c.b}`, c.only_in_b, (i) => (typeof i === 'string' ? i : `${i.test}${i.outcome ? ': ' + i.outcome : ''}`));
  target.appendChild(section);
  section.querySelector('h3').focus();
}

function setupHistory() {
  $('history-refresh').addEventListener('click', loadHistory);
  $('compare-button').addEventListener('click', compareRuns);
}

// ---------------------------------------------------------------------------------------------
// Start

async function start() {
  setupTabs();
  setupLoading();
  setupRunning();
  setupHistory();
  $('drawer-close').addEventListener('click', closeDrawer);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('message-drawer').hidden) closeDrawer();
  });

  const s = await api('GET', '/api/state');
  if (s.ok && s.data) {
    const where = [`root ${s.data.root}`];
    if (s.data.db) where.push(`history ${s.data.db}`);
    $('root-info').textContent = where.join(' · ');
    setLoaded(s.data.loaded || null);
    if (s.data.running !== null && s.data.running !== undefined) followRun(s.data.running);
  } else {
    showAlert($('load-error'), 'The studio server did not answer', s.error);
  }
  await Promise.all([loadCandidates(), loadHistory()]);
  document.body.setAttribute('data-ready', 'true');
}

start();
