// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Router configurations and request bodies shared by the test files, so each file states
// only what its own tests are about.

import net from 'node:net';

import { closedPort, inferencePolicyManifest, provider } from './router.mjs';

// Three providers on the same fake: an Azure OpenAI resource (api-key auth, /openai/v1),
// an OpenAI-kind provider (Bearer auth) and an Anthropic-kind provider (native Messages).
// Model routes pick the provider; everything else goes to Azure.
export function standardConfig(upstream, extra = {}) {
  return {
    providers: [
      provider('azure', 'azure-openai', upstream.baseUrl),
      provider('openai', 'openai', `${upstream.baseUrl}/v1`),
      provider('anthropic', 'anthropic', upstream.baseUrl),
    ],
    models: {
      'openai-plain': ['openai'],
      'slow-stream': ['openai'],
      'claude-native': ['anthropic'],
      'claude-invalid': ['anthropic'],
      default: ['azure'],
    },
    ...extra,
  };
}

export async function downProvider(name = 'down') {
  return provider(name, 'openai', `http://127.0.0.1:${await closedPort()}/v1`);
}

export function policyManifest(spec, sandbox = 'sb-test') {
  return inferencePolicyManifest(sandbox, spec);
}

// A chat request whose token estimate is small and exact: "hi" is 1 token of text, plus 4
// per message, 3 per request, plus max_tokens 10 = 18 (router/budget/token_estimate.h).
export const ESTIMATE_18 = 18;
export function chat(model, extra = {}) {
  return { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 10, ...extra };
}

export function messages(model, extra = {}) {
  return { model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...extra };
}

export const weatherToolOpenAI = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string' } }, required: ['location'] },
  },
};

export const weatherToolAnthropic = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string' } }, required: ['location'] },
};

// Raw HTTP helper for what SDKs cannot send (bad JSON, wrong methods).
export async function post(baseUrl, path, body, headers = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

// Sends raw bytes on a fresh connection and resolves with everything read until close.
// Used where an HTTP client library would hide the router's answer (fetch reports a
// failure when the server answers before the upload has finished).
export function rawExchange(port, bytes) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('raw exchange timed out')));
    socket.on('data', (d) => { buf += d; });
    socket.on('error', (e) => (buf ? resolve(buf) : reject(e)));
    socket.on('close', () => resolve(buf));
    socket.write(bytes);
  });
}
