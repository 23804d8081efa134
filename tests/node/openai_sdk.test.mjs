// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The official `openai` client against kars-router: what an agent using the SDK sees
// (content, usage, typed errors) and what the provider sees (the router's credential only).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { auditFor, ROUTER_KEY, startFakeUpstream, startRouter, stopAll, traceId } from './support/router.mjs';
import { chat, policyManifest, standardConfig, weatherToolOpenAI } from './support/scenarios.mjs';

// Headers an agent might send that must never reach the provider.
const CLIENT_SECRET_HEADERS = {
  cookie: 'session=agent-cookie-value',
  'x-kars-sandbox': 'other',
  'api-key': 'agent-supplied-azure-key',
};
const CLIENT_KEY = 'sk-agent-dummy-key';

let upstream;
let plain;
let safety;
let budget;
let limited;

function client(router, extra = {}) {
  return new OpenAI({
    baseURL: `${router.baseUrl}/v1`,
    apiKey: CLIENT_KEY,
    maxRetries: 0,
    timeout: 10000,
    defaultHeaders: CLIENT_SECRET_HEADERS,
    ...extra,
  });
}

function assertNoClientSecrets(headers) {
  assert.equal(headers.cookie, undefined, 'cookie forwarded upstream');
  assert.equal(headers['x-kars-sandbox'], undefined, 'x-kars-sandbox forwarded upstream');
  for (const [name, value] of Object.entries(headers)) {
    assert.ok(!String(value).includes(CLIENT_KEY), `client key leaked in ${name}`);
    assert.ok(!String(value).includes('agent-supplied-azure-key'), `client api-key leaked in ${name}`);
    assert.ok(!name.startsWith('x-stainless'), `SDK telemetry header ${name} forwarded`);
  }
}

before(async () => {
  upstream = await startFakeUpstream();
  [plain, safety, budget, limited] = await Promise.all([
    startRouter({ config: standardConfig(upstream) }),
    startRouter({ config: standardConfig(upstream), manifest: policyManifest({ contentSafety: { hate: 'Low', requirePromptShields: true } }) }),
    startRouter({ config: standardConfig(upstream), manifest: policyManifest({ tokenBudget: { dailyTokens: 30 } }) }),
    startRouter({ config: { ...standardConfig(upstream), rate_limit: { requests_per_second: 0.2, burst: 1 } } }),
  ]);
});

after(stopAll);

describe('openai SDK, successful calls', () => {
  test('non-streaming chat returns the Azure content and usage; the trace id is echoed', async () => {
    const id = traceId('oa-nonstream');
    const { data, response } = await client(plain).chat.completions
      .create(chat('azure-chat-safe'), { headers: { 'x-kars-trace-id': id } })
      .withResponse();
    assert.equal(data.choices[0].message.content, 'Hello from Azure.');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.deepEqual(
      { p: data.usage.prompt_tokens, c: data.usage.completion_tokens, t: data.usage.total_tokens },
      { p: 12, c: 5, t: 17 },
    );
    assert.equal(response.headers.get('x-kars-trace-id'), id);
    // Provider request ids are useful to operators and are kept.
    assert.equal(response.headers.get('apim-request-id'), 'b1f0c3e2-7d4a-4c55-9f61-2d3c1e0a9b77');
    assert.equal(response.headers.get('set-cookie'), null, 'provider cookie leaked to the agent');

    const [seen] = await upstream.requestsFor(id);
    assert.equal(seen.path, '/openai/v1/chat/completions');
    assert.equal(seen.headers['api-key'], ROUTER_KEY);
    assert.equal(seen.headers.authorization, undefined, 'client Authorization forwarded upstream');
    assertNoClientSecrets(seen.headers);
    assert.equal(seen.body.model, 'azure-chat-safe');
  });

  test('streaming without include_usage: content arrives, no usage chunk, router still accounts', async () => {
    const id = traceId('oa-stream');
    const stream = await client(plain).chat.completions.create(
      chat('azure-chat-safe', { stream: true }),
      { headers: { 'x-kars-trace-id': id } },
    );
    let text = '';
    let finish = null;
    const usages = [];
    for await (const chunk of stream) {
      if (chunk.usage) usages.push(chunk.usage);
      for (const c of chunk.choices) {
        text += c.delta?.content ?? '';
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    assert.equal(text, 'Hello from Azure.');
    assert.equal(finish, 'stop');
    assert.deepEqual(usages, [], 'usage chunk delivered although the client did not ask for it');

    // The router asked for usage for its own accounting, and charged what was reported.
    const [seen] = await upstream.requestsFor(id);
    assert.equal(seen.body.stream_options?.include_usage, true);
    const entries = await auditFor(plain.auditPath, id);
    const done = entries.find((e) => e.decision === 'completed');
    assert.equal(done.tokens_in, 12);
    assert.equal(done.tokens_out, 5);
  });

  test('streaming with include_usage delivers the usage-only final chunk', async () => {
    const stream = await client(plain).chat.completions.create(
      chat('azure-chat-safe', { stream: true, stream_options: { include_usage: true } }),
    );
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.total_tokens, 17);
    assert.equal(chunks.filter((c) => c.usage).length, 1);
    // The early Azure prompt_filter_results chunk is relayed as the provider sent it.
    assert.ok(chunks[0].prompt_filter_results, 'prompt_filter_results chunk missing');
  });

  test('tool-call argument fragments split across chunks reassemble in the SDK', async () => {
    const runner = client(plain).chat.completions.stream(chat('azure-tool-call', { tools: [weatherToolOpenAI] }));
    const final = await runner.finalChatCompletion();
    const call = final.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { location: 'Paris', unit: 'celsius' });
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
  });

  test('an openai-kind provider gets Authorization: Bearer with the router key', async () => {
    const id = traceId('oa-bearer');
    const res = await client(plain).chat.completions.create(chat('openai-plain'), { headers: { 'x-kars-trace-id': id } });
    assert.equal(res.choices[0].message.content, 'Hello from OpenAI.');
    const [seen] = await upstream.requestsFor(id);
    assert.equal(seen.path, '/v1/chat/completions');
    assert.equal(seen.headers.authorization, `Bearer ${ROUTER_KEY}`);
    assert.equal(seen.headers['api-key'], undefined);
    assertNoClientSecrets(seen.headers);
  });
});

