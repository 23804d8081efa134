// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// MCP gateway overhead: the same tools/call, one at a time over a keep-alive connection,
// sent straight to an MCP server and sent through kars-router's /mcp (policy decision,
// pin check, audit entry, forward), in alternating blocks of one run. Prints p50/p99 of
// both and the added p99 against the target (< 0.5 ms).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const binDir = process.env.KARS_BIN_DIR ?? path.resolve(here, '..', '..', 'build', 'bin');
const CALLS = Number(process.env.BENCH_CALLS ?? 6000);
const BLOCK = 500;
const WARMUP = 500;

const children = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
});

function start(cmd, args, re, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.push(child);
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd}: not ready\n${err}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(re);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}\n${err}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(port, target, message, session) {
  const body = JSON.stringify(message);
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'content-length': Buffer.byteLength(body),
  };
  if (session) headers['mcp-session-id'] = session;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method: 'POST', headers, agent }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, session: res.headers['mcp-session-id'], data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function open(port) {
  const init = await call(port, '/mcp', { jsonrpc: '2.0', id: 0, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  if (init.status !== 200) throw new Error(`initialize: ${init.status} ${init.data}`);
  await call(port, '/mcp', { jsonrpc: '2.0', method: 'notifications/initialized' }, init.session);
  return init.session;
}

async function block(port, session, toolName, n, into) {
  for (let i = 0; i < n; i += 1) {
    const t0 = process.hrtime.bigint();
    const r = await call(port, '/mcp', { jsonrpc: '2.0', id: i + 1, method: 'tools/call',
      params: { name: toolName, arguments: { text: 'hello' } } }, session);
    const t1 = process.hrtime.bigint();
    if (r.status !== 200 || !r.data.includes('"hello"')) throw new Error(`call failed: ${r.status} ${r.data}`);
    if (into) into.push(Number(t1 - t0) / 1e6);
  }
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const [, serverPort] = await start(process.execPath, [path.join(here, 'echo_server.mjs')], /^(\d+)\n/);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kars-bench-mcp-'));
fs.writeFileSync(path.join(dir, 'manifest.yaml'), `apiVersion: kars.azure.com/v1alpha1
kind: McpServer
metadata: {name: bench, namespace: default}
spec:
  allowedTools: [echo]
  url: http://127.0.0.1:${serverPort}/mcp
`);
fs.writeFileSync(path.join(dir, 'cassette.jsonl'), '');
fs.writeFileSync(path.join(dir, 'router.yaml'), `listen: 127.0.0.1:0
sandbox: {name: bench, namespace: default}
manifest: manifest.yaml
audit: {path: audit.log}
# The router needs a model route to start; the benchmark sends it no inference.
providers:
  - {name: unused, kind: replay, cassette: cassette.jsonl}
models: {default: [unused]}
`);
const [, routerPort] = await start(path.join(binDir, 'kars-router'),
  ['--config', path.join(dir, 'router.yaml'), '--log-level', 'warn'], /listening on 127\.0\.0\.1:(\d+)\n/, { cwd: dir });

const direct = await open(serverPort);
const gateway = await open(routerPort);
await block(serverPort, direct, 'echo', WARMUP);
await block(routerPort, gateway, 'bench__echo', WARMUP);
const d = [];
const g = [];
for (let done = 0; done < CALLS; done += BLOCK) {
  await block(serverPort, direct, 'echo', BLOCK, d);
  await block(routerPort, gateway, 'bench__echo', BLOCK, g);
}
d.sort((a, b) => a - b);
g.sort((a, b) => a - b);
const audited = fs.readFileSync(path.join(dir, 'audit.log'), 'utf8').split('\n').filter((l) => l.includes('mcp:bench:echo')).length;
const row = (name, s) => `${name.padEnd(10)} p50 ${pct(s, 50).toFixed(3)} ms   p99 ${pct(s, 99).toFixed(3)} ms`;
console.log(`MCP tools/call, ${d.length} calls each, sequential, keep-alive (${os.cpus().length} cores)`);
console.log(row('direct', d));
console.log(row('gateway', g));
const added99 = pct(g, 99) - pct(d, 99);
const added50 = pct(g, 50) - pct(d, 50);
console.log(`added     p50 ${added50.toFixed(3)} ms   p99 ${added99.toFixed(3)} ms   (target p99 < 0.5 ms: ${added99 < 0.5 ? 'met' : 'MISSED'})`);
console.log(`audit entries for the calls: ${audited}`);
process.exit(0);
