// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// A fake model provider, run as its own process so kars-router talks to it over real
// loopback TCP exactly as it would to Azure OpenAI, OpenAI or Anthropic.
//
// Usage: node fake_upstream.mjs [FIXTURE_DIR]
// Prints the port it listens on (127.0.0.1, ephemeral) as the only stdout line.
//
// Scenario selection: the request body's `model` names a fixture file
// FIXTURE_DIR/<model>.json, so a test picks the provider's behaviour by the model it asks
// for (the router forwards the model, or rewrites it to a configured target model). A
// fixture is:
//   {
//     "description": "...",
//     "delay_ms": 0,                   // wait before answering (slow-upstream scenarios)
//     "response": { "status", "headers", "body" },          // for non-streaming requests
//     "stream": { "status", "headers", "events": [{ "event"?, "data", "delay_ms"? }],
//                 "destroy_after": n }                      // for "stream": true requests
//   }
// When only one of response/stream is present it answers both kinds of request. `data`
// that is not a string is sent as JSON; "[DONE]" is sent verbatim. `destroy_after` destroys
// the socket after that many events, mid chunked body, the way a provider connection dies.
//
// Every request is recorded (method, path, headers, parsed body) and listed by
// GET /__requests; DELETE /__requests forgets them. Those two paths are not forwarded by
// the router, so only tests reach them.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureDir = path.resolve(process.argv[2] ?? path.join(here, '..', 'fixtures', 'upstream'));

const recorded = [];

function loadFixture(name) {
  // Model names come from the network; only plain names may pick a file.
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) return null;
  const file = path.join(fixtureDir, `${name}.json`);
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sendJson(res, status, headers, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

function encodeEvent(ev) {
  const data = typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data);
  return (ev.event ? `event: ${ev.event}\n` : '') + `data: ${data}\n\n`;
}

async function sendStream(req, res, spec) {
  res.writeHead(spec.status ?? 200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...(spec.headers ?? {}),
  });
  const events = spec.events ?? [];
  for (let i = 0; i < events.length; i++) {
    if (spec.destroy_after !== undefined && i === spec.destroy_after) {
      // Destroying without a final chunk leaves the chunked body unterminated: the reader
      // sees the connection die, not a clean end of stream.
      req.socket.destroy();
      return;
    }
    if (events[i].delay_ms) await sleep(events[i].delay_ms);
    if (res.destroyed) return;
    // Waiting for each write to reach the socket makes a later destroy() cut the stream
    // after these events rather than discard them with the unflushed buffer.
    await new Promise((resolve) => res.write(encodeEvent(events[i]), resolve));
  }
  if (spec.destroy_after !== undefined && spec.destroy_after >= events.length) {
    req.socket.destroy();
    return;
  }
  res.end();
}

async function handle(req, res, rawBody) {
  const url = new URL(req.url, 'http://fake');
  if (url.pathname === '/__requests') {
    if (req.method === 'DELETE') recorded.length = 0;
    sendJson(res, 200, {}, recorded);
    return;
  }
  let body = null;
  try {
    body = rawBody.length ? JSON.parse(rawBody) : null;
  } catch {
    body = rawBody;
  }
  recorded.push({ method: req.method, path: req.url, headers: req.headers, body });

  const model = body && typeof body === 'object' ? body.model : undefined;
  const fixture = loadFixture(model);
  if (!fixture) {
    sendJson(res, 404, {}, {
      error: { code: 'DeploymentNotFound', message: `fake upstream has no fixture for model ${model}` },
    });
    return;
  }
  if (fixture.delay_ms) {
    await sleep(fixture.delay_ms);
    if (res.destroyed || req.socket.destroyed) return;
  }
  const wantsStream = Boolean(body && body.stream === true);
  const spec = wantsStream ? (fixture.stream ?? fixture.response) : (fixture.response ?? fixture.stream);
  if (spec.events) {
    await sendStream(req, res, spec);
  } else {
    sendJson(res, spec.status ?? 200, spec.headers ?? {}, spec.body ?? {});
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err) => {
      process.stderr.write(`fake upstream error: ${err.stack}\n`);
      if (!res.headersSent) sendJson(res, 500, {}, { error: { message: String(err) } });
      else res.destroy();
    });
  });
});
// A router that gave up on a slow answer closes its socket; that is expected here.
server.on('clientError', (_err, socket) => socket.destroy());

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
