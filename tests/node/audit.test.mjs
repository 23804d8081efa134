// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The audit trail kars-router writes for real traffic: entry contents per decision, trace
// id correlation, and that `kars audit verify` accepts the log and rejects an edited one.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';

import { kars, readAudit, startFakeUpstream, startRouter, stopAll, tempDir, traceId, waitFor } from './support/router.mjs';
import { chat, policyManifest, post, standardConfig } from './support/scenarios.mjs';

let upstream;
let router;
const ids = {};
let entries;

before(async () => {
  upstream = await startFakeUpstream();
  router = await startRouter({
    config: standardConfig(upstream),
    manifest: policyManifest({ contentSafety: { hate: 'Low' }, tokenBudget: { dailyTokens: 100000 } }),
  });
  const c = new OpenAI({ baseURL: `${router.baseUrl}/v1`, apiKey: 'dummy', maxRetries: 0 });
  const send = async (label, body) => {
    ids[label] = traceId(`audit-${label}`);
    return c.chat.completions.create(body, { headers: { 'x-kars-trace-id': ids[label] } }).withResponse()
      .then(({ data, response }) => ({ data, response }), (err) => ({ err }));
  };
  const ok = await send('ok', chat('azure-chat-safe'));
  ids.echoed = ok.response.headers.get('x-kars-trace-id');
  const blocked = await send('blocked', chat('azure-hate-high'));
  assert.equal(blocked.err?.status, 400);
  const throttled = await send('throttled', chat('azure-429'));
  assert.equal(throttled.err?.status, 429);
  const stream = await send('stream', chat('azure-chat-safe', { stream: true }));
  for await (const _ of stream.data) { /* drain */ }
  ids.malformed = traceId('audit-malformed');
  assert.equal((await post(router.baseUrl, '/v1/chat/completions', '{nope', { 'x-kars-trace-id': ids.malformed })).status, 400);
  // A trace id with characters outside [A-Za-z0-9_-] is replaced, not trusted.
  const bad = await post(router.baseUrl, '/v1/chat/completions', chat('azure-chat-safe'), { 'x-kars-trace-id': 'bad id;drop' });
  ids.replaced = bad.headers.get('x-kars-trace-id');

  // 2 entries for each forwarded request, 1 for the refused malformed one.
  await waitFor(() => readAudit(router.auditPath).length >= 11, { what: '11 audit entries' });
  await router.stop();
  entries = readAudit(router.auditPath);
});

after(stopAll);

const byTrace = (id) => entries.filter((e) => e.trace_id === id);

test('the client trace id is echoed and ties the allow and outcome entries together', () => {
  assert.equal(ids.echoed, ids.ok);
  const mine = byTrace(ids.ok);
  assert.deepEqual(mine.map((e) => e.decision), ['allow', 'completed']);
  for (const e of mine) {
    assert.equal(e.sandbox, 'sb-test');
    assert.equal(e.action, 'inference:chat_completions:azure-chat-safe');
    assert.equal(e.model, 'azure-chat-safe');
    assert.equal(e.policy_kind, 'inference');
  }
  assert.equal(mine[0].reason, 'forwarded under InferencePolicy/sb-test-inference');
  assert.equal(mine[1].tokens_in, 12);
  assert.equal(mine[1].tokens_out, 5);
});

test('an invalid client trace id is replaced by a generated one', () => {
  assert.match(ids.replaced, /^[0-9a-f]{16}$/);
  assert.equal(byTrace('bad id;drop').length, 0);
  assert.equal(byTrace(ids.replaced).length, 2);
});

test('a content-safety block is a deny entry with reason and the upstream usage', () => {
  const deny = byTrace(ids.blocked).find((e) => e.decision === 'deny');
  assert.equal(deny.policy_kind, 'content_safety');
  assert.match(deny.reason, /hate severity High exceeds the sandbox's InferencePolicy ceiling Low/);
  assert.equal(deny.tokens_in, 14);
  assert.equal(deny.tokens_out, 9);
});

test('an upstream 429 and a malformed body are recorded with their own decisions', () => {
  const upstreamErr = byTrace(ids.throttled).at(-1);
  assert.equal(upstreamErr.decision, 'upstream_error');
  assert.equal(upstreamErr.reason, 'upstream status 429');
  const [malformed] = byTrace(ids.malformed);
  assert.equal(malformed.decision, 'deny');
  assert.equal(malformed.policy_kind, 'request');
  assert.equal(malformed.sandbox, 'sb-test');
});

test('a streamed call is charged the usage the stream reported', () => {
  const done = byTrace(ids.stream).find((e) => e.decision === 'completed');
  assert.equal(done.tokens_in, 12);
  assert.equal(done.tokens_out, 5);
  assert.equal(done.tokens_estimated, false);
});

test('entries form one chain: seq increments and prev_hash links', () => {
  entries.forEach((e, i) => {
    assert.equal(e.seq, i);
    if (i > 0) assert.equal(e.prev_hash, entries[i - 1].hash);
  });
});

test('kars audit verify accepts the log and rejects it after one entry is edited', () => {
  const good = kars(['audit', 'verify', router.auditPath]);
  assert.equal(good.status, 0, `verify failed: ${good.stdout}${good.stderr}`);

  // Tamper with a copy so the original stays available for the other assertions.
  const dir = tempDir('kars-audit-tamper-');
  const copy = path.join(dir, 'audit.log');
  for (const suffix of ['', '.checkpoints', '.key.pub']) {
    fs.copyFileSync(router.auditPath + suffix, copy + suffix);
  }
  const lines = fs.readFileSync(copy, 'utf8').split('\n');
  const target = lines.findIndex((l) => l.includes('"decision":"deny"') && l.includes('content_safety'));
  assert.ok(target >= 0);
  lines[target] = lines[target].replace('"decision":"deny"', '"decision":"allow"');
  fs.writeFileSync(copy, lines.join('\n'));
  const bad = kars(['audit', 'verify', copy]);
  assert.equal(bad.status, 1, `tampered log verified: ${bad.stdout}${bad.stderr}`);
});
