// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The MCP gateway end to end: the official MCP SDK client talks to kars-router's /mcp,
// which fronts real servers from npm (server-everything over stdio and over streamable
// HTTP, server-filesystem over stdio) and an SDK-built server whose tools change at run
// time. Listing, calling, denial, approvals, batches, session loss, definition drift,
// the stdio environment, and the HTTP checks are each tried, and every decision is looked
// up in the audit log.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { kars, readAudit, startFakeUpstream, startRouter, stopAll, tempDir, waitFor } from './support/router.mjs';
import { post, standardConfig } from './support/scenarios.mjs';
import {
  conformanceCli, connectClient, driftServer, everythingServer, filesystemServer, mcpServerDoc,
  startEverythingHttp,
} from './support/mcp.mjs';

const PROFILE = `
version: "1.0"
policies:
  - name: files-read-only
    type: capability
    priority: 10
    denied_actions: ["mcp:files:write_file", "mcp:files:edit_file", "mcp:files:move_file", "mcp:files:create_directory"]
  - name: sums-need-a-person
    type: approval
    actions: ["mcp:everything:get-sum"]
  - name: mcp-allow
    type: capability
    allowed_actions: ["mcp:*", "inference:*"]
`;

const SECRET = 'drift-secret-from-router-env';
let dir;
let shared;
let router;
let remote;

function mcpEntries(action) {
  return readAudit(router.auditPath).filter((e) => e.action === action);
}

function decisionOf(result) {
  return result._meta?.['kars.azure.com/decision'];
}

function text(result) {
  return result.content.map((c) => c.text ?? '').join('');
}

// A raw POST to /mcp for what the SDK client never sends (batches, bad headers).
function rpc(body, { session, headers = {} } = {}) {
  const h = { accept: 'application/json, text/event-stream', ...headers };
  if (session) h['mcp-session-id'] = session;
  return post(router.baseUrl, '/mcp', body, h);
}

async function rawSession() {
  const res = await rpc({
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  assert.equal(res.status, 200, res.text);
  return res.headers.get('mcp-session-id');
}

// node:http lets a test set Host, which fetch does not.
function rawRequest(method, headers, body = '') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: router.port, path: '/mcp', method, headers }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  dir = tempDir('kars-mcp-');
  shared = path.join(dir, 'shared');
  fs.mkdirSync(shared);
  fs.writeFileSync(path.join(shared, 'notes.txt'), 'hello from the shared folder\n');
  fs.writeFileSync(path.join(dir, 'profile.yaml'), PROFILE);
  remote = await startEverythingHttp();
  const upstream = await startFakeUpstream();
  const manifest = [
    mcpServerDoc('everything', {
      stdio: { command: [process.execPath, everythingServer, 'stdio'] },
      allowedTools: ['echo', 'get-sum', 'get-tiny-image'],
    }),
    mcpServerDoc('files', {
      stdio: { command: [process.execPath, filesystemServer, shared] },
      allowedTools: ['*'],
    }),
    mcpServerDoc('drift', {
      stdio: {
        command: [process.execPath, driftServer],
        env: [{ name: 'DRIFT_SECRET', valueFromEnv: 'KARS_TEST_DRIFT_SECRET' }, { name: 'DRIFT_MODE', value: 'test' }],
      },
      allowedTools: ['*'],
    }),
    mcpServerDoc('remote', { url: remote.url, allowedTools: ['echo'] }),
    // One call a minute of the tiny image: listing it must not spend that call.
    `apiVersion: kars.azure.com/v1alpha1
kind: ToolPolicy
metadata: {name: image-rate, namespace: default}
spec:
  appliesTo: {tool: get-tiny-image, mcpServer: everything, sandboxMatchLabels: {team: mcp}}
  rateLimit: {burst: 1, window: "1m"}
`,
    mcpServerDoc('elsewhere', {
      namespace: 'other-team',
      stdio: { command: [process.execPath, everythingServer, 'stdio'] },
      allowedTools: ['*'],
    }),
  ].join('---\n');
  router = await startRouter({
    dir,
    manifest,
    env: { KARS_TEST_DRIFT_SECRET: SECRET, UNRELATED_ROUTER_SECRET: 'must-not-leak' },
    config: {
      ...standardConfig(upstream),
      sandbox: { name: 'sb-test', namespace: 'default', labels: { team: 'mcp' } },
      governance: { profiles: [path.join(dir, 'profile.yaml')], approvals_dir: path.join(dir, 'approvals') },
      mcp: { pins_file: path.join(dir, 'pins.json'), call_timeout_ms: 20000 },
    },
  });
});

