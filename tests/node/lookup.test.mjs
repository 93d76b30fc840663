// `command: lookup` through dist/index.js, run exactly as the GitHub runner runs it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { assertFailureSummary, runAction, runCli, root, corpus, corpusSkip, fixtureCorpus, requireCorpus, tempDir } from './harness.mjs';

const example = 'examples/dev.tfstate';

/** Asserts the all-or-nothing failure shape and returns the one error. */
function assertFailed(r) {
  assert.equal(r.code, 1, `exit code; stdout=${r.stdout} stderr=${r.stderr}`);
  assert.equal(r.errors.length, 1, `one ::error line, got: ${r.stdout}`);
  assert.equal(r.outputText, '', 'nothing written to GITHUB_OUTPUT');
  assertFailureSummary(r, r.command, r.errors[0].props.title, r.errors[0].message);
  return r.errors[0];
}

function writeTemp(name, content) {
  const dir = tempDir();
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return { dir, file };
}

describe('a successful lookup', () => {
  test('writes every output, in order, as delimited blocks appended to GITHUB_OUTPUT', () => {
    const before = 'earlier=1\n';
    const r = runAction({ command: 'lookup', state: example, address: 'kubernetes_deployment_v1.backend', container: 'backend' }, { outputFile: before });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.outputText.startsWith(before), 'earlier content kept');
    assert.deepEqual(Object.keys(r.outputs), ['value', 'image', 'image-repository', 'image-tag', 'image-digest', 'container', 'serial', 'lineage', 'terraform-version', 'locked']);
    assert.equal(r.outputs.image, 'ghcr.io/acme/backend:1.4.2');
    assert.equal(r.outputs['image-repository'], 'ghcr.io/acme/backend');
    assert.equal(r.outputs['image-tag'], '1.4.2');
    assert.equal(r.outputs['image-digest'], '');
    assert.equal(r.outputs.container, 'backend');
    assert.equal(r.outputs.serial, '42');
    assert.equal(r.outputs.lineage, '8a1f0c7e-3b4d-4c2a-9e6f-0d1b2c3a4e5f');
    assert.equal(r.outputs['terraform-version'], '1.11.4');
    assert.equal(JSON.parse(r.outputs.value).metadata[0].name, 'backend');
    // Each block has its own random delimiter.
    const delimiters = [...r.outputText.matchAll(/<<(ghadelimiter_[0-9a-f-]{36})\n/g)].map((m) => m[1]);
    assert.equal(new Set(delimiters).size, 10);
    assert.deepEqual(r.errors, []);
  });

  test('writes the job summary as a Markdown table', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'kubernetes_deployment_v1.backend', container: 'backend' });
    assert.equal(r.summary, [
      '### stage-action lookup',
      '',
      '| Field | Value |',
      '|---|---|',
      '| State | <code>examples/dev.tfstate</code> |',
      '| Serial | <code>42</code> |',
      '| Address | <code>kubernetes_deployment_v1.backend</code> |',
      '| Container | <code>backend</code> |',
      '| Image | <code>ghcr.io/acme/backend:1.4.2</code> |',
      '| Tag | <code>1.4.2</code> |',
      '| Digest | — |',
      '',
      '',
    ].join('\n'));
    assert.match(r.stdout, /^kubernetes_deployment_v1\.backend: ghcr\.io\/acme\/backend:1\.4\.2$/m);
  });

  test('answers an output string that is an image reference', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'output.image' });
    assert.equal(r.code, 0);
    assert.equal(r.outputs.value, 'ghcr.io/acme/backend:1.4.2');
    assert.equal(r.outputs.image, 'ghcr.io/acme/backend:1.4.2');
    assert.equal(r.outputs.container, '');
  });

  test('answers non-string values as compact JSON and leaves the image outputs empty', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'output.replicas' });
    assert.equal(r.outputs.value, '{"backend":2,"worker":1}');
    assert.equal(r.outputs.image, '');
    const n = runAction({ command: 'lookup', state: example, address: 'output.replicas.backend' });
    assert.equal(n.outputs.value, '2');
  });

  test('a digest without a tag fills image-digest; a tainted instance warns', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'kubernetes_deployment_v1.worker' });
    assert.equal(r.code, 0);
    assert.equal(r.outputs['image-tag'], '');
    assert.equal(r.outputs['image-digest'], 'sha256:' + '3f'.repeat(32));
    assert.equal(r.outputs['image-repository'], 'ghcr.io/acme/worker');
    assert.deepEqual(r.warnings.map((w) => [w.props.title, w.message]), [
      ['tainted instance', 'kubernetes_deployment_v1.worker is tainted: Terraform will replace it on the next apply; the answer is what runs now'],
    ]);
  });

  test('an untagged image warns that latest is implied', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'kubernetes_deployment_v1.legacy' });
    assert.equal(r.code, 0);
    assert.equal(r.outputs.image, 'nginx');
    assert.equal(r.outputs['image-tag'], '');
    assert.deepEqual(r.warnings.map((w) => w.raw), [
      '::warning title=image has no tag::kubernetes_deployment_v1.legacy runs "nginx", which has no tag or digest: Kubernetes pulls `latest`, which can change under you; deploy a tag or a digest',
    ]);
  });

  test('an init container is answered by name only', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'kubernetes_deployment_v1.backend', container: 'migrate' });
    assert.equal(r.outputs.image, 'ghcr.io/acme/backend-migrate:1.4.2');
  });

  test('debug lines appear only when the runner is in debug mode', () => {
    const quiet = runAction({ command: 'lookup', state: example, address: 'output.image' });
    assert.equal(quiet.commands.filter((c) => c.command === 'debug').length, 0);
    const loud = runAction({ command: 'lookup', state: example, address: 'output.image' }, { env: { RUNNER_DEBUG: '1' } });
    const debug = loud.commands.filter((c) => c.command === 'debug').map((c) => c.message);
    assert.match(debug[0], /^reading examples\/dev\.tfstate \(\d+ bytes\)$/);
    assert.equal(debug[1], 'state format 4, Terraform 1.11.4, 4 resources, 3 outputs');
  });

  test('without GITHUB_OUTPUT (runners before 2.297) outputs fall back to set-output commands', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'output.image' }, { env: { GITHUB_OUTPUT: undefined } });
    assert.equal(r.code, 0);
    assert.ok(r.stdout.includes('::set-output name=image::ghcr.io/acme/backend:1.4.2\n'));
  });

  test('input names are matched as @actions/core does: upper-cased, values trimmed', () => {
    const r = runAction({ command: '  lookup ', state: ` ${example}\n`, address: ' output.image ' });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.outputs.image, 'ghcr.io/acme/backend:1.4.2');
  });

  test('an absolute state path ignores GITHUB_WORKSPACE', () => {
    const r = runAction({ command: 'lookup', state: path.join(root, example), address: 'output.image' }, { workspace: '/nonexistent' });
    assert.equal(r.code, 0, r.stdout);
  });
});

