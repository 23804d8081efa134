// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Record mode writes what a live provider sent into a cassette; a second router serving that
// cassette with the replay provider gives the client the same answers, streams included.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { startFakeUpstream, startRouter, stopAll, tempDir, provider } from './support/router.mjs';
import { chat } from './support/scenarios.mjs';

after(stopAll);

async function collect(stream) {
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

test('a recorded session replays offline with the same content', async () => {
  const upstream = await startFakeUpstream();
  const dir = tempDir();
  const cassette = path.join(dir, 'recorded.jsonl');
  const live = await startRouter({
    dir,
    config: {
      providers: [provider('azure', 'azure-openai', upstream.baseUrl, { record_to: cassette })],
    },
  });
  const liveClient = new OpenAI({ baseURL: `${live.baseUrl}/v1`, apiKey: 'unused' });
  const plain = await liveClient.chat.completions.create(chat('azure-chat-safe'));
  const streamed = await collect(
    await liveClient.chat.completions.create(chat('azure-chat-safe', { stream: true })));
  assert.ok(plain.choices[0].message.content.length > 0);
  assert.ok(streamed.length > 0);

  const lines = fs.readFileSync(cassette, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[0].match.path, '/v1/chat/completions');
  assert.equal(lines[0].match.stream, false);
  assert.equal(lines[1].match.stream, true);
  assert.ok(lines[1].response.events.length > 1, 'stream events recorded one by one');
  // Nothing the router holds as a secret is written to the cassette.
  assert.ok(!fs.readFileSync(cassette, 'utf8').includes('router-owned-secret-key'));

  await upstream.stop();
  const replayDir = tempDir();
  const offline = await startRouter({
    dir: replayDir,
    config: { providers: [{ name: 'tape', kind: 'replay', cassette }] },
  });
  const client = new OpenAI({ baseURL: `${offline.baseUrl}/v1`, apiKey: 'unused' });
  const again = await client.chat.completions.create(chat('azure-chat-safe'));
  assert.equal(again.choices[0].message.content, plain.choices[0].message.content);
  assert.deepEqual(again.usage, plain.usage);
  const againStreamed = await collect(
    await client.chat.completions.create(chat('azure-chat-safe', { stream: true })));
  assert.equal(againStreamed, streamed);
});