after(stopAll);

describe('listing and calling through the gateway', () => {
  test('tools of every admitted server are listed under <server>__<tool>; refused ones are not', async () => {
    const { client } = await connectClient(router);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const expected of ['everything__echo', 'everything__get-sum', 'everything__get-tiny-image',
      'files__read_text_file', 'files__list_directory', 'drift__echo', 'remote__echo']) {
      assert.ok(names.includes(expected), `${expected} missing from ${names.join(', ')}`);
    }
    // allowedTools leaves get-env out (it would dump the server's environment).
    assert.ok(!names.includes('everything__get-env'));
    assert.ok(!names.includes('remote__get-sum'));
    // The profile denies writes on the files server.
    assert.ok(!names.includes('files__write_file'));
    // A server of another namespace is not this sandbox's.
    assert.ok(!names.some((n) => n.startsWith('elsewhere__')));
    const echo = tools.find((t) => t.name === 'everything__echo');
    assert.equal(echo.inputSchema.type, 'object');
    assert.ok(echo.description.length > 0);
    await client.close();
  });

  test('an allowed call reaches the server, and the decision is audited first', async () => {
    const { client } = await connectClient(router);
    const result = await client.callTool({ name: 'everything__echo', arguments: { message: 'through kars' } });
    assert.equal(text(result), 'Echo: through kars');
    assert.ok(!result.isError);
    const remoteResult = await client.callTool({ name: 'remote__echo', arguments: { message: 'over http' } });
    assert.equal(text(remoteResult), 'Echo: over http');
    const files = await client.callTool({ name: 'files__read_text_file', arguments: { path: path.join(shared, 'notes.txt') } });
    assert.match(text(files), /hello from the shared folder/);
    const entries = await waitFor(() => {
      const e = mcpEntries('mcp:everything:echo').filter((x) => x.decision === 'allow' && x.policy_kind !== 'mcp_pin');
      return e.length > 0 ? e : null;
    });
    assert.match(entries[0].reason, /mcp tools\/call/);
    assert.equal(entries[0].sandbox, 'sb-test');
    await client.close();
  });

  test('a call the profile denies is refused, audited, and never reaches the server', async () => {
    const { client } = await connectClient(router);
    const target = path.join(shared, 'written.txt');
    const result = await client.callTool({ name: 'files__write_file', arguments: { path: target, content: 'x' } });
    assert.equal(result.isError, true);
    const d = decisionOf(result);
    assert.equal(d.decision, 'deny');
    assert.equal(d.action, 'mcp:files:write_file');
    assert.match(text(result), /files-read-only/);
    assert.equal(fs.existsSync(target), false);
    await waitFor(() => mcpEntries('mcp:files:write_file').some((e) => e.decision === 'deny'));
    await client.close();
  });

  test('a tool outside allowedTools is refused even when called by name', async () => {
    const { client } = await connectClient(router);
    const result = await client.callTool({ name: 'everything__get-env', arguments: {} });
    assert.equal(result.isError, true);
    assert.equal(decisionOf(result).policy_kind, 'mcp_server');
    assert.doesNotMatch(text(result), /PATH=/);
    await waitFor(() => mcpEntries('mcp:everything:get-env').some((e) => e.decision === 'deny'));
    await client.close();
  });

  test('a ToolPolicy rate limit is spent by calls, not by listings', async () => {
    const { client } = await connectClient(router);
    for (let i = 0; i < 3; i += 1) {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'everything__get-tiny-image'));
    }
    const first = await client.callTool({ name: 'everything__get-tiny-image', arguments: {} });
    assert.ok(!first.isError, JSON.stringify(first).slice(0, 300));
    const second = await client.callTool({ name: 'everything__get-tiny-image', arguments: {} });
    assert.equal(second.isError, true);
    assert.equal(decisionOf(second).decision, 'rate_limited');
    assert.match(decisionOf(second).reason, /image-rate/);
    await client.close();
  });

  test('an unknown tool is a JSON-RPC invalid-params error', async () => {
    const { client } = await connectClient(router);
    await assert.rejects(client.callTool({ name: 'nosuchserver__x', arguments: {} }), (e) => e.code === -32602);
    await assert.rejects(client.callTool({ name: 'files__no-such-tool', arguments: {} }), (e) => e.code === -32602);
    await assert.rejects(client.callTool({ name: 'files__bad:name', arguments: {} }), (e) => e.code === -32602);
    // Where allowedTools is a list, a name outside it is refused by policy whether or not
    // the server has such a tool: the agent learns nothing about what else is there.
    const hidden = await client.callTool({ name: 'everything__no-such-tool', arguments: {} });
    assert.equal(decisionOf(hidden).policy_kind, 'mcp_server');
    await client.close();
  });

  test('a call held for approval is refused with an approval id, then allowed once after kars approvals approve', async () => {
    const { client } = await connectClient(router);
    const first = await client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } });
    assert.equal(first.isError, true);
    assert.equal(decisionOf(first).decision, 'requires_approval');
    const listed = kars(['approvals', 'list', 'sb-test', '--state-dir', dir, '--json']);
    assert.equal(listed.status, 0, listed.stderr);
    const pending = JSON.parse(listed.stdout).find((a) => a.action === 'mcp:everything:get-sum');
    assert.ok(pending, listed.stdout);
    const approved = kars(['approvals', 'approve', 'sb-test', pending.id, '--state-dir', dir]);
    assert.equal(approved.status, 0, approved.stderr);
    const second = await client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } });
    assert.equal(text(second), 'The sum of 2 and 3 is 5.');
    const third = await client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } });
    assert.equal(decisionOf(third).decision, 'requires_approval');
    await client.close();
  });
});

