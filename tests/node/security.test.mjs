// What a hostile state, tag, version file, workspace or server can do to the action: one test
// per defect the security audit found, each through dist/index.js run as the GitHub runner runs
// it, and each reading stdout with the runner's own rules (lines split at CR and LF, leading
// white space trimmed, `::` at the start or `##[` anywhere makes a command).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runAction, tempDir } from './harness.mjs';
import { startGitHub } from './github-server.mjs';
import { startHostile } from './hostile-server.mjs';

// ---------------------------------------------------------------------------------------------
// Helpers

/** Every line the runner would act on, as it would read stdout. */
function runnerCommands(stdout) {
  return stdout
    .split(/\r\n|\r|\n/)
    .map((l) => l.trimStart())
    .filter((l) => l.startsWith('::') || l.includes('##['));
}

/** The command names the runner would run (`error`, `add-mask`, …). */
function runnerCommandNames(stdout) {
  return runnerCommands(stdout).map((l) => (l.startsWith('::') ? /^::([^ :]*)/.exec(l)[1] : '##['));
}

/** A version 4 state with these outputs ({ name: value } or { name: { value, sensitive } }). */
function stateJson(outputs, { serial = 3 } = {}) {
  const o = {};
  for (const [name, v] of Object.entries(outputs)) {
    o[name] = typeof v === 'object' && v !== null && 'value' in v ? { type: 'string', ...v } : { value: v, type: 'string' };
  }
  return JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage: 'hostile', outputs: o, resources: [] });
}

/** A version 4 state with one Deployment `kubernetes_deployment_v1.app` running `image`. */
function workloadState(image) {
  const attributes = { metadata: [{ name: 'app' }], spec: [{ template: [{ spec: [{ container: [{ name: 'app', image }] }] }] }] };
  const resource = {
    mode: 'managed', type: 'kubernetes_deployment_v1', name: 'app',
    provider: 'provider["registry.terraform.io/hashicorp/kubernetes"]',
    instances: [{ schema_version: 1, attributes }],
  };
  return JSON.stringify({ version: 4, terraform_version: '1.11.4', serial: 3, lineage: 'hostile', outputs: {}, resources: [resource] });
}

/** A workspace holding `files` (name -> content); returns its path. */
function workspace(files = {}) {
  const ws = tempDir('stage-action-ws-');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ws, name)), { recursive: true });
    fs.writeFileSync(path.join(ws, name), content);
  }
  return ws;
}

const STAGES = `stages:
  dev:
    state: dev.tfstate
    address: output.image
  qa:
    from: dev
    state: qa.tfstate
    address: output.image
`;

/** Runs the action with a hang guard: a run that would block forever fails the test instead. */
function run(inputs, opts) {
  const r = runAction(inputs, { ...opts, timeout: 60_000 });
  assert.equal(r.signal, null, `the action was killed by ${r.signal}: it hung`);
  return r;
}

const CANARY = 'canary-7f3a9c-not-to-be-printed';

// ---------------------------------------------------------------------------------------------
// 1. An invalid image reference never becomes an `image` output.

