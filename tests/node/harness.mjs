// Runs dist/index.js exactly as the GitHub runner does: a fresh process with INPUT_* variables,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and GITHUB_WORKSPACE; then reads everything back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { snapshot } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const dist = path.join(root, 'dist', 'index.js');
/**
 * ../shared beside the checkout; absent in a user's clone. STAGE_ACTION_SHARED names another place
 * (a relative path counts from the repository root); `STAGE_ACTION_SHARED=/nonexistent` shows what
 * the tests do without it.
 */
export const shared = path.resolve(root, process.env.STAGE_ACTION_SHARED || path.join('..', 'shared'));
/** The full Terraform state corpus (../shared/corpus/tfstate, about 3 MB), when `hasCorpus`. */
export const corpus = path.join(shared, 'corpus', 'tfstate');
export const hasCorpus = fs.existsSync(corpus);
/** The committed sample of the corpus, laid out like it (tests/fixtures/README.md): always present. */
export const fixtureCorpus = path.join(root, 'tests', 'fixtures', 'tfstate');
const corpusAbsent = `the full corpus ${corpus} is absent`;
/**
 * `{ skip: corpusSkip }` for each test of the full corpus (on the test, not its `describe`, so that the
 * report counts what did not run): a reason when the corpus is absent. Under CI=true it is never a reason: a CI without the corpus would otherwise report
 * its tests as done, so they run, and `requireCorpus()` fails them.
 */
export const corpusSkip = hasCorpus || process.env.CI === 'true'
  ? false
  : `skipped: ${corpusAbsent} (a plain clone has no ../shared; set STAGE_ACTION_SHARED to where it is); the committed tests/fixtures ran, and under CI=true this fails`;
/** Call first in a test of the full corpus: throws, saying why and what to do, when it is absent. */
export function requireCorpus() {
  if (!hasCorpus) {
    throw new Error(`${corpusAbsent} and CI=true: CI must run every corpus test; put the shared directory beside the checkout (../shared) or set STAGE_ACTION_SHARED to it`);
  }
}

/** Writes `text` to `file`, making its directory first. */
export function writeFile(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A run's exit code and streams, for an assertion's message. */
export function detail(r) {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

/** Asserts a successful run of `runAction` without errors or warnings. */
export function assertClean(r) {
  assert.equal(r.code, 0, detail(r));
  assert.deepEqual(r.errors, [], detail(r));
  assert.deepEqual(r.warnings, [], detail(r));
}

export function tempDir(prefix = 'stage-action-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `INPUT_` + name upper-cased, spaces to underscores, as @actions/core reads it. */
export function inputEnv(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses a GITHUB_OUTPUT (or GITHUB_ENV) file; throws on anything that is not a well-formed block. */
export function parseOutputFile(text) {
  const out = {};
  const re = /([^\n]+?)<<(ghadelimiter_[0-9a-f-]{36})\n([\s\S]*?)\n?\2\n/y;
  let m;
  let last = 0;
  while ((m = re.exec(text)) !== null) {
    out[m[1]] = m[3];
    last = re.lastIndex;
  }
  if (last !== text.length) throw new Error(`malformed GITHUB_OUTPUT at byte ${last}: ${JSON.stringify(text.slice(last, last + 80))}`);
  return out;
}

/** Parses `::name props::message` lines of stdout. */
export function parseCommands(stdout) {
  const commands = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props = {};
    if (m[2]) for (const kv of m[2].split(',')) { const i = kv.indexOf('='); props[kv.slice(0, i)] = unescapeProperty(kv.slice(i + 1)); }
    commands.push({ command: m[1], props, message: unescapeData(m[3]), raw: line });
  }
  return commands;
}

function unescapeData(s) {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s) {
  return unescapeData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));
}

/**
 * The environment the runner gives an action step: GITHUB_ACTIONS, the output and summary
 * files, GITHUB_WORKSPACE, RUNNER_TEMP (`dir`), and INPUT_* for `inputs`; `env` is added last,
 * and an `undefined` value there removes a variable.
 */
export function actionEnv(inputs, { dir, outputPath, summaryPath, workspace, env: extra = {} }) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: dir,
  };
  for (const [k, v] of Object.entries(inputs)) env[inputEnv(k)] = v;
  Object.assign(env, extra);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/**
 * Runs the action in Actions mode.
 * @param {object} inputs  input name -> value (as `with:` gives them)
 * @param {object} opts    { env, workspace, outputFile (pre-existing content), summaryFile,
 *                          nodeArgs (flags for node itself), timeout (ms, then the run is killed) }
 */
export function runAction(inputs, opts = {}) {
  const dir = tempDir();
  const outputPath = path.join(dir, 'github_output');
  const summaryPath = path.join(dir, 'step_summary');
  fs.writeFileSync(outputPath, opts.outputFile ?? '');
  fs.writeFileSync(summaryPath, '');
  const env = actionEnv(inputs, { dir, outputPath, summaryPath, workspace: opts.workspace ?? root, env: opts.env });
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), dist], {
    env, cwd: opts.cwd ?? dir, encoding: 'utf8', maxBuffer: 1 << 28, timeout: opts.timeout,
  });
  const outputText = fs.readFileSync(outputPath, 'utf8');
  const result = {
    command: inputs.command,
    env, // what the run was given (its HOME, RUNNER_TEMP, ...), for a test to name in a snapshot
    code: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    outputText,
    summary: fs.readFileSync(summaryPath, 'utf8'),
    commands: parseCommands(r.stdout),
  };
  result.outputs = parseOutputFile(outputText.slice((opts.outputFile ?? '').length));
  result.errors = result.commands.filter((c) => c.command === 'error');
  result.warnings = result.commands.filter((c) => c.command === 'warning');
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

