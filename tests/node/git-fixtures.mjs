// Real git repositories for tests, built with the `git` binary and never the network.
//
// Commits and branches come from one `git fast-import` stream; annotated tag objects from one pack
// written here and indexed by one `git index-pack`; every tag ref goes straight into `packed-refs`.
// No file and no process per tag, so 10,000 tags cost about what 10 do. Every git command here runs with
// GIT_CONFIG_NOSYSTEM=1 and a temporary HOME whose .gitconfig sets user.name/email,
// init.defaultBranch=main and protocol.file.allow=always; commit and tag dates are fixed, so the
// same options give the same SHAs on every machine.
//
//   import { makeFixture, makeRepo, versionTags, listTags, repoState } from './git-fixtures.mjs';
//   const fx = makeFixture({ tags: versionTags(10000), annotated: ['v0.0.1'], remote: 'shallow' });
//   fx.path      // the working clone: pass as runAction(..., { workspace: fx.path })
//   fx.origin    // the bare "origin" repository (null when remote: 'none')
//   fx.git('ls-remote', '--tags', '--refs', 'origin')   // stdout, in fx.path, isolated env
//   fx.cleanup()
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A fixed, valid date for commit N (one minute apart) so SHAs are reproducible. */
const EPOCH = 1_700_000_000;
const AUTHOR = 'Fixture Author <author@example.com>';
const TAGGER = 'Fixture Tagger <tagger@example.com>';

/**
 * `count` distinct version names, ascending: v0.0.0, v0.0.1, ... v0.0.99, v0.1.0, ...
 * @param {number} count
 * @param {{prefix?: string}} [opts] prefix, default 'v' (use 'app/v' for a monorepo layout)
 */
export function versionTags(count, { prefix = 'v' } = {}) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = `${prefix}${Math.floor(i / 10000)}.${Math.floor(i / 100) % 100}.${i % 100}`;
  return out;
}

/**
 * The environment every fixture git command runs with: no system config, a private HOME and
 * global config, no prompts, no pager. Pass it (merged) to runAction's env to isolate the
 * action's own git calls too.
 */
export function gitEnv(home) {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'),
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    LC_ALL: 'C',
  };
}

function writeHome(home) {
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(path.join(home, '.gitconfig'), [
    '[user]', '\tname = Fixture Author', '\temail = author@example.com',
    '[init]', '\tdefaultBranch = main',
    '[protocol "file"]', '\tallow = always',
    '[commit]', '\tgpgSign = false',
    '[tag]', '\tgpgSign = false',
    '[advice]', '\tdetachedHead = false',
    '[core]', '\tfsync = none',
    '[gc]', '\tauto = 0',
    '[maintenance]', '\tauto = false',
    '',
  ].join('\n'));
}

