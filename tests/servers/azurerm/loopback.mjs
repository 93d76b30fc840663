// The loopback servers of tests/servers/azurerm, in their own process (a test's spawnSync of
// the action must not block them): the stand-ins for Azure's metadata host, Entra ID's token
// endpoint and GitHub's OIDC token endpoint on one HTTPS port, and the CONNECT proxy to Azurite.
//   node loopback.mjs CERT KEY AZURITE_PORT LOG PORTFILE
// Writes `<stand-in port> <proxy port>` to PORTFILE, one JSON line per request to LOG
// ({kind: "azure"|"proxy", …}), and exits when its stdin closes (so it dies with its parent).
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { CLIENT_ID, CLIENT_SECRET, OIDC_ISSUER, REQUEST_TOKEN, SUBJECT, TENANT, jwt, claimsOf } from './constants.mjs';

const [cert, key, azuritePort, logFile, portFile] = process.argv.slice(2);
const record = (entry) => fs.appendFileSync(logFile, JSON.stringify(entry) + '\n');

/**
 * The loopback stand-ins for Azure's metadata host, Entra ID's token endpoint and GitHub's OIDC
 * token endpoint, on one HTTPS port. Each checks what it receives; `requests` records it.
 */
function azureStandIn() {
  let port;
  const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, `https://127.0.0.1:${port}`);
      const body = Buffer.concat(chunks).toString();
      const entry = { kind: 'azure', method: req.method, path: url.pathname, ok: false };
      const send = (status, doc) => {
        entry.status = status;
        record(entry);
        const text = JSON.stringify(doc);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      const refuse = (status, error, description) => send(status, { error, error_description: description });
      if (url.pathname === '/metadata/endpoints') {
        entry.ok = url.searchParams.get('api-version') === '2022-09-01';
        return send(200, {
          name: 'AzuriteOnLoopback',
          portal: 'https://portal.azure.com',
          resourceManager: `https://127.0.0.1:${port}/`,
          microsoftGraphResourceId: 'https://graph.microsoft.com/',
          authentication: { loginEndpoint: `https://127.0.0.1:${port}/`, audiences: ['https://management.core.windows.net/'], tenant: 'common', identityProvider: 'AAD' },
          suffixes: { storage: 'localhost', keyVaultDns: 'vault.azure.net', sqlServerHostname: 'database.windows.net' },
        });
      }
      if (url.pathname === '/idtoken') {
        // GitHub's OIDC token endpoint: the runner's request token as a Bearer, and the audience asked.
        if (req.headers.authorization !== `Bearer ${REQUEST_TOKEN}`) return send(401, { message: 'bad request token' });
        const audience = url.searchParams.get('audience');
        if (audience !== 'api://AzureADTokenExchange') return send(400, { message: `unexpected audience ${audience}` });
        entry.ok = true;
        const now = Math.floor(Date.now() / 1000);
        return send(200, { count: 1, value: jwt({ iss: OIDC_ISSUER, aud: audience, sub: SUBJECT, iat: now, nbf: now, exp: now + 300 }) });
      }
      if (url.pathname === `/${TENANT}/oauth2/v2.0/token` && req.method === 'POST') {
        const form = new URLSearchParams(body);
        entry.grant = form.get('client_assertion') ? 'assertion' : form.get('client_secret') ? 'secret' : 'none';
        if (form.get('grant_type') !== 'client_credentials') return refuse(400, 'unsupported_grant_type', 'AADSTS70003: grant_type');
        if (form.get('client_id') !== CLIENT_ID) return refuse(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`);
        if (form.get('scope') !== 'https://storage.azure.com/.default') return refuse(400, 'invalid_scope', `AADSTS70011: scope ${form.get('scope')}`);
        if (entry.grant === 'assertion') {
          if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse(400, 'invalid_request', 'AADSTS50027: assertion type');
          let claims;
          try {
            claims = claimsOf(form.get('client_assertion'));
          } catch {
            return refuse(400, 'invalid_client', 'AADSTS50027: JWT token is invalid or malformed.');
          }
          entry.claims = claims;
          if (claims.iss !== OIDC_ISSUER || claims.aud !== 'api://AzureADTokenExchange' || claims.sub !== SUBJECT) {
            return refuse(400, 'invalid_client', `AADSTS700213: No matching federated identity record found for presented assertion subject '${claims.sub}'.`);
          }
        } else if (entry.grant === 'secret') {
          if (form.get('client_secret') !== CLIENT_SECRET) return refuse(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
        } else {
          return refuse(400, 'invalid_client', 'AADSTS7000216: client_assertion or client_secret is required.');
        }
        entry.ok = true;
        const now = Math.floor(Date.now() / 1000);
        // What Azurite's `--oauth basic` checks: iss (sts.windows.net/…), aud (storage), iat/nbf/exp.
        const access = jwt({ aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${TENANT}/`, iat: now, nbf: now - 60, exp: now + 3600, appid: CLIENT_ID, tid: TENANT, oid: CLIENT_ID });
        return send(200, { token_type: 'Bearer', expires_in: 3599, access_token: access });
      }
      return send(404, { error: 'not_found' });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    port = server.address().port;
    resolve({ server, port });
  }));
}

/**
 * The CONNECT proxy: tunnels `<account>.blob.localhost:443` to Azurite's port; refuses anything
 * else (403). Records each CONNECT target and whether it carried Proxy-Authorization.
 */
function connectProxy() {
  const server = net.createServer((client) => {
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const [method, target] = lines[0].split(' ');
      const auth = lines.find((l) => /^proxy-authorization:/i.test(l));
      record({ kind: 'proxy', method, target, proxyAuthorization: auth ? auth.split(':').slice(1).join(':').trim() : null });
      if (method !== 'CONNECT' || !/^[a-z0-9]+\.blob\.localhost:443$/.test(target)) {
        client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const upstream = net.connect(Number(azuritePort), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    };
    client.on('data', onData);
    client.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port })));
}


const stand = await azureStandIn();
const proxy = await connectProxy();
fs.writeFileSync(portFile, `${stand.port} ${proxy.port}`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