describe('sensitive values', () => {
  test('a sensitive output is masked before anything else and never printed', () => {
    const secret = 'correct-horse-battery-staple';
    const r = runAction({ command: 'lookup', state: example, address: 'output.db_password' }, { env: { RUNNER_DEBUG: '1' } });
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `::add-mask::${secret}`);
    assert.equal(lines.filter((l) => l.includes(secret)).length, 1, r.stdout);
    assert.ok(!r.summary.includes(secret));
    assert.match(r.summary, /\| Value \| <code>\(sensitive\)<\/code> \|/);
    assert.equal(r.outputs.value, secret, 'the step output still carries it');
  });

  test('values under sensitive_attributes paths are masked when their resource is answered', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'kubernetes_secret_v1.db' });
    assert.equal(r.code, 0);
    const masks = r.commands.filter((c) => c.command === 'add-mask').map((c) => c.message);
    assert.deepEqual(masks.sort(), ['correct-horse-battery-staple', 'shop']);
    assert.equal(r.stdout.split('\n').filter((l) => l.includes('correct-horse')).length, 1);
    assert.ok(!r.summary.includes('correct-horse'));
  });

  test('in a terminal a sensitive value prints as ***', () => {
    const r = runCli(['lookup', '--state', example, '--address', 'output.db_password']);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.includes('value=***\n'));
    assert.ok(!(r.stdout + r.stderr).includes('correct-horse'));
  });
});

