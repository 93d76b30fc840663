// A loopback stand-in for the GitHub REST API (v3), for tests of the built action.
//
// The server runs in a worker thread: harness.mjs's runAction blocks the test's own event loop
// with spawnSync, so a server on that loop could never answer the action. Everything below is
// synchronous from the test's side (setters wait for the worker's acknowledgement), and each
// request is recorded *before* its response is written, so `gh.requests` is complete the moment
// runAction returns.
//
//   import { startGitHub } from './github-server.mjs';
//   const gh = await startGitHub({ repository: 'acme/app', token: 'ghs_test', tags: ['v1.0.0'] });
//   const r = runAction({ command: 'guard', ... }, { env: { ...gh.env, INPUT_TOKEN: gh.token } });
//   gh.requests.at(-1).headers.authorization   // 'Bearer ghs_test'
//   gh.setError('matching-refs', 'server-error'); // /tags still answers: the fallback path
//   await gh.close();
//
// Routes (each also under /repositories/{id}/..., which is what GitHub's Link headers use):
//   GET  /repos/{o}/{r}/git/matching-refs/{ref}        route 'matching-refs'
//   GET  /repos/{o}/{r}/git/ref/{ref}                  route 'git-ref'
//   GET  /repos/{o}/{r}/git/tags/{tag_sha}             route 'git-tag'
//   GET  /repos/{o}/{r}/tags                           route 'tags' (paginated, Link header)
//   GET  /repos/{o}/{r}/compare/{base}...{head}        route 'compare'
//   GET  /repos/{o}/{r}/deployments                    route 'list-deployments' (newest first;
//                                                      sha, ref, task, environment filters; paginated)
//   POST /repos/{o}/{r}/deployments                    route 'create-deployment'
//   GET  /repos/{o}/{r}/deployments/{id}               route 'get-deployment'
//   POST /repos/{o}/{r}/deployments/{id}/statuses      route 'create-deployment-status'
//   GET  /repos/{o}/{r}/deployments/{id}/statuses      route 'list-deployment-statuses'
//   anything else: 404 Not Found, route 'unknown'
import crypto from 'node:crypto';
import http from 'node:http';
import {
  Worker, isMainThread, parentPort, workerData, MessageChannel, receiveMessageOnPort,
} from 'node:worker_threads';

const WORKER_FLAG = '__stageActionGitHubServer';

/** A deterministic 40-hex "SHA" for anything that needs one and has none. */
export function fakeSha(seed) {
  return crypto.createHash('sha1').update(String(seed)).digest('hex');
}

/** Route names, for setError and count. */
export const ROUTES = [
  'matching-refs', 'git-ref', 'git-tag', 'tags', 'compare',
  'list-deployments', 'create-deployment', 'get-deployment', 'create-deployment-status', 'list-deployment-statuses', 'unknown',
];

/** Named error modes for setError / options.errors. */
export const ERROR_MODES = [
  'bad-credentials', 'rate-limit', 'secondary-rate-limit', 'forbidden', 'not-found',
  'server-error', 'bad-gateway', 'unavailable', 'empty-repository', 'hang', 'reset',
];

// ---------------------------------------------------------------------------------------------
// The test's side.

/**
 * Starts the server and resolves to its handle.
 *
 * @param {object}  [options]
 * @param {string}  [options.repository='acme/app']  owner/name it serves (others: 404)
 * @param {number}  [options.repositoryId=1296269]   used in /repositories/{id} Link URLs
 * @param {string|null} [options.token='ghs_fixture_token']  the one accepted token: a wrong one
 *        gets 401 Bad credentials, none gets 404 (a private repository); null accepts anything
 * @param {'installation'|'user'} [options.tokenKind='installation']  words the rate-limit message
 * @param {boolean} [options.publicRepo=false]  true: anonymous requests are served (limit 60)
 * @param {Array<string|{name, sha?, type?, commit?, annotated?, message?}>} [options.tags]
 *        strings become lightweight tags on fake commits; git-fixtures' listTags() output fits
 * @param {Object<string,string>} [options.branches]  name -> commit sha
 * @param {Object<string,string[]>} [options.commits]  commit graph sha -> parent shas (compare
 *        computes ahead/behind/merge base from it; git-fixtures' repoState() gives all three)
 * @param {Function|Object} [options.compare]  (base, head) => 'ahead'|'behind'|'identical'|
 *        'diverged'|{status, ahead_by, behind_by}|null (404), used when there is no graph; or a
 *        map {'base...head': same}. Functions are sent to the worker as source text: they must
 *        not use variables from around them.
 * @param {Object<string, string|object|Function>} [options.errors]  route (or '*') -> error spec:
 *        see setError
 * @param {{limit?, remaining?, reset?, resource?}} [options.rateLimit]  core limit (5000 default);
 *        remaining counts down per request and at 0 every request gets the primary 403
 * @param {string}  [options.pathPrefix='']  e.g. '/api/v3' as GitHub Enterprise Server serves it
 * @param {'desc'|'asc'|'given'} [options.tagsOrder='desc']  order of GET /tags
 * @param {'repositories'|'repos'} [options.linkStyle='repositories']  Link URL form
 * @param {string[]} [options.apiVersions]  accepted X-GitHub-Api-Version values (others: 400)
 * @param {number}  [options.delayMs=0]  wait before every response
 * @param {boolean} [options.emptyRepository=false]  matching-refs answers 409 Git Repository is empty
 * @param {string}  [options.serverUrl='https://github.com']  for html_url fields
 */
