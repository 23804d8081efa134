// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Runs inside a namespace of its own that also maps the sandbox host ids (support/netns.mjs,
// runInSandboxNetns; started by netns.test.mjs). `kars dev` starts a real sandbox
// there, and the agent in it (netns/sandbox_agent.mjs) fetches HTTPS hosts with curl and
// with Node's https + https-proxy-agent, using nothing but the proxy variables the sandbox
// gives it. An HTTPS server of the test's own stands for a public host at 1.2.3.4, named by
// our DNS server; another on 127.0.0.1:443 stands for a service on the router's loopback.
// One `kars dev` run in before(); each test judges one part of what the agent saw.
// The agent runs this checkout's files on the sandbox's read-only host root, so the checkout
// must not sit under a path the sandbox hides (/root, the invoking user's home).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { PUBLIC_ADDRESS, mountScratch, runKarsDev, sandboxManifest, setUpNetwork } from '../support/netns.mjs';
import { startDnsServer } from '../support/dns_server.mjs';
import { selfSignedCert } from '../support/tls.mjs';
import { kars, readAudit, stopAll, tempDir } from '../support/router.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const NAME = 'egress-sandbox';
const ALLOWED = 'https://api.allowed.test/';
const DENIED = 'https://denied.test/';
// Allowlisted by name, so only the resolved-address check can refuse it.
const LOOPBACK = 'https://loop.allowed.test/';
const DEV_TIMEOUT_MS = 90_000;

let work;
let dns;
let publicServer;
let loopbackServer;
const publicHits = [];
let loopbackHits = 0;
let dev;
let report;

function manifest() {
  const command = ['node', path.join(here, 'sandbox_agent.mjs'), '${KARS_MANIFEST_DIR}/cert.pem',
    PUBLIC_ADDRESS, ALLOWED, DENIED, LOOPBACK];
  return sandboxManifest(NAME, command, {
    specLines: [
      '  networkPolicy:',
      '    allowedEndpoints:',
      '      - {host: api.allowed.test, port: 443}',
      '      - {host: loop.allowed.test, port: 443}',
    ],
  });
}

function listen(server, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(443, host, resolve);
  });
}

function fetchOf(url) {
  assert.ok(report, `the agent printed no report; kars dev said:\n${dev.output}`);
  return report.fetches[url];
}

before(async () => {
  setUpNetwork(tempDir('kars-egress-sandbox-'));
  work = mountScratch();
  fs.mkdirSync(path.join(work, 'home'));

  // The agent runs as host uid 101000: the certificate must be world-readable, the key not.
  const pem = selfSignedCert(work, 'api.allowed.test',
    ['DNS:api.allowed.test', 'DNS:denied.test', 'DNS:loop.allowed.test']);
  fs.chmodSync(pem.certPath, 0o644);
  fs.chmodSync(path.join(work, 'key.pem'), 0o600);

  dns = await startDnsServer({
    'api.allowed.test': () => [PUBLIC_ADDRESS],
    'denied.test': () => [PUBLIC_ADDRESS],
    'loop.allowed.test': () => ['127.0.0.1'],
  });
  publicServer = https.createServer({ key: pem.key, cert: pem.cert }, (req, res) => {
    publicHits.push(req.headers.host);
    res.end(`tls ok host=${req.headers.host}`);
  });
  await listen(publicServer, PUBLIC_ADDRESS);
  // Same certificate and port on loopback, so a request that got here would succeed: the
  // only thing standing between it and the agent is the proxy's address check.
  loopbackServer = https.createServer({ key: pem.key, cert: pem.cert },
    (req, res) => res.end('loopback reached'));
  // Counted at TCP accept: refusing after connecting would already be too late.
  loopbackServer.on('connection', () => { loopbackHits += 1; });
  await listen(loopbackServer, '127.0.0.1');

  fs.writeFileSync(path.join(work, 'sandbox.yaml'), manifest());
  dev = await runKarsDev(work, DEV_TIMEOUT_MS);
  const line = dev.output.split('\n').find((l) => l.startsWith('AGENT_REPORT '));
  report = line ? JSON.parse(line.slice('AGENT_REPORT '.length)) : null;
});

after(async () => {
  await stopAll();
  publicServer?.close();
  loopbackServer?.close();
  dns?.close();
});