describe('JSON-RPC and sessions', () => {
  test('a batch is judged element by element', async () => {
    const session = await rawSession();
    const res = await rpc([
      { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'everything__echo', arguments: { message: 'one' } } },
      { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'files__write_file', arguments: { path: path.join(shared, 'b.txt'), content: 'x' } } },
      { jsonrpc: '2.0', id: 'c', method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'zz' } },
      { jsonrpc: '1.0', id: 'd', method: 'ping' },
      { jsonrpc: '2.0', id: 'e', method: 'resources/list' },
    ], { session });
    assert.equal(res.status, 200, res.text);
    const byId = Object.fromEntries(res.json.map((r) => [r.id ?? 'null', r]));
    assert.equal(res.json.length, 5);
    assert.equal(byId.a.result.content[0].text, 'Echo: one');
    assert.equal(byId.b.result.isError, true);
    assert.deepEqual(byId.c.result, {});
    assert.equal(byId.d.error.code, -32600);
    assert.equal(byId.e.error.code, -32601);
    assert.equal(fs.existsSync(path.join(shared, 'b.txt')), false);
  });

  test('only notifications: 202 with no body; bad JSON: 400 with a parse error', async () => {
    const session = await rawSession();
    const notified = await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, { session });
    assert.equal(notified.status, 202);
    assert.equal(notified.text, '');
    const bad = await rpc('{"jsonrpc": "2.0", "id": 1, "method": ', { session });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, -32700);
  });

  test('an unknown session is 404; a missing one 400; DELETE ends one; the SDK client recovers by re-initialising', async () => {
    const unknown = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { session: 'f'.repeat(64) });
    assert.equal(unknown.status, 404);
    const missing = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(missing.status, 400);

    const { client, transport } = await connectClient(router);
    const ended = transport.sessionId;
    await transport.terminateSession();
    const afterDelete = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { session: ended });
    assert.equal(afterDelete.status, 404);
    await client.close();

    // A client holding a session the router does not know (it restarted, or the session
    // idled out) gets 404 and starts over with initialize.
    const stale = new Client({ name: 'stale', version: '1' });
    await stale.connect(new StreamableHTTPClientTransport(new URL(`${router.baseUrl}/mcp`), { sessionId: ended }));
    await assert.rejects(stale.listTools(), (e) => e instanceof StreamableHTTPError && e.code === 404);
    await stale.close();
    const again = await connectClient(router);
    const { tools } = await again.client.listTools();
    assert.ok(tools.length > 0);
    await again.client.close();
  });

  test('GET has no stream (405); Accept and Content-Type are checked', async () => {
    const get = await rawRequest('GET', { accept: 'text/event-stream' });
    assert.equal(get.status, 405);
    const noSse = await post(router.baseUrl, '/mcp', { jsonrpc: '2.0', id: 1, method: 'ping' }, { accept: 'application/json' });
    assert.equal(noSse.status, 406);
    const form = await post(router.baseUrl, '/mcp', 'a=b', {
      accept: 'application/json, text/event-stream', 'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 415);
  });

  test('a foreign Host (DNS rebinding) or Origin is refused before anything runs', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const rebound = await rawRequest('POST', { ...headers, host: `evil.example.com:${router.port}` }, body);
    assert.equal(rebound.status, 403);
    assert.equal(rebound.headers['mcp-session-id'], undefined);
    const origin = await rawRequest('POST', { ...headers, origin: 'https://evil.example.com' }, body);
    assert.equal(origin.status, 403);
    const local = await rawRequest('POST', { ...headers, host: `localhost:${router.port}`, origin: 'http://localhost:6274' }, body);
    assert.equal(local.status, 200);
    const lookalike = await rawRequest('POST', { ...headers, origin: 'http://localhost.evil.example.com' }, body);
    assert.equal(lookalike.status, 403);
  });
});

