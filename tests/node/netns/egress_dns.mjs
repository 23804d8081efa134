// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Runs inside a network namespace of its own (support/netns.mjs; started by
// netns.test.mjs), where a DNS server of the test's own answers every name the router
// looks up and 1.2.3.4 stands for a public host. Covers what loopback alone cannot: a
// rebinding resolver, names resolving to loopback, egressMode from the manifest (enforce by
// default, learn when asked), and `kars egress approve/show/denied/learned` against a running
// router.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { PUBLIC_ADDRESS, setUpNetwork } from '../support/netns.mjs';
import { startDnsServer } from '../support/dns_server.mjs';
import { closedPort, kars, provider, readAudit, startRouter, stopAll, tempDir, waitFor } from '../support/router.mjs';

let dir;
let dns;
let port;
let publicServer;
let loopbackServer;
let loopbackHits = 0;
let enforce;
let learn;

function sandboxManifest(name, networkPolicy) {
  return [
    'apiVersion: kars.azure.com/v1alpha1',
    'kind: KarsSandbox',
    'metadata:',
    `  name: ${name}`,
    '  namespace: default',
    'spec:',
    '  runtime:',
    '    kind: BYO',
    '    byo:',
    '      image: example.test/agent:v1',
    '      contractVersion: v1',
    '      command: ["true"]',
    '  sandbox:',
    '    isolation: enhanced',
    '  inferenceRef:',
    '    name: inf',
    '  networkPolicy:',
    ...networkPolicy.map((l) => `    ${l}`),
    '',
  ].join('\n');
}

function curl(router, args) {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '10', '-x', `http://127.0.0.1:${router.egressPort}`, ...args],
      { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

async function egressRouter(name, { manifest, egress }) {
  const egressPort = await closedPort();
  const routerDir = fs.mkdtempSync(path.join(dir, `${name}-`));
  const router = await startRouter({
    dir: routerDir,
    manifest,
    config: {
      sandbox: { name, namespace: 'default' },
      providers: [provider('openai', 'openai', 'http://127.0.0.1:9')],
      egress: { listen: `127.0.0.1:${egressPort}`, watch_interval_ms: 100, ...egress },
    },
  });
  router.egressPort = egressPort;
  return router;
}

function listenOn(server, host, p) {
  return new Promise((resolve) => server.listen(p, host, () => resolve(server.address().port)));
}

before(async () => {
  dir = tempDir('kars-egress-netns-');
  setUpNetwork(dir);
  dns = await startDnsServer({
    // First lookup a public-looking address, every later one loopback.
    'rebind.test': (n) => (n === 0 ? [PUBLIC_ADDRESS] : ['127.0.0.1']),
    'loop.test': () => ['127.0.0.1'],
    'mixed.test': () => [PUBLIC_ADDRESS, '127.0.0.1'],
    'learned.test': () => [PUBLIC_ADDRESS],
    'approved.test': () => [PUBLIC_ADDRESS],
  });
  publicServer = http.createServer((req, res) => res.end(`public host=${req.headers.host}`));
  port = await listenOn(publicServer, PUBLIC_ADDRESS, 0);
  // Same port on loopback: any request that lands here went to an address nobody checked.
  loopbackServer = http.createServer((req, res) => {
    loopbackHits += 1;
    res.end('loopback');
  });
  await listenOn(loopbackServer, '127.0.0.1', port);

  fs.mkdirSync(path.join(dir, 'approvals'));
  enforce = await egressRouter('sb-enforce', {
    manifest: sandboxManifest('sb-enforce', [
      'allowedEndpoints:',
      `  - {host: rebind.test, port: ${port}}`,
      `  - {host: loop.test, port: ${port}}`,
      `  - {host: mixed.test, port: ${port}}`,
    ]),
    egress: { approvals_dir: path.join(dir, 'approvals') },
  });
  learn = await egressRouter('sb-learn', {
    manifest: sandboxManifest('sb-learn', ['egressMode: Learn']),
    egress: { learn_file: path.join(dir, 'learned.json') },
  });
});

after(async () => {
  await stopAll();
  publicServer?.close();
  loopbackServer?.close();
  dns?.close();
});

test('a rebinding resolver: the proxy dials the address it checked, once, and refuses loopback', async () => {
  // CONNECT: one lookup, answered with the public address; the tunnel reaches that address.
  const first = await curl(enforce, ['-p', `http://rebind.test:${port}/`]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, `public host=rebind.test:${port}`);
  assert.equal(dns.aQueries('rebind.test'), 1, 'the name was looked up exactly once');

  // The resolver now rebinds the name to loopback: refused, naming the address.
  const second = await curl(enforce, [`http://rebind.test:${port}/`]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /kars egress proxy: .*rebind\.test.*127\.0\.0\.1/);
  assert.equal(dns.aQueries('rebind.test'), 2);
  assert.equal(loopbackHits, 0);
});

test('an allowlisted name that resolves to loopback is refused', async () => {
  const r = await curl(enforce, ['-v', '-p', `http://loop.test:${port}/`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /< HTTP\/1\.1 403/);
  assert.equal(loopbackHits, 0);
});

test('one loopback address in an answer refuses the whole name', async () => {
  const r = await curl(enforce, [`http://mixed.test:${port}/`]);
  assert.match(r.stdout, /kars egress proxy: .*127\.0\.0\.1/);
  assert.equal(loopbackHits, 0);
});

test('enforce is the default when the manifest does not set egressMode', async () => {
  assert.match(enforce.stderr, /egress enforce mode at start \(default\)/);
  const r = await curl(enforce, [`http://learned.test:${port}/`]);
  assert.match(r.stdout, /kars egress proxy: .*learned\.test.*not in allowlist/);
});

test('kars egress approve opens a host on the running router; show lists it with its expiry', async () => {
  // An approval that expired an hour ago: listed as expired, grants nothing.
  const past = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  fs.writeFileSync(path.join(dir, 'approvals', 'old.yaml'), [
    'apiVersion: kars.azure.com/v1alpha1', 'kind: EgressApproval',
    'metadata: {name: old-grant, namespace: default}',
    `spec: {sandbox: sb-enforce, hosts: [{host: approved.test, port: ${port}}], reason: earlier, ttl: PT1H}`,
    `status: {phase: Active, expiresAt: "${past}"}`, ''].join('\n'));
  // The watcher reloads within its interval; until then the reason does not name the expiry.
  const before = await waitFor(async () => {
    const c = await curl(enforce, [`http://approved.test:${port}/`]);
    return /expired/.test(c.stdout) ? c : null;
  }, { what: 'the expired approval to be loaded' });
  assert.match(before.stdout, /old-grant/);

  const r = kars(['egress', 'approve', 'sb-enforce', `approved.test:${port}`, '--ttl', '1h',
    '--reason', 'vendor status page', '--config', enforce.configPath]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /now allowed/);
  const ok = await waitFor(async () => {
    const c = await curl(enforce, [`http://approved.test:${port}/`]);
    return c.stdout.startsWith('public') ? c : null;
  }, { what: 'the router to pick up the approval' });
  assert.equal(ok.stdout, `public host=approved.test:${port}`);

  const show = kars(['egress', 'show', 'sb-enforce', '--config', enforce.configPath]);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /enforce mode/);
  assert.match(show.stdout, new RegExp(`rebind\\.test:${port}\\s+allowedEndpoints\\[0\\]`));
  assert.match(show.stdout, new RegExp(`approved\\.test:${port}\\s+old-grant\\s+EXPIRED`));
  assert.match(show.stdout, new RegExp(`approved\\.test:${port}\\s+sb-enforce-\\S+\\s+expires \\S+Z \\(\\d+m left\\)`));
  // `kars egress NAME` is show.
  const bare = kars(['egress', 'sb-enforce', '--config', enforce.configPath]);
  assert.equal(bare.status, 0, bare.stderr);
  assert.equal(bare.stdout, show.stdout);
});

test('kars egress denied lists the recent denials from the audit log', async () => {
  const r = await waitFor(() => {
    const d = kars(['egress', 'denied', 'sb-enforce', '--config', enforce.configPath]);
    return d.stdout.includes(`learned.test:${port}`) ? d : null;
  }, { what: 'denials in the audit log' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`loop\\.test:${port}  EgressAllowlist: .*127\\.0\\.0\\.1`));
  assert.match(r.stdout, new RegExp(`learned\\.test:${port}  EgressAllowlist: .*not in allowlist`));
  assert.doesNotMatch(r.stdout, /approved\.test.*now allowed/);
  const one = kars(['egress', 'denied', 'sb-enforce', '--audit', enforce.auditPath, '--limit', '1']);
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.stdout.trim().split('\n').length, 1);
});