/**
 * Asserts the summary a failed run writes: `### stage-action COMMAND: TITLE`, then the error's
 * message (compared whole when it holds nothing Markdown escapes, else by its first words).
 */
export function assertFailureSummary(r, command, title, message) {
  const head = `### stage-action${command ? ` ${command}` : ''}: ${title}\n\n`;
  if (!r.summary.startsWith(head)) throw new Error(`the failure summary does not start with ${JSON.stringify(head)}:\n${r.summary}`);
  if (message === undefined) return;
  const plain = !/[*`[\]<>|&~!\\@\n]|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])_|:\/\/|www\./i.test(message);
  const want = plain ? `${head}${message}\n\n` : null;
  if (plain && r.summary !== want) throw new Error(`the failure summary is\n${r.summary}\nnot\n${want}`);
}

/** Runs the terminal face: `node dist/index.js ARGS...` without GITHUB_ACTIONS. */
export function runCli(args, opts = {}) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...(opts.env ?? {}) };
  const r = spawnSync(process.execPath, [dist, ...args], { env, cwd: opts.cwd ?? root, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Snapshots of this test file in tests/node/__snapshots__/<file>.snapshot, texts stored as they
 * are, so that a snapshot file reads like the log it stands for. Call once, at the file's top.
 * A snapshot is written by `node --test --test-update-snapshots tests/node/<file>.test.mjs`.
 */
export function useSnapshots() {
  snapshot.setResolveSnapshotPath((file) => path.join(path.dirname(file), '__snapshots__', `${path.basename(file)}.snapshot`));
  snapshot.setDefaultSnapshotSerializers([(v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2))]);
}

/**
 * What varies per run, replaced by a name for it: each of `places` (name -> text, e.g.
 * `{ workspace: dir, token }`, in that order) by `<name>`, a loopback port (127.0.0.1 or
 * localhost) by `<port>`, how long a source stage has been unchanged (the age of a state file
 * written a moment ago) by `<age>`, and how long a certificate has left (it shortens as the
 * clock runs) by `<time>`.
 */
export function normalise(text, places = {}) {
  let out = text;
  for (const [name, value] of Object.entries(places)) {
    if (value) out = out.split(value).join(`<${name}>`);
  }
  out = out.replace(/ has been unchanged for \d+[smhd]( \d+[smhd])*\./g, ' has been unchanged for <age>.');
  out = out.replace(/\((\d+[smhd] )*\d+[smhd] left\)/g, '(<time> left)');
  return out.replace(/(127\.0\.0\.1|localhost):\d+/g, '$1:<port>');
}

/** One runner run as a reviewed text: exit code, stdout, summary, parsed outputs; normalised by `places`. */
export function actionsFaces(r, places = {}) {
  return normalise(
    `exit ${r.code}\n` +
      `== standard output (workflow commands)\n${r.stdout}` +
      `== GITHUB_STEP_SUMMARY\n${r.summary}` +
      `== outputs (GITHUB_OUTPUT as the runner parses it)\n${JSON.stringify(r.outputs, null, 2)}\n`,
    places,
  );
}

/** The lines of a PEM's body: what must never print (its armor lines are no secret). */
export const pemLines = (text) => text.split('\n').filter((l) => l && !l.startsWith('-----'));

/**
 * Every `::add-mask::` of a run comes before any other line of stdout, each secret (each line of
 * a PEM) is among them, and it appears nowhere else: not in the log, stderr, the summary or the
 * outputs.
 */
export function assertMasked(r, ...secrets) {
  const lines = r.stdout.split('\n');
  const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
  const masks = lines.filter((l) => l.startsWith('::add-mask::'));
  const shown = lines.slice(firstOther).join('\n');
  assert.ok(lines.slice(firstOther).every((l) => !l.startsWith('::add-mask::')), `a mask comes after other output:\n${r.stdout}`);
  for (const secret of secrets) {
    for (const part of secret.includes('-----BEGIN') ? pemLines(secret) : [secret]) {
      assert.ok(masks.some((m) => m.includes(part)), `${part} is not masked:\n${r.stdout}`);
      for (const [where, text] of [['stdout', shown], ['stderr', r.stderr], ['summary', r.summary], ['outputs', r.outputText]]) {
        assert.ok(!text.includes(part), `${where} holds a secret:\n${text}`);
      }
    }
  }
}

/** A failed run: one error with `title`, no outputs; returns its message. */
export function failedWith(r, title) {
  assert.equal(r.code, 1, detail(r));
  assert.equal(r.errors.length, 1, detail(r));
  assert.equal(r.errors[0].props.title, title, detail(r));
  assert.equal(r.outputText, '');
  return r.errors[0].message;
}
