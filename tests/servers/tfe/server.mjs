// A loopback stand-in for HCP Terraform / Terraform Enterprise: the four GETs a state reader
// makes (go-tfe's shapes, JSON:API), over HTTPS with the test PKI of tests/fixtures/tls. Two
// servers: the API on https://localhost:<port> (checks `Authorization: Bearer <token>` on every
// /api/v2 call), and the archivist on https://127.0.0.1:<port2>, another origin, that serves the
// state bytes at pre-signed URLs and refuses any request that carries an Authorization header.
// Run as its own process (the action's run blocks the test's): argument 1 is a JSON file
//   { token, organization, pageSize, workspaces: { <name>: { state?: <file>, project?, locked?: {type, id, attributes}, forbidden? } } }
// It prints one JSON line { api, download } when listening, and stops when stdin closes.
// GET /__log (no auth) answers every request seen: { method, host, url, authorization }.
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const pki = path.join(root, 'tests', 'fixtures', 'tls');
const tls = { cert: fs.readFileSync(path.join(pki, 'server.crt')), key: fs.readFileSync(path.join(pki, 'server.key')) };
const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const log = [];
const objects = new Map(); // pre-signed key -> state file
// When this stand-in started: every state version's `created-at` (when the workspace's state last changed).
const started = new Date().toISOString();
let downloadOrigin;

const ids = Object.fromEntries(Object.keys(config.workspaces).map((name, i) => [name, `ws-${String(i).padStart(4, '0')}${crypto.createHash('sha1').update(name).digest('hex').slice(0, 10)}`]));
const byId = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));

function send(res, status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/vnd.api+json' });
  res.end(text);
}
const notFound = (res) => send(res, 404, { errors: [{ status: '404', title: 'not found' }] });

const projectId = (name) => `prj-${crypto.createHash('sha1').update(name).digest('hex').slice(0, 12)}`;

function workspaceData(name) {
  const w = config.workspaces[name];
  return {
    id: ids[name],
    type: 'workspaces',
    attributes: { name, locked: Boolean(w.locked), 'execution-mode': 'local' },
    relationships: {
      'locked-by': { data: w.locked ? { id: w.locked.id, type: w.locked.type } : null },
      'current-state-version': { data: w.state ? { id: `sv-${ids[name]}`, type: 'state-versions' } : null },
      organization: { data: { id: config.organization, type: 'organizations' } },
      project: { data: { id: projectId(w.project ?? 'Default Project'), type: 'projects' } },
    },
  };
}

function api(req, res, url) {
  if (url.pathname === '/.well-known/terraform.json') {
    return send(res, 200, { 'modules.v1': '/api/registry/v1/modules/', 'tfe.v2': '/api/v2/', 'tfe.v2.1': '/api/v2/', 'tfe.v2.2': '/api/v2/' });
  }
  if (url.pathname === '/__log') return send(res, 200, log);
  if (!url.pathname.startsWith('/api/v2/')) return notFound(res);
  if (req.headers.authorization !== `Bearer ${config.token}`) {
    return send(res, 401, { errors: [{ status: '401', title: 'unauthorized' }] });
  }
  const parts = url.pathname.slice('/api/v2/'.length).split('/').map(decodeURIComponent);
  const org = config.organization;
  // organizations/<org>/workspaces/<name>
  if (parts.length === 4 && parts[0] === 'organizations' && parts[2] === 'workspaces') {
    const name = parts[3];
    if (parts[1] !== org || !config.workspaces[name]) return notFound(res);
    const body = { data: workspaceData(name) };
    const lock = config.workspaces[name].locked;
    if (lock && (url.searchParams.get('include') ?? '').split(',').includes('locked_by')) body.included = [lock];
    return send(res, 200, body);
  }
  // organizations/<org>/workspaces?search[name]=…&page[number]=…
  if (parts.length === 3 && parts[0] === 'organizations' && parts[2] === 'workspaces') {
    if (parts[1] !== org) return notFound(res);
    const search = url.searchParams.get('search[name]') ?? '';
    const project = url.searchParams.get('filter[project][id]');
    const names = Object.keys(config.workspaces)
      .filter((n) => n.includes(search))
      .filter((n) => !project || projectId(config.workspaces[n].project ?? 'Default Project') === project)
      .sort();
    const size = Math.min(Number(url.searchParams.get('page[size]') ?? 20), config.pageSize ?? 100);
    const page = Number(url.searchParams.get('page[number]') ?? 1);
    const total = Math.max(1, Math.ceil(names.length / size));
    return send(res, 200, {
      data: names.slice((page - 1) * size, page * size).map(workspaceData),
      meta: { pagination: { 'current-page': page, 'next-page': page < total ? page + 1 : null, 'total-pages': total, 'total-count': names.length } },
    });
  }
  // organizations/<org>/projects?filter[names]=…
  if (parts.length === 3 && parts[0] === 'organizations' && parts[2] === 'projects') {
    if (parts[1] !== org) return notFound(res);
    const names = [...new Set(['Default Project', ...Object.values(config.workspaces).map((w) => w.project).filter(Boolean)])];
    const wanted = url.searchParams.get('filter[names]');
    const data = names.filter((n) => !wanted || n === wanted).map((n) => ({ id: projectId(n), type: 'projects', attributes: { name: n } }));
    return send(res, 200, { data, meta: { pagination: { 'current-page': 1, 'next-page': null, 'total-pages': 1 } } });
  }
  // workspaces/<id>/current-state-version
  if (parts.length === 3 && parts[0] === 'workspaces' && parts[2] === 'current-state-version') {
    const name = byId[parts[1]];
    const w = name && config.workspaces[name];
    if (!w) return notFound(res);
    if (w.forbidden) return send(res, 403, { errors: [{ status: '403', title: 'forbidden' }] });
    if (!w.state) return notFound(res);
    const key = crypto.randomBytes(16).toString('hex');
    objects.set(key, w.state);
    return send(res, 200, {
      data: {
        id: `sv-${parts[1]}`,
        type: 'state-versions',
        attributes: { serial: 1, 'resources-processed': true, 'created-at': started, 'hosted-state-download-url': `${downloadOrigin}/v1/object/${key}` },
      },
    });
  }
  return notFound(res);
}

function archivist(req, res, url) {
  if (req.headers.authorization) return send(res, 400, { errors: [{ status: '400', title: 'a token was sent to the archivist' }] });
  const file = url.pathname.startsWith('/v1/object/') && objects.get(url.pathname.slice('/v1/object/'.length));
  if (!file) return notFound(res);
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.end(fs.readFileSync(file));
}

function serve(handler) {
  return https.createServer(tls, (req, res) => {
    const url = new URL(req.url, `https://${req.headers.host}`);
    if (url.pathname !== '/__log') log.push({ method: req.method, host: req.headers.host, url: req.url, authorization: req.headers.authorization ?? null });
    if (req.method !== 'GET') return send(res, 405, { errors: [{ status: '405' }] });
    handler(req, res, url);
  });
}

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const apiServer = serve(api);
const downloadServer = serve(archivist);
const [apiPort, downloadPort] = await Promise.all([listen(apiServer), listen(downloadServer)]);
downloadOrigin = `https://127.0.0.1:${downloadPort}`;
process.stdout.write(`${JSON.stringify({ api: `localhost:${apiPort}`, download: downloadOrigin })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