describe('bad input fails with one clear error and writes nothing', () => {
  const cases = [
    ['no command', { state: example, address: 'output.image' }, 'invalid input', 'input `command`: is required; set it to one of: lookup, guard, promote, status, record, preflight, validate'],
    ['an unknown command', { command: 'lokup', state: example }, 'invalid input', 'input `command`: unknown command "lokup"; did you mean lookup? The commands are: lookup, guard, promote, status, record, preflight, validate'],
    ['an unknown command, nothing close', { command: 'deploy', state: example }, 'invalid input', 'input `command`: unknown command "deploy"; use one of: lookup, guard, promote, status, record, preflight, validate'],
    ['missing state and address', { command: 'lookup' }, 'invalid input',
      'input `state`: is required: the .tfstate file, or the Terraform working directory that holds it\ninput `address`: is required, e.g. kubernetes_deployment_v1.backend or output.image'],
    ['a malformed address', { command: 'lookup', state: example, address: 'module.app[x].y.z' }, 'invalid input',
      'input `address`: "module.app[x].y.z" is not a Terraform address: an index is a whole number like [0] or a quoted key like ["blue"] at column 11; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web["blue"] or kubernetes_deployment_v1.web.spec[0].replicas'],
    ['a workspace with a slash', { command: 'lookup', state: 'examples', address: 'output.image', workspace: 'a/b' }, 'invalid input',
      'input `workspace`: "a/b" is not a workspace name (it may not contain "/")'],
    ['a state that does not exist', { command: 'lookup', state: 'nope/terraform.tfstate', address: 'output.image' }, 'state not found',
      'state nope/terraform.tfstate does not exist; set input `state` to a .tfstate file or to the Terraform working directory that holds terraform.tfstate'],
    ['a workspace input with a state file', { command: 'lookup', state: example, address: 'output.image', workspace: 'qa' }, 'invalid input',
      'input `workspace`: applies only when `state` is a working directory, and examples/dev.tfstate is a file; remove `workspace`, or set `state` to the directory'],
    ['a directory without state', { command: 'lookup', state: 'examples', address: 'output.image' }, 'state not found',
      'workspace "default" (selected by default) has no state in examples; no workspace there has a state: run terraform apply first, or point `state` at another directory'],
    ['an address that is not there', { command: 'lookup', state: example, address: 'kubernetes_deployment_v1.backnd' }, 'address not found',
      'address kubernetes_deployment_v1.backnd not found in examples/dev.tfstate; did you mean kubernetes_deployment_v1.backend?'],
    ['several containers and none named', { command: 'lookup', state: example, address: 'kubernetes_deployment_v1.backend' }, 'container not found',
      'input `container`: kubernetes_deployment_v1.backend has 2 containers; set `container` to one of: backend, metrics'],
    ['a container that is not there', { command: 'lookup', state: example, address: 'kubernetes_deployment_v1.backend', container: 'api' }, 'container not found',
      'input `container`: kubernetes_deployment_v1.backend has no container "api"; its containers are: migrate (init), backend, metrics'],
  ];
  for (const [name, inputs, title, message] of cases) {
    test(name, () => {
      const e = assertFailed(runAction(inputs));
      assert.equal(e.props.title, title);
      assert.equal(e.message, message);
    });
  }

  const files = [
    ['an empty file', '', 'state s.tfstate is empty: a Terraform state is a JSON object; was it truncated, or is this the wrong file?'],
    ['text that is not JSON', 'invalid\n', 'state s.tfstate is not valid JSON: expected value at line 1, column 1'],
    ['nesting that would exhaust a recursive parser', '['.repeat(100000) + ']'.repeat(100000),
      'state s.tfstate nests JSON more than 128 levels deep (line 1, column 128): Terraform never writes that; this file is not a state'],
    ['format version 0', '{"version": 0}', 'state s.tfstate has format version 0; this action reads versions 1 to 4 (Terraform 0.x to 1.x)'],
    ['a format version above 4', '{"version": 5}', 'state s.tfstate has format version 5; this action reads versions 1 to 4 (Terraform 0.x to 1.x)'],
    ['OpenTofu-encrypted state', '{"serial":3,"lineage":"x","meta":{"key_provider.pbkdf2.k":"e30="},"encrypted_data":"QUJD","encryption_version":"v0"}',
      'state s.tfstate is encrypted by OpenTofu (it has `encrypted_data`); decrypt it first, e.g. with `tofu show -json`, or read an unencrypted state'],
    ['JSON that is not a state', '{"name": "package"}', 's.tfstate is not a Terraform state: it has no "version" field'],
  ];
  for (const [name, content, message] of files) {
    test(name, () => {
      const { dir } = writeTemp('s.tfstate', content);
      const e = assertFailed(runAction({ command: 'lookup', state: 's.tfstate', address: 'output.image' }, { workspace: dir }));
      assert.equal(e.props.title, 'unreadable state');
      assert.equal(e.message, message);
    });
  }

  test('the backend-settings file .terraform/terraform.tfstate', () => {
    const { dir } = writeTemp('infra/.terraform/terraform.tfstate', '{"version":3,"serial":0,"backend":{"type":"local","config":{}},"modules":[]}');
    const e = assertFailed(runAction({ command: 'lookup', state: 'infra/.terraform/terraform.tfstate', address: 'output.image' }, { workspace: dir }));
    assert.equal(e.message, "infra/.terraform/terraform.tfstate holds Terraform's backend settings, not a state; set input `state` to the working directory (the folder that holds .terraform) or to its terraform.tfstate");
  });

  test('a working directory whose state is in a remote backend', () => {
    const { dir } = writeTemp('infra/.terraform/terraform.tfstate', '{"version":3,"serial":1,"backend":{"type":"consul","config":{"path":"b"},"hash":1}}');
    const e = assertFailed(runAction({ command: 'lookup', state: 'infra', address: 'output.image' }, { workspace: dir }));
    assert.equal(e.message, 'infra keeps its state in Terraform\'s "consul" backend, not in the directory; this action reads local state files: add a step that runs `terraform -chdir=infra state pull > infra.tfstate` and set `state` to that file');
  });

  test('a value that contains the output delimiter is refused and nothing is written', () => {
    // The delimiter is random per run, so this can only be checked in the unit tests of
    // protocol::output_entry; here: a multi-line value still round-trips intact.
    const { dir } = writeTemp('s.tfstate', JSON.stringify({ version: 4, outputs: { note: { value: 'line one\nghadelimiter_x\nline three', type: 'string' } } }));
    const r = runAction({ command: 'lookup', state: 's.tfstate', address: 'output.note' }, { workspace: dir });
    assert.equal(r.code, 0);
    assert.equal(r.outputs.value, 'line one\nghadelimiter_x\nline three');
  });
});

