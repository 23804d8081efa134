// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// kars-router's policy chain and HTTP surface, process level: budgets (and their
// persistence across a restart), rate limits, content-safety floors, fallback, identity,
// protocol errors, upstream failures, SIGHUP reload, and the ops endpoints.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';

import {
  auditFor, readAudit, ROUTER_KEY, startFakeUpstream, startRouter, stopAll, traceId, waitFor,
} from './support/router.mjs';
import { chat, downProvider, policyManifest, post, rawExchange, standardConfig } from './support/scenarios.mjs';

let upstream;
let edge;     // plain policy-free router with fallback routes, a dead provider, tight limits
let safety;   // contentSafety: hate Low + requirePromptShields

async function edgeConfig() {
  const base = standardConfig(upstream);
  base.providers.push(await downProvider('down'));
  base.models = {
    ...base.models,
    'down-model': ['down'],
    'fb-429': [{ provider: 'azure', model: 'azure-429' }, { provider: 'openai', model: 'openai-plain' }],
    'fb-503': [{ provider: 'azure', model: 'azure-503' }, { provider: 'openai', model: 'openai-plain' }],
  };
  return {
    ...base,
    upstream: { first_byte_timeout_ms: 800 },
    limits: { max_body_bytes: 4096 },
  };
}

function metricSum(text, name) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

before(async () => {
  upstream = await startFakeUpstream();
  [edge, safety] = await Promise.all([
    startRouter({ config: await edgeConfig() }),
    startRouter({
      config: standardConfig(upstream),
      manifest: policyManifest({ contentSafety: { hate: 'Low', requirePromptShields: true } }),
    }),
  ]);
});

after(stopAll);

describe('token budget', () => {
  test('second request over dailyTokens is 429 token_budget_exceeded, and the spend survives a restart', async () => {
    const manifest = policyManifest({ tokenBudget: { dailyTokens: 30 } });
    const config = { ...standardConfig(upstream), budget_state: 'budget.json' };
    const first = await startRouter({ config, manifest });
    const id = traceId('budget-1');
    const ok = await post(first.baseUrl, '/v1/chat/completions', chat('openai-plain'), { 'x-kars-trace-id': id });
    assert.equal(ok.status, 200);
    // 15 of 30 used; the next 18-token estimate cannot fit.
    const denied = await post(first.baseUrl, '/v1/chat/completions', chat('openai-plain'));
    assert.equal(denied.status, 429);
    assert.equal(denied.json.error.type, 'token_budget_exceeded');
    assert.equal(denied.headers.get('retry-after'), '3600');
    const deny = await waitFor(() => readAudit(first.auditPath).find((e) => e.policy_kind === 'token_budget'));
    assert.equal(deny.decision, 'deny');
    assert.equal(deny.sandbox, 'sb-test');

    // The spend is durable before the router is stopped (settle fsyncs the state file).
    const stateFile = path.join(first.dir, 'budget.json');
    await waitFor(() => fs.existsSync(stateFile) && fs.readFileSync(stateFile, 'utf8').includes('15'),
      { what: 'budget state with 15 tokens' });
    await first.stop();

    const second = await startRouter({ config, manifest, dir: first.dir });
    const again = await post(second.baseUrl, '/v1/chat/completions', chat('openai-plain'));
    assert.equal(again.status, 429, 'budget was reset by a restart');
    assert.equal(again.json.error.type, 'token_budget_exceeded');
    assert.match(again.json.error.message, /15/);
    await second.stop();
  });
});

