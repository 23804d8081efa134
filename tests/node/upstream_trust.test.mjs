// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// What the router must not take on an upstream's or a request's word: an upstream that
// echoes the router's own credential (in a header, an error message, a streamed event) has
// it replaced before the agent sees it; a model answer proposing an allowed and a denied
// tool together is rewritten, not fatal; size fields the budget estimate cannot read are
// refused instead of being estimated low; invented model names share the default route's
// rate limit. Seen through the official openai SDK and raw HTTP.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';

import { ROUTER_KEY, startFakeUpstream, startRouter, stopAll, tempDir } from './support/router.mjs';
import { chat, post, standardConfig } from './support/scenarios.mjs';

const PROFILE = `
version: "1.0"
policies:
  - name: weather-deny
    type: capability
    priority: 10
    denied_actions: ["tool:get_weather"]
  - name: rest-allow
    type: capability
    allowed_actions: ["tool:*", "inference:*"]
`;

let upstream;
let router;
let limited;

function openai() {
  return new OpenAI({ baseURL: `${router.baseUrl}/v1`, apiKey: 'sk-agent', maxRetries: 0, timeout: 10000 });
}

before(async () => {
  upstream = await startFakeUpstream();
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'profile.yaml'), PROFILE);
  router = await startRouter({
    dir,
    config: { ...standardConfig(upstream), governance: { profiles: [path.join(dir, 'profile.yaml')] } },
  });
  limited = await startRouter({
    config: { ...standardConfig(upstream), rate_limit: { requests_per_second: 0.1, burst: 2 } },
  });
});

after(stopAll);

test("an upstream echoing the router's key in an error body or a header does not pass it on", async () => {
  const res = await post(router.baseUrl, '/v1/chat/completions', chat('echoes-key'));
  assert.equal(res.status, 401);
  assert.ok(!res.text.includes(ROUTER_KEY), res.text);
  assert.match(res.text, /Incorrect API key provided: \[redacted by kars\]/);
  for (const [name, value] of res.headers) assert.ok(!value.includes(ROUTER_KEY), `${name}: ${value}`);
  assert.equal(res.headers.get('x-request-id'), null);
  assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '10');
});

test("an upstream echoing the router's key in a streamed event does not pass it on", async () => {
  const stream = await openai().chat.completions.create(chat('echoes-key', { stream: true }));
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'debug: key=[redacted by kars]');
});

test('an answer proposing an allowed and a denied tool keeps the allowed one and explains the other', async () => {
  for (let i = 0; i < 3; i += 1) {
    const res = await openai().chat.completions.create(chat('tool-calls-mixed'));
    const message = res.choices[0].message;
    assert.deepEqual(message.tool_calls.map((c) => c.function.name), ['get_time']);
    assert.match(message.content, /get_weather/);
    assert.equal(res.choices[0].finish_reason, 'tool_calls');
  }
  const health = await fetch(`${router.baseUrl}/healthz`);
  assert.equal(health.status, 200);
});

test('token limits and n that the budget cannot count are refused with 400', async () => {
  for (const extra of [{ max_tokens: 1e5 + 0.5 }, { max_tokens: '100000' }, { max_tokens: -1 },
    { max_completion_tokens: true }, { n: 0 }, { n: 500 }]) {
    const res = await post(router.baseUrl, '/v1/chat/completions', chat('azure-chat-safe', extra));
    assert.equal(res.status, 400, `${JSON.stringify(extra)}: ${res.text}`);
    const body = JSON.parse(res.text);
    assert.equal(body.error.type, 'invalid_request_error');
  }
  const ok = await post(router.baseUrl, '/v1/chat/completions', chat('azure-chat-safe', { max_tokens: 100, n: 2 }));
  assert.equal(ok.status, 200, ok.text);
});

test('model names that fall through to the default route share one rate-limit bucket', async () => {
  const statuses = [];
  for (const model of ['invented-1', 'invented-2', 'invented-3', 'invented-4']) {
    const res = await post(limited.baseUrl, '/v1/chat/completions', chat(model));
    statuses.push(res.status);
    if (res.status === 429) {
      assert.equal(JSON.parse(res.text).error.type, 'rate_limit_exceeded');
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    }
  }
  assert.deepEqual(statuses.map((s) => s === 429), [false, false, true, true], statuses.join(','));
});

test('the upstream sees the trace id the router answers under, not an invalid one the client sent', async () => {
  const res = await post(router.baseUrl, '/v1/chat/completions', chat('azure-chat-safe'),
    { 'x-kars-trace-id': 'not valid because of spaces' });
  assert.equal(res.status, 200, res.text);
  const answered = res.headers.get('x-kars-trace-id');
  assert.notEqual(answered, 'not valid because of spaces');
  const seen = await upstream.requestsFor(answered);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].headers['x-kars-trace-id'], answered);
});

test('a success whose body is not JSON is a 502, not passed on unchecked', async () => {
  const res = await post(router.baseUrl, '/v1/chat/completions', chat('html-success'));
  assert.equal(res.status, 502, res.text);
  const body = JSON.parse(res.text);
  assert.equal(body.error.type, 'upstream_error');
  assert.match(body.error.message, /not JSON/);
  assert.ok(!res.text.includes('sign in'));
});