// The checks below run on the committed sample of the corpus (tests/fixtures/tfstate) in every
// clone, and again on the full corpus when it is present; see tests/fixtures/README.md.
const corpora = [
  { name: 'committed fixtures', dir: fixtureCorpus, skip: false, ready: () => {} },
  { name: 'full corpus', dir: corpus, skip: corpusSkip, ready: requireCorpus },
];

for (const { name, dir, skip, ready } of corpora) {
  describe(`workspaces of a working directory (${name})`, () => {
    const fixture = path.join(dir, 'terraform/internal/command/testdata');
    test('.terraform/environment names a workspace that has no state: the error lists those that do', { skip }, () => {
      ready();
      const e = assertFailed(runAction({ command: 'lookup', state: 'init-backend-selected-workspace-doesnt-exist-multi', address: 'output.foo' }, { workspace: fixture }));
      assert.equal(e.message, 'workspace "bar" (selected by init-backend-selected-workspace-doesnt-exist-multi/.terraform/environment) has no state in init-backend-selected-workspace-doesnt-exist-multi; workspaces with a state: default, foo; set input `workspace` to one of them');
    });
    test('the workspace input, then TF_WORKSPACE, then .terraform/environment choose', { skip }, () => {
      ready();
      const ws = 'backend-change-multi-to-single';
      const byFile = runAction({ command: 'lookup', state: ws, address: 'output.foo' }, { workspace: fixture });
      const byEnv = runAction({ command: 'lookup', state: ws, address: 'output.foo' }, { workspace: fixture, env: { TF_WORKSPACE: 'env2' } });
      const byInput = runAction({ command: 'lookup', state: ws, address: 'output.foo', workspace: 'env1' }, { workspace: fixture, env: { TF_WORKSPACE: 'env2' } });
      assert.match(byFile.summary, /terraform\.tfstate\.d\/env1\/terraform\.tfstate/);
      assert.match(byEnv.summary, /terraform\.tfstate\.d\/env2\/terraform\.tfstate/);
      assert.match(byInput.summary, /terraform\.tfstate\.d\/env1\/terraform\.tfstate/);
      assert.notEqual(byEnv.outputs.lineage, byInput.outputs.lineage);
    });
  });

  describe(`the corpus, through the built action (${name})`, () => {
    test("tfstate-lookup's own test table", { skip }, () => {
      ready();
      const cases = JSON.parse(fs.readFileSync(path.join(dir, 'tfstate-lookup/expected.json'), 'utf8'));
      assert.equal(cases.length, 35);
      for (const { key, expected } of cases) {
        const r = runAction({ command: 'lookup', state: path.join(dir, 'tfstate-lookup/terraform.tfstate'), address: key });
        if (expected === null) {
          assertFailed(r);
        } else {
          assert.equal(r.code, 0, `${key}: ${r.stdout}`);
          const want = typeof expected === 'string' ? expected : JSON.stringify(expected);
          assert.equal(r.outputs.value, want, key);
        }
      }
    });
  });
}