describe('openai SDK, typed errors', () => {
  test('content-safety block is a BadRequestError carrying the router reason', async () => {
    await assert.rejects(
      client(safety).chat.completions.create(chat('azure-hate-high')),
      (err) => {
        assert.ok(err instanceof OpenAI.BadRequestError, `got ${err.constructor.name}`);
        assert.equal(err.status, 400);
        assert.equal(err.type, 'content_policy_violation');
        assert.equal(err.code, 'content_filter');
        assert.match(err.message, /hate severity High exceeds the sandbox's InferencePolicy ceiling Low/);
        return true;
      },
    );
  });

  test('a stream cut by the content filter raises mid-stream under a contentSafety policy', async () => {
    const stream = await client(safety).chat.completions.create(chat('azure-stream-filtered', { stream: true }));
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })(),
      (err) => {
        assert.ok(err instanceof OpenAI.APIError, `got ${err.constructor.name}`);
        assert.match(err.message, /content safety/);
        return true;
      },
    );
    assert.equal(text, 'Here is what');
  });

  test('without a policy the content_filter finish_reason reaches the client unchanged', async () => {
    const stream = await client(plain).chat.completions.create(chat('azure-stream-filtered', { stream: true }));
    const finishes = [];
    for await (const chunk of stream) for (const c of chunk.choices) if (c.finish_reason) finishes.push(c.finish_reason);
    assert.deepEqual(finishes, ['content_filter']);
  });

  test('router rate limit is a RateLimitError with Retry-After', async () => {
    const c = client(limited);
    await c.chat.completions.create(chat('azure-chat-safe'));
    await assert.rejects(c.chat.completions.create(chat('azure-chat-safe')), (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `got ${err.constructor.name}`);
      assert.equal(err.status, 429);
      assert.equal(err.type, 'rate_limit_exceeded');
      assert.ok(Number(err.headers.get('retry-after')) >= 1);
      return true;
    });
  });

  test('exhausted token budget is a RateLimitError of type token_budget_exceeded', async () => {
    const c = client(budget);
    const id = traceId('oa-budget');
    await c.chat.completions.create(chat('openai-plain'), { headers: { 'x-kars-trace-id': id } });
    // The first call used 15 of 30; the second holds an 18-token estimate, which cannot fit.
    await auditFor(budget.auditPath, id);
    await assert.rejects(c.chat.completions.create(chat('openai-plain')), (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `got ${err.constructor.name}`);
      assert.equal(err.type, 'token_budget_exceeded');
      assert.match(err.message, /token budget exceeded for sandbox sb-test/);
      return true;
    });
  });

  test('a stream whose upstream dies mid-way throws APIError instead of ending cleanly', async () => {
    const stream = await client(plain).chat.completions.create(chat('stream-dies', { stream: true }));
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })(),
      (err) => {
        assert.ok(err instanceof OpenAI.APIError, `got ${err.constructor.name}: ${err.message}`);
        assert.match(err.message, /upstream/);
        return true;
      },
    );
    assert.equal(text, 'Partial ans');
  });

  test('an upstream 429 with a single target reaches the SDK as RateLimitError', async () => {
    await assert.rejects(client(plain).chat.completions.create(chat('azure-429')), (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `got ${err.constructor.name}`);
      assert.equal(err.headers.get('retry-after'), '6');
      assert.match(err.message, /exceeded token rate limit/);
      return true;
    });
  });
});
