// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// What the MCP gateway must not take on a server's or a client's word: a restarted server
// process is checked against its pins before a call reaches it; a tool listed twice with
// different definitions is withheld; a server cannot forge the gateway's decision metadata
// or replace its answer with a second one; a client's self-chosen name cannot bloat the
// audit log; repeated decision headers are refused; a server echoing a router credential
// does not get it to the agent. Each case is tried against a real
// kars-router and a stdio server of the test's own.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { ROUTER_KEY, alive, readAudit, startFakeUpstream, startRouter, stopAll, tempDir, waitFor } from './support/router.mjs';
import { post, standardConfig } from './support/scenarios.mjs';
import { connectClient, mcpServerDoc, shiftyServer } from './support/mcp.mjs';

let dir;
let router;
const state = {};

function serverDir(name, mode) {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'mode'), mode);
  state[name] = d;
  return d;
}

function callsOf(name) {
  const file = path.join(state[name], 'calls.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const decisionOf = (result) => result._meta?.['kars.azure.com/decision'];
const text = (result) => result.content.map((c) => c.text ?? '').join('');

before(async () => {
  dir = tempDir('kars-mcp-integrity-');
  const docs = [];
  for (const [name, mode] of [['restarts', 'plain'], ['twins', 'twins'], ['same', 'same-twins']]) {
    const d = serverDir(name, mode);
    docs.push(mcpServerDoc(name, {
      stdio: {
        command: [process.execPath, shiftyServer],
        env: [{ name: 'SHIFTY_DIR', value: d }, { name: 'SHIFTY_SECRET', value: ROUTER_KEY }],
      },
      allowedTools: ['echo', 'other'],
    }));
  }
  const upstream = await startFakeUpstream();
  router = await startRouter({
    dir,
    manifest: docs.join('---\n'),
    config: { ...standardConfig(upstream), mcp: { pins_file: path.join(dir, 'pins.json') } },
  });
});

after(stopAll);

test('a restarted server with a changed definition is checked before any call reaches it', async () => {
  const { client } = await connectClient(router);
  const first = await client.callTool({ name: 'restarts__echo', arguments: { text: 'one' } });
  assert.equal(text(first), 'plain:one');
  const oldPid = Number(fs.readFileSync(path.join(state.restarts, 'pid'), 'utf8'));

  // The next process describes echo differently. The router restarts a dead server at most
  // once per two seconds, so the kill comes after that.
  fs.writeFileSync(path.join(state.restarts, 'mode'), 'evil');
  await new Promise((r) => setTimeout(r, 2100));
  process.kill(oldPid, 'SIGKILL');
  await waitFor(() => !alive(oldPid), { what: 'the server to die' });
  await waitFor(() => /mcp server restarts: (it )?exited/.test(router.stderr), { what: 'the router to see the exit' });

  // The catalogue the gateway holds still has the approved definition; the call must not
  // reach the new process on its strength.
  const second = await client.callTool({ name: 'restarts__echo', arguments: { text: 'two' } });
  assert.equal(second.isError, true, text(second));
  assert.equal(decisionOf(second).policy_kind, 'mcp_pin');
  const newPid = Number(fs.readFileSync(path.join(state.restarts, 'pid'), 'utf8'));
  assert.notEqual(newPid, oldPid);
  assert.deepEqual(callsOf('restarts'), [`${oldPid} echo`]);
  await waitFor(() => readAudit(router.auditPath).some((e) =>
    e.action === 'mcp:restarts:echo' && e.decision === 'deny' && e.policy_kind === 'mcp_pin'),
  { what: 'the drift denial in the audit log' });

  // A tool whose definition did not change still works on the new process.
  const other = await client.callTool({ name: 'restarts__other', arguments: {} });
  assert.equal(text(other), 'evil:');
  await client.close();
});

test('a tool listed twice with different definitions is withheld; an identical repeat is not', async () => {
  const { client } = await connectClient(router);
  const names = (await client.listTools()).tools.map((t) => t.name);
  assert.ok(!names.includes('twins__echo'), names.join(', '));
  assert.ok(names.includes('twins__other'));
  assert.equal(names.filter((n) => n === 'same__echo').length, 1);

  const refused = await client.callTool({ name: 'twins__echo', arguments: { text: 'x' } });
  assert.equal(refused.isError, true);
  assert.equal(decisionOf(refused).policy_kind, 'mcp_gateway');
  assert.match(text(refused), /more than once with different definitions/);
  assert.deepEqual(callsOf('twins'), []);
  // Withheld is not drifted: nothing claims the tool was blocked by its pin.
  assert.ok(!readAudit(router.auditPath).some((e) => e.action === 'mcp:twins:echo' && e.policy_kind === 'mcp_pin'));

  const same = await client.callTool({ name: 'same__echo', arguments: { text: 'y' } });
  assert.equal(text(same), 'same-twins:y');
  await client.close();
});

test('a server cannot put a gateway decision into a result, nor replace its first answer', async () => {
  const { client } = await connectClient(router);
  const result = await client.callTool({ name: 'same__other', arguments: {} });
  assert.ok(!result.isError);
  assert.equal(text(result), 'same-twins:');
  assert.equal(decisionOf(result), undefined);
  assert.equal(result._meta['shifty/own'], 1);
  await client.close();
});

test("a client's name is cut short before it reaches the audit log", async () => {
  const headers = { accept: 'application/json, text/event-stream' };
  const name = `huge-${'N'.repeat(200000)}\n{"action":"fake"}`;
  const init = await post(router.baseUrl, '/mcp', {
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name, version: '1' } },
  }, headers);
  assert.equal(init.status, 200, init.text);
  const session = init.headers.get('mcp-session-id');
  const before = fs.statSync(router.auditPath).size;
  const res = await post(router.baseUrl, '/mcp', {
    jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'twins__echo', arguments: {} },
  }, { ...headers, 'mcp-session-id': session });
  assert.equal(res.status, 200, res.text);
  const entry = await waitFor(() => readAudit(router.auditPath).find((e) =>
    e.action === 'mcp:twins:echo' && /MCP client huge-N/.test(e.reason)), { what: 'the audit entry' });
  assert.ok(entry.reason.length < 400, `reason is ${entry.reason.length} bytes`);
  assert.ok(!entry.reason.includes('\n'));
  assert.ok(fs.statSync(router.auditPath).size - before < 4096);
});

test('a repeated session id or protocol version header is refused with 400', async () => {
  const send = (headers) => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: router.port, path: '/mcp', method: 'POST', headers }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }));
  });
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  for (const [header, values] of [['mcp-session-id', ['a', 'b']], ['mcp-protocol-version', ['2025-06-18', '1999-01-01']],
    ['content-type', ['application/json', 'text/plain']]]) {
    const res = await send({ ...base, [header]: values });
    assert.equal(res.status, 400, `${header}: ${res.body}`);
    assert.match(JSON.parse(res.body).error.message, new RegExp(`more than one ${header}`));
  }
});

test("a server echoing one of the router's credentials does not get it to the agent", async () => {
  const { client } = await connectClient(router);
  const result = await client.callTool({ name: 'same__echo', arguments: { text: 'leak' } });
  const whole = JSON.stringify(result);
  assert.ok(!whole.includes(ROUTER_KEY), whole);
  assert.match(text(result), /token in use: \[redacted by kars\]/);
  const raw = await client.callTool({ name: 'same__echo', arguments: { text: 'leak-error' } }).catch((e) => e);
  assert.ok(!JSON.stringify(raw).includes(ROUTER_KEY), String(raw));
  assert.ok(!String(raw.message ?? '').includes(ROUTER_KEY));
  await client.close();
});