describe('an image reference that is not valid by Docker grammar', () => {
  const injected = '[::1]";touch${IFS}PWNED;echo${IFS}"/app:1.0';
  const stages = STAGES.replace('address: output.image', 'address: kubernetes_deployment_v1.app');

  test('lookup of a workload leaves the image outputs empty and warns', () => {
    const ws = workspace({ 'dev.tfstate': workloadState(injected) });
    const r = run({ command: 'lookup', state: 'dev.tfstate', address: 'kubernetes_deployment_v1.app' }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    for (const name of ['image', 'image-repository', 'image-tag', 'image-digest']) assert.equal(r.outputs[name], '', name);
    assert.deepEqual(r.warnings.map((w) => [w.props.title, w.message]), [[
      'invalid image reference',
      'kubernetes_deployment_v1.app runs "[::1]\\";touch${IFS}PWNED;echo${IFS}\\"/app:1.0", which is not a valid image reference: "\\";touch${IFS}PWNED;echo${IFS}\\"" follows the registry\'s IPv6 address "[::1]"; only a port (":" and digits) may follow it; the image outputs are empty (`value` holds what the state says)',
    ]]);
  });

  test('lookup of an output that is no valid reference gives no image at all', () => {
    const ws = workspace({ 'dev.tfstate': stateJson({ image: injected }) });
    const r = run({ command: 'lookup', state: 'dev.tfstate', address: 'output.image' }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.image, '');
    assert.equal(r.outputs.value, injected, '`value` is the data as written');
  });

  test('promote refuses it, with no outputs', () => {
    const ws = workspace({ '.github/stages.yml': stages, 'dev.tfstate': workloadState(injected) });
    const r = run({ command: 'promote', to: 'qa' }, { workspace: ws });
    assert.equal(r.code, 1);
    assert.deepEqual(r.outputs, {});
    assert.deepEqual(r.errors.map((e) => [e.props.title, e.message]), [[
      'invalid image',
      'source stage dev: kubernetes_deployment_v1.app in dev.tfstate runs "[::1]\\";touch${IFS}PWNED;echo${IFS}\\"/app:1.0", which is not a valid image reference: "\\";touch${IFS}PWNED;echo${IFS}\\"" follows the registry\'s IPv6 address "[::1]"; only a port (":" and digits) may follow it; the action passes on only references Docker accepts, so fix the image this stage deploys',
    ]]);
  });

  test('a newline in the registry cannot forge a command', () => {
    const ws = workspace({ '.github/stages.yml': stages, 'dev.tfstate': workloadState('[::1]\n::warning::forged/app:1') });
    for (const inputs of [{ command: 'promote', to: 'qa' }, { command: 'status' }, { command: 'lookup', stage: 'dev' }]) {
      const r = run(inputs, { workspace: ws });
      assert.ok(!runnerCommands(r.stdout).some((l) => l.startsWith('::warning::forged')), r.stdout);
      assert.deepEqual(runnerCommandNames(r.stdout).filter((n) => n !== 'error' && n !== 'warning'), []);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Files given relative to the workspace stay inside it; only regular files are read.

describe('files that lead outside the workspace', () => {
  test('a version file linked to /proc/self/environ is refused and nothing of it printed', () => {
    const ws = workspace();
    fs.symlinkSync('/proc/self/environ', path.join(ws, 'VERSION'));
    const r = run({ command: 'guard', 'version-file': 'VERSION', 'tags-from': 'git' }, { workspace: ws, env: { CANARY } });
    assert.equal(r.code, 1);
    assert.ok(!r.stdout.includes(CANARY) && !r.summary.includes(CANARY), 'the environment was printed');
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].props.title, 'file refused');
    assert.equal(
      r.errors[0].message,
      `VERSION leads outside the workspace, to "/proc/${r.errors[0].message.match(/\/proc\/([^/]+)\//)[1]}/environ"; a path relative to the workspace must stay inside it, so that what a pull request changes cannot make the action read other files; point input \`version-file\` at a file in the repository, or give an absolute path`,
    );
  });

  test('a stages file and a state linked outside are refused too', () => {
    const outside = workspace({ 'dev.tfstate': stateJson({ image: 'ghcr.io/a/b:1' }), 'stages.yml': STAGES });
    const ws = workspace();
    fs.mkdirSync(path.join(ws, '.github'));
    fs.symlinkSync(path.join(outside, 'stages.yml'), path.join(ws, '.github', 'stages.yml'));
    let r = run({ command: 'status' }, { workspace: ws });
    assert.equal(r.code, 1);
    assert.equal(r.errors[0].props.title, 'file refused');
    assert.match(r.errors[0].message, /^\.github\/stages\.yml leads outside the workspace/);

    fs.symlinkSync(path.join(outside, 'dev.tfstate'), path.join(ws, 'dev.tfstate'));
    r = run({ command: 'lookup', state: 'dev.tfstate', address: 'output.image' }, { workspace: ws });
    assert.equal(r.code, 1);
    assert.match(r.errors[0].message, /^dev\.tfstate leads outside the workspace, to ".*"; .*point input `state` at a file in the repository, or give an absolute path$/);
    // Given as an absolute path, the same file is read: only the workflow's author writes those.
    r = run({ command: 'lookup', state: path.join(outside, 'dev.tfstate'), address: 'output.image' }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.image, 'ghcr.io/a/b:1');
  });

  test('a link that stays inside the workspace is followed', () => {
    const ws = workspace({ 'states/dev.tfstate': stateJson({ image: 'ghcr.io/a/b:2' }) });
    fs.symlinkSync('states/dev.tfstate', path.join(ws, 'dev.tfstate'));
    const r = run({ command: 'lookup', state: 'dev.tfstate', address: 'output.image' }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.image, 'ghcr.io/a/b:2');
  });
});

describe('files that never end', () => {
  test('a FIFO as state, stages file or version file is refused at once', () => {
    const ws = workspace({ '.github/stages.yml': STAGES });
    execFileSync('mkfifo', [path.join(ws, 'dev.tfstate'), path.join(ws, 'VERSION'), path.join(ws, 'fifo.yml')]);
    const cases = [
      [{ command: 'lookup', state: 'dev.tfstate', address: 'output.image' }, 'dev.tfstate is a FIFO (named pipe); the action reads only regular files; point input `state` at one'],
      [{ command: 'guard', 'version-file': 'VERSION', 'tags-from': 'git' }, 'VERSION is a FIFO (named pipe); the action reads only regular files; point input `version-file` at one'],
      [{ command: 'status', 'stages-file': 'fifo.yml' }, 'fifo.yml is a FIFO (named pipe); the action reads only regular files; point input `stages-file` at one'],
    ];
    for (const [inputs, message] of cases) {
      const r = run(inputs, { workspace: ws });
      assert.equal(r.code, 1, r.stdout);
      assert.deepEqual(r.errors.map((e) => [e.props.title, e.message]), [['file refused', message]]);
    }
  });

  test('/dev/zero is refused, and a 2 GiB state is refused by its size before it is read', () => {
    let r = run({ command: 'lookup', state: '/dev/zero', address: 'output.image' });
    assert.equal(r.code, 1);
    assert.deepEqual(r.errors.map((e) => e.message), ['/dev/zero is a character device; the action reads only regular files; point input `state` at one']);
    const ws = workspace({ 'big.tfstate': '' });
    fs.truncateSync(path.join(ws, 'big.tfstate'), 2 * 1024 ** 3);
    r = run({ command: 'lookup', state: 'big.tfstate', address: 'output.image' }, { workspace: ws });
    assert.equal(r.code, 1);
    assert.deepEqual(r.errors.map((e) => e.message), ['big.tfstate is 2 GiB, more than the 256 MiB this action reads; point input `state` at the right file']);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Data in the log never becomes a workflow command.

test('state data cannot inject workflow commands into the log', () => {
  const payloads = [
    'a\n::set-output name=image::evil',
    'b\r::warning::forged',
    'c\r\n   ::add-mask::a',
    'd\n::stop-commands::t0ken',
    '##[error]forged',
    'e\n\t ##[group]x',
    '\u001b[2K::debug::x',
  ];
  const ws = workspace({ 'x.tfstate': stateJson(Object.fromEntries(payloads.map((p, i) => [`x${i}`, p]))) });
  for (let i = 0; i < payloads.length; i += 1) {
    const r = run({ command: 'lookup', state: 'x.tfstate', address: `output.x${i}` }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.value, payloads[i]);
    assert.deepEqual(runnerCommands(r.stdout), [], `payload ${JSON.stringify(payloads[i])} gave ${JSON.stringify(r.stdout)}`);
    assert.equal(r.stdout.split(/\r\n|\r|\n/).filter(Boolean).length, 1, 'one value, one line');
  }
});

// ---------------------------------------------------------------------------------------------
// 4. Sensitivity survives into the stage commands.

describe('a sensitive image', () => {
  const secret = 'ghcr.io/acme/secret-app:9.8.7';
  const stages = `${STAGES}  prod:\n    from: qa\n    state: prod.tfstate\n    address: output.image\n`;
  const files = {
    '.github/stages.yml': stages,
    'dev.tfstate': stateJson({ image: { value: secret, sensitive: true } }),
    'qa.tfstate': stateJson({ image: { value: secret, sensitive: true } }),
  };
  const masks = (stdout) => runnerCommands(stdout).filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice(12));
  const unmasked = (r) => {
    // What shows once the runner has applied every mask the run registered.
    let text = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.summary;
    for (const m of masks(r.stdout).sort((a, b) => b.length - a.length)) text = text.split(m).join('***');
    return text;
  };

  test('promote masks it and every part of it, and shows it as (sensitive)', () => {
    const ws = workspace(files);
    fs.rmSync(path.join(ws, 'qa.tfstate'));
    const r = run({ command: 'promote', to: 'qa' }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(masks(r.stdout).sort(), ['9.8.7', secret, 'ghcr.io/acme/secret-app'].sort());
    assert.equal(r.outputs.image, secret);
    assert.ok(!unmasked(r).includes('secret-app') && !unmasked(r).includes('9.8.7'), unmasked(r));
    assert.match(r.summary, /\| dev \| \(sensitive\) \| \(sensitive\) \| \(sensitive\) \| 3 \|/);
  });

  test('status and record keep it hidden, and record leaves it out of the deployment', async () => {
    const ws = workspace(files);
    let r = run({ command: 'status' }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    assert.ok(masks(r.stdout).includes(secret));
    assert.ok(!unmasked(r).includes('secret-app'), unmasked(r));

    const gh = await startGitHub({ repository: 'acme/app', token: 'ghs_test' });
    try {
      r = run({ command: 'record', to: 'qa', token: 'ghs_test' }, { workspace: ws, env: { ...gh.env, GITHUB_SHA: 'a'.repeat(40) } });
      assert.equal(r.code, 0, r.stdout);
      const created = gh.requests.find((q) => q.route === 'create-deployment');
      assert.ok(!JSON.stringify(created.body).includes('secret-app'), JSON.stringify(created.body));
      assert.ok(!unmasked(r).includes('secret-app'), unmasked(r));
    } finally {
      await gh.close();
    }
  });

  test('a value shorter than 4 characters is not registered as a mask, and not printed', () => {
    const ws = workspace({ 's.tfstate': stateJson({ pin: { value: 'ab7', sensitive: true } }) });
    const r = run({ command: 'lookup', state: 's.tfstate', address: 'output.pin' }, { workspace: ws });
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(masks(r.stdout), []);
    assert.equal(r.outputs.value, 'ab7');
    assert.ok(!r.stdout.includes('ab7') && !r.summary.includes('ab7'));
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Servers and git remotes that never answer, trickle, loop or flood.

describe('servers that misbehave', () => {
  const guard = (url, extra = {}) =>
    run(
      { command: 'guard', tag: 'v1.0.0', 'tags-from': 'api', token: 'ghs_x', timeout: '2s', ...extra },
      { env: { GITHUB_API_URL: url, GITHUB_REPOSITORY: 'acme/app' } },
    );

  for (const mode of ['silent', 'trickle']) {
    test(`an API that is ${mode} is abandoned after \`timeout\``, async () => {
      const s = await startHostile(mode);
      try {
        const r = guard(s.url);
        assert.equal(r.code, 1);
        assert.equal(r.errors.length, 1, r.stdout);
        assert.match(r.errors[0].message, /did not finish within 2 s; check that http:\/\/127\.0\.0\.1:\d+ is reachable and answering, or raise input `timeout`$/);
      } finally {
        s.close();
      }
    });
  }

  test('a pagination Link that loops stops at once', async () => {
    const s = await startHostile('link-loop');
    try {
      const r = guard(s.url);
      assert.equal(r.code, 1);
      assert.match(r.errors[0].message, /^cannot list the repository's tags: the pages loop: page 2 leads back to "http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/app\/git\/matching-refs\/tags\/v"; /);
      assert.ok(s.requests().length <= 3, `${s.requests().length} requests`);
    } finally {
      s.close();
    }
  });

  test('a response of 80 MiB is refused', async () => {
    const s = await startHostile('huge');
    try {
      const r = guard(s.url, { timeout: '1m' });
      assert.equal(r.code, 1);
      assert.match(r.errors[0].message, /gave more than 67108864 bytes/);
    } finally {
      s.close();
    }
  });

  test('a git remote that never answers is abandoned after `timeout`, helpers and all', async () => {
    const s = await startHostile('silent');
    const ws = tempDir('stage-action-git-');
    try {
      execFileSync('git', ['init', '-q', ws]);
      execFileSync('git', ['-C', ws, 'remote', 'add', 'origin', `${s.url}/repo.git`]);
      const r = run({ command: 'guard', tag: 'v1.0.0', 'tags-from': 'git', timeout: '2s' }, { workspace: ws });
      assert.equal(r.code, 1);
      assert.deepEqual(r.errors.map((e) => e.message), [
        'git ls-remote --tags origin failed: it did not finish within 2 s; check that the runner can reach origin, raise input `timeout`, or use `tags-from: api`',
      ]);
    } finally {
      s.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 7. git never uses a repository the workspace's files describe.

test("a workspace holding a bare repository's files cannot make git run its commands", () => {
  const ws = tempDir('stage-action-bare-');
  const marker = path.join(ws, 'PWNED');
  // What `git init --bare` lays out, at the workspace root, with a config that runs a command.
  const bare = tempDir('stage-action-bare-src-');
  execFileSync('git', ['init', '-q', '--bare', bare]);
  fs.cpSync(bare, ws, { recursive: true });
  fs.appendFileSync(path.join(ws, 'config'), `[remote "origin"]\n\turl = ${bare}\n\tuploadpack = touch ${marker}; git-upload-pack\n`);
  const r = run({ command: 'guard', tag: 'v1.0.0', 'tags-from': 'git' }, { workspace: ws });
  assert.equal(fs.existsSync(marker), false, 'git ran the configured uploadpack');
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors.map((e) => e.message), [
    `git remote failed: ${ws} is not a git checkout (it has no .git); check out the repository first (actions/checkout), or use \`tags-from: api\``,
  ]);
});

// ---------------------------------------------------------------------------------------------
// 8. Every failure, a trap included, is one error and exit code 1.

test('a trap in the module ends as one error annotation, not a raw stack', () => {
  const ws = workspace({ 'x.tfstate': stateJson({ big: 'x'.repeat(20_000_000) }) });
  // Memory capped at 6.4 MiB makes holding a 20 MB value a real out-of-memory trap, no test hook.
  const r = runAction({ command: 'lookup', state: 'x.tfstate', address: 'output.big' }, { workspace: ws, nodeArgs: ['--wasm-max-mem-pages=100'] });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.deepEqual(r.commands.map((c) => [c.command, c.props.title, c.message]), [
    ['error', 'internal error', 'stage-action crashed: the WebAssembly module stopped (unreachable): it ran out of memory or stack. Give it a smaller input, or report this log'],
  ]);
  assert.equal(r.stderr, '');
  assert.deepEqual(r.outputs, {});
});

// ---------------------------------------------------------------------------------------------
// 10. The smaller defects.

test('record reports a deployment it created but could not mark successful', async () => {
  const ws = workspace({ '.github/stages.yml': STAGES, 'qa.tfstate': stateJson({ image: 'ghcr.io/a/b:1.0.0' }) });
  const gh = await startGitHub({ repository: 'acme/app', token: 'ghs_test' });
  try {
    gh.setError('create-deployment-status', 'server-error');
    const r = run({ command: 'record', to: 'qa', token: 'ghs_test' }, { workspace: ws, env: { ...gh.env, GITHUB_SHA: 'b'.repeat(40) } });
    assert.equal(r.code, 1);
    const id = r.outputs['deployment-id'];
    assert.match(id, /^\d+$/);
    assert.deepEqual(Object.keys(r.outputs), ['deployment-id']);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, new RegExp(`^deployment ${id} to qa was created, but not marked successful, so GitHub shows it as pending: cannot mark deployment ${id} successful: GitHub answered 500 .*; re-run this step, or mark it by hand: gh api repos/acme/app/deployments/${id}/statuses -f state=success$`));
  } finally {
    await gh.close();
  }
});

test("a redirect of record's write is not followed, and the body goes nowhere else", async () => {
  const ws = workspace({ '.github/stages.yml': STAGES, 'qa.tfstate': stateJson({ image: 'ghcr.io/a/b:1.0.0' }) });
  const s = await startHostile('redirect');
  try {
    const r = run({ command: 'record', to: 'qa', token: 'ghs_test' }, { workspace: ws, env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'c'.repeat(40) } });
    assert.equal(r.code, 1);
    assert.deepEqual(s.requests().map((q) => q.server), ['main']);
    assert.match(r.errors[0].message, /^cannot create a deployment to qa: GitHub answered 307 with a redirect to "http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/app\/deployments"; the action does not follow redirects of writes, nor to another host; set GITHUB_API_URL to the API's own address/);
  } finally {
    s.close();
  }
});

test('the job summary renders data as text: no links, images or HTML', () => {
  const value = '[click](https://evil.example) ![x](https://evil.example/p.png) <img src=x> **b**';
  const ws = workspace({ 'x.tfstate': stateJson({ note: value }) });
  const r = run({ command: 'lookup', state: 'x.tfstate', address: 'output.note' }, { workspace: ws });
  assert.equal(r.code, 0);
  assert.ok(r.summary.includes(String.raw`\[click\](https\://evil.example) \!\[x\](https\://evil.example/p.png) \<img src=x\> \*\*b\*\*`), r.summary);
});

test('a 10 MB value is quoted as a short excerpt', () => {
  const big = `ghcr.io/${'a'.repeat(10_000_000)}`;
  const ws = workspace({ 'x.tfstate': stateJson({ image: big }) });
  const r = run({ command: 'lookup', state: 'x.tfstate', address: 'output.image' }, { workspace: ws });
  assert.ok(r.stdout.length < 2_000, `${r.stdout.length} bytes of log`);
});

describe('result files that cannot be written', () => {
  const ws = () => workspace({ 'x.tfstate': stateJson({ image: 'ghcr.io/a/b:1' }) });
  test('an output file that cannot be written fails the run with one error, before its log', () => {
    const dir = tempDir();
    const r = run({ command: 'lookup', state: 'x.tfstate', address: 'output.image' }, { workspace: ws(), env: { GITHUB_OUTPUT: dir } });
    assert.equal(r.code, 1);
    assert.deepEqual(r.errors.map((e) => e.props.title), ['cannot write results']);
    assert.match(r.errors[0].message, /^cannot write GITHUB_OUTPUT /);
    assert.ok(!r.stdout.includes('output.image: ghcr.io/a/b:1'), 'the log claimed success');
  });

  test('a summary that cannot be written leaves no outputs behind', () => {
    const dir = tempDir();
    const r = run({ command: 'lookup', state: 'x.tfstate', address: 'output.image' }, { workspace: ws(), env: { GITHUB_STEP_SUMMARY: dir } });
    assert.equal(r.code, 1);
    assert.deepEqual(r.outputs, {});
    assert.match(r.errors[0].message, /^cannot write GITHUB_STEP_SUMMARY /);
  });
});

// ---------------------------------------------------------------------------------------------
// 8 and 10, through the artifact: deep inputs, misshapen states and sensitive maps.

test('a stages file nested 100,000 levels deep is one clear error, not a crash', () => {
  const ws = workspace({ '.github/stages.yml': `stages:\n  dev:\n    state:\n      ${'- '.repeat(100_000)}x\n` });
  const r = run({ command: 'status' }, { workspace: ws });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(r.errors.map((e) => [e.props.title, e.props.file, e.props.line, e.message]), [[
    'invalid stages file', '.github/stages.yml', '4',
    '.github/stages.yml: line 4, column 257: the YAML nests more than 128 levels deep here; a stages file needs three (stages, a stage, its settings)',
  ]]);
});

test('a legacy attribute key of 50,000 segments is refused as too deep, not a crash', () => {
  const attributes = { [`${'a.0.'.repeat(50_000)}x`]: 'v' };
  const legacy = { version: 3, serial: 1, lineage: 'l', modules: [{ path: ['root'], outputs: {}, resources: { 't.n': { type: 't', primary: { id: 'i', attributes } } } }] };
  const ws = workspace({ 'old.tfstate': JSON.stringify(legacy) });
  const r = run({ command: 'lookup', state: 'old.tfstate', address: 't.n.a' }, { workspace: ws });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].message, /^state old\.tfstate is malformed: the attributes of t\.n nest more than 128 levels deep \(key "(a\.0\.){20}…" \(200001 characters\)\); Terraform never writes that, so this file is not a state$/);
});

test('a serial of -1 is named for what it is', () => {
  const ws = workspace({ 's.tfstate': stateJson({ image: 'ghcr.io/a/b:1' }, { serial: -1 }) });
  const r = run({ command: 'lookup', state: 's.tfstate', address: 'output.image' }, { workspace: ws });
  assert.equal(r.code, 1);
  assert.deepEqual(r.errors.map((e) => e.message), [
    'state s.tfstate is malformed: "serial" is -1; Terraform writes a whole number of 0 or more there (it counts the state\'s changes), so this file was edited or not written by Terraform',
  ]);
});

test('a missed key under a sensitive map does not list its keys', () => {
  const ws = workspace({ 's.tfstate': stateJson({ creds: { value: { api_key: 'k-123456', db_password: 'p-123456' }, type: ['object', {}], sensitive: true } }) });
  const r = run({ command: 'lookup', state: 's.tfstate', address: 'output.creds.api_kee' }, { workspace: ws });
  assert.equal(r.code, 1);
  assert.equal(r.errors.length, 1);
  assert.doesNotMatch(r.stdout, /api_key|db_password/);
});
