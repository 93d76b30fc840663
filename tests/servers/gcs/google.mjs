// Loopback stand-ins for the Google (and GitHub) endpoints the gcs backend's credentials talk
// to, and an authenticating proxy in front of fake-gcs-server. Run as its own process (the
// action's run blocks the test's): `node google.mjs '<config JSON>'`; it prints one JSON line,
// `{"port": N}`, then serves until stdin closes.
//
// Every endpoint checks what it receives, as the real one would, and answers as documented:
//   POST /token                    Google's OAuth token endpoint: the jwt-bearer grant (the JWT's
//                                  RS256 signature against the service account's public key, and
//                                  its claims iss, aud, scope, iat, exp) and the refresh-token
//                                  grant (client_id, client_secret, refresh_token).
//   GET  /github/idtoken           GitHub's OIDC token endpoint: the bearer (ACTIONS_ID_TOKEN_
//                                  REQUEST_TOKEN) and the `audience` parameter; {"value": <jwt>}.
//   POST /sts/v1/token             Google's STS (RFC 8693): grant, audience, subject token (one
//                                  this server issued as GitHub), its type, requested type.
//   POST /iam/v1/projects/-/serviceAccounts/<email>:generateAccessToken
//                                  IAM Credentials: the bearer must be an STS token it issued, the
//                                  email the one configured; {"accessToken", "expireTime"}.
//   anything else                  Cloud Storage: the bearer must be the writer's token or one this
//                                  server issued for storage (never an STS token); then proxied to
//                                  fake-gcs-server. Objects under `csekPrefix` are read only with
//                                  the customer-supplied key's three headers. `denied` tokens get
//                                  Cloud Storage's 403.
//   GET  /__log                    What was asked (method, path, the token's kind), for tests.
import http from 'node:http';
import crypto from 'node:crypto';

const config = JSON.parse(process.argv[2]);
const issued = new Map(); // token -> kind: 'oidc', 'sts', 'storage'
const log = [];

function issue(kind) {
  const token = `${kind === 'oidc' ? 'gh-oidc' : kind === 'sts' ? 'sts' : 'ya29.issued'}-${crypto.randomBytes(12).toString('hex')}`;
  issued.set(token, kind);
  return token;
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
const oauthError = (res, status, error, description) => json(res, status, { error, error_description: description });
const googleError = (res, status, message, reason = 'forbidden') =>
  json(res, status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } });

function bearer(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return m ? m[1] : null;
}

function b64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** The jwt-bearer grant: signature and claims, as Google's token endpoint checks them. */
function checkAssertion(assertion, tokenUrl) {
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'not a JWT';
  const header = b64urlJson(parts[0]);
  const claims = b64urlJson(parts[1]);
  if (header.alg !== 'RS256') return `alg ${header.alg}`;
  if (header.kid !== config.serviceAccount.keyId) return `kid ${header.kid}`;
  const ok = crypto.verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), config.serviceAccount.publicKey, Buffer.from(parts[2], 'base64url'));
  if (!ok) return 'Invalid JWT Signature.';
  if (claims.iss !== config.serviceAccount.email) return `iss ${claims.iss}`;
  if (claims.aud !== tokenUrl) return `aud ${claims.aud}, not ${tokenUrl}`;
  if (!String(claims.scope).split(' ').includes('https://www.googleapis.com/auth/devstorage.read_write')) return `scope ${claims.scope}`;
  const now = Date.now() / 1000;
  if (Math.abs(claims.iat - now) > 300 || claims.exp - claims.iat !== 3600) return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.';
  return null;
}

