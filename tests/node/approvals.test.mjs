// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Approvals end to end: an action a rule holds for a person is filed by the router, listed
// and answered with `kars approvals`, allowed exactly once after approval, and never on a
// denial; a tool call the model proposes under such a rule is refused until approved.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';

import { kars, readAudit, startFakeUpstream, startRouter, stopAll, tempDir, waitFor } from './support/router.mjs';
import { chat, post, standardConfig } from './support/scenarios.mjs';

const PROFILE = `
version: "1.0"
policies:
  - name: inference-allow
    type: capability
    allowed_actions: ["inference:*"]
  - name: deploy-needs-a-person
    type: approval
    actions: ["admin:deploy", "tool:get_weather"]
  - name: admin-allow
    type: capability
    allowed_actions: ["admin:*", "tool:*"]
`;

let dir;
let router;
let upstream;

function ask(action) {
  return post(router.baseUrl, '/v1/governance/evaluate', { action });
}

function approvals(...args) {
  return kars(['approvals', ...args, '--state-dir', dir]);
}

before(async () => {
  upstream = await startFakeUpstream();
  dir = tempDir('kars-approvals-');
  fs.writeFileSync(path.join(dir, 'profile.yaml'), PROFILE);
  router = await startRouter({
    dir,
    config: {
      ...standardConfig(upstream),
      governance: { profiles: [path.join(dir, 'profile.yaml')], approvals_dir: path.join(dir, 'approvals') },
    },
  });
});

after(stopAll);

test('approve: filed once, listed, allowed exactly once, then held again', async () => {
  const first = await ask('admin:deploy');
  assert.equal(first.json.decision, 'RequiresApproval');
  assert.equal(first.json.approval.state, 'pending');
  const id = first.json.approval.id;
  assert.match(first.json.reason, new RegExp(`kars approvals approve sb-test ${id}`));
  const retry = await ask('admin:deploy');
  assert.equal(retry.json.approval.id, id, 'a retry must not file a second request');

  const listed = approvals('list', 'sb-test', '--json');
  assert.equal(listed.status, 0, listed.stderr);
  const pending = JSON.parse(listed.stdout);
  assert.deepEqual(pending.map((a) => [a.id, a.action, a.rule]), [[id, 'admin:deploy', 'deploy-needs-a-person']]);

  const ok = approvals('approve', 'sb-test', id, '--note', 'change 7');
  assert.equal(ok.status, 0, ok.stderr);
  const allowed = await ask('admin:deploy');
  assert.equal(allowed.json.decision, 'Allowed');
  assert.match(allowed.json.reason, /approved by an operator.*change 7/);
  const again = await ask('admin:deploy');
  assert.equal(again.json.decision, 'RequiresApproval', 'an approval is good for one use');
  assert.notEqual(again.json.approval.id, id);

  const entries = await waitFor(() => {
    const e = readAudit(router.auditPath).filter((x) => x.action === 'admin:deploy');
    return e.length >= 4 ? e : null;
  }, { what: 'audit entries for admin:deploy' });
  assert.deepEqual(entries.map((e) => e.decision), ['requires_approval', 'requires_approval', 'allow', 'requires_approval']);
});

test('deny: the action stays refused, and an answered request cannot be answered again', async () => {
  const held = await ask('admin:deploy');
  const id = held.json.approval.id;
  const no = approvals('deny', 'sb-test', id, '--note', 'not today');
  assert.equal(no.status, 0, no.stderr);
  const after = await ask('admin:deploy');
  assert.equal(after.json.allowed, false);
  const twice = approvals('approve', 'sb-test', id);
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /already denied/);
  const unknown = approvals('approve', 'sb-test', 'ffffffffffffffffffffffffffffffff');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no approval/);
});

test('a proposed tool call held for approval is refused until approved, then runs once', async () => {
  const client = new OpenAI({ baseURL: `${router.baseUrl}/v1`, apiKey: 'x', maxRetries: 0 });
  const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } };
  // Offered tools needing approval are refused at the request too; the fake provider
  // replays a recorded get_weather call whatever it was offered.
  const held = await client.chat.completions.create(chat('azure-tool-call', { tools: [] }));
  assert.equal(held.choices[0].message.tool_calls, undefined);
  assert.match(held.choices[0].message.content, /pending approval ([0-9a-f]{32})/);
  const id = held.choices[0].message.content.match(/pending approval ([0-9a-f]{32})/)[1];
  assert.equal(approvals('approve', 'sb-test', id).status, 0);
  const runs = await client.chat.completions.create(chat('azure-tool-call'));
  assert.equal(runs.choices[0].message.tool_calls[0].function.name, 'get_weather');
  const heldAgain = await client.chat.completions.create(chat('azure-tool-call', { tools: [weather] }));
  assert.equal(heldAgain.choices[0].message.tool_calls, undefined);
});
