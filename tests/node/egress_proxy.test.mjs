// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The egress proxy with a real client: curl through kars-router's egress listener to a local
// HTTPS server (throwaway self-signed certificate) and a local HTTP server, checking what
// the allowlist opens, what it refuses, and the audit entries for both.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

import { closedPort, provider, readAudit, startRouter, stopAll, tempDir, waitFor } from './support/router.mjs';
import { selfSignedCert } from './support/tls.mjs';

let dir;
let router;
let egressPort;
let tlsServer;
let tlsPort;
let deniedTlsPort;
let plainServer;
let plainPort;

function listen(server) {
  // No host: dual-stack, so whichever address "localhost" resolves to first is served.
  return new Promise((resolve) => server.listen(0, () => resolve(server.address().port)));
}

function curl(args) {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '10', '-x', `http://127.0.0.1:${egressPort}`, ...args],
      { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

before(async () => {
  dir = tempDir('kars-egress-');
  const { key, cert } = selfSignedCert(dir, 'localhost', ['DNS:localhost', 'IP:127.0.0.1']);
  const tls = { key, cert };
  tlsServer = https.createServer(tls, (req, res) => res.end('hello over tls'));
  tlsPort = await listen(tlsServer);
  deniedTlsPort = await closedPort();
  plainServer = http.createServer((req, res) => res.end(`host=${req.headers.host} url=${req.url}`));
  plainPort = await listen(plainServer);
  egressPort = await closedPort();

  router = await startRouter({
    dir,
    config: {
      providers: [provider('openai', 'openai', 'http://127.0.0.1:9')],
      egress: {
        listen: `127.0.0.1:${egressPort}`,
        // Loopback is special: the name and each address it resolves to are opened explicitly.
        allowed_endpoints: [
          { host: 'localhost', port: tlsPort },
          { host: '127.0.0.1', port: tlsPort },
          { host: '::1', port: tlsPort },
          { host: '127.0.0.1', port: deniedTlsPort },
          { host: '127.0.0.1', port: plainPort },
        ],
      },
    },
  });
  await waitFor(() => router.stderr.includes('listening on') || null, { what: 'router up' });
});

after(async () => {
  await stopAll();
  tlsServer?.close();
  plainServer?.close();
});

test('curl reaches an allowlisted HTTPS server through CONNECT', async () => {
  const r = await curl(['--cacert', path.join(dir, 'cert.pem'), `https://localhost:${tlsPort}/`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello over tls');
});

test('a loopback name without its own allowlist entry is denied with the rule', async () => {
  const r = await curl(['-v', '--cacert', path.join(dir, 'cert.pem'), `https://localhost:${deniedTlsPort}/`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /< HTTP\/1\.1 403/);
});

test('a host that is not allowlisted is denied', async () => {
  const r = await curl(['-v', `https://127.0.0.2:${tlsPort}/`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /< HTTP\/1\.1 403/);
});

test('plain HTTP goes to the target authority, not the Host header', async () => {
  const r = await curl(['-H', 'Host: evil.test', `http://127.0.0.1:${plainPort}/p?q=1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `host=127.0.0.1:${plainPort} url=/p?q=1`);
});

test('a denied plain HTTP request gets a 403 body naming the host', async () => {
  const r = await curl([`http://127.0.0.3:${plainPort}/`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kars egress proxy: .*127\.0\.0\.3/);
});

test('every decision is an audit entry', async () => {
  const entries = await waitFor(() => {
    const all = readAudit(router.auditPath).filter((e) => e.action.startsWith('egress:'));
    return all.length >= 5 ? all : null;
  }, { what: 'egress audit entries' });
  const find = (action, decision) => entries.find((e) => e.action === action && e.decision === decision);
  assert.ok(find(`egress:localhost:${tlsPort}`, 'allow'));
  const denied = find(`egress:localhost:${deniedTlsPort}`, 'deny');
  assert.ok(denied);
  assert.ok(denied.reason.length > 0);
  assert.ok(find(`egress:127.0.0.2:${tlsPort}`, 'deny'));
  assert.ok(find(`egress:127.0.0.1:${plainPort}`, 'allow'));
  assert.ok(find(`egress:127.0.0.3:${plainPort}`, 'deny'));
  for (const e of entries) assert.equal(e.sandbox, 'sb-test');
});
