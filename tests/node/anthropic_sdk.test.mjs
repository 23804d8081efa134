// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The official `@anthropic-ai/sdk` client against kars-router's /v1/messages: translated to
// an OpenAI-shaped (Azure) upstream, and passed through natively to an Anthropic upstream.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

import { ROUTER_KEY, startFakeUpstream, startRouter, stopAll, traceId } from './support/router.mjs';
import { messages, policyManifest, standardConfig, weatherToolAnthropic } from './support/scenarios.mjs';

const CLIENT_KEY = 'sk-ant-agent-dummy-key';

let upstream;
let plain;
let safety;
let budget;

function client(router) {
  return new Anthropic({
    baseURL: router.baseUrl,
    apiKey: CLIENT_KEY,
    maxRetries: 0,
    timeout: 10000,
    defaultHeaders: { cookie: 'session=agent', 'x-kars-sandbox': 'other', authorization: 'Bearer agent-token' },
  });
}

function withTrace(id) {
  return { headers: { 'x-kars-trace-id': id } };
}

function assertOnlyRouterCredential(headers) {
  for (const [name, value] of Object.entries(headers)) {
    assert.ok(!String(value).includes(CLIENT_KEY), `client key leaked in ${name}`);
    assert.ok(!String(value).includes('agent-token'), `client Authorization leaked in ${name}`);
  }
  assert.equal(headers.cookie, undefined);
  assert.equal(headers['x-kars-sandbox'], undefined);
}

before(async () => {
  upstream = await startFakeUpstream();
  [plain, safety, budget] = await Promise.all([
    startRouter({ config: standardConfig(upstream) }),
    startRouter({ config: standardConfig(upstream), manifest: policyManifest({ contentSafety: { hate: 'Low' } }) }),
    startRouter({ config: standardConfig(upstream), manifest: policyManifest({ tokenBudget: { dailyTokens: 30 } }) }),
  ]);
});

after(stopAll);

describe('anthropic SDK translated to an Azure OpenAI upstream', () => {
  test('non-streaming text: content, stop reason and usage are translated', async () => {
    const id = traceId('an-text');
    const msg = await client(plain).messages.create(messages('azure-chat-safe'), withTrace(id));
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.deepEqual(msg.content, [{ type: 'text', text: 'Hello from Azure.' }]);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.input_tokens, 12);
    assert.equal(msg.usage.output_tokens, 5);

    const [seen] = await upstream.requestsFor(id);
    assert.equal(seen.path, '/openai/v1/chat/completions');
    assert.equal(seen.headers['api-key'], ROUTER_KEY);
    assert.equal(seen.headers['x-api-key'], undefined);
    assert.equal(seen.headers['anthropic-version'], undefined);
    assertOnlyRouterCredential(seen.headers);
    assert.deepEqual(seen.body.messages, [{ role: 'user', content: 'hi' }]);
    assert.equal(seen.body.max_tokens, 10);
  });

  test('non-streaming tool_use: the tool call becomes a tool_use block with parsed input', async () => {
    const id = traceId('an-tool');
    const msg = await client(plain).messages.create(
      messages('azure-tool-call', { tools: [weatherToolAnthropic] }),
      withTrace(id),
    );
    assert.equal(msg.stop_reason, 'tool_use');
    assert.equal(msg.content.length, 1);
    assert.equal(msg.content[0].type, 'tool_use');
    assert.equal(msg.content[0].name, 'get_weather');
    assert.equal(msg.content[0].id, 'call_Q8kX2mV7pL3nR9sT1wY4zA6b');
    assert.deepEqual(msg.content[0].input, { location: 'Paris', unit: 'celsius' });
    const [seen] = await upstream.requestsFor(id);
    assert.equal(seen.body.tools[0].type, 'function');
    assert.equal(seen.body.tools[0].function.name, 'get_weather');
    assert.deepEqual(seen.body.tools[0].function.parameters, weatherToolAnthropic.input_schema);
  });

  test('streaming text: messages.stream() yields the text and a final message with usage', async () => {
    const stream = client(plain).messages.stream(messages('azure-chat-safe'));
    let text = '';
    stream.on('text', (t) => { text += t; });
    const final = await stream.finalMessage();
    assert.equal(text, 'Hello from Azure.');
    assert.deepEqual(final.content, [{ type: 'text', text: 'Hello from Azure.' }]);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.input_tokens, 12);
    assert.equal(final.usage.output_tokens, 5);
  });

  test('streaming tool_use: argument fragments become one tool_use input', async () => {
    const final = await client(plain)
      .messages.stream(messages('azure-tool-call', { tools: [weatherToolAnthropic] }))
      .finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    const block = final.content.find((b) => b.type === 'tool_use');
    assert.equal(block.name, 'get_weather');
    assert.deepEqual(block.input, { location: 'Paris', unit: 'celsius' });
  });

  test('streaming message_start carries the message id and model like the non-streaming reply',
    async () => {
      const nonStream = await client(plain).messages.create(messages('azure-chat-safe'));
      const final = await client(plain).messages.stream(messages('azure-chat-safe')).finalMessage();
      assert.equal(final.id, nonStream.id);
      assert.equal(final.model, nonStream.model);
    });

  test('a stream whose upstream dies mid-way throws APIError from the SDK', async () => {
    await assert.rejects(client(plain).messages.stream(messages('stream-dies')).finalMessage(), (err) => {
      assert.ok(err instanceof Anthropic.APIError, `got ${err.constructor.name}: ${err.message}`);
      assert.match(err.message, /upstream/);
      return true;
    });
  });

  test('an Azure content_filter 400 is a BadRequestError in Anthropic error shape', async () => {
    await assert.rejects(client(plain).messages.create(messages('azure-content-filter-400')), (err) => {
      assert.ok(err instanceof Anthropic.BadRequestError, `got ${err.constructor.name}`);
      assert.equal(err.error.type, 'error');
      assert.equal(err.error.error.type, 'invalid_request_error');
      assert.match(err.error.error.message, /content management policy/);
      return true;
    });
  });
});

