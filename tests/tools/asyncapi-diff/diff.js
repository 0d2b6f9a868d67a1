#!/usr/bin/env node
// @asyncapi/diff on two AsyncAPI files, as a second opinion on `contract-test compat`.
//   node diff.js OLD NEW     prints {"breaking": [...], "nonBreaking": [...], "unclassified": [...]},
//                            each change {"action", "path", "before"?, "after"?}; exit 0, or 2 when a
//                            file cannot be parsed (the parser's errors on stderr)
// Both files are parsed by @asyncapi/parser, which validates them and resolves their $refs, local
// and to other files (relative to the file that holds the $ref), and @asyncapi/diff compares the
// dereferenced documents with its default standard. The parser's own annotations (x-parser-*
// keys, e.g. the ids it gives anonymous schemas) are removed first: they are not part of either
// contract, and would show up as changes whenever a schema is added before another.
// The packages are installed in node_modules/ here by setup.sh (pinned in package-lock.json).
'use strict';

const fs = require('fs');
const path = require('path');
const { Parser, fromFile } = require('@asyncapi/parser');
const { diff } = require('@asyncapi/diff');

const parser = new Parser();

function withoutParserAnnotations(value, seen = new Set()) {
  if (Array.isArray(value) || (value !== null && typeof value === 'object')) {
    if (seen.has(value)) throw new Error('the dereferenced document is circular');
    seen.add(value);
    let out;
    if (Array.isArray(value)) {
      out = value.map((v) => withoutParserAnnotations(v, seen));
    } else {
      out = {};
      for (const [k, v] of Object.entries(value)) {
        if (!k.startsWith('x-parser-')) out[k] = withoutParserAnnotations(v, seen);
      }
    }
    seen.delete(value);
    return out;
  }
  return value;
}

// Parsed documents by text (and folder, when the text refers to another file): most corpus cases
// share the same old.yaml, and validating a document is most of the time a diff takes.
const parsed = new Map();

async function parseFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  const external = [...text.matchAll(/\$ref['"]?\s*:\s*['"]?([^'"\s,}]*)/g)].some((m) => !m[1].startsWith('#'));
  const key = external ? `${path.resolve(path.dirname(file))}\n${text}` : text;
  if (!parsed.has(key)) parsed.set(key, await parseText(file));
  return parsed.get(key);
}

async function parseText(file) {
  const { document, diagnostics } = await fromFile(parser, path.resolve(file)).parse();
  if (!document) {
    const errors = diagnostics.filter((d) => d.severity === 0)
      .map((d) => `${file}: ${d.message} at /${d.path.join('/')}`);
    throw new Error(errors.join('\n') || `${file}: not parsed`);
  }
  return withoutParserAnnotations(document.json());
}

// The changes from OLD to NEW, by @asyncapi/diff's type.
async function diffFiles(oldFile, newFile) {
  const [before, after] = [await parseFile(oldFile), await parseFile(newFile)];
  const output = diff(before, after, { outputType: 'json' });
  return {
    breaking: output.breaking(),
    nonBreaking: output.nonBreaking(),
    unclassified: output.unclassified(),
  };
}

module.exports = { diffFiles };

if (require.main === module) {
  const [oldFile, newFile] = process.argv.slice(2);
  if (!oldFile || !newFile) {
    console.error('usage: node diff.js OLD NEW');
    process.exit(2);
  }
  diffFiles(oldFile, newFile).then(
    (changes) => console.log(JSON.stringify(changes, null, 2)),
    (err) => {
      console.error(err.message);
      process.exit(2);
    });
}