test('egressMode: Learn allows and records every host, loudly, and still audits', async () => {
  assert.match(learn.stderr, /LEARN MODE in force at start \(KarsSandbox networkPolicy\.egressMode: Learn\)/);
  const r = await curl(learn, [`http://learned.test:${port}/`]);
  assert.equal(r.stdout, `public host=learned.test:${port}`);
  await waitFor(() => learn.stderr.includes(`LEARN MODE allowed learned.test:${port}`), { what: 'learn warning' });
  const record = JSON.parse(fs.readFileSync(path.join(dir, 'learned.json'), 'utf8'));
  assert.deepEqual(record.endpoints, [{ host: 'learned.test', port }]);
  const audited = await waitFor(() => readAudit(learn.auditPath).find((e) => e.action === `egress:learned.test:${port}`),
    { what: 'learn-mode audit entry' });
  assert.equal(audited.decision, 'allow');
  assert.equal(audited.policy_kind, 'EgressLearnMode');

  // Learn mode never opens loopback.
  const loop = await curl(learn, [`http://loop.test:${port}/`]);
  assert.match(loop.stdout, /kars egress proxy: .*127\.0\.0\.1/);
  assert.equal(loopbackHits, 0);
});

test('kars egress learned turns the record into an allowedEndpoints snippet', async () => {
  const r = kars(['egress', 'learned', 'sb-learn', '--config', learn.configPath]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /egressMode: Strict/);
  assert.match(r.stdout, new RegExp(`allowedEndpoints:\\n\\s+- host: "learned\\.test"\\n\\s+port: ${port}\\n`));
  // Without a learn file, the audit log's learn-mode allows give the same list.
  const fromAudit = kars(['egress', 'learned', 'sb-learn', '--audit', learn.auditPath]);
  assert.equal(fromAudit.status, 0, fromAudit.stderr);
  assert.match(fromAudit.stdout, new RegExp(`- host: "learned\\.test"\\n\\s+port: ${port}\\n`));
});