// The real-world states may not be redistributed (tests/fixtures/README.md): only the full corpus has them.
describe('the real-world states, through the built action (full corpus)', () => {
  test('every expected image of every real state', { skip: corpusSkip }, () => {
    requireCorpus();
    const expected = JSON.parse(fs.readFileSync(path.join(corpus, 'real/expected_images.json'), 'utf8'));
    let n = 0;
    for (const [file, want] of Object.entries(expected.files)) {
      for (const c of want.containers) {
        const r = runAction({ command: 'lookup', state: path.join(corpus, 'real', file), address: c.address, container: c.container });
        assert.equal(r.code, 0, `${file} ${c.address}: ${r.stdout}`);
        assert.equal(r.outputs.image, c.image, `${file} ${c.address} ${c.container}`);
        assert.equal(r.outputs.serial, String(want.serial));
        assert.equal(r.outputs.lineage, want.lineage);
        assert.equal(r.outputs['terraform-version'], want.terraform_version);
        assert.equal(r.warnings.some((w) => w.props.title === 'tainted instance'), c.status === 'tainted', `${file} ${c.address}`);
        n++;
      }
      for (const o of want.image_outputs) {
        const r = runAction({ command: 'lookup', state: path.join(corpus, 'real', file), address: `output.${o.output}` });
        assert.equal(r.outputs.image, o.value);
      }
    }
    assert.equal(n, 42);
  });
});

