// `command: validate` through dist/index.js, run as the GitHub runner runs it: the stages file
// checked without reading any state or calling any API (for a pull request). Each case writes
// its stages file into one scratch workspace; no terraform is needed, and the states the files
// name are deliberately not valid states: validate must not read them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { assertClean, assertFailureSummary, detail, runAction, runCli, tempDir, writeFile } from './harness.mjs';

let ws;

before(() => {
  ws = tempDir('stage-action-validate-');
  writeFile(path.join(ws, 'infra/stages/dev/main.tf'), '# the dev root\n');
  // Not a state: reading it would fail the run.
  writeFile(path.join(ws, 'infra/stages/dev/terraform.tfstate'), 'not a state\n');
  writeFile(path.join(ws, 'infra/stages/qa/main.tf'), '# the qa root\n');
  writeFile(path.join(ws, 'states/prod.tfstate'), '{"version": 4, "serial": \n');
});

after(() => {
  if (ws) fs.rmSync(ws, { recursive: true, force: true });
});

/** Writes `text` as `name` in the workspace and validates it. */
function validate(name, text, env = {}) {
  writeFile(path.join(ws, name), text);
  return runAction({ command: 'validate', 'stages-file': name }, { workspace: ws, env });
}

const GOOD = [
  'stages:', //                                        1
  '  prod:', //                                        2
  '    from: qa', //                                   3
  '    state: states/prod.tfstate', //                 4
  '    address: output.image', //                      5
  '    min-soak: 1h30m', //                            6
  '    hold: true', //                                 7
  '  dev:', //                                         8
  '    state: infra/stages/dev', //                    9
  '    address: kubernetes_deployment_v1.backend', // 10
  '    container: backend', //                        11
  '  qa:', //                                         12
  '    from: dev', //                                 13
  '    state: infra/stages/qa', //                    14
  '    backend: kubernetes', //                       15
  '    backend-config:', //                           16
  '      secret_suffix: app', //                      17
  '    workspace: blue', //                           18
  '    address: kubernetes_deployment_v1.backend', // 19
  '',
].join('\n');

