// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Tool policy through the router, seen by the official SDKs: a tool the policy denies is
// removed from what the model is offered, and a call the model proposes anyway (the fake
// provider replays a recorded tool call) never reaches the agent, streamed or not; every
// decision is audited. The ask-before-acting endpoints answer in both shapes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

import { auditFor, readAudit, startFakeUpstream, startRouter, stopAll, tempDir, traceId, waitFor } from './support/router.mjs';
import { chat, messages, post, standardConfig, weatherToolAnthropic, weatherToolOpenAI } from './support/scenarios.mjs';

const PROFILE = `
version: "1.0"
agent: tool-test
policies:
  - name: weather-deny
    type: capability
    priority: 10
    denied_actions: ["tool:get_weather"]
  - name: inference-allow
    type: capability
    allowed_actions: ["inference:chat_completions:*", "inference:messages:*", "inference:responses:*"]
  - name: tools-allow
    type: capability
    allowed_actions: ["tool:*"]
  - name: shell-deny-rm
    type: capability
    priority: 10
    denied_actions: ["shell:rm"]
  - name: shell-allow-ls
    type: capability
    allowed_actions: ["shell:ls"]
  - name: deploy-needs-approval
    type: approval
    actions: ["admin:deploy"]
`;

const timeTool = {
  type: 'function',
  function: { name: 'get_time', description: 'Current time', parameters: { type: 'object', properties: {} } },
};

let upstream;
let governed;
let defaults;

function openai(router) {
  return new OpenAI({ baseURL: `${router.baseUrl}/v1`, apiKey: 'sk-agent', maxRetries: 0, timeout: 10000 });
}

function anthropic(router) {
  return new Anthropic({ baseURL: router.baseUrl, apiKey: 'sk-agent', maxRetries: 0, timeout: 10000 });
}

function toolEntries(router, id) {
  return readAudit(router.auditPath).filter((e) => e.trace_id === id && e.action.startsWith('tool:'));
}

before(async () => {
  upstream = await startFakeUpstream();
  const dir = tempDir();
  const profilePath = path.join(dir, 'tools.yaml');
  fs.writeFileSync(profilePath, PROFILE);
  [governed, defaults] = await Promise.all([
    startRouter({ dir, config: { ...standardConfig(upstream), governance: { profiles: [profilePath] } } }),
    startRouter({ config: standardConfig(upstream) }),
  ]);
});

after(stopAll);

describe('tools offered to the model', () => {
  test('a denied tool is removed before the request goes upstream; others stay', async () => {
    const id = traceId('offer');
    await openai(governed).chat.completions.create(
      chat('azure-chat-safe', { tools: [weatherToolOpenAI, timeTool] }),
      { headers: { 'x-kars-trace-id': id } });
    const [seen] = await upstream.requestsFor(id);
    assert.deepEqual(seen.body.tools.map((t) => t.function.name), ['get_time']);
    const entries = await waitFor(() => {
      const e = toolEntries(governed, id);
      return e.length ? e : null;
    }, { what: 'tool audit entry' });
    assert.equal(entries[0].action, 'tool:get_weather');
    assert.equal(entries[0].decision, 'deny');
    assert.match(entries[0].reason, /weather-deny/);
  });

  test('forcing a denied tool with tool_choice is refused with 403', async () => {
    const err = await openai(governed).chat.completions.create(chat('azure-chat-safe', {
      tools: [weatherToolOpenAI],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    })).catch((e) => e);
    assert.ok(err instanceof OpenAI.PermissionDeniedError, `got ${err}`);
    assert.equal(err.error.type, 'policy_violation');
    assert.match(err.message, /get_weather/);
  });
});

describe('tool calls proposed by the model', () => {
  test('non-streaming: the denied call is replaced by a refusal the agent can read', async () => {
    const id = traceId('propose');
    const res = await openai(governed).chat.completions.create(
      chat('azure-tool-call', { tools: [timeTool] }), { headers: { 'x-kars-trace-id': id } });
    const choice = res.choices[0];
    assert.equal(choice.message.tool_calls, undefined);
    assert.equal(choice.finish_reason, 'stop');
    assert.match(choice.message.content, /get_weather.*blocked by policy/);
    const entries = await waitFor(() => toolEntries(governed, id).find((e) => /proposed/.test(e.reason)),
      { what: 'proposed-call audit entry' });
    assert.equal(entries.decision, 'deny');
  });

  test('streaming: no fragment of the denied call reaches the SDK', async () => {
    const runner = openai(governed).chat.completions.stream(chat('azure-tool-call', { tools: [timeTool] }));
    const deltas = [];
    runner.on('chunk', (c) => deltas.push(JSON.stringify(c)));
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0].message.tool_calls?.length ?? 0, 0);
    assert.equal(final.choices[0].finish_reason, 'stop');
    assert.match(final.choices[0].message.content, /get_weather/);
    for (const d of deltas) assert.ok(!d.includes('Paris'), `argument fragment leaked: ${d}`);
  });

  test('an allowed call streams through intact under the default profile', async () => {
    const runner = openai(defaults).chat.completions.stream(chat('azure-tool-call', { tools: [weatherToolOpenAI] }));
    const final = await runner.finalChatCompletion();
    const call = final.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { location: 'Paris', unit: 'celsius' });
  });

  test('anthropic SDK, translated stream: the tool_use block becomes text', async () => {
    const id = traceId('an-propose');
    const stream = anthropic(governed).messages.stream(messages('azure-tool-call', { tools: [weatherToolAnthropic] }),
      { headers: { 'x-kars-trace-id': id } });
    const msg = await stream.finalMessage();
    assert.ok(msg.content.every((b) => b.type !== 'tool_use'), JSON.stringify(msg.content));
    assert.match(msg.content.map((b) => b.text ?? '').join(''), /get_weather/);
    assert.equal(msg.stop_reason, 'end_turn');
  });

  test('anthropic SDK, not streamed: the same refusal', async () => {
    const msg = await anthropic(governed).messages.create(messages('azure-tool-call', { tools: [weatherToolAnthropic] }));
    assert.ok(msg.content.every((b) => b.type !== 'tool_use'));
    assert.equal(msg.stop_reason, 'end_turn');
  });
});

