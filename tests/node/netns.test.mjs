// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Scenarios that need a network namespace of the test's own: each file under netns/ runs in
// a user, network and mount namespace with a DNS server of the test's own (support/netns.mjs):
// the egress proxy against rebinding resolvers and real TLS clients, and, where the namespace
// can also map the sandbox host ids, `kars dev` sandboxes whose agents use the egress proxy
// and the MCP gateway.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { runInNetns, runInSandboxNetns, sandboxNetnsUnavailable } from './support/netns.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

test('egress proxy against a DNS server of our own (rebinding, learn mode, kars egress)', () => {
  const r = runInNetns(path.join(here, 'netns', 'egress_dns.mjs'));
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /ℹ fail 0/, r.output);
  assert.doesNotMatch(r.output, /ℹ pass 0\n/, r.output);
});

test('egress proxy with real TLS clients (curl, https + proxy agent) to a host of our own', () => {
  const r = runInNetns(path.join(here, 'netns', 'egress_tls.mjs'));
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /ℹ fail 0/, r.output);
  assert.doesNotMatch(r.output, /ℹ pass 0\n/, r.output);
});

test('real TLS clients inside a kars dev sandbox: allowed host reached, denied and loopback refused',
  { skip: sandboxNetnsUnavailable() ?? false }, async () => {
    const r = await runInSandboxNetns(path.join(here, 'netns', 'egress_sandbox.mjs'));
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /ℹ fail 0/, r.output);
    assert.doesNotMatch(r.output, /ℹ pass 0\n/, r.output);
  });

test('the MCP gateway from inside a kars dev sandbox: listed, called, refused, audited',
  { skip: sandboxNetnsUnavailable() ?? false }, async () => {
    const r = await runInSandboxNetns(path.join(here, 'netns', 'mcp_sandbox.mjs'));
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /ℹ fail 0/, r.output);
    assert.doesNotMatch(r.output, /ℹ pass 0\n/, r.output);
  });