test('kars dev ran the agent in its sandbox: unprivileged, proxy in the environment, no route out', () => {
  assert.equal(dev.code, 0, dev.output);
  assert.ok(report, dev.output);
  assert.equal(report.uid, 1000);
  assert.equal(report.httpsProxy, 'http://127.0.0.1:8444');
  // 1.2.3.4 answers on 443 in the test namespace; from the sandbox it is unreachable.
  assert.equal(report.direct.error, 'ENETUNREACH', JSON.stringify(report.direct));
});

test('curl in the sandbox: the allowlisted host answers through the proxy, certificate verified', () => {
  const r = fetchOf(ALLOWED).curl;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'tls ok host=api.allowed.test');
  assert.match(r.stderr, /Uses proxy env variable https_proxy == 'http:\/\/127\.0\.0\.1:8444'/i);
  assert.match(r.stderr, /CONNECT api\.allowed\.test:443/);
});

test('curl in the sandbox: a host outside the allowlist gets the proxy\'s 403, though it serves TLS', () => {
  const r = fetchOf(DENIED).curl;
  // CURLE_RECV_ERROR: curl's code for a CONNECT the proxy answered with an error status.
  assert.equal(r.code, 56, r.stderr);
  assert.match(r.stderr, /< HTTP\/1\.1 403/);
  assert.match(r.stderr, /CONNECT tunnel failed, response 403/);
  assert.equal(r.stdout, '');
});

test('curl in the sandbox: an allowlisted name that resolves to 127.0.0.1 is refused', () => {
  const r = fetchOf(LOOPBACK).curl;
  assert.equal(r.code, 56, r.stderr);
  assert.match(r.stderr, /< HTTP\/1\.1 403/);
  assert.doesNotMatch(r.stdout, /loopback reached/);
});

test('node https + https-proxy-agent in the sandbox: allowed host served, the others refused with a reason', () => {
  const ok = fetchOf(ALLOWED).node;
  assert.equal(ok.error, undefined, ok.error);
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'tls ok host=api.allowed.test');

  // https-proxy-agent hands a refused CONNECT's own answer back as the response.
  const denied = fetchOf(DENIED).node;
  assert.equal(denied.status, 403, JSON.stringify(denied));
  assert.match(denied.body, /denied\.test.*not in allowlist/);

  const loop = fetchOf(LOOPBACK).node;
  assert.equal(loop.status, 403, JSON.stringify(loop));
  assert.match(loop.body, /loop\.allowed\.test.*127\.0\.0\.1/);
});

test('the servers saw exactly the allowed fetches; the denied name was never even looked up', () => {
  assert.ok(report, dev.output);
  assert.deepEqual(publicHits, ['api.allowed.test', 'api.allowed.test']);
  assert.equal(loopbackHits, 0);
  assert.equal(dns.aQueries('denied.test'), 0);
  assert.ok(dns.aQueries('loop.allowed.test') >= 1, 'the loopback name was resolved and judged');
});

test('the audit log in kars dev\'s state dir records each allow and deny, and verifies', () => {
  const auditPath = path.join(work, 'state', 'audit.jsonl');
  const entries = readAudit(auditPath).filter((e) => e.action?.startsWith('egress:'));
  const of = (action) => entries.filter((e) => e.action === action);
  const all = JSON.stringify(entries);

  // One entry per client (curl, node), each with the rule that decided it.
  const allowed = of('egress:api.allowed.test:443');
  assert.equal(allowed.length, 2, all);
  for (const e of allowed) {
    assert.equal(e.decision, 'allow', all);
    assert.equal(e.policy_kind, 'EgressAllowlist', all);
    assert.equal(e.sandbox, NAME, all);
    assert.match(e.reason, /allowedEndpoints\[0\] api\.allowed\.test:443/);
  }
  const denied = of('egress:denied.test:443');
  assert.equal(denied.length, 2, all);
  for (const e of denied) {
    assert.equal(e.decision, 'deny', all);
    assert.equal(e.policy_kind, 'EgressAllowlist', all);
    assert.match(e.reason, /not in allowlist/);
  }
  const loop = of('egress:loop.allowed.test:443');
  assert.equal(loop.length, 2, all);
  for (const e of loop) {
    assert.equal(e.decision, 'deny', all);
    assert.match(e.reason, /resolved to 127\.0\.0\.1.*loopback/);
  }

  const verify = kars(['audit', 'verify', auditPath]);
  assert.equal(verify.status, 0, `${verify.stdout}${verify.stderr}`);
});