describe('Responses API, seen by the openai SDK', () => {
  const weatherFn = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } };

  test('streamed: the denied function_call item becomes a message; no argument leaks', async () => {
    const stream = openai(governed).responses.stream({ model: 'responses-tool-call', input: 'weather?', tools: [] });
    const raw = [];
    stream.on('event', (e) => raw.push(JSON.stringify(e)));
    const final = await stream.finalResponse();
    assert.ok(final.output.every((i) => i.type !== 'function_call'), JSON.stringify(final.output));
    assert.match(JSON.stringify(final.output), /get_weather.*blocked by policy/);
    for (const e of raw) assert.ok(!e.includes('Paris'), `argument leaked: ${e}`);
  });

  test('streamed under the default profile: the call arrives whole', async () => {
    const stream = openai(defaults).responses.stream({ model: 'responses-tool-call', input: 'weather?', tools: [weatherFn] });
    const final = await stream.finalResponse();
    const call = final.output.find((i) => i.type === 'function_call');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { location: 'Paris', unit: 'celsius' });
  });

  test('not streamed: the same refusal', async () => {
    const res = await openai(governed).responses.create({ model: 'responses-tool-call', input: 'weather?' });
    assert.ok(res.output.every((i) => i.type !== 'function_call'));
    assert.match(res.output_text, /get_weather/);
  });
});

describe('ask before acting', () => {
  test('/v1/governance/evaluate names the deciding rule', async () => {
    const denied = await post(governed.baseUrl, '/v1/governance/evaluate', { action: 'shell:rm -rf /' });
    assert.equal(denied.status, 200);
    assert.equal(denied.json.decision, 'Denied');
    assert.equal(denied.json.allowed, false);
    assert.equal(denied.json.rule.name, 'shell-deny-rm');
    const allowed = await post(governed.baseUrl, '/v1/governance/evaluate', { action: 'shell:ls -la' });
    assert.equal(allowed.json.allowed, true);
    assert.equal(allowed.json.rule.name, 'shell-allow-ls');
  });

  test('/agt/evaluate keeps the reference shape, including approvals', async () => {
    const r = await post(governed.baseUrl, '/agt/evaluate', { agent_id: 'someone-else', action: 'admin:deploy' });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(),
      ['action', 'allowed', 'approval_id', 'decision', 'evaluated_action', 'matched_rule', 'rate_limited', 'reason']);
    assert.equal(r.json.decision, 'requires_approval');
    assert.equal(r.json.allowed, false);
    assert.equal(r.json.matched_rule, 'deploy-needs-approval');
    const entry = await waitFor(() => readAudit(governed.auditPath).find((e) => e.action === 'admin:deploy'),
      { what: 'evaluate audit entry' });
    assert.equal(entry.sandbox, 'sb-test', 'agent_id in the body must not change the sandbox');
  });

  test('bad questions get 400 in the OpenAI error shape', async () => {
    for (const body of ['{', '[]', '{"action":""}', '{"action":"x","context":[1]}']) {
      const r = await post(governed.baseUrl, '/v1/governance/evaluate', body);
      assert.equal(r.status, 400, body);
      assert.equal(r.json.error.type, 'invalid_request_error');
    }
    const grammar = await post(governed.baseUrl, '/v1/governance/evaluate', { action: 'mcp:a:b:c' });
    assert.equal(grammar.json.allowed, false);
    assert.equal(grammar.json.rule.kind, 'ActionGrammar');
  });
});

describe('inference is an action too', () => {
  test('a model the profile does not allow is refused with 403 policy_violation', async () => {
    const dir = tempDir();
    const profilePath = path.join(dir, 'p.yaml');
    fs.writeFileSync(profilePath, 'version: "1.0"\npolicies:\n  - name: only-openai-plain\n    type: capability\n    allowed_actions: ["inference:chat_completions:openai-plain"]\n');
    const router = await startRouter({ dir, config: { ...standardConfig(upstream), governance: { profiles: [profilePath] } } });
    const ok = await openai(router).chat.completions.create(chat('openai-plain'));
    assert.equal(ok.choices[0].message.content, 'Hello from OpenAI.');
    const err = await openai(router).chat.completions.create(chat('azure-chat-safe')).catch((e) => e);
    assert.ok(err instanceof OpenAI.PermissionDeniedError, `got ${err}`);
    assert.equal(err.error.type, 'policy_violation');
    assert.match(err.message, /only-openai-plain|not in allowlist/);
  });
});