describe('the terminal face', () => {
  test('prints name=value lines on stdout and the summary on stderr', () => {
    const r = runCli(['lookup', '--state', example, '--address=output.image']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      'value=ghcr.io/acme/backend:1.4.2', 'image=ghcr.io/acme/backend:1.4.2', 'image-repository=ghcr.io/acme/backend',
      'image-tag=1.4.2', 'image-digest=', 'container=', 'serial=42', 'lineage=8a1f0c7e-3b4d-4c2a-9e6f-0d1b2c3a4e5f', 'terraform-version=1.11.4', 'locked=false', '',
    ].join('\n'));
    assert.match(r.stderr, /stage-action lookup\n {2}State +examples\/dev\.tfstate\n/);
    assert.ok(!r.stdout.includes('::'), 'no workflow commands outside Actions');
  });

  test('errors go to stderr with exit 1', () => {
    const r = runCli(['lookup', '--state', example, '--address', 'output.imag']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'error: address output.imag not found in examples/dev.tfstate; did you mean output.image?\n');
  });

  test('unknown flags are refused with a suggestion, or the list of inputs', () => {
    let r = runCli(['lookup', '--stat', example]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: input `stat`: unknown input; did you mean --state?\n');
    r = runCli(['lookup', '--colour', 'red']);
    assert.equal(r.stderr, 'error: input `colour`: unknown input; the inputs are: --state, --workspace, --backend, --backend-config, --address, --container, --stage, --stages-file\n');
  });

  test('--version prints the version; --json prints the outputs as one object, sensitive ones hidden', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.equal(runCli(['--version']).stdout, `stage-action ${pkg.version}\n`);
    const r = runCli(['lookup', '--state', example, '--address', 'kubernetes_deployment_v1.backend', '--container', 'backend', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['value', 'image', 'image-repository', 'image-tag', 'image-digest', 'container', 'serial', 'lineage', 'terraform-version', 'locked']);
    assert.equal(out.image, 'ghcr.io/acme/backend:1.4.2');
    const secret = runCli(['lookup', '--state', example, '--address', 'output.db_password', '--json']);
    assert.equal(JSON.parse(secret.stdout).value, '***');
  });

  test('COMMAND --help describes that command: its inputs, their defaults, its outputs', () => {
    const r = runCli(['promote', '--help']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, [
      'stage-action promote: pick the image a stage should run from its source stage, refusing unsafe promotions',
      '',
      'Usage: node dist/index.js promote --input value ...',
      '',
      'Inputs:',
      '  --to',
      '      promote, record, preflight: the stage to promote into, that was just deployed, or (preflight) about to be deployed.',
      '  --image-tag',
      '      promote: refuse unless the source stage runs exactly this tag.',
      '  --commit',
      "      promote: the release's commit: refuse unless the source stage's image was built from it (its tag is the commit's SHA, in full or a prefix of 7 or more digits, either way; the check needs SHA-tagged images). In a tag-push workflow pass the pushed commit, `github.sha`. Empty: no check.",
      '  --stages-file',
      '      lookup, promote, status, record, guard, preflight, validate: the stages file. Relative to `GITHUB_WORKSPACE`.',
      '      default: .github/stages.yml',
      '  --allow-locked',
      "      promote: `true` to promote even while Terraform holds a lock on the source's or the target's state (an apply in progress); by default that is refused.",
      '      default: false',
      '  --allow-rollback',
      '      promote: `true` to promote even when it takes the target back to an image it ran before and left, or to a lower SemVer version; by default that is refused. The summary warns.',
      '      default: false',
      '  --token',
      '      guard, promote, status, record: the token for the GitHub API; never printed. `record` needs `deployments: write`; `promote` and `status` read the deployments `record` wrote (`deployments: read`): since when a stage runs its image (`min-soak` needs it) and what it ran before.',
      '  --timeout',
      '      guard, promote, status, record: how long each request to the GitHub API and each git command may take before the step fails (`30s`, `2m`, at most `1h`).',
      '      default: 60s',
      '',
      'Outputs:',
      '  image', '  image-tag', '  image-digest', '  previous-image', '  previous-image-tag', '  changed', '  from', '  to',
      '',
    ].join('\n'));
  });

  test('an input the command does not read is a warning, unless it is the default', () => {
    const r = runAction({ command: 'lookup', state: example, address: 'output.image', to: 'qa', 'tag-prefix': 'v', timeout: '60s', token: 'ghs_x' });
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(r.warnings.map((w) => [w.props.title, w.message]), [
      ['input not used', 'input `to` is set, but `lookup` does not read it; remove it from the step\'s `with:`'],
    ]);
  });

  test('--help and no arguments print usage', () => {
    for (const args of [['--help'], []]) {
      const r = runCli(args);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^stage-action: /);
      assert.match(r.stdout, /lookup +read a value/);
      assert.match(r.stdout, /validate +check the stages file without reading any state \(for a pull request\)\n +inputs: --stages-file\n/);
    }
  });
});

describe('failures outside the Rust code', () => {
  test('a module that cannot load is one ::error and exit 1, not a stack trace', () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(root, 'dist/index.js'), path.join(dir, 'index.js'));
    fs.writeFileSync(path.join(dir, 'stage_action_bg.wasm'), Buffer.from('not wasm'));
    const r = spawnNode(path.join(dir, 'index.js'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^::error title=internal error::cannot load the WebAssembly module: /);
    assert.equal(r.stdout.trim().split('\n').length, 1);
  });
});

function spawnNode(script) {
  return spawnSync(process.execPath, [script], { env: { PATH: process.env.PATH, GITHUB_ACTIONS: 'true', INPUT_COMMAND: 'lookup' }, encoding: 'utf8' });
}