describe('validate', () => {
  test('a valid file: no state read, no API called, the stages in promotion order', () => {
    // A backend's variables pointing nowhere: nothing may try them.
    const r = validate('good.yml', GOOD, { KUBE_HOST: 'https://127.0.0.1:1', GITHUB_API_URL: 'http://127.0.0.1:1' });
    assertClean(r);
    const stages = JSON.parse(r.outputs.stages);
    assert.deepEqual(stages.map((s) => s.name), ['dev', 'qa', 'prod']);
    assert.deepEqual(stages[1], {
      name: 'qa', from: 'dev', state: 'infra/stages/qa', backend: 'kubernetes', workspace: 'blue',
      address: 'kubernetes_deployment_v1.backend', container: null, 'min-soak': null, hold: false,
    });
    assert.deepEqual(stages[2], {
      name: 'prod', from: 'qa', state: 'states/prod.tfstate', backend: null, workspace: null,
      address: 'output.image', container: null, 'min-soak': 5400, hold: true,
    });
    assert.match(r.summary, /^### stage-action validate\n/);
    assert.ok(r.summary.includes('good.yml is valid: 3 stages, in promotion order. No state was read.'), r.summary);
    assert.match(r.stdout, /^stage +from +state +backend +workspace +address +container +min-soak +hold$/m, detail(r));
    assert.match(r.stdout, /^prod +qa +states\/prod\.tfstate +— +— +output\.image +— +1h 30m +yes$/m, detail(r));
  });

  test('a broken file: every problem at its line, with did you mean, and no outputs', () => {
    const text = 'stages:\n  dev:\n    state: infra/stages/dev\n    adress: output.image\n  qa:\n    from: deb\n    state: infra/stages/qa\n    address: output.image\n    hold: yes\n';
    const r = validate('broken.yml', text);
    assert.equal(r.code, 1, detail(r));
    assert.deepEqual(r.errors.map((e) => [e.props.title, e.props.file, e.props.line]), [
      ['invalid stages file', 'broken.yml', '2'],
      ['invalid stages file', 'broken.yml', '4'],
      ['invalid stages file', 'broken.yml', '6'],
      ['invalid stages file', 'broken.yml', '9'],
    ], detail(r));
    assert.equal(r.errors[1].message, 'broken.yml: line 4, column 5: stage "dev": unknown setting "adress"; did you mean "address"?');
    assert.equal(r.errors[2].message, 'broken.yml: line 6, column 11: stage "qa": "from" names "deb", which is not a stage; did you mean "dev"?');
    assert.deepEqual(r.outputs, {});
    assertFailureSummary(r, 'validate', 'invalid stages file');
  });

  test('a state directory missing from the checkout is an error at its line; a backend misspelt too', () => {
    const text = GOOD.replace('state: infra/stages/qa', 'state: infra/stages/qaa').replace('    from: qa\n    state: states/prod.tfstate', '    from: qa\n    backend: kuberentes\n    state: states/prod.tfstate');
    const r = validate('missing.yml', text);
    assert.equal(r.code, 1, detail(r));
    assert.deepEqual(r.errors.map((e) => [e.props.file, e.props.line, e.message]), [
      ['missing.yml', '4', 'missing.yml: line 4: stage prod: "kuberentes" is not a Terraform backend; did you mean "kubernetes"?'],
      ['missing.yml', '15', 'missing.yml: line 15: stage "qa": "state" names the directory "infra/stages/qaa", which does not exist in the checkout; did you mean "infra/stages/qa"?'],
    ], detail(r));
    assert.deepEqual(r.outputs, {});
  });

  test('a stage nothing reaches and a state file not yet written are warnings, on their lines', () => {
    const text = `${GOOD}  tools:\n    state: states/tools.tfstate\n    address: output.image\n`;
    const r = validate('warned.yml', text);
    assert.equal(r.code, 0, detail(r));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings.map((w) => [w.props.title, w.props.file, w.props.line]), [
      ['stages file', 'warned.yml', '20'],
      ['stages file', 'warned.yml', '21'],
    ], detail(r));
    assert.match(r.warnings[0].message, /^stage "tools" has no "from" and no stage is promoted from it/);
    assert.match(r.warnings[1].message, /^stage "tools": "state" names the file "states\/tools\.tfstate", which is not in the checkout/);
    assert.deepEqual(JSON.parse(r.outputs.stages).map((s) => s.name), ['dev', 'qa', 'prod', 'tools']);
  });

  test('no stages file: the error says how to make one', () => {
    const r = runAction({ command: 'validate' }, { workspace: ws });
    assert.equal(r.code, 1, detail(r));
    assert.equal(r.errors[0].props.title, 'invalid stages file');
    assert.match(r.errors[0].message, /the stages file \.github\/stages\.yml does not exist/);
  });

  test('from a terminal: the same check, its table on standard error', () => {
    writeFile(path.join(ws, 'good.yml'), GOOD);
    const r = runCli(['validate', '--stages-file', 'good.yml'], { cwd: ws });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^stages=\[\{"name":"dev"/m);
    // Standard output holds the outputs alone; the table is on standard error, whole.
    assert.deepEqual(r.stdout.split('\n').filter(Boolean).map((l) => l.split('=')[0]), ['stages']);
    assert.equal(r.stderr, [
      '',
      'stage-action validate',
      '  Stages file  good.yml',
      '  stage  from  state                backend     workspace  address                           container  min-soak  hold',
      '  dev    —     infra/stages/dev     —           —          kubernetes_deployment_v1.backend  backend    —         —',
      '  qa     dev   infra/stages/qa      kubernetes  blue       kubernetes_deployment_v1.backend  —          —         —',
      '  prod   qa    states/prod.tfstate  —           —          output.image                      —          1h 30m    yes',
      'good.yml is valid: 3 stages, in promotion order. No state was read.',
      '',
    ].join('\n'));
  });
});
