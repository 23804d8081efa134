// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Blocklist files are watched: changing one while the router runs changes the next decision,
// and a file that cannot be loaded keeps the previous policy (and says so in the log).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { closedPort, kars, provider, startRouter, stopAll, tempDir, waitFor } from './support/router.mjs';

let dir;
let router;
let egressPort;
let server;
let port;
let blocklist;

function curl(url) {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '10', '-x', `http://127.0.0.1:${egressPort}`, url],
      { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

const fetchOnce = () => curl(`http://127.0.0.1:${port}/`);

before(async () => {
  dir = tempDir('kars-egress-reload-');
  server = http.createServer((req, res) => res.end('reached'));
  port = await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
  egressPort = await closedPort();
  blocklist = path.join(dir, 'blocked.txt');
  fs.writeFileSync(blocklist, '# nothing blocked yet\n');
  router = await startRouter({
    dir,
    config: {
      providers: [provider('openai', 'openai', 'http://127.0.0.1:9')],
      egress: {
        listen: `127.0.0.1:${egressPort}`,
        allowed_endpoints: [{ host: '127.0.0.1', port }],
        blocklists: [{ path: blocklist, format: 'hosts' }],
        watch_interval_ms: 50,
      },
    },
  });
});

after(async () => {
  await stopAll();
  server?.close();
});

test('a blocklist file changed while the router runs changes the decision', async () => {
  assert.equal((await fetchOnce()).stdout, 'reached');
  fs.writeFileSync(blocklist, '# feed\n0.0.0.0 127.0.0.1\n');
  const denied = await waitFor(async () => {
    const r = await fetchOnce();
    return r.stdout.includes('blocklist') ? r : null;
  }, { what: 'the blocklist to be reloaded' });
  assert.match(denied.stdout, new RegExp(`blocked\\.txt line 2`));
  assert.match(router.stderr, /egress policy reloaded: an input file changed/);
});

test('a blocklist that cannot be loaded keeps the previous list and logs an error', async () => {
  const from = router.stderr.length;
  fs.rmSync(blocklist);
  await waitFor(() => /failed to load; the previous policy stays[^\n]*blocked\.txt/.test(router.stderr.slice(from)),
    { what: 'the reload error in the log' });
  assert.match((await fetchOnce()).stdout, /blocklist/);

  // Back to an empty list: allowed again.
  fs.writeFileSync(blocklist, '# cleared\n');
  await waitFor(async () => (await fetchOnce()).stdout === 'reached', { what: 'the cleared list' });
});

test('kars egress approve refuses bad input and writes nothing', () => {
  const approvals = path.join(dir, 'approvals');
  fs.mkdirSync(approvals);
  const cfgPath = path.join(dir, 'cli.yaml');
  fs.writeFileSync(cfgPath, JSON.stringify({ ...router.config, egress: { approvals_dir: approvals } }));
  const approve = (...args) => kars(['egress', 'approve', 'sb-test', ...args, '--config', cfgPath]);
  const cases = [
    [['a.test:443', '--ttl', '8d', '--reason', 'r'], /7 day ceiling/],
    [['a.test:443', '--ttl', '0s', '--reason', 'r'], /positive/],
    [['a.test:443', '--ttl', '1x', '--reason', 'r'], /--ttl 1x/],
    [['www*.test:443', '--ttl', '1h', '--reason', 'r'], /www\*\.test/],
    [['a.test:0', '--ttl', '1h', '--reason', 'r'], /port/],
    [['a.test:443', '--ttl', '1h', '--reason', 'bad\u0007bell'], /control bytes/],
  ];
  for (const [args, message] of cases) {
    const r = approve(...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(fs.readdirSync(approvals), []);

  // Without an approvals directory in the config there is nowhere the router would look.
  const none = kars(['egress', 'approve', 'sb-test', 'a.test', '--reason', 'r', '--config', router.configPath]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no egress\.approvals_dir/);

  // A wildcard with an ISO 8601 TTL is written with the port defaulted to 443.
  const ok = approve('*.vendor.test', '--ttl', 'PT1H30M', '--reason', 'incident 7', '--name', 'inc-7');
  assert.equal(ok.status, 0, ok.stderr);
  const text = fs.readFileSync(path.join(approvals, 'inc-7.yaml'), 'utf8');
  assert.match(text, /host: "\*\.vendor\.test"\n\s+port: 443/);
  assert.match(text, /ttl: PT1H30M/);
  assert.match(text, /expiresAt: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
});