describe('rate limit', () => {
  test('a burst beyond the limit is 429 with Retry-After and an audited deny', async () => {
    const r = await startRouter({ config: { ...standardConfig(upstream), rate_limit: { requests_per_second: 0.5, burst: 1 } } });
    assert.equal((await post(r.baseUrl, '/v1/chat/completions', chat('azure-chat-safe'))).status, 200);
    const id = traceId('rl');
    const res = await post(r.baseUrl, '/v1/chat/completions', chat('azure-chat-safe'), { 'x-kars-trace-id': id });
    assert.equal(res.status, 429);
    assert.equal(res.json.error.type, 'rate_limit_exceeded');
    const retry = Number(res.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 2, `retry-after ${retry}`);
    const [entry] = await auditFor(r.auditPath, id, 1);
    assert.equal(entry.decision, 'deny');
    assert.equal(entry.policy_kind, 'rate_limit');
    await r.stop();
  });
});

describe('content safety floors', () => {
  test('hate ceiling Low vs upstream severity high: 400 content_policy_violation, audited', async () => {
    const id = traceId('cs-hate');
    const res = await post(safety.baseUrl, '/v1/chat/completions', chat('azure-hate-high'), { 'x-kars-trace-id': id });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.type, 'content_policy_violation');
    assert.equal(res.json.error.message,
      "Response blocked by content safety: hate severity High exceeds the sandbox's InferencePolicy ceiling Low");
    const entries = await auditFor(safety.auditPath, id);
    const deny = entries.find((e) => e.decision === 'deny');
    assert.equal(deny.policy_kind, 'content_safety');
    assert.match(deny.reason, /hate severity High/);
    assert.equal(deny.tokens_in, 14);
  });

  test('requirePromptShields with no Prompt Shields annotations: blocked', async () => {
    const res = await post(safety.baseUrl, '/v1/chat/completions', chat('openai-plain'));
    assert.equal(res.status, 400);
    assert.equal(res.json.error.type, 'content_policy_violation');
    assert.match(res.json.error.message, /no Prompt Shields annotations.*requirePromptShields/);
  });

  test('requirePromptShields on a stream without annotations releases no text', async () => {
    const res = await post(safety.baseUrl, '/v1/chat/completions', chat('openai-plain', { stream: true }));
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes('Hello from'), `unscreened text leaked: ${res.text}`);
    assert.match(res.text, /event: error\ndata: .*content_policy_violation/);
  });

  test('safe annotations with Prompt Shields present pass', async () => {
    const res = await post(safety.baseUrl, '/v1/chat/completions', chat('azure-chat-safe'));
    assert.equal(res.status, 200);
    assert.equal(res.json.choices[0].message.content, 'Hello from Azure.');
  });

  test('an Azure content_filter 400 becomes the router block', async () => {
    const res = await post(safety.baseUrl, '/v1/chat/completions', chat('azure-content-filter-400'));
    assert.equal(res.status, 400);
    assert.equal(res.json.error.type, 'content_policy_violation');
    assert.match(res.json.error.message, /^Response blocked by content safety: /);
  });
});

describe('fallback', () => {
  for (const [model, first] of [['fb-429', 'azure-429'], ['fb-503', 'azure-503']]) {
    test(`${first} from the first target falls back to the next target`, async () => {
      const id = traceId(model);
      const res = await post(edge.baseUrl, '/v1/chat/completions', chat(model), { 'x-kars-trace-id': id });
      assert.equal(res.status, 200);
      assert.equal(res.json.choices[0].message.content, 'Hello from OpenAI.');
      const seen = await upstream.requestsFor(id);
      assert.deepEqual(seen.map((r) => [r.path, r.body.model]), [
        ['/openai/v1/chat/completions', first],
        ['/v1/chat/completions', 'openai-plain'],
      ]);
      assert.equal(seen[0].headers['api-key'], ROUTER_KEY);
      assert.equal(seen[1].headers.authorization, `Bearer ${ROUTER_KEY}`);
      const done = (await auditFor(edge.auditPath, id)).find((e) => e.decision === 'completed');
      assert.equal(done.reason, 'served by openai');
    });
  }
});

