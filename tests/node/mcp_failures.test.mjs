// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The MCP gateway when its servers misbehave: a stdio server that closes its stdin (the
// router must not die of SIGPIPE), a remote server that drips its answer forever (the call
// deadline must hold), servers that never answer (a listing must not wait on each in turn,
// nor on every listing), and a stdio server that leaves helpers running (its whole process
// group goes when the router stops).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { alive, readAudit, startFakeUpstream, startRouter, stopAll, tempDir, track, waitFor } from './support/router.mjs';
import { standardConfig } from './support/scenarios.mjs';
import { connectClient, driftServer, mcpServerDoc } from './support/mcp.mjs';

let dir;
let router;
let upstream;
let helperPidFile;

async function startMisbehaving() {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'misbehaving_mcp_server.mjs');
  const child = track(spawn(process.execPath, [script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  }));
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^(\d+)\n/);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`misbehaving server exited ${code}`)));
  });
  return `http://127.0.0.1:${port}/mcp`;
}

before(async () => {
  dir = tempDir('kars-mcp-fail-');
  helperPidFile = path.join(dir, 'helper.pid');
  upstream = await startFakeUpstream();
  const dripUrl = await startMisbehaving();
  const manifest = [
    // Closes its stdin at once and keeps stdout open: the gateway's first write hits a pipe
    // with no reader.
    mcpServerDoc('closed', { stdio: { command: ['/bin/sh', '-c', 'exec 0<&-; exec sleep 30'] }, allowedTools: ['*'] }),
    // Never answers initialize.
    mcpServerDoc('mute-a', { stdio: { command: ['/bin/sh', '-c', 'exec sleep 60'] }, allowedTools: ['*'] }),
    mcpServerDoc('mute-b', { stdio: { command: ['/bin/sh', '-c', 'exec sleep 60'] }, allowedTools: ['*'] }),
    mcpServerDoc('drip', { url: dripUrl, allowedTools: ['drip', 'echo'] }),
    // A working server that starts a helper of its own and records the helper's pid.
    mcpServerDoc('helpers', {
      stdio: { command: ['/bin/sh', '-c', `sleep 1001 & echo $! > ${helperPidFile}; exec "${process.execPath}" "${driftServer}"`] },
      allowedTools: ['*'],
    }),
  ].join('---\n');
  router = await startRouter({
    dir,
    manifest,
    config: { ...standardConfig(upstream), mcp: { call_timeout_ms: 2000, list_timeout_ms: 1500 } },
  });
});

after(stopAll);

test('a server that closed its stdin fails alone; the router lives on; hung servers time out together', async () => {
  const { client } = await connectClient(router);
  const t0 = Date.now();
  const { tools } = await client.listTools();
  const took = Date.now() - t0;
  // Two servers never answer initialize (1.5 s each): asked in parallel, the listing waits
  // about one timeout; one after the other it would wait at least two.
  assert.ok(took >= 1400 && took < 2800, `first listing took ${took} ms`);
  assert.ok(tools.some((t) => t.name === 'helpers__echo'), tools.map((t) => t.name).join(','));
  assert.ok(!tools.some((t) => t.name.startsWith('closed__')));
  assert.equal(router.exitCode, null, `router exited: ${router.stderr.slice(-2000)}`);
  const health = await fetch(`${router.baseUrl}/healthz`);
  assert.equal(health.status, 200);
  const echoed = await client.callTool({ name: 'helpers__echo', arguments: { message: 'still here' } });
  assert.equal(echoed.content[0].text, 'still here');
  await client.close();
});

test('a server that just failed is not waited on again by the next listings', async () => {
  const { client } = await connectClient(router);
  for (let i = 0; i < 3; i += 1) {
    const t0 = Date.now();
    const { tools } = await client.listTools();
    const took = Date.now() - t0;
    assert.ok(took < 500, `listing ${i} took ${took} ms`);
    assert.ok(tools.some((t) => t.name === 'helpers__echo'));
  }
  await client.close();
});

test('a remote answer that drips forever ends at the call deadline with an error, audited', async () => {
  const { client } = await connectClient(router);
  const t0 = Date.now();
  await assert.rejects(client.callTool({ name: 'drip__drip', arguments: {} }), (e) => {
    assert.equal(e.code, -32603);
    assert.match(e.message, /did not answer tools\/call within 2000 ms/);
    return true;
  });
  const took = Date.now() - t0;
  assert.ok(took >= 1900 && took < 5000, `took ${took} ms`);
  await waitFor(() => readAudit(router.auditPath).some((e) => e.action === 'mcp:drip:drip' && e.decision === 'error'));
  const ok = await client.callTool({ name: 'drip__echo', arguments: { text: 'after' } });
  assert.equal(ok.content[0].text, 'after');
  await client.close();
});

test('when the router stops, a stdio server and the helpers it started are gone', async () => {
  const helperPid = Number(fs.readFileSync(helperPidFile, 'utf8').trim());
  assert.ok(alive(helperPid), 'the helper runs while the server does');
  const stopped = await router.stop();
  assert.equal(stopped.code, 0);
  await waitFor(() => !alive(helperPid), { timeout: 6000, what: `helper ${helperPid} to be gone` });
});