export async function startGitHub(options = {}) {
  const ctl = new MessageChannel();
  const rec = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { [WORKER_FLAG]: true, options: serialize(options), ctl: ctl.port2, rec: rec.port2, signal: signal.buffer },
    transferList: [ctl.port2, rec.port2],
  });
  const ready = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`github-server worker exited ${code} before listening`)));
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', (e) => { console.error('github-server worker failed:', e); });
  worker.unref();

  const requests = [];
  const drain = () => {
    let m;
    while ((m = receiveMessageOnPort(rec.port1))) requests.push(m.message);
    return requests;
  };
  let closed = false;
  const call = (cmd, ...args) => {
    if (closed) throw new Error('github-server is closed');
    ctl.port1.postMessage({ cmd, args: serialize(args) });
    const deadline = Date.now() + 15000;
    for (;;) {
      const seen = Atomics.load(signal, 0);
      const m = receiveMessageOnPort(ctl.port1);
      if (m) {
        if (m.message.error) throw new Error(`github-server ${cmd}: ${m.message.error}`);
        return m.message.result;
      }
      if (Date.now() > deadline) throw new Error(`github-server ${cmd}: the worker did not answer`);
      Atomics.wait(signal, 0, seen, 100);
    }
  };

  const matches = (r, filter) => {
    if (filter === undefined) return true;
    if (typeof filter === 'string') return r.route === filter;
    if (typeof filter === 'function') return filter(r);
    return Object.entries(filter).every(([k, v]) => r[k] === v);
  };

  const [owner, repo] = ready.repository.split('/');
  const handle = {
    /** The API base, as GITHUB_API_URL takes it: http://127.0.0.1:PORT[pathPrefix]. */
    url: ready.url,
    origin: ready.origin,
    port: ready.port,
    repository: ready.repository,
    owner,
    repo,
    repositoryId: ready.repositoryId,
    token: ready.token,
    /** GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SERVER_URL for runAction's env. */
    env: { GITHUB_API_URL: ready.url, GITHUB_REPOSITORY: ready.repository, GITHUB_SERVER_URL: ready.serverUrl },
    /**
     * Every request so far, oldest first: {seq, method, url, path, query, headers (lower-case
     * names), rawHeaders, body (text), json (parsed body or undefined), route, params, status,
     * at (ms epoch)}. Live: read it again after another request.
     */
    get requests() { return drain(); },
    /** Requests matching a route name, a predicate, or {field: value}; all when no filter. */
    requestsFor: (filter) => drain().filter((r) => matches(r, filter)),
    count: (filter) => drain().filter((r) => matches(r, filter)).length,
    lastRequest: (filter) => drain().filter((r) => matches(r, filter)).at(-1),
    clearRequests: () => { drain(); requests.length = 0; },

    /** Replaces every tag. Same forms as options.tags. */
    setTags: (tags) => call('setTags', tags),
    addTags: (tags) => call('addTags', tags),
    setBranches: (branches) => call('setBranches', branches),
    setCommits: (graph) => call('setCommits', graph),
    /** {tags, branches, commits}, as git-fixtures' repoState() returns. */
    setState: (state) => call('setState', state),
    setCompare: (compare) => call('setCompare', compare),
    /**
     * Makes a route (or '*', every route) fail. spec: a mode name (ERROR_MODES), or
     * {mode?, status?, body?, headers?, message?, times?, after?, when?, retryAfter?}:
     * `times` failures then it clears itself; `after` lets that many matching requests through
     * first; `when` (a function of the request record, sent as source) picks requests.
     * null clears. A function spec (record => spec|null) decides per request.
     */
    setError: (route, spec) => call('setError', route, spec),
    clearErrors: () => call('clearErrors'),
    setRateLimit: (rate) => call('setRateLimit', rate),
    /** The current core rate-limit bucket: {limit, remaining, used, reset, resource}. */
    rateLimit: () => call('rateLimit'),
    /** Deployments created so far, each with its `statuses` and the request `body` it came from. */
    deployments: () => call('deployments'),
    /**
     * Adds a deployment as if made earlier: {environment, payload, ref?, sha?, createdAt? (ISO
     * or ms epoch), states? (['success'] by default; each becomes a status, oldest first)}.
     * Returns its id.
     */
    addDeployment: (d) => call('addDeployment', d),
    /** Forgets every deployment. */
    clearDeployments: () => call('clearDeployments'),
    /** Moves every deployment and status `ms` milliseconds into the past: time passes. */
    ageDeployments: (ms) => call('ageDeployments', ms),
    /** The current tags as served: [{name, sha, type, commit}], refname order. */
    tags: () => call('tags'),
    async close() {
      if (closed) return;
      call('close');
      closed = true;
      drain();
      ctl.port1.close();
      rec.port1.close();
      await worker.terminate();
    },
  };
  return handle;
}

/** Functions cannot cross to the worker: they travel as source text and are rebuilt there. */
function serialize(value) {
  if (typeof value === 'function') {
    const src = value.toString();
    reviveFunction(src); // fail here, in the test, if it is not an expression
    return { __fn: src };
  }
  if (Array.isArray(value)) return value.map(serialize);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, serialize(v)]));
  }
  return value;
}

function reviveFunction(src) {
  try {
    // eslint-disable-next-line no-new-func
    return new Function(`return (${src});`)();
  } catch (e) {
    throw new Error(`github-server: pass an arrow function or function expression (it is sent to the worker as source): ${e.message}`);
  }
}

function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    if (typeof value.__fn === 'string' && Object.keys(value).length === 1) return reviveFunction(value.__fn);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// The worker's side.

const DOCS = {
  'matching-refs': 'https://docs.github.com/rest/git/refs#list-matching-references',
  'git-ref': 'https://docs.github.com/rest/git/refs#get-a-reference',
  'git-tag': 'https://docs.github.com/rest/git/tags#get-a-tag',
  tags: 'https://docs.github.com/rest/repos/repos#list-repository-tags',
  compare: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
  'list-deployments': 'https://docs.github.com/rest/deployments/deployments#list-deployments',
  'create-deployment': 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
  'get-deployment': 'https://docs.github.com/rest/deployments/deployments#get-a-deployment',
  'create-deployment-status': 'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status',
  'list-deployment-statuses': 'https://docs.github.com/rest/deployments/statuses#list-deployment-statuses',
  unknown: 'https://docs.github.com/rest',
};
const PERMISSIONS = {
  'matching-refs': 'contents=read', 'git-ref': 'contents=read', 'git-tag': 'contents=read', tags: 'contents=read',
  compare: 'contents=read', 'list-deployments': 'deployments=read', 'create-deployment': 'deployments=write', 'get-deployment': 'deployments=read',
  'create-deployment-status': 'deployments=write', 'list-deployment-statuses': 'deployments=read',
};
const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
const SELECTED_DEFAULT_VERSION = '2022-11-28';