/** Runs git; returns stdout; throws with stderr on a non-zero exit. */
export function runGit(args, { cwd, env, input, allowFail = false } = {}) {
  const r = spawnSync('git', args, { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) {
    throw new Error(`git ${args.join(' ')} (in ${cwd}) exited ${r.status}: ${r.stderr}`);
  }
  return allowFail ? { code: r.status, stdout: r.stdout, stderr: r.stderr } : r.stdout;
}

function data(text) {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

/** Normalizes the `tags` option to [{name, annotated, at, message}]. */
function normalizeTags(opts) {
  const prefix = opts.prefix ?? '';
  const annotatedAll = opts.annotated === true;
  const annotatedSet = new Set(Array.isArray(opts.annotated) ? opts.annotated.map((n) => (n.startsWith(prefix) ? n : prefix + n)) : []);
  const out = [];
  for (const t of opts.tags ?? []) {
    const o = typeof t === 'string' ? { name: t } : { ...t };
    o.name = prefix + o.name;
    o.annotated = o.annotated ?? (annotatedAll || annotatedSet.has(o.name));
    out.push(o);
  }
  return out;
}

/**
 * Builds the fast-import stream: `commits` commits on main, then each branch of `branches`.
 * Returns the stream, each branch's commit marks, and markOf(at) for a tag's target.
 */
function buildStream(opts, tags) {
  const commits = opts.commits ?? 1;
  const branches = opts.branches ?? {};
  const parts = [];
  let mark = 0;
  let clock = EPOCH;
  const marks = { main: [] };
  const commit = (ref, from, msg, file) => {
    mark += 1;
    clock += 60;
    parts.push(
      `commit ${ref}\nmark :${mark}\n`,
      `author ${AUTHOR} ${clock} +0000\ncommitter ${AUTHOR} ${clock} +0000\n`,
      data(msg),
      from ? `from :${from}\n` : '',
      `M 644 inline ${file}\n`, data(`${msg}\n`),
      '\n',
    );
    return mark;
  };
  for (let i = 1; i <= commits; i++) marks.main.push(commit('refs/heads/main', i === 1 ? null : marks.main[i - 2], `main commit ${i}`, 'main.txt'));
  for (const [name, b] of Object.entries(branches)) {
    const from = b.from ?? 1;
    if (from < 1 || from > commits) throw new Error(`branch ${name}: from ${from} is not a main commit (1..${commits})`);
    marks[name] = [];
    let parent = marks.main[from - 1];
    for (let i = 1; i <= (b.commits ?? 1); i++) {
      parent = commit(`refs/heads/${name}`, parent, `${name} commit ${i}`, `${name.replace(/\//g, '_')}.txt`);
      marks[name].push(parent);
    }
  }
  const markOf = (at) => {
    if (at === undefined || at === null) at = 'main';
    if (typeof at === 'number') {
      const list = marks.main;
      const m = at < 0 ? list[list.length + at] : list[at - 1];
      if (!m) throw new Error(`tag target ${at}: no such main commit (1..${list.length})`);
      return m;
    }
    const list = marks[at];
    if (!list || list.length === 0) throw new Error(`tag target ${JSON.stringify(at)}: no such branch`);
    return list[list.length - 1];
  };
  parts.push('done\n');
  return { stream: parts.join(''), marks, markOf, clock };
}

/** The main rules of git-check-ref-format(1), for a name under refs/tags/. */
export function isValidTagName(name) {
  if (!name || name.startsWith('-') || name.endsWith('/') || name.endsWith('.') || name === '@') return false;
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(name)) return false;
  return name.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'));
}

/** A git object's id (SHA-1, the default object format). */
function objectId(type, body) {
  return crypto.createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/** A version 2 packfile of whole (undeltified) objects: [{type: 1..4, body: Buffer}]. */
function packfile(objects) {
  const chunks = [];
  const head = Buffer.alloc(12);
  head.write('PACK', 0, 'latin1');
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(objects.length, 8);
  chunks.push(head);
  for (const { type, body } of objects) {
    let size = body.length;
    const h = [(type << 4) | (size & 0x0f)];
    size >>>= 4;
    while (size > 0) {
      h[h.length - 1] |= 0x80;
      h.push(size & 0x7f);
      size >>>= 7;
    }
    chunks.push(Buffer.from(h), zlib.deflateSync(body, { level: 1 }));
  }
  const data = Buffer.concat(chunks);
  return Buffer.concat([data, crypto.createHash('sha1').update(data).digest()]);
}

/**
 * Writes the tags without one file or one process per tag: annotated tag objects go into one
 * pack (`git index-pack --stdin`), and every refs/tags/* ref into `packed-refs`, peeled.
 */
function writeTags(gitDir, tags, commitOf, clock, git) {
  const refs = [];
  const objects = [];
  for (const t of tags) {
    const commit = commitOf(t.at);
    if (t.annotated) {
      clock += 1;
      const body = Buffer.from(`object ${commit}\ntype commit\ntag ${t.name}\ntagger ${TAGGER} ${clock} +0000\n\n${t.message ?? `Release ${t.name}`}\n`);
      const sha = objectId('tag', body);
      objects.push({ type: 4, body });
      refs.push({ ref: `refs/tags/${t.name}`, sha, peeled: commit });
    } else {
      refs.push({ ref: `refs/tags/${t.name}`, sha: commit });
    }
  }
  if (objects.length) git(['index-pack', '--stdin'], { input: packfile(objects) });
  const packed = path.join(gitDir, 'packed-refs');
  // Branches fast-import wrote, already packed or loose, stay as they are; only tags go here.
  const kept = fs.existsSync(packed)
    ? fs.readFileSync(packed, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
    : [];
  const lines = [];
  for (let i = 0; i < kept.length; i++) {
    const [sha, ref] = kept[i].split(' ');
    const peeled = kept[i + 1]?.startsWith('^') ? kept[++i].slice(1) : null;
    if (!ref.startsWith('refs/tags/')) lines.push({ ref, sha, peeled });
  }
  const all = lines.concat(refs).sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  for (let i = 1; i < all.length; i++) if (all[i].ref === all[i - 1].ref) throw new Error(`duplicate tag ${all[i].ref}`);
  let text = '# pack-refs with: peeled fully-peeled sorted \n';
  for (const r of all) text += `${r.sha} ${r.ref}\n${r.peeled ? `^${r.peeled}\n` : ''}`;
  fs.writeFileSync(packed, text);
}

function readMarks(file) {
  const bySha = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^:(\d+) ([0-9a-f]{40,64})$/.exec(line);
    if (m) bySha.set(Number(m[1]), m[2]);
  }
  return bySha;
}

/**
 * Builds a fixture and returns everything about it.
 *
 * @param {object}   [opts]
 * @param {Array<string|{name: string, annotated?: boolean, at?: 'main'|string|number, message?: string}>} [opts.tags]
 *        tag names (or objects). `at`: a branch name (its tip), or a 1-based main commit number
 *        (negative counts from the tip). Default: the tip of main.
 * @param {string[]|true} [opts.annotated]  names (with or without `prefix`) to make annotated; true: all
 * @param {string}   [opts.prefix]   prepended to every tag name ('app/' gives app/v1.2.3)
 * @param {number}   [opts.commits]  commits on main (default 1; 0 gives an empty repository)
 * @param {Object<string, {from?: number, commits?: number}>} [opts.branches]
 *        extra branches forked from main commit `from` (default 1) with `commits` own commits
 *        (default 1), never merged: { feature: { from: 1, commits: 1 } }
 * @param {'none'|'origin'|'shallow'|'unreachable'} [opts.remote]
 *        'none' (default): one repository with a work tree and no remote (`git tag` lists the tags).
 *        'origin': a bare origin plus a full `git clone` of it (tags fetched locally too).
 *        'shallow': a bare origin plus `git clone --depth 1 --no-tags file://...`: no local tags,
 *                   but `git ls-remote --tags --refs origin` lists them all.
 *        'unreachable': like 'origin', then the origin directory is deleted.
 * @param {boolean}  [opts.cloneTags] with remote 'origin': false clones with --no-tags
 * @param {string}   [opts.checkout] branch to check out in the work tree (default main)
 * @returns {{root: string, path: string, origin: string|null, originUrl: string|null, home: string,
 *           env: object, git: (...args: string[]) => string, gitResult: (...args: string[]) => {code, stdout, stderr},
 *           shas: {main: string[], [branch: string]: string[]}, tip: (branch?: string) => string,
 *           tags: () => Array, state: () => object, cleanup: () => void, ms: number}}
 */
export function makeFixture(opts = {}) {
  const started = process.hrtime.bigint();
  const remote = opts.remote ?? 'none';
  if (!['none', 'origin', 'shallow', 'unreachable'].includes(remote)) throw new Error(`remote: ${remote}?`);
  const tags = normalizeTags(opts);
  const commits = opts.commits ?? 1;
  if (tags.length && commits < 1) throw new Error('tags need at least one commit');
  for (const t of tags) if (!isValidTagName(t.name)) throw new Error(`not a valid tag name: ${JSON.stringify(t.name)}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-git-'));
  try {
    return build(opts, { remote, tags, commits, root, started });
  } catch (e) {
    fs.rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

function build(opts, { remote, tags, commits, root, started }) {
  const home = path.join(root, 'home');
  writeHome(home);
  const env = gitEnv(home);
  const git = (cwd, args, extra = {}) => runGit(args, { cwd, env, ...extra });

  const work = path.join(root, 'work');
  const origin = remote === 'none' ? null : path.join(root, 'origin.git');
  const target = origin ?? work;
  if (origin) git(root, ['init', '-q', '--bare', origin]);
  else git(root, ['init', '-q', work]);

  let shas = { main: [] };
  if (commits > 0) {
    const { stream, marks, markOf, clock } = buildStream(opts, tags);
    const marksFile = path.join(root, 'marks');
    git(target, ['fast-import', '--quiet', '--done', `--export-marks=${marksFile}`], { input: stream });
    const bySha = readMarks(marksFile);
    shas = Object.fromEntries(Object.entries(marks).map(([b, list]) => [b, list.map((m) => bySha.get(m))]));
    const gitDir = origin ?? path.join(work, '.git');
    writeTags(gitDir, tags, (at) => bySha.get(markOf(at)), clock, (args, extra) => git(target, args, extra));
  }

  const originUrl = origin ? pathToFileURL(origin).href : null;
  if (origin) {
    const args = ['clone', '-q'];
    if (remote === 'shallow') args.push('--depth', '1', '--no-tags');
    else if (opts.cloneTags === false) args.push('--no-tags');
    args.push(originUrl, work);
    const r = runGit(args, { cwd: root, env, allowFail: true });
    // An empty origin clones with a warning and exit 0; anything else must succeed.
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  } else if (commits > 0) {
    git(work, ['reset', '-q', '--hard', 'main']);
  }
  // The action runs git with the runner's HOME, not ours: keep what it needs in the repo itself.
  git(work, ['config', 'protocol.file.allow', 'always']);
  if (opts.checkout && opts.checkout !== 'main') {
    const hasLocal = runGit(['rev-parse', '--verify', '-q', `refs/heads/${opts.checkout}`], { cwd: work, env, allowFail: true }).code === 0;
    git(work, hasLocal ? ['checkout', '-q', opts.checkout] : ['checkout', '-q', '-b', opts.checkout, '--track', `origin/${opts.checkout}`]);
  }
  if (remote === 'unreachable') fs.rmSync(origin, { recursive: true, force: true });

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const fx = {
    root,
    path: work,
    origin: remote === 'unreachable' ? null : origin,
    originUrl,
    home,
    env,
    shas,
    ms,
    /** git in the work tree; returns stdout. */
    git: (...args) => git(work, args),
    /** git in the work tree; returns {code, stdout, stderr} and never throws on exit status. */
    gitResult: (...args) => runGit(args, { cwd: work, env, allowFail: true }),
    /** The SHA of a branch tip as built (main by default). */
    tip: (branch = 'main') => shas[branch]?.at(-1),
    /** Every tag of the source of truth (origin, or the repository itself): see listTags. */
    tags: () => listTags(fx.origin ?? work, { env }),
    /** Tags, branches and the commit graph, the shape github-server's setState takes. */
    state: () => repoState(fx.origin ?? work, { env }),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
  return fx;
}

/**
 * makeFixture(opts).path: a repository path to use as GITHUB_WORKSPACE. Everything lives under
 * path.dirname(result); remove that directory when done.
 */
export function makeRepo(opts = {}) {
  return makeFixture(opts).path;
}

/**
 * Every tag of a repository: [{name, sha, type, commit}] sorted by refname. `sha` and `type` are
 * what the ref points at ('commit' for lightweight, 'tag' for an annotated tag object); `commit`
 * is the peeled commit.
 */
export function listTags(repo, { env } = {}) {
  const out = runGit(['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)', 'refs/tags'], { cwd: repo, env: env ?? isolatedEnv() });
  const tags = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [ref, type, sha, peeled] = line.split('\0');
    tags.push({ name: ref.slice('refs/tags/'.length), type, sha, commit: peeled || sha });
  }
  return tags;
}

/**
 * What a GitHub repository holding this git repository would know:
 * { tags: listTags(repo), branches: {name: sha}, commits: {sha: [parent shas]} }.
 */
export function repoState(repo, { env } = {}) {
  env = env ?? isolatedEnv();
  const branches = {};
  for (const line of runGit(['for-each-ref', '--format=%(refname:lstrip=2) %(objectname)', 'refs/heads'], { cwd: repo, env }).split('\n')) {
    if (!line) continue;
    const i = line.lastIndexOf(' ');
    branches[line.slice(0, i)] = line.slice(i + 1);
  }
  const commits = {};
  const revs = runGit(['rev-list', '--all', '--parents'], { cwd: repo, env, allowFail: true });
  for (const line of revs.stdout.split('\n')) {
    if (!line) continue;
    const [sha, ...parents] = line.split(' ');
    commits[sha] = parents;
  }
  return { tags: listTags(repo, { env }), branches, commits };
}

let sharedHome = null;
function isolatedEnv() {
  if (!sharedHome) {
    sharedHome = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-git-home-'));
    writeHome(sharedHome);
    process.once('exit', () => fs.rmSync(sharedHome, { recursive: true, force: true }));
  }
  return gitEnv(sharedHome);
}
