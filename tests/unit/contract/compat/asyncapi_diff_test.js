#!/usr/bin/env node
// A second opinion on the compat corpus's payload changes: `contract-test compat --format json` and
// @asyncapi/diff (tests/tools/asyncapi-diff/) on every corpus case whose changes are all inside
// message payloads, each mapped to a verdict, breaking or not:
//   ours    the JSON verdict ("breaking" also for behavioural findings, as the exit code 1);
//   theirs  "breaking" when @asyncapi/diff types at least one change breaking, otherwise "not
//           breaking" (its non-breaking and unclassified changes alike).
// A case agrees, or is listed in asyncapi-diff-disagreements.json with both verdicts, a kind and
// why. Fails on a disagreement that is not listed, on a listed one that no longer occurs (or whose
// verdicts or kind changed), on a listed case that is not a payload case, and when the installed
// packages are not the versions the list was written against.
//   node asyncapi_diff_test.js --contract-test BIN [--case NAME]...
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const HERE = __dirname;
const REPO = path.resolve(HERE, '../../../..');
const CORPUS = path.join(HERE, 'corpus');
const LIST = path.join(HERE, 'asyncapi-diff-disagreements.json');
const TOOLS = path.join(REPO, 'tests/tools/asyncapi-diff');

// Cases without findings whose edit is inside a payload (the others without findings are not).
const PAYLOAD_EDITS_WITHOUT_FINDINGS = ['descriptions-only', 'schema-moved-behind-ref'];

function usage(message) {
  console.error(`asyncapi_diff_test: ${message}\nusage: node asyncapi_diff_test.js --contract-test BIN [--case NAME]...`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { bin: process.env.DRIFTLINE_CONTRACT_TEST_BIN || '', only: [] };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--contract-test') args.bin = argv[++i] || usage('--contract-test needs a path');
    else if (argv[i] === '--case') args.only.push(argv[++i] || usage('--case needs a name'));
    else usage(`unknown argument ${argv[i]}`);
  }
  if (!args.bin) usage('no contract-test binary (--contract-test or DRIFTLINE_CONTRACT_TEST_BIN)');
  args.bin = path.resolve(args.bin);  // it runs in each case's folder
  return args;
}

// A pointer into a message's payload schema, or into a schema it refers to: under components/schemas
// or in another file (whose pointers do not start with an AsyncAPI document's keys).
function isPayloadPointer(pointer) {
  if (/\/payload(\/|$)/.test(pointer)) return true;
  if (pointer.startsWith('/components/schemas/')) return true;
  return !/^\/(asyncapi|id|info|servers|defaultContentType|channels|operations|components)(\/|$)/.test(pointer);
}

function isPayloadCase(name, expected) {
  const findings = expected.findings || [];
  if (findings.length === 0) return PAYLOAD_EDITS_WITHOUT_FINDINGS.includes(name);
  return findings.every((f) => isPayloadPointer(f.old) && isPayloadPointer(f.new));
}

function runOurs(bin, dir) {
  const run = spawnSync(bin, ['compat', '--format', 'json', 'old.yaml', 'new.yaml'],
                        { cwd: dir, encoding: 'utf8' });
  if (run.error) throw new Error(`cannot run ${bin}: ${run.error.message}`);
  if (run.status !== 0 && run.status !== 1)
    throw new Error(`contract-test compat exited ${run.status}: ${run.stderr.trim()}`);
  const report = JSON.parse(run.stdout);
  const verdict = report.verdict === 'compatible' ? 'not breaking' : 'breaking';
  if ((verdict === 'breaking') !== (run.status === 1))
    throw new Error(`contract-test compat: verdict ${report.verdict} but exit code ${run.status}`);
  return { verdict, findings: report.findings };
}

function theirVerdict(changes) {
  return changes.breaking.length > 0 ? 'breaking' : 'not breaking';
}

// Why @asyncapi/diff and we differ, as far as the outputs tell; the list's explanations say more.
function kindOf(ours, theirs) {
  const all = [...theirs.breaking, ...theirs.nonBreaking, ...theirs.unclassified];
  const inPayload = (c) => /\/payload(\/|$)/.test(c.path);
  if (ours.verdict === 'breaking' && theirs.breaking.length === 0) {
    if (all.length === 0) return 'no-change-seen';
    if (theirs.unclassified.some(inPayload) && !theirs.nonBreaking.some(inPayload))
      return 'unclassified-inside-payload';
    return 'classified-non-breaking';
  }
  if (ours.verdict === 'not breaking' && theirs.breaking.length > 0) {
    return theirs.breaking.some(inPayload) ? 'payload-breaking-for-any-side' : 'breaking-outside-payload';
  }
  return 'other';
}

function changeLines(changes) {
  const lines = [];
  for (const type of ['breaking', 'nonBreaking', 'unclassified'])
    for (const c of changes[type]) lines.push(`      ${type} ${c.action} ${c.path}`);
  return lines.length ? lines.join('\n') : '      (no changes)';
}

