// The README documents exactly what action.yml declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { root, runCli } from './harness.mjs';

const action = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8'));
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** The rows of the Markdown table under `## heading`. */
function table(heading) {
  const section = readme.split(`\n## ${heading}\n`)[1];
  assert.ok(section, `README has a "## ${heading}" section`);
  const rows = section.split('\n## ')[0].split('\n').filter((l) => l.startsWith('| `'));
  return rows.map((r) => r.slice(1, -1).split(' | ').map((c) => c.trim()));
}

test('action.yml runs dist/index.js on node24 and has branding', () => {
  assert.equal(action.runs.using, 'node24');
  assert.equal(action.runs.main, 'dist/index.js');
  assert.ok(action.branding.icon && action.branding.color);
  assert.ok(fs.existsSync(path.join(root, action.runs.main)));
});

test('every input and output has a description', () => {
  for (const [kind, entries] of [['input', action.inputs], ['output', action.outputs]]) {
    for (const [name, spec] of Object.entries(entries)) assert.ok(spec.description?.length > 10, `${kind} ${name}`);
  }
});

test('the README inputs table is action.yml', () => {
  const want = Object.entries(action.inputs).map(([name, spec]) => [`\`${name}\``, spec.description, spec.default === undefined ? '' : `\`${spec.default}\``]);
  assert.deepEqual(table('Inputs'), want);
});

test('the README outputs table is action.yml', () => {
  const want = Object.entries(action.outputs).map(([name, spec]) => [`\`${name}\``, spec.description]);
  assert.deepEqual(table('Outputs'), want);
});

test('the terminal takes exactly the inputs action.yml declares', () => {
  const help = runCli(['--help']).stdout;
  const flags = new Set([...help.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
  // The terminal's own flags, not inputs.
  for (const own of ['help', 'input', 'json', 'version']) flags.delete(own);
  const declared = new Set(Object.keys(action.inputs).filter((n) => n !== 'command'));
  assert.deepEqual([...flags].sort(), [...declared].sort());
});

test("the README's example workflows pass zizmor: values reach scripts only through env:", () => {
  // Every ```yaml block that is a whole workflow, linted as a repository's workflows would be.
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /^jobs:/m.test(b));
  assert.ok(blocks.length >= 5, `found ${blocks.length} workflows in the README`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-action-readme-'));
  fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
  blocks.forEach((b, i) => fs.writeFileSync(path.join(dir, '.github', 'workflows', `readme-${i + 1}.yml`), b));
  const config = path.join(root, '.github', 'zizmor.yml'); // the repository's own: our tag may be ref-pinned
  const r = spawnSync('zizmor', ['--offline', '--no-progress', '--config', config, '--format', 'json', dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.error, undefined, 'zizmor must be installed (.ci/run installs it from PyPI)');
  const findings = JSON.parse(r.stdout);
  assert.deepEqual(findings.map((f) => `${f.ident}: ${f.locations?.[0]?.symbolic?.key?.Local?.given_path ?? ''}`), []);
});
