// Rewrites the README's table of every reusable workflow (### `<name>.yml` under "The pipeline's
// reusable workflows") from the workflow's own `on.workflow_call`: its inputs, secrets and
// outputs with their defaults and descriptions. tests/node/workflows.test.mjs checks they agree.
//   node scripts/reusable-tables.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cell = (t) => String(t ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ').trim();
const HEADER = '| | name | default | what |';

/** The table of one reusable workflow, as Markdown lines. */
export function table(name) {
  const call = parse(fs.readFileSync(path.join(root, '.github/workflows', `${name}.yml`), 'utf8')).on.workflow_call;
  const rows = [HEADER, '|---|---|---|---|'];
  for (const [k, v] of Object.entries(call.inputs ?? {})) {
    let d = v.required ? 'required' : v.default;
    if (d === '' || d === undefined) d = '—';
    else if (d !== 'required') d = `\`${d}\``;
    rows.push(`| input | \`${k}\` | ${d} | ${cell(v.description)} |`);
  }
  for (const [k, v] of Object.entries(call.secrets ?? {})) rows.push(`| secret | \`${k}\` | ${v.required ? 'required' : '—'} | ${cell(v.description)} |`);
  for (const [k, v] of Object.entries(call.outputs ?? {})) rows.push(`| output | \`${k}\` | | ${cell(v.description)} |`);
  return rows.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = path.join(root, 'README.md');
  let text = fs.readFileSync(file, 'utf8');
  for (const name of ['deploy', 'promote', 'release', 'infra', 'pr-check', 'status']) {
    const at = text.indexOf(`### \`${name}.yml\``);
    if (at < 0) throw new Error(`README.md has no section ### \`${name}.yml\``);
    const start = text.indexOf(HEADER, at);
    const end = text.indexOf('\n\n', start);
    text = text.slice(0, start) + table(name) + text.slice(end);
  }
  fs.writeFileSync(file, text);
}