describe('identity', () => {
  test('x-kars-sandbox from the client does not change the audited sandbox', async () => {
    const id = traceId('ident');
    const res = await post(edge.baseUrl, '/v1/chat/completions', chat('azure-chat-safe'),
      { 'x-kars-trace-id': id, 'x-kars-sandbox': 'other' });
    assert.equal(res.status, 200);
    const entries = await auditFor(edge.auditPath, id);
    assert.deepEqual([...new Set(entries.map((e) => e.sandbox))], ['sb-test']);
    const [seen] = await upstream.requestsFor(id);
    assert.equal(seen.headers['x-kars-sandbox'], undefined);
  });
});

describe('protocol errors', () => {
  test('malformed JSON is 400 with an OpenAI error body', async () => {
    const res = await post(edge.baseUrl, '/v1/chat/completions', '{"model": "azure-chat-safe", ');
    assert.equal(res.status, 400);
    assert.equal(res.json.error.type, 'invalid_request_error');
    assert.equal(typeof res.json.error.message, 'string');
  });

  test('a body over max_body_bytes is 413 (declared Content-Length)', async () => {
    const big = chat('azure-chat-safe', { messages: [{ role: 'user', content: 'x'.repeat(10000) }] });
    const res = await post(edge.baseUrl, '/v1/chat/completions', big);
    assert.equal(res.status, 413);
    assert.match(res.json.error.message, /exceeds the router's limit of 4096 bytes/);
  });

  test('a chunked body that grows past max_body_bytes is 413', async () => {
    const text = JSON.stringify(chat('azure-chat-safe', { messages: [{ role: 'user', content: 'y'.repeat(10000) }] }));
    // No Content-Length: the limit is only discovered while the chunks are read.
    let req = 'POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n'
      + 'transfer-encoding: chunked\r\n\r\n';
    for (let i = 0; i < text.length; i += 2048) {
      const piece = text.slice(i, i + 2048);
      req += `${piece.length.toString(16)}\r\n${piece}\r\n`;
    }
    const answer = await rawExchange(edge.port, `${req}0\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /exceeds the router's limit of 4096 bytes/);
  });

  test('unknown route is 404, wrong method is 405, both as JSON errors', async () => {
    const nf = await fetch(`${edge.baseUrl}/v1/no-such-thing`);
    assert.equal(nf.status, 404);
    assert.match((await nf.json()).error.message, /unknown route/);
    const wm = await fetch(`${edge.baseUrl}/v1/chat/completions`);
    assert.equal(wm.status, 405);
    assert.equal((await wm.json()).error.type, 'invalid_request_error');
  });

  test('an unconfigured model is 404 model_not_found when there is no default route', async () => {
    const r = await startRouter({ config: { ...standardConfig(upstream), models: { 'azure-chat-safe': ['azure'] } } });
    const res = await post(r.baseUrl, '/v1/chat/completions', chat('gpt-unknown'));
    assert.equal(res.status, 404);
    assert.equal(res.json.error.type, 'model_not_found');
    await r.stop();
  });
});

describe('upstream failures', () => {
  test('upstream down is 502', async () => {
    const res = await post(edge.baseUrl, '/v1/chat/completions', chat('down-model'));
    assert.equal(res.status, 502);
    assert.equal(res.json.error.type, 'upstream_error');
  });

  test('upstream slower than first_byte_timeout is 504, promptly', async () => {
    const t0 = Date.now();
    const res = await post(edge.baseUrl, '/v1/chat/completions', chat('slow'));
    const took = Date.now() - t0;
    assert.equal(res.status, 504);
    assert.ok(took >= 700 && took < 3000, `took ${took} ms`);
  });
});

describe('SIGHUP reload', () => {
  test('a changed config takes effect without dropping an in-flight stream; a bad one is refused', async () => {
    const config = standardConfig(upstream);
    config.models = { ...config.models, probe: [{ provider: 'openai', model: 'openai-plain' }] };
    const r = await startRouter({ config });
    const c = new OpenAI({ baseURL: `${r.baseUrl}/v1`, apiKey: 'dummy', maxRetries: 0 });
    const probe = async () => (await c.chat.completions.create(chat('probe'))).choices[0].message.content;
    assert.equal(await probe(), 'Hello from OpenAI.');

    const stream = await c.chat.completions.create(chat('slow-stream', { stream: true }));
    const it = stream[Symbol.asyncIterator]();
    let text = '';
    const first = await it.next();
    text += first.value.choices[0]?.delta?.content ?? '';

    config.models.probe = [{ provider: 'azure', model: 'azure-chat-safe' }];
    r.writeConfig({ ...r.config, models: config.models });
    assert.deepEqual(await r.reload(), { ok: true });
    assert.equal(await probe(), 'Hello from Azure.');

    r.writeConfig('providers: [ {name: broken\n');
    const refused = await r.reload();
    assert.equal(refused.ok, false);
    assert.equal(await probe(), 'Hello from Azure.', 'bad config replaced the running one');

    let finish = null;
    for (;;) {
      const { value, done } = await it.next();
      if (done) break;
      text += value.choices[0]?.delta?.content ?? '';
      finish = value.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, 'one two three four five six');
    assert.equal(finish, 'stop');
    assert.equal((await fetch(`${r.baseUrl}/readyz`)).status, 200);
    await r.stop();
  });
});

describe('ops endpoints', () => {
  test('/healthz and /readyz answer 200; /metrics counters move after requests', async () => {
    const h = await fetch(`${edge.baseUrl}/healthz`);
    assert.equal(h.status, 200);
    assert.equal(await h.text(), 'ok\n');
    const ready = await fetch(`${edge.baseUrl}/readyz`);
    assert.equal(ready.status, 200);

    const before = await (await fetch(`${edge.baseUrl}/metrics`)).text();
    const reqBefore = metricSum(before, 'kars_router_requests_total');
    const tokBefore = metricSum(before, 'kars_tokens_total');
    assert.equal((await post(edge.baseUrl, '/v1/chat/completions', chat('azure-chat-safe'))).status, 200);
    assert.equal((await post(edge.baseUrl, '/v1/chat/completions', chat('down-model'))).status, 502);
    const afterText = await (await fetch(`${edge.baseUrl}/metrics`)).text();
    assert.equal(metricSum(afterText, 'kars_router_requests_total') - reqBefore, 2);
    assert.equal(metricSum(afterText, 'kars_tokens_total') - tokBefore, 17);
    assert.match(afterText, /kars_upstream_requests_total\{[^}]*provider="azure"/);
  });
});

describe('shutdown', () => {
  test('SIGTERM with only an idle keep-alive connection exits without waiting out the drain period',
    async () => {
      const r = await startRouter({ config: standardConfig(upstream), drainSeconds: 5 });
      // fetch keeps the connection open for reuse after the response.
      assert.equal((await post(r.baseUrl, '/v1/chat/completions', chat('azure-chat-safe'))).status, 200);
      const t0 = Date.now();
      const { code } = await r.stop();
      const took = Date.now() - t0;
      assert.equal(code, 0);
      assert.ok(took < 2000, `SIGTERM took ${took} ms with no request in flight`);
    });

  test('a stream still running when the drain period ends is cut off and the router exits cleanly',
    async () => {
      const r = await startRouter({ config: standardConfig(upstream), drainSeconds: 0 });
      const res = await fetch(`${r.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chat('slow-stream', { stream: true })),
      });
      assert.equal(res.status, 200);
      const reader = res.body.getReader();
      await reader.read();  // the stream has started and holds a budget reservation
      const { code, signal } = await r.stop();
      // An in-flight request destroyed at exit must not touch freed router state (this
      // aborts under ASan if it does).
      assert.equal(signal, null);
      assert.equal(code, 0);
      await reader.cancel().catch(() => {});
    });
});