function runWorker({ options: rawOptions, ctl, rec, signal: signalBuffer }) {
  const options = revive(rawOptions);
  const signal = new Int32Array(signalBuffer);
  const [owner, repo] = (options.repository ?? 'acme/app').split('/');
  const S = {
    owner,
    repo,
    repositoryId: options.repositoryId ?? 1296269,
    token: options.token === undefined ? 'ghs_fixture_token' : options.token,
    tokenKind: options.tokenKind ?? 'installation',
    publicRepo: options.publicRepo ?? false,
    pathPrefix: (options.pathPrefix ?? '').replace(/\/+$/, ''),
    tagsOrder: options.tagsOrder ?? 'desc',
    linkStyle: options.linkStyle ?? 'repositories',
    apiVersions: options.apiVersions ?? ['2022-11-28', '2026-03-10'],
    delayMs: options.delayMs ?? 0,
    emptyRepository: options.emptyRepository ?? false,
    serverUrl: (options.serverUrl ?? 'https://github.com').replace(/\/+$/, ''),
    tags: new Map(),
    sortedTags: null,
    branches: {},
    commits: null,
    compare: null,
    errors: {},
    rate: null,
    anonRate: null,
    deployments: [],
    nextId: 1000,
    seq: 0,
    origin: null,
  };
  setRate(options.rateLimit);
  S.anonRate = { limit: 60, remaining: 60, used: 0, reset: S.rate.reset, resource: 'core' };
  setTags(options.tags ?? []);
  S.branches = { ...(options.branches ?? {}) };
  S.commits = options.commits ?? null;
  S.compare = options.compare ?? null;
  for (const [route, spec] of Object.entries(options.errors ?? {})) setError(route, spec);

  function setRate(rate = {}) {
    const limit = rate.limit ?? 5000;
    const remaining = rate.remaining ?? limit;
    S.rate = {
      limit,
      remaining,
      used: rate.used ?? limit - remaining,
      reset: rate.reset ?? Math.floor(Date.now() / 1000) + 3600,
      resource: rate.resource ?? 'core',
    };
  }

  function normalizeTag(t) {
    if (typeof t === 'string') t = { name: t };
    const annotated = t.type === 'tag' || (t.type === undefined && t.annotated === true);
    const commit = t.commit ?? (annotated ? fakeSha(`commit:${t.name}`) : t.sha ?? fakeSha(`commit:${t.name}`));
    const sha = t.sha ?? (annotated ? fakeSha(`tag:${t.name}`) : commit);
    return { name: t.name, type: annotated ? 'tag' : 'commit', sha, commit, message: t.message ?? `Release ${t.name}` };
  }
  function setTags(tags) {
    S.tags = new Map();
    addTags(tags);
  }
  function addTags(tags) {
    for (const t of tags) {
      const n = normalizeTag(t);
      S.tags.set(n.name, n);
    }
    S.sortedTags = null;
  }
  function sortedTags() {
    if (!S.sortedTags) S.sortedTags = [...S.tags.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return S.sortedTags;
  }
  function setError(route, spec) {
    if (route !== '*' && !ROUTES.includes(route)) throw new Error(`unknown route ${route} (one of ${ROUTES.join(', ')} or '*')`);
    if (spec === null || spec === undefined) { delete S.errors[route]; return; }
    if (typeof spec === 'string') spec = { mode: spec };
    if (typeof spec === 'object' && spec.mode && !ERROR_MODES.includes(spec.mode)) throw new Error(`unknown error mode ${spec.mode} (one of ${ERROR_MODES.join(', ')})`);
    S.errors[route] = typeof spec === 'function' ? { fn: spec, seen: 0 } : { ...spec, seen: 0, fired: 0 };
  }

  function isoTime(t) {
    return new Date(t ?? Date.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  }
  /**
   * A deployment as GitHub answers with it, from `request` as the body of a create-deployment
   * request would hold it (ref, environment, task, payload, description, transient_environment,
   * production_environment), the commit `sha` its ref names (a made-up one when none is given) and
   * its time `at`. The one shape for the create-deployment route and addDeployment.
   */
  function newDeployment({ sha, at, ...request }) {
    const id = S.nextId++;
    const environment = request.environment ?? 'production';
    const commit = sha ?? fakeSha(`deployment:${id}`);
    return {
      url: `${repoApi()}/deployments/${id}`,
      id,
      node_id: nodeId('010:Deployment', id),
      sha: commit,
      ref: request.ref ?? commit,
      task: request.task ?? 'deploy',
      payload: request.payload ?? {},
      original_environment: environment,
      environment,
      description: request.description ?? null,
      creator: actor(),
      created_at: at,
      updated_at: at,
      statuses_url: `${repoApi()}/deployments/${id}/statuses`,
      repository_url: repoApi(),
      transient_environment: request.transient_environment ?? false,
      production_environment: request.production_environment ?? environment === 'production',
      performed_via_github_app: null,
    };
  }
  /**
   * A status of deployment `d` as GitHub answers with it, from `request` as the body of a
   * create-deployment-status request would hold it (state, description, environment, target_url,
   * log_url, environment_url), at time `at`. The one shape for that route and addDeployment.
   */
  function newStatus(d, { at, ...request }) {
    const id = S.nextId++;
    return {
      url: `${repoApi()}/deployments/${d.id}/statuses/${id}`,
      id,
      node_id: nodeId('016:DeploymentStatus', id),
      state: request.state,
      creator: actor(),
      description: request.description ?? '',
      environment: request.environment ?? d.environment,
      target_url: request.target_url ?? request.log_url ?? '',
      created_at: at,
      updated_at: at,
      deployment_url: d.url,
      repository_url: repoApi(),
      environment_url: request.environment_url ?? '',
      log_url: request.log_url ?? request.target_url ?? '',
      performed_via_github_app: null,
    };
  }
  /**
   * A deployment made as if through the API `createdAt` (ms) ago, with one status per entry of
   * `states`; the other fields as create-deployment takes them (see newDeployment).
   */
  function addDeployment({ environment = 'production', payload = {}, ref, sha, createdAt, states = ['success'], task = 'deploy', ...fields }) {
    const at = isoTime(createdAt);
    const request = { ...fields, ...(ref === undefined ? {} : { ref }), environment, payload, task };
    const deployment = newDeployment({ ...request, sha: sha ?? (ref && resolveCommit(ref)), at });
    const statuses = states.map((state) => {
      const body = { state };
      return { ...newStatus(deployment, { ...body, at }), body };
    });
    S.deployments.push({ ...deployment, body: { ref: deployment.ref, environment, payload }, statuses });
    return deployment.id;
  }

  const commands = {
    setTags: (tags) => setTags(tags),
    addTags: (tags) => addTags(tags),
    setBranches: (b) => { S.branches = { ...b }; },
    setCommits: (g) => { S.commits = g; },
    setState: (st) => {
      if (st.tags) setTags(st.tags);
      if (st.branches) S.branches = { ...st.branches };
      if (st.commits) S.commits = st.commits;
    },
    setCompare: (c) => { S.compare = c; },
    setError: (route, spec) => setError(route, spec),
    clearErrors: () => { S.errors = {}; },
    setRateLimit: (rate) => setRate(rate),
    rateLimit: () => ({ ...S.rate }),
    deployments: () => S.deployments,
    addDeployment: (d) => addDeployment(d),
    clearDeployments: () => { S.deployments = []; },
    ageDeployments: (ms) => {
      const back = (t) => isoTime(Date.parse(t) - ms);
      for (const d of S.deployments) {
        d.created_at = back(d.created_at);
        d.updated_at = back(d.updated_at);
        for (const st of d.statuses) {
          st.created_at = back(st.created_at);
          st.updated_at = back(st.updated_at);
        }
      }
    },
    tags: () => sortedTags().map(({ name, sha, type, commit }) => ({ name, sha, type, commit })),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
  ctl.on('message', ({ cmd, args }) => {
    let reply;
    try {
      reply = { result: commands[cmd](...revive(args)) };
    } catch (e) {
      reply = { error: e.message };
    }
    ctl.postMessage(reply);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });

  // -- URLs and object shapes ------------------------------------------------------------------
  const api = () => `${S.origin}${S.pathPrefix}`;
  const repoApi = () => `${api()}/repos/${S.owner}/${S.repo}`;
  const repoHtml = () => `${S.serverUrl}/${S.owner}/${S.repo}`;
  const encodePath = (p) => p.split('/').map(encodeURIComponent).join('/');
  const nodeId = (kind, key) => Buffer.from(`${kind}${key}`).toString('base64');

  function refObject(ref, sha, type) {
    return {
      ref,
      node_id: nodeId('03:Ref', `${S.repositoryId}:${ref}`),
      url: `${repoApi()}/git/${encodePath(ref)}`,
      object: { sha, type, url: `${repoApi()}/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}` },
    };
  }
  function allRefs() {
    const refs = [];
    for (const [name, sha] of Object.entries(S.branches)) refs.push(refObject(`refs/heads/${name}`, sha, 'commit'));
    for (const t of sortedTags()) refs.push(refObject(`refs/tags/${t.name}`, t.sha, t.type));
    return refs.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }
  function tagEntry(t) {
    return {
      name: t.name,
      zipball_url: `${repoApi()}/zipball/refs/tags/${encodePath(t.name)}`,
      tarball_url: `${repoApi()}/tarball/refs/tags/${encodePath(t.name)}`,
      commit: { sha: t.commit, url: `${repoApi()}/commits/${t.commit}` },
      node_id: nodeId('03:Ref', `${S.repositoryId}:${t.name}`),
    };
  }
  function actor() {
    if (S.tokenKind === 'installation') {
      return simpleUser('github-actions[bot]', 41898282, 'Bot', 'https://github.com/apps/github-actions');
    }
    return simpleUser('fixture-user', 583231, 'User');
  }
  function simpleUser(login, id, type, htmlUrl) {
    const u = `${api()}/users/${encodeURIComponent(login)}`;
    return {
      login, id, node_id: nodeId(type === 'Bot' ? '03:Bot' : '04:User', id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`, gravatar_id: '',
      url: u, html_url: htmlUrl ?? `${S.serverUrl}/${login}`,
      followers_url: `${u}/followers`, following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`, starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`, organizations_url: `${u}/orgs`, repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`, received_events_url: `${u}/received_events`,
      type, user_view_type: 'public', site_admin: false,
    };
  }
  function commitObject(sha, parents = [], message = `commit ${sha.slice(0, 7)}`) {
    const date = new Date(1_700_000_000_000).toISOString().replace('.000Z', 'Z');
    const person = { name: 'Fixture Author', email: 'author@example.com', date };
    return {
      sha,
      node_id: nodeId('06:Commit', `${S.repositoryId}:${sha}`),
      commit: {
        author: person, committer: person, message,
        tree: { sha: fakeSha(`tree:${sha}`), url: `${repoApi()}/git/trees/${fakeSha(`tree:${sha}`)}` },
        url: `${repoApi()}/git/commits/${sha}`, comment_count: 0,
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      },
      url: `${repoApi()}/commits/${sha}`,
      html_url: `${repoHtml()}/commit/${sha}`,
      comments_url: `${repoApi()}/commits/${sha}/comments`,
      author: null,
      committer: null,
      parents: parents.map((p) => ({ sha: p, url: `${repoApi()}/commits/${p}`, html_url: `${repoHtml()}/commit/${p}` })),
    };
  }

  // -- Errors ----------------------------------------------------------------------------------
  function errorBody(status, message, route, extra = {}) {
    return { message, documentation_url: DOCS[route] ?? DOCS.unknown, status: String(status), ...extra };
  }
  function modeResponse(spec, route, ctx) {
    const status = spec.status;
    switch (spec.mode) {
      case 'bad-credentials':
        return { status: status ?? 401, body: { message: spec.message ?? 'Bad credentials', documentation_url: DOCS.unknown, status: String(status ?? 401) } };
      case 'rate-limit': {
        const bucket = ctx.anonymous ? S.anonRate : S.rate;
        const st = status ?? 403;
        return {
          status: st,
          rateHeaders: { limit: bucket.limit, remaining: 0, used: bucket.limit, reset: bucket.reset, resource: bucket.resource },
          body: { message: spec.message ?? rateLimitMessage(ctx), documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: String(st) },
        };
      }
      case 'secondary-rate-limit': {
        const st = status ?? 403;
        return {
          status: st,
          headers: { 'retry-after': String(spec.retryAfter ?? 60) },
          body: {
            message: spec.message ?? `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${ctx.requestId}.`,
            documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: String(st),
          },
        };
      }
      case 'forbidden':
        return {
          status: status ?? 403,
          headers: { 'x-accepted-github-permissions': PERMISSIONS[route] ?? 'contents=read' },
          body: errorBody(status ?? 403, spec.message ?? 'Resource not accessible by integration', route),
        };
      case 'not-found':
        return { status: status ?? 404, body: errorBody(status ?? 404, spec.message ?? 'Not Found', route) };
      case 'server-error':
        return { status: status ?? 500, body: { message: spec.message ?? 'Server Error' } };
      case 'bad-gateway':
        // GitHub's edge answers 502 with no JSON: the client must not require a JSON error body.
        return { status: status ?? 502, contentType: 'text/html; charset=utf-8', text: spec.message ?? '<html><body><h1>502 Bad Gateway</h1></body></html>\n' };
      case 'unavailable':
        return { status: status ?? 503, body: { message: spec.message ?? 'Service Unavailable' } };
      case 'empty-repository':
        return { status: status ?? 409, body: errorBody(status ?? 409, spec.message ?? 'Git Repository is empty.', route) };
      case 'hang':
        return { hang: true };
      case 'reset':
        return { reset: true };
      default:
        return {
          status: status ?? 500,
          headers: spec.headers,
          body: spec.body ?? errorBody(status ?? 500, spec.message ?? 'Server Error', route),
        };
    }
  }
  function rateLimitMessage(ctx) {
    if (ctx.anonymous) return `API rate limit exceeded for ${ctx.ip}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`;
    return S.tokenKind === 'installation' ? 'API rate limit exceeded for installation ID 12345678.' : 'API rate limit exceeded for user ID 583231.';
  }
  function injectedError(route, record, ctx) {
    for (const key of [route, '*']) {
      const e = S.errors[key];
      if (!e) continue;
      let spec = e;
      if (e.fn) {
        spec = e.fn(record);
        if (spec === null || spec === undefined || spec === false) continue;
        if (typeof spec === 'string') spec = { mode: spec };
      } else {
        if (e.when && !e.when(record)) continue;
        e.seen += 1;
        if (e.after && e.seen <= e.after) continue;
        e.fired += 1;
        if (e.times !== undefined && e.fired >= e.times) delete S.errors[key];
      }
      return modeResponse(spec, route, ctx);
    }
    return null;
  }

  // -- Routing ---------------------------------------------------------------------------------
  function match(method, path) {
    let m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    let o;
    let r;
    let rest;
    if (m) {
      [, o, r, rest] = m;
    } else if ((m = /^\/repositories\/(\d+)(\/.*)?$/.exec(path))) {
      if (Number(m[1]) !== S.repositoryId) return { route: 'unknown', params: {}, otherRepo: true };
      o = S.owner;
      r = S.repo;
      rest = m[2];
    } else {
      return { route: 'unknown', params: {} };
    }
    rest = rest ?? '';
    const dec = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
    const params = { owner: dec(o), repo: dec(r) };
    const table = [
      ['GET', /^\/git\/matching-refs(?:\/(.*))?$/, 'matching-refs', ['ref']],
      ['GET', /^\/git\/ref\/(.+)$/, 'git-ref', ['ref']],
      ['GET', /^\/git\/tags\/([0-9a-fA-F]+)$/, 'git-tag', ['tag_sha']],
      ['GET', /^\/tags$/, 'tags', []],
      ['GET', /^\/compare\/(.+)$/, 'compare', ['basehead']],
      ['GET', /^\/deployments$/, 'list-deployments', []],
      ['POST', /^\/deployments$/, 'create-deployment', []],
      ['GET', /^\/deployments\/(\d+)$/, 'get-deployment', ['deployment_id']],
      ['POST', /^\/deployments\/(\d+)\/statuses$/, 'create-deployment-status', ['deployment_id']],
      ['GET', /^\/deployments\/(\d+)\/statuses$/, 'list-deployment-statuses', ['deployment_id']],
    ];
    for (const [meth, re, route, names] of table) {
      const mm = re.exec(rest);
      if (!mm || meth !== method) continue;
      names.forEach((n, i) => { params[n] = dec(mm[i + 1] ?? ''); });
      return { route, params };
    }
    return { route: 'unknown', params };
  }

  // -- Handlers --------------------------------------------------------------------------------
  function resolveCommit(name) {
    if (name in S.branches) return S.branches[name];
    for (const p of ['refs/heads/', 'heads/']) if (name.startsWith(p) && name.slice(p.length) in S.branches) return S.branches[name.slice(p.length)];
    for (const p of ['', 'refs/tags/', 'tags/']) {
      if (name.startsWith(p) && S.tags.has(name.slice(p.length))) return S.tags.get(name.slice(p.length)).commit;
    }
    if (/^[0-9a-f]{40}$/i.test(name)) return name.toLowerCase();
    if (/^[0-9a-f]{7,39}$/i.test(name) && S.commits) {
      const found = Object.keys(S.commits).filter((s) => s.startsWith(name.toLowerCase()));
      if (found.length === 1) return found[0];
    }
    return null;
  }
  function ancestors(sha) {
    const seen = new Set();
    const stack = [sha];
    while (stack.length) {
      const c = stack.pop();
      if (seen.has(c)) continue;
      seen.add(c);
      for (const p of S.commits[c] ?? []) stack.push(p);
    }
    return seen;
  }
  /** Parents-first order of `set`, walking from `tip`. */
  function topo(set, tip) {
    const out = [];
    const done = new Set();
    const stack = [[tip, false]];
    while (stack.length) {
      const [c, expanded] = stack.pop();
      if (!set.has(c) || done.has(c)) continue;
      if (expanded) { done.add(c); out.push(c); continue; }
      stack.push([c, true]);
      for (const p of S.commits[c] ?? []) if (!done.has(p)) stack.push([p, false]);
    }
    return out;
  }

  const handlers = {
    'matching-refs': ({ params }) => {
      if (S.emptyRepository) return { status: 409, body: errorBody(409, 'Git Repository is empty.', 'matching-refs') };
      const prefix = `refs/${params.ref ?? ''}`;
      // No pagination: GitHub documents no per_page/page here and answers everything at once.
      return { status: 200, body: allRefs().filter((r) => r.ref.startsWith(prefix)) };
    },
    'git-ref': ({ params }) => {
      const ref = allRefs().find((r) => r.ref === `refs/${params.ref}`);
      return ref ? { status: 200, body: ref } : { status: 404, body: errorBody(404, 'Not Found', 'git-ref') };
    },
    'git-tag': ({ params }) => {
      const t = [...S.tags.values()].find((x) => x.type === 'tag' && x.sha === params.tag_sha.toLowerCase());
      if (!t) return { status: 404, body: errorBody(404, 'Not Found', 'git-tag') };
      return {
        status: 200,
        body: {
          node_id: nodeId('03:Tag', `${S.repositoryId}:${t.sha}`),
          tag: t.name,
          sha: t.sha,
          url: `${repoApi()}/git/tags/${t.sha}`,
          message: `${t.message}\n`,
          tagger: { name: 'Fixture Tagger', email: 'tagger@example.com', date: '2023-11-14T22:13:20Z' },
          object: { type: 'commit', sha: t.commit, url: `${repoApi()}/git/commits/${t.commit}` },
          verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
        },
      };
    },
    tags: ({ query, rawQuery }) => {
      let list = sortedTags();
      if (S.tagsOrder === 'desc') list = [...list].reverse();
      else if (S.tagsOrder === 'given') list = [...S.tags.values()];
      let perPage = Number.parseInt(query.per_page, 10);
      if (!(perPage >= 1)) perPage = 30;
      perPage = Math.min(perPage, 100);
      let page = Number.parseInt(query.page, 10);
      if (!(page >= 1)) page = 1;
      const body = list.slice((page - 1) * perPage, page * perPage).map(tagEntry);
      const last = Math.max(1, Math.ceil(list.length / perPage));
      const headers = {};
      const link = linkHeader('tags', rawQuery, page, last);
      if (link) headers.link = link;
      return { status: 200, body, headers };
    },
    compare: ({ params }) => {
      const i = params.basehead.indexOf('...');
      if (i < 0) return { status: 404, body: errorBody(404, 'Not Found', 'compare') };
      const base = params.basehead.slice(0, i);
      const head = params.basehead.slice(i + 3);
      let baseSha = resolveCommit(base);
      let headSha = resolveCommit(head);
      let status;
      let aheadBy;
      let behindBy;
      let mergeBase;
      let commitShas;
      if (S.commits) {
        if (!baseSha || !headSha || !(baseSha in S.commits) || !(headSha in S.commits)) {
          return { status: 404, body: errorBody(404, 'Not Found', 'compare') };
        }
        const a = ancestors(baseSha);
        const b = ancestors(headSha);
        const common = new Set([...a].filter((c) => b.has(c)));
        if (common.size === 0) return { status: 404, body: errorBody(404, `No common ancestor between ${base} and ${head}.`, 'compare') };
        const strict = new Set();
        for (const c of common) for (const p of S.commits[c] ?? []) for (const x of ancestors(p)) strict.add(x);
        mergeBase = [...common].find((c) => !strict.has(c));
        const ahead = new Set([...b].filter((c) => !a.has(c)));
        aheadBy = ahead.size;
        behindBy = [...a].filter((c) => !b.has(c)).length;
        status = aheadBy === 0 && behindBy === 0 ? 'identical' : behindBy === 0 ? 'ahead' : aheadBy === 0 ? 'behind' : 'diverged';
        commitShas = topo(ahead, headSha);
      } else {
        let verdict;
        if (typeof S.compare === 'function') verdict = S.compare(base, head);
        else if (S.compare && typeof S.compare === 'object') verdict = S.compare[`${base}...${head}`];
        else verdict = (baseSha ?? base) === (headSha ?? head) ? 'identical' : 'ahead';
        if (verdict === null || verdict === undefined) return { status: 404, body: errorBody(404, 'Not Found', 'compare') };
        if (typeof verdict === 'string') verdict = { status: verdict };
        status = verdict.status;
        const counts = { ahead: [1, 0], behind: [0, 1], identical: [0, 0], diverged: [1, 1] }[status];
        if (!counts) throw new Error(`compare: status ${status}?`);
        aheadBy = verdict.ahead_by ?? counts[0];
        behindBy = verdict.behind_by ?? counts[1];
        baseSha = baseSha ?? fakeSha(`commit:${base}`);
        headSha = headSha ?? fakeSha(`commit:${head}`);
        mergeBase = verdict.merge_base ?? (status === 'ahead' || status === 'identical' ? baseSha : status === 'behind' ? headSha : fakeSha(`merge-base:${base}...${head}`));
        commitShas = [];
        let parent = mergeBase;
        for (let k = 1; k <= aheadBy; k++) {
          const sha = k === aheadBy ? headSha : fakeSha(`ahead:${base}...${head}:${k}`);
          commitShas.push(sha);
          S.syntheticParents = S.syntheticParents ?? {};
          S.syntheticParents[sha] = [parent];
          parent = sha;
        }
      }
      const parentsOf = (sha) => (S.commits ? S.commits[sha] ?? [] : S.syntheticParents?.[sha] ?? []);
      const shortName = (sha) => `${S.owner}:${sha.slice(0, 7)}`;
      return {
        status: 200,
        body: {
          url: `${repoApi()}/compare/${params.basehead}`,
          html_url: `${repoHtml()}/compare/${params.basehead}`,
          permalink_url: `${repoHtml()}/compare/${shortName(baseSha)}...${shortName(headSha)}`,
          diff_url: `${repoHtml()}/compare/${params.basehead}.diff`,
          patch_url: `${repoHtml()}/compare/${params.basehead}.patch`,
          base_commit: commitObject(baseSha, parentsOf(baseSha)),
          merge_base_commit: commitObject(mergeBase, parentsOf(mergeBase)),
          status,
          ahead_by: aheadBy,
          behind_by: behindBy,
          total_commits: aheadBy,
          commits: commitShas.slice(0, 250).map((s) => commitObject(s, parentsOf(s))),
          files: [],
        },
      };
    },
    'list-deployments': ({ query, rawQuery }) => {
      // Newest first, as GitHub lists them; the documented filters, each exact.
      let list = [...S.deployments].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id));
      for (const key of ['sha', 'ref', 'task', 'environment']) {
        if (query[key] !== undefined) list = list.filter((d) => d[key] === query[key]);
      }
      let perPage = Number.parseInt(query.per_page, 10);
      if (!(perPage >= 1)) perPage = 30;
      perPage = Math.min(perPage, 100);
      let page = Number.parseInt(query.page, 10);
      if (!(page >= 1)) page = 1;
      const body = list.slice((page - 1) * perPage, page * perPage).map(({ body: _b, statuses: _s, ...d }) => d);
      const last = Math.max(1, Math.ceil(list.length / perPage));
      const headers = {};
      const link = linkHeader('deployments', rawQuery, page, last);
      if (link) headers.link = link;
      return { status: 200, body, headers };
    },
    'create-deployment': ({ json, bodyError }) => {
      if (bodyError) return bodyError;
      if (typeof json.ref !== 'string' || json.ref === '') {
        return { status: 422, body: errorBody(422, 'Invalid request.\n\n"ref" wasn\'t supplied.', 'create-deployment') };
      }
      const sha = resolveCommit(json.ref);
      if (!sha) return { status: 422, body: errorBody(422, `No ref found for: ${json.ref}`, 'create-deployment') };
      const deployment = newDeployment({ ...json, sha, at: isoTime() });
      S.deployments.push({ ...deployment, body: json, statuses: [] });
      return { status: 201, body: deployment, headers: { location: deployment.url } };
    },
    'get-deployment': ({ params }) => {
      const d = S.deployments.find((x) => x.id === Number(params.deployment_id));
      if (!d) return { status: 404, body: errorBody(404, 'Not Found', 'get-deployment') };
      const { body: _b, statuses: _s, ...deployment } = d;
      return { status: 200, body: deployment };
    },
    'create-deployment-status': ({ params, json, bodyError }) => {
      const d = S.deployments.find((x) => x.id === Number(params.deployment_id));
      if (!d) return { status: 404, body: errorBody(404, 'Not Found', 'create-deployment-status') };
      if (bodyError) return bodyError;
      if (!DEPLOYMENT_STATES.includes(json.state)) {
        return {
          status: 422,
          body: errorBody(422, 'Validation Failed', 'create-deployment-status', { errors: [{ resource: 'DeploymentStatus', code: 'invalid', field: 'state' }] }),
        };
      }
      const status = newStatus(d, { ...json, at: isoTime() });
      d.statuses.push({ ...status, body: json });
      return { status: 201, body: status, headers: { location: status.url } };
    },
    'list-deployment-statuses': ({ params }) => {
      const d = S.deployments.find((x) => x.id === Number(params.deployment_id));
      if (!d) return { status: 404, body: errorBody(404, 'Not Found', 'list-deployment-statuses') };
      return { status: 200, body: [...d.statuses].reverse().map(({ body: _b, ...s }) => s) };
    },
    unknown: () => ({ status: 404, body: errorBody(404, 'Not Found', 'unknown') }),
  };

  /** RFC 8288 (ex-5988) Link, in GitHub's order: prev, next, last, first. */
  function linkHeader(what, rawQuery, page, last) {
    if (page === 1 && last === 1) return null;
    const base = S.linkStyle === 'repos' ? repoApi() : `${api()}/repositories/${S.repositoryId}`;
    const url = (p) => {
      const q = new URLSearchParams(rawQuery);
      q.set('page', String(p));
      return `<${base}/${what}?${q.toString()}>`;
    };
    const parts = [];
    if (page > 1) parts.push(`${url(Math.min(page - 1, last))}; rel="prev"`);
    if (page < last) {
      parts.push(`${url(page + 1)}; rel="next"`);
      parts.push(`${url(last)}; rel="last"`);
    }
    if (page > 1) parts.push(`${url(1)}; rel="first"`);
    return parts.join(', ');
  }

  // -- The server ------------------------------------------------------------------------------
  function requestId() {
    const h = (n) => crypto.randomBytes(n).toString('hex').toUpperCase();
    return `${h(2)}:${h(2)}${h(1).slice(0, 1)}:${h(3)}:${h(3)}:${h(4)}`;
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        serve(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        console.error('github-server:', e);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`github-server bug: ${e.stack}`);
      }
    });
  });

  function serve(req, res, text) {
    const u = new URL(req.url, S.origin);
    const ctx = { requestId: requestId(), ip: req.socket.remoteAddress, anonymous: false };
    let path = u.pathname;
    const prefixed = !S.pathPrefix || path === S.pathPrefix || path.startsWith(`${S.pathPrefix}/`);
    if (S.pathPrefix && prefixed) path = path.slice(S.pathPrefix.length) || '/';
    const { route, params, otherRepo } = prefixed ? match(req.method, path) : { route: 'unknown', params: {} };
    let json;
    let bodyError = null;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        bodyError = { status: 400, body: errorBody(400, 'Problems parsing JSON', route) };
      }
    } else if (req.method === 'POST') {
      json = {};
    }
    const record = {
      seq: ++S.seq,
      method: req.method,
      url: req.url,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: { ...req.headers },
      rawHeaders: req.rawHeaders,
      body: text,
      json,
      route,
      params,
      status: null,
      at: Date.now(),
    };

    let resp;
    const auth = req.headers.authorization;
    const version = req.headers['x-github-api-version'];
    let presented = null;
    if (auth !== undefined) {
      const m = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(auth);
      presented = m ? m[1] : '';
    }
    ctx.anonymous = presented === null;
    const bucket = ctx.anonymous ? S.anonRate : S.rate;
    let counted = false;
    if (route !== 'unknown' && (params.owner.toLowerCase() !== S.owner.toLowerCase() || params.repo.toLowerCase() !== S.repo.toLowerCase())) {
      resp = { status: 404, body: errorBody(404, 'Not Found', route) };
    } else if (otherRepo) {
      resp = { status: 404, body: errorBody(404, 'Not Found', 'unknown') };
    } else if (version !== undefined && !S.apiVersions.includes(version)) {
      resp = { status: 400, body: errorBody(400, `Invalid API version: ${version}. Supported versions: ${S.apiVersions.join(', ')}.`, route) };
    } else if (S.token !== null && presented !== null && presented !== S.token) {
      resp = modeResponse({ mode: 'bad-credentials' }, route, ctx);
    } else if (S.token !== null && presented === null && !S.publicRepo && route !== 'unknown') {
      // A private repository does not exist for an anonymous caller.
      resp = { status: 404, body: errorBody(404, 'Not Found', route) };
    } else if (bucket.remaining <= 0) {
      resp = modeResponse({ mode: 'rate-limit' }, route, ctx);
    } else {
      bucket.remaining -= 1;
      bucket.used += 1;
      counted = true;
      resp = injectedError(route, record, ctx) ?? handlers[route]({ params, query: record.query, rawQuery: u.search, json, bodyError });
    }

    if (resp.reset) {
      record.status = 'reset';
      rec.postMessage(record);
      req.socket.destroy();
      return;
    }
    if (resp.hang) {
      record.status = 'hang';
      rec.postMessage(record);
      return; // answered never; close() ends the connection
    }

    const headers = {
      server: 'github.com',
      'content-type': resp.contentType ?? 'application/json; charset=utf-8',
      'cache-control': req.method === 'GET' && resp.status === 200 ? (ctx.anonymous ? 'public, max-age=60, s-maxage=60' : 'private, max-age=60, s-maxage=60') : 'no-cache',
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP,Accept-Encoding, Accept, X-Requested-With',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': version && S.apiVersions.includes(version) ? version : SELECTED_DEFAULT_VERSION,
    };
    const rate = resp.rateHeaders ?? bucket;
    Object.assign(headers, {
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(rate.remaining),
      'x-ratelimit-reset': String(rate.reset),
      'x-ratelimit-used': String(rate.used),
      'x-ratelimit-resource': rate.resource,
      'access-control-expose-headers': 'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
      'access-control-allow-origin': '*',
      'strict-transport-security': 'max-age=31536000; includeSubdomains; preload',
      'x-frame-options': 'deny',
      'x-content-type-options': 'nosniff',
      'x-xss-protection': '0',
      'referrer-policy': 'origin-when-cross-origin, strict-origin-when-cross-origin',
      'content-security-policy': "default-src 'none'",
    });
    Object.assign(headers, resp.headers ?? {});
    headers['x-github-request-id'] = ctx.requestId;

    let payload = resp.text ?? (resp.body === undefined ? '' : JSON.stringify(resp.body));
    let status = resp.status;
    if (req.method === 'GET' && status === 200) {
      headers.etag = `W/"${crypto.createHash('sha256').update(payload).digest('hex')}"`;
      if (req.headers['if-none-match'] === headers.etag) {
        // Conditional requests answered 304 do not count against the rate limit.
        if (counted) { bucket.remaining += 1; bucket.used -= 1; headers['x-ratelimit-remaining'] = String(bucket.remaining); headers['x-ratelimit-used'] = String(bucket.used); }
        status = 304;
        payload = '';
        delete headers['content-type'];
      }
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
    record.status = status;
    record.responseHeaders = headers;
    rec.postMessage(record);
    const send = () => { res.writeHead(status, headers); res.end(payload); };
    if (S.delayMs > 0) setTimeout(send, S.delayMs);
    else send();
  }

  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    S.origin = `http://127.0.0.1:${port}`;
    parentPort.postMessage({
      url: `${S.origin}${S.pathPrefix}`,
      origin: S.origin,
      port,
      repository: `${S.owner}/${S.repo}`,
      repositoryId: S.repositoryId,
      token: S.token,
      serverUrl: S.serverUrl,
    });
  });
}

if (!isMainThread && workerData && workerData[WORKER_FLAG]) runWorker(workerData);
