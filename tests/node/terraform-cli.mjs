// The real terraform binary, for tests that build states with it: found on PATH (or not), run
// with an environment that cannot prompt, phone home or read the user's own configuration.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The executable `name` on PATH, or null. */
function which(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The terraform executable, or null when it is not installed. */
export const terraform = which('terraform');

// On a developer's machine without terraform the tests that need it say they skipped; under
// CI=true a missing terraform fails the run instead, so that CI never passes by skipping them.
if (!terraform && process.env.CI === 'true') {
  throw new Error('terraform is not on PATH, and CI=true: the tests that build states with the real terraform cannot run; install terraform 1.11');
}

/** The `{ skip }` of a test that needs terraform: a reason on a developer's machine without it,
 * never under CI=true (the import above has failed the run by then). */
export const terraformSkip = terraform ? false : 'skipped: terraform is not on PATH (under CI=true this fails)';

/** `terraform init` and `terraform apply` as the fixtures run them. */
export const INIT = ['init', '-input=false', '-no-color'];
export const APPLY = ['apply', '-auto-approve', '-input=false', '-no-color'];

/**
 * `terraformIn(scratchDir())`, made on first use: for a test file whose scratch directory is
 * only known once its `before` has run.
 */
export function terraformLater(scratchDir) {
  let runner;
  return (dir, ...args) => {
    runner ??= terraformIn(scratchDir());
    return runner(dir, ...args);
  };
}

/**
 * A runner of terraform whose scratch files (an empty CLI config, which silences the warning
 * about a missing ~/.terraformrc) live in `scratchDir`. No TF_* variable of the calling
 * environment leaks in.
 */
export function terraformIn(scratchDir) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TF_')) env[k] = v;
  const rc = path.join(scratchDir, 'terraformrc');
  if (!fs.existsSync(rc)) fs.writeFileSync(rc, '');
  Object.assign(env, { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: rc });
  /** Runs terraform in `dir`; returns stdout, throws with stderr on failure. */
  return (dir, ...args) => {
    const r = spawnSync(terraform, args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      throw new Error(`terraform ${args.join(' ')} in ${dir} failed (${r.status ?? r.signal}):\n${r.stderr}\n${r.stdout}`);
    }
    return r.stdout;
  };
}
