// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The MCP gateway as an agent meets it: `kars dev` runs a sandbox (inside a namespace of the
// test's own that maps the sandbox host ids; runInSandboxNetns) whose manifest declares a
// stdio McpServer. The agent (netns/mcp_agent.mjs) reaches the gateway at KARS_MCP_URL, lists
// and calls tools through it, and is refused a tool outside allowedTools; the server itself
// runs outside the sandbox, started by the router. The agent runs this checkout's files on
// the sandbox's read-only host root, so the checkout must not sit under a path the sandbox
// hides (/root, the invoking user's home).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { mountScratch, runKarsDev, sandboxManifest, setUpNetwork } from '../support/netns.mjs';
import { readAudit, stopAll, tempDir } from '../support/router.mjs';
import { everythingServer } from '../support/mcp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const NAME = 'mcp-sandbox';
const DEV_TIMEOUT_MS = 90_000;

let work;
let dev;
let report;

function manifest() {
  const server = [
    'apiVersion: kars.azure.com/v1alpha1',
    'kind: McpServer',
    'metadata: {name: everything, namespace: default}',
    'spec:',
    '  allowedTools: [echo, get-sum]',
    '  stdio:',
    `    command: [${[process.execPath, everythingServer, 'stdio'].map((a) => JSON.stringify(a)).join(', ')}]`,
  ].join('\n');
  return sandboxManifest(NAME, ['node', path.join(here, 'mcp_agent.mjs')], { extraDocs: [server] });
}

before(async () => {
  setUpNetwork(tempDir('kars-mcp-sandbox-'));
  work = mountScratch();
  fs.mkdirSync(path.join(work, 'home'));
  fs.writeFileSync(path.join(work, 'sandbox.yaml'), manifest());
  dev = await runKarsDev(work, DEV_TIMEOUT_MS);
  const line = dev.output.split('\n').find((l) => l.includes('AGENT_REPORT '));
  report = line ? JSON.parse(line.slice(line.indexOf('AGENT_REPORT ') + 'AGENT_REPORT '.length)) : null;
});

after(stopAll);

test('the sandboxed agent finds the gateway in KARS_MCP_URL and lists only admitted tools', () => {
  assert.equal(dev.code, 0, dev.output);
  assert.ok(report, `no agent report:\n${dev.output}`);
  assert.equal(report.error, undefined, report.error);
  assert.equal(report.url, 'http://127.0.0.1:8443/mcp');
  assert.notEqual(report.uid, 0);
  assert.ok(report.tools.includes('everything__echo'), report.tools.join(','));
  assert.ok(!report.tools.includes('everything__get-env'), report.tools.join(','));
});

test('an admitted call reaches the server; one outside allowedTools is refused', () => {
  assert.ok(report, dev.output);
  assert.equal(report.echo, 'Echo: from the sandbox');
  assert.equal(report.refused.isError, true);
  assert.equal(report.refused.decision?.policy_kind, 'mcp_server');
});

test('both calls are in the audit log of kars dev\'s state dir', () => {
  const entries = readAudit(path.join(work, 'state', 'audit.jsonl'));
  assert.ok(entries.some((e) => e.action === 'mcp:everything:echo' && e.decision === 'allow' && e.policy_kind !== 'mcp_pin'),
    JSON.stringify(entries.map((e) => [e.action, e.decision, e.policy_kind])));
  assert.ok(entries.some((e) => e.action === 'mcp:everything:get-env' && e.decision === 'deny'));
});