async function main() {
  const args = parseArgs(process.argv.slice(2));

  // The packages: installed by scripts/setup.sh; this only checks (a second or less) or installs.
  const setup = spawnSync(path.join(TOOLS, 'setup.sh'), { stdio: 'inherit' });
  if (setup.status !== 0) {
    console.error('asyncapi_diff_test: tests/tools/asyncapi-diff/setup.sh failed');
    process.exit(1);
  }
  const { diffFiles } = require(path.join(TOOLS, 'diff.js'));
  const installed = {};
  for (const p of ['@asyncapi/diff', '@asyncapi/parser'])
    installed[p] = require(path.join(TOOLS, 'node_modules', p, 'package.json')).version;

  const list = JSON.parse(fs.readFileSync(LIST, 'utf8'));
  const problems = [];
  for (const [p, version] of Object.entries(installed)) {
    if (list.versions[p] !== version)
      problems.push(`${p} ${version} is installed, the list was written against ${list.versions[p]}: run the test, review every case, update the list`);
  }
  const documented = new Map(list.disagreements.map((d) => [d.case, d]));
  for (const d of list.disagreements) {
    if (!list.kinds[d.kind]) problems.push(`${d.case}: the list's kind ${d.kind} is not explained in "kinds"`);
  }

  const names = fs.readdirSync(CORPUS, { withFileTypes: true })
    .filter((e) => e.isDirectory()).map((e) => e.name).sort()
    .filter((n) => args.only.length === 0 || args.only.includes(n));
  const compared = [];
  let agree = 0;
  let agreeAllUnclassified = 0;
  const disagreeByKind = {};
  for (const name of names) {
    const dir = path.join(CORPUS, name);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
    if (!isPayloadCase(name, expected)) {
      if (documented.has(name)) problems.push(`${name}: listed, but not a payload case`);
      continue;
    }
    compared.push(name);
    let ours;
    let theirs;
    try {
      ours = runOurs(args.bin, dir);
      theirs = await diffFiles(path.join(dir, 'old.yaml'), path.join(dir, 'new.yaml'));
    } catch (err) {
      problems.push(`${name}: ${err.message}`);
      continue;
    }
    const theirsVerdict = theirVerdict(theirs);
    const counts = `@asyncapi/diff: ${theirs.breaking.length} breaking, ${theirs.nonBreaking.length} non-breaking, ${theirs.unclassified.length} unclassified`;
    const doc = documented.get(name);
    if (theirsVerdict === ours.verdict) {
      ++agree;
      if (theirs.breaking.length + theirs.nonBreaking.length === 0 && theirs.unclassified.length > 0)
        ++agreeAllUnclassified;
      console.log(`agree        ${name}: both ${ours.verdict} (${counts})`);
      if (doc) problems.push(`${name}: listed as a disagreement (${doc.kind}), but both now say ${ours.verdict}: remove it from the list`);
      continue;
    }
    const kind = kindOf(ours, theirs);
    if (!doc) {
      problems.push(`${name}: undocumented disagreement: ours ${ours.verdict}, theirs ${theirsVerdict} (${kind}); ${counts}\n` +
                    `    ours:\n${ours.findings.map((f) => `      ${f.severity} ${f.side} ${f.rule}: ${f.why}`).join('\n') || '      (no findings)'}\n` +
                    `    theirs:\n${changeLines(theirs)}`);
      continue;
    }
    if (doc.ours !== ours.verdict || doc.theirs !== theirsVerdict || doc.kind !== kind) {
      problems.push(`${name}: listed as ours ${doc.ours}, theirs ${doc.theirs} (${doc.kind}); now ours ${ours.verdict}, theirs ${theirsVerdict} (${kind}): review the entry`);
      continue;
    }
    disagreeByKind[kind] = (disagreeByKind[kind] || 0) + 1;
    console.log(`documented   ${name}: ours ${ours.verdict}, theirs ${theirsVerdict} [${kind}] (${counts})`);
  }
  if (args.only.length === 0) {
    for (const d of list.disagreements)
      if (!names.includes(d.case)) problems.push(`${d.case}: listed, but there is no such corpus case`);
  }

  const documentedCount = Object.values(disagreeByKind).reduce((a, b) => a + b, 0);
  const byKind = Object.entries(disagreeByKind).map(([k, n]) => `${n} ${k}`).join(', ');
  console.log(`\nasyncapi_diff_test: @asyncapi/diff ${installed['@asyncapi/diff']} (@asyncapi/parser ${installed['@asyncapi/parser']})`);
  console.log(`asyncapi_diff_test: ${compared.length} payload cases compared, ${agree} agree ` +
              `(${agreeAllUnclassified} of them only because every change @asyncapi/diff saw is unclassified), ` +
              `${documentedCount} documented disagreements${byKind ? ` (${byKind})` : ''}`);
  if (problems.length) {
    console.error(`\nasyncapi_diff_test: FAILED, ${problems.length} problem(s) (list: ${path.relative(REPO, LIST)}):`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`asyncapi_diff_test: ${err.stack || err}`);
  process.exit(1);
});