function form(body) {
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function handle(req, res, body, port) {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  const token = bearer(req);
  log.push({ method: req.method, path: url.pathname, query: url.search, token: token ? (issued.get(token) ?? (token === config.writerToken ? 'writer' : 'other')) : null });

  if (url.pathname === '/__log') return json(res, 200, log);

  if (req.method === 'POST' && url.pathname === '/token') {
    const f = form(body);
    if (f.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const why = checkAssertion(f.assertion ?? '', `http://127.0.0.1:${port}/token`);
      if (why) return oauthError(res, 400, 'invalid_grant', why);
      return json(res, 200, { access_token: issue('storage'), expires_in: 3599, token_type: 'Bearer' });
    }
    if (f.grant_type === 'refresh_token') {
      const u = config.user;
      if (f.client_id !== u.client_id || f.client_secret !== u.client_secret) return oauthError(res, 401, 'invalid_client', 'The OAuth client was not found.');
      if (f.refresh_token !== u.refresh_token) return oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
      return json(res, 200, { access_token: issue('storage'), expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/cloud-platform' });
    }
    return oauthError(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${f.grant_type}`);
  }

  if (req.method === 'GET' && url.pathname === '/github/idtoken') {
    if (token !== config.github.requestToken) return json(res, 401, { message: 'Bad credentials' });
    if (url.searchParams.get('audience') !== config.github.audience) return json(res, 400, { message: 'audience' });
    return json(res, 200, { count: 1, value: issue('oidc') });
  }

  if (req.method === 'POST' && url.pathname === '/sts/v1/token') {
    const f = form(body);
    if (f.grant_type !== 'urn:ietf:params:oauth:grant-type:token-exchange') return oauthError(res, 400, 'unsupported_grant_type', f.grant_type);
    if (f.audience !== config.sts.audience) return oauthError(res, 400, 'invalid_target', 'The target service indicated by the "audience" parameters is invalid.');
    if (issued.get(f.subject_token) !== 'oidc') return oauthError(res, 400, 'invalid_grant', 'The subject token is not valid.');
    if (f.subject_token_type !== 'urn:ietf:params:oauth:token-type:jwt') return oauthError(res, 400, 'invalid_request', 'subject_token_type');
    if (f.requested_token_type !== 'urn:ietf:params:oauth:token-type:access_token') return oauthError(res, 400, 'invalid_request', 'requested_token_type');
    return json(res, 200, { access_token: issue('sts'), issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3599 });
  }

  const iam = /^\/iam\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(url.pathname);
  if (req.method === 'POST' && iam) {
    if (issued.get(token) !== 'sts') return googleError(res, 401, 'Request had invalid authentication credentials.', 'authError');
    const email = decodeURIComponent(iam[1]);
    if (email !== config.impersonate) return googleError(res, 403, `Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).`);
    const scope = JSON.parse(body.toString('utf8') || '{}').scope ?? [];
    if (!scope.includes('https://www.googleapis.com/auth/cloud-platform')) return googleError(res, 400, 'scope', 'badRequest');
    return json(res, 200, { accessToken: issue('storage'), expireTime: new Date(Date.now() + 3600_000).toISOString() });
  }

  // Cloud Storage.
  if (config.denied.includes(token)) {
    return googleError(res, 403, `denied@p.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).`);
  }
  if (token !== config.writerToken && issued.get(token) !== 'storage') {
    return googleError(res, 401, 'Invalid Credentials', 'authError');
  }
  const name = decodeURIComponent(url.pathname);
  const media = url.searchParams.get('alt') === 'media' || !name.startsWith('/storage/') && !name.startsWith('/upload/');
  if (req.method === 'GET' && media && name.includes(`/${config.csekPrefix}`) && name.endsWith('.tfstate')) {
    const key = Buffer.from(config.csekKey, 'base64');
    const sha = crypto.createHash('sha256').update(key).digest('base64');
    const h = req.headers;
    if (!h['x-goog-encryption-key']) return googleError(res, 400, 'The target object is encrypted by a customer-supplied encryption key.', 'resourceIsEncryptedWithCustomerEncryptionKey');
    if (h['x-goog-encryption-algorithm'] !== 'AES256' || h['x-goog-encryption-key'] !== config.csekKey || h['x-goog-encryption-key-sha256'] !== sha) {
      return googleError(res, 400, 'The provided encryption key is incorrect.', 'customerEncryptionKeyIsIncorrect');
    }
  }
  const up = http.request({ host: '127.0.0.1', port: config.upstream, method: req.method, path: req.url, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => googleError(res, 502, `upstream: ${e.message}`, 'backendError'));
  up.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      handle(req, res, Buffer.concat(chunks), server.address().port);
    } catch (e) {
      json(res, 500, { error: { code: 500, message: String(e) } });
    }
  });
});
server.listen(config.port ?? 0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
