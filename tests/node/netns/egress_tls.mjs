// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Runs inside a network namespace of its own (support/netns.mjs; started by
// egress_tls.test.mjs). An HTTPS server of the test's own stands for a public host at
// 1.2.3.4, named by our DNS server; real clients reach it only through the router's egress
// proxy: curl, and Node's https client with the https-proxy-agent package.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { HttpsProxyAgent } from 'https-proxy-agent';

import { PUBLIC_ADDRESS, setUpNetwork } from '../support/netns.mjs';
import { startDnsServer } from '../support/dns_server.mjs';
import { selfSignedCert } from '../support/tls.mjs';
import { closedPort, provider, readAudit, startRouter, stopAll, tempDir, waitFor } from '../support/router.mjs';

let dir;
let dns;
let server;
let router;
let ca;

function curl(args) {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '10', '--cacert', path.join(dir, 'cert.pem'),
      '-x', `http://127.0.0.1:${router.egressPort}`, ...args],
    { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

function nodeGet(url) {
  const agent = new HttpsProxyAgent(`http://127.0.0.1:${router.egressPort}`);
  return new Promise((resolve) => {
    https.get(url, { agent, ca }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', (error) => resolve({ error }));
  });
}

before(async () => {
  dir = tempDir('kars-egress-tls-');
  setUpNetwork(dir);
  const pem = selfSignedCert(dir, 'api.allowed.test', ['DNS:api.allowed.test', 'DNS:denied.test']);
  ca = pem.cert;
  dns = await startDnsServer({
    'api.allowed.test': () => [PUBLIC_ADDRESS],
    'denied.test': () => [PUBLIC_ADDRESS],
  });
  server = https.createServer({ key: pem.key, cert: pem.cert },
    (req, res) => res.end(`tls ok host=${req.headers.host}`));
  await new Promise((resolve) => server.listen(443, PUBLIC_ADDRESS, resolve));
  const egressPort = await closedPort();
  router = await startRouter({
    dir,
    config: {
      sandbox: { name: 'sb-tls', namespace: 'default' },
      providers: [provider('openai', 'openai', 'http://127.0.0.1:9')],
      egress: { listen: `127.0.0.1:${egressPort}`, allowed_endpoints: [{ host: 'api.allowed.test', port: 443 }] },
    },
  });
  router.egressPort = egressPort;
});

after(async () => {
  await stopAll();
  server?.close();
  dns?.close();
});

test('curl: the allowlisted HTTPS host answers end to end, certificate verified', async () => {
  const r = await curl(['https://api.allowed.test/']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'tls ok host=api.allowed.test');
});

test('curl: a host outside the allowlist gets 403 naming the host, though it serves TLS too', async () => {
  const r = await curl(['-v', 'https://denied.test/']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /403/);
  assert.match(r.stderr + r.stdout, /denied\.test/);
});

test('node https through a proxy agent: allowed host served, denied host refused', async () => {
  const ok = await nodeGet('https://api.allowed.test/');
  assert.equal(ok.error, undefined, String(ok.error));
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'tls ok host=api.allowed.test');
  const no = await nodeGet('https://denied.test/');
  // https-proxy-agent hands a refused CONNECT's own answer back as the response.
  assert.ok(no.error || no.status === 403, `denied tunnel answered ${no.status}: ${no.body}`);
  assert.ok(!String(no.body ?? '').includes('tls ok'), 'the denied host was reached');
  const entries = await waitFor(() => {
    const e = readAudit(router.auditPath).filter((x) => x.action.startsWith('egress:'));
    return e.some((x) => x.action === 'egress:denied.test:443') ? e : null;
  }, { what: 'egress audit entries' });
  assert.ok(entries.some((x) => x.action === 'egress:api.allowed.test:443' && x.decision === 'allow'));
  assert.ok(entries.some((x) => x.action === 'egress:denied.test:443' && x.decision === 'deny'));
});