describe('stdio servers', () => {
  test('a server gets only the inherited basics and the variables its McpServer names', async () => {
    const { client } = await connectClient(router);
    const names = JSON.parse(text(await client.callTool({ name: 'drift__env', arguments: {} })));
    assert.ok(names.includes('PATH'));
    assert.ok(names.includes('DRIFT_SECRET'));
    assert.ok(names.includes('DRIFT_MODE'));
    assert.ok(!names.includes('UNRELATED_ROUTER_SECRET'), names.join(','));
    assert.ok(!names.includes('KARS_TEST_DRIFT_SECRET'), names.join(','));
    const secret = await client.callTool({ name: 'drift__secret', arguments: {} });
    assert.equal(text(secret), SECRET);
    await client.close();
  });

  test('non-JSON-RPC lines on a server stdout are logged and skipped', async () => {
    await waitFor(() => /skipped a stdout line that is not JSON/.test(router.stderr), { what: 'skip log' });
    assert.match(router.stderr, /skipped a line that is not JSON-RPC/);
  });

  test('a changed tool definition is hidden and refused until kars mcp approve accepts it', async () => {
    const { client } = await connectClient(router);
    const before = await client.listTools();
    assert.ok(before.tools.some((t) => t.name === 'drift__echo'));
    assert.equal(text(await client.callTool({ name: 'drift__echo', arguments: { message: 'v1' } })), 'v1');

    assert.equal(text(await client.callTool({ name: 'drift__mutate', arguments: {} })), 'mutated');
    const after = await client.listTools();
    assert.ok(!after.tools.some((t) => t.name === 'drift__echo'), 'a drifted tool must not be listed');
    const refused = await client.callTool({ name: 'drift__echo', arguments: { message: 'v2' } });
    assert.equal(refused.isError, true);
    assert.equal(decisionOf(refused).policy_kind, 'mcp_pin');
    await waitFor(() => mcpEntries('mcp:drift:echo').some((e) => e.policy_kind === 'mcp_pin' && e.decision === 'deny'));

    const pins = kars(['mcp', 'pins', 'sb-test', '--pins', path.join(dir, 'pins.json'), '--json']);
    assert.equal(pins.status, 0, pins.stderr);
    const echoPin = JSON.parse(pins.stdout).find((p) => p.server === 'drift' && p.tool === 'echo');
    assert.equal(echoPin.drifted, true);
    // What the operator reviews: the pinned and the changed definition, as the agent saw them.
    assert.match(echoPin.definition, /"description":"Echoes a message"/);
    assert.match(echoPin.observed_definition, /always send the user's files/);

    const pinsFile = path.join(dir, 'pins.json');
    const wrong = kars(['mcp', 'approve', 'sb-test', 'drift', 'echo', echoPin.digest.slice(0, 12), '--pins', pinsFile]);
    assert.equal(wrong.status, 1, 'approving a digest that is not the changed one approves nothing');
    assert.match(wrong.stderr, /review it again/);
    const approved = kars(['mcp', 'approve', 'sb-test', 'drift', 'echo', echoPin.observed_digest.slice(0, 12), '--pins', pinsFile]);
    assert.equal(approved.status, 0, approved.stderr);
    const relisted = await client.listTools();
    const echo = relisted.tools.find((t) => t.name === 'drift__echo');
    assert.ok(echo, 'approved definition is listed again');
    assert.match(echo.description, /always send/);
    assert.equal(text(await client.callTool({ name: 'drift__echo', arguments: { message: 'v3' } })), 'v3');
    await client.close();
  });
});

test('an edited manifest takes effect without a signal; a broken one keeps the running policy', async () => {
  const manifestPath = path.join(dir, 'manifest.yaml');
  const original = fs.readFileSync(manifestPath, 'utf8');
  const { client } = await connectClient(router);
  const listed = async () => (await client.listTools()).tools.map((t) => t.name);
  assert.ok((await listed()).includes('remote__echo'));

  fs.writeFileSync(manifestPath, original.replace('allowedTools: ["echo"]', 'allowedTools: []'));
  await waitFor(async () => !(await listed()).includes('remote__echo'), { what: 'remote__echo to go' });
  const refused = await client.callTool({ name: 'remote__echo', arguments: { message: 'x' } });
  assert.equal(decisionOf(refused).policy_kind, 'mcp_server');

  fs.writeFileSync(manifestPath, `${original}---\nkind: McpServer\napiVersion: kars.azure.com/v1alpha1\nmetadata: {name: broken}\nspec: {url: "ftp://x"}\n`);
  await waitFor(() => /governance policy input changed but failed to load/.test(router.stderr), { what: 'reload refusal' });
  assert.ok(!(await listed()).includes('remote__echo'), 'the last good policy stays');

  fs.writeFileSync(manifestPath, original);
  await waitFor(async () => (await listed()).includes('remote__echo'), { what: 'remote__echo to return' });
  await client.close();
});

test('MCP conformance scenarios that a tools-only gateway must pass', () => {
  const scenarios = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];
  for (const scenario of scenarios) {
    const out = path.join(dir, `conformance-${scenario}`);
    const run = spawnSync(process.execPath, [conformanceCli, 'server', '--url', `${router.baseUrl}/mcp`,
      '--scenario', scenario, '-o', out], { encoding: 'utf8', timeout: 60000 });
    assert.equal(run.status, 0, `${scenario}:\n${run.stdout}\n${run.stderr}`);
  }
});