describe('anthropic SDK passed through to an Anthropic upstream', () => {
  test('non-streaming: the provider reply arrives unchanged; x-api-key and anthropic-version are the router\'s', async () => {
    const id = traceId('an-native');
    const msg = await client(plain).messages.create(messages('claude-native'), withTrace(id));
    assert.equal(msg.id, 'msg_01XFDUDYJgAACzvnptvVoYEL');
    assert.equal(msg.model, 'claude-sonnet-4-5-20250929');
    assert.deepEqual(msg.content, [{ type: 'text', text: 'Hello from Claude.' }]);
    assert.equal(msg.usage.output_tokens, 6);

    const [seen] = await upstream.requestsFor(id);
    assert.equal(seen.path, '/v1/messages');
    assert.equal(seen.headers['x-api-key'], ROUTER_KEY);
    assert.equal(seen.headers['anthropic-version'], '2023-06-01');
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['api-key'], undefined);
    assertOnlyRouterCredential(seen.headers);
    assert.deepEqual(seen.body, messages('claude-native'));
  });

  test('streaming: the native event stream reaches the SDK, usage included', async () => {
    const id = traceId('an-native-stream');
    const stream = client(plain).messages.stream(messages('claude-native'), withTrace(id));
    const events = [];
    stream.on('streamEvent', (e) => events.push(e.type));
    const final = await stream.finalMessage();
    assert.deepEqual(final.content, [{ type: 'text', text: 'Hello from Claude.' }]);
    assert.equal(final.usage.input_tokens, 12);
    assert.equal(final.usage.output_tokens, 6);
    assert.equal(events[0], 'message_start');
    assert.equal(events.at(-1), 'message_stop');
    assert.ok(events.includes('message_delta'));
    const [seen] = await upstream.requestsFor(id);
    assert.equal(seen.body.stream, true);
  });

  test('a provider 400 is a BadRequestError with the provider message', async () => {
    await assert.rejects(client(plain).messages.create(messages('claude-invalid')), (err) => {
      assert.ok(err instanceof Anthropic.BadRequestError, `got ${err.constructor.name}`);
      assert.equal(err.status, 400);
      assert.match(err.message, /messages\.0\.content: Input should be a valid list/);
      return true;
    });
  });
});

describe('anthropic SDK, router decisions as typed errors', () => {
  test('a content-safety block is a BadRequestError (invalid_request_error) with the reason', async () => {
    await assert.rejects(client(safety).messages.create(messages('azure-hate-high')), (err) => {
      assert.ok(err instanceof Anthropic.BadRequestError, `got ${err.constructor.name}`);
      assert.equal(err.error.error.type, 'invalid_request_error');
      assert.match(err.error.error.message, /hate severity High exceeds/);
      return true;
    });
  });

  test('an exhausted token budget is a RateLimitError', async () => {
    const c = client(budget);
    await c.messages.create(messages('openai-plain'));
    await assert.rejects(c.messages.create(messages('openai-plain')), (err) => {
      assert.ok(err instanceof Anthropic.RateLimitError, `got ${err.constructor.name}`);
      assert.equal(err.error.error.type, 'rate_limit_error');
      assert.match(err.error.error.message, /token budget exceeded/);
      assert.equal(err.headers.get('retry-after'), '3600');
      return true;
    });
  });
});
