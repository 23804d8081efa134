// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Process harness for the suite: starts the fake provider and kars-router as real child
// processes, each in a fresh temp dir, and tracks every pid it started so `stopAll()` (from
// an `after` hook) ends exactly those processes and nothing else.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.KARS_SOURCE_DIR ?? path.resolve(here, '..', '..', '..');
export const binDir = process.env.KARS_BIN_DIR ?? path.join(sourceDir, 'build', 'bin');
export const routerBin = path.join(binDir, 'kars-router');
export const karsBin = path.join(binDir, 'kars');
export const fixtureDir = path.resolve(here, '..', 'fixtures', 'upstream');

// The credential the router owns; tests assert the provider saw this and only this.
export const ROUTER_KEY = 'router-owned-secret-key';

const started = new Set();

export function track(child) {
  started.add(child);
  child.on('exit', () => started.delete(child));
  return child;
}

function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

// SIGTERM, then SIGKILL if the process does not leave in time; by pid of our own child.
async function terminate(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid, 'SIGTERM');
  if (!(await waitExit(child, graceMs))) {
    process.kill(child.pid, 'SIGKILL');
    await waitExit(child, 2000);
  }
}

export async function stopAll() {
  await Promise.all([...started].map((c) => terminate(c)));
}

// Reads stdout until the first line matching `re`; rejects if the process exits first.
function waitForLine(child, re, ms, what) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no readiness line in ${ms} ms`)), ms);
    const onData = (d) => {
      buf += d.toString();
      const m = buf.match(re);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready`));
    });
  });
}

export function tempDir(prefix = 'kars-node-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startFakeUpstream() {
  const child = track(spawn(process.execPath, [path.join(here, 'fake_upstream.mjs'), fixtureDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const [, port] = await waitForLine(child, /^(\d+)\n/, 10000, 'fake upstream');
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    port: Number(port),
    baseUrl,
    get stderr() { return stderr; },
    async requests() {
      return (await fetch(`${baseUrl}/__requests`)).json();
    },
    async reset() {
      await fetch(`${baseUrl}/__requests`, { method: 'DELETE' });
    },
    // Requests the router forwarded for one client call, found by the trace id it forwards.
    async requestsFor(traceId) {
      const all = await this.requests();
      return all.filter((r) => r.headers['x-kars-trace-id'] === traceId);
    },
    stop: () => terminate(child),
  };
}

// A loopback port nothing listens on: bound, then released.
export async function closedPort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// Provider entry helper: kind + base URL, credential in a file the router reads.
export function provider(name, kind, baseUrl, extra = {}) {
  return { name, kind, base_url: baseUrl, api_key_file: 'router.key', ...extra };
}

// InferencePolicy manifest text for the configured sandbox.
export function inferencePolicyManifest(sandbox, spec) {
  const lines = [];
  const emit = (obj, indent) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v && typeof v === 'object') {
        lines.push(`${' '.repeat(indent)}${k}:`);
        emit(v, indent + 2);
      } else {
        lines.push(`${' '.repeat(indent)}${k}: ${v}`);
      }
    }
  };
  emit(spec, 2);
  return [
    'apiVersion: kars.azure.com/v1alpha1',
    'kind: InferencePolicy',
    'metadata:',
    `  name: ${sandbox}-inference`,
    '  namespace: default',
    'spec:',
    '  appliesTo:',
    `    sandboxName: ${sandbox}`,
    ...lines,
    '',
  ].join('\n');
}

function configText(cfg) {
  // JSON is YAML (flow style), so the config is written exactly as the test built it.
  return `${JSON.stringify(cfg, null, 2)}\n`;
}

// Starts kars-router. `config` is the router config object without listen/audit, which the
// harness fills in; `manifest` (text) is written beside it and referenced when given.
// Pass `dir` to restart a router on the same state (audit log, budget file).
export async function startRouter({ config, manifest, dir, drainSeconds = 0, env: extraEnv = {} } = {}) {
  dir = dir ?? tempDir();
  fs.writeFileSync(path.join(dir, 'router.key'), `${ROUTER_KEY}\n`, { mode: 0o600 });
  const full = {
    listen: '127.0.0.1:0',
    sandbox: { name: 'sb-test', namespace: 'default' },
    audit: { path: 'audit.log', checkpoint_every: 1 },
    ...config,
  };
  if (manifest !== undefined) {
    fs.writeFileSync(path.join(dir, 'manifest.yaml'), manifest);
    full.manifest = 'manifest.yaml';
  }
  const configPath = path.join(dir, 'router.yaml');
  fs.writeFileSync(configPath, configText(full));

  // A clean environment: no KARS_PROVIDER_*_API_KEY from the caller may override the file.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? dir, ...extraEnv };
  const child = track(spawn(routerBin, ['--config', configPath, '--drain-seconds', String(drainSeconds)], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let stderr = '';
  const stderrWaiters = [];
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of [...stderrWaiters]) w();
  });
  const [, port] = await waitForLine(child, /^kars-router listening on 127\.0\.0\.1:(\d+)\n/, 10000, 'kars-router')
    .catch((e) => { throw new Error(`${e.message}\nstderr:\n${stderr}`); });

  // Resolves when stderr (JSON log lines) gains a line matching `re` after `from`.
  const waitStderr = (re, from, ms = 5000) => new Promise((resolve, reject) => {
    const remove = () => {
      const i = stderrWaiters.indexOf(check);
      if (i >= 0) stderrWaiters.splice(i, 1);
    };
    const check = () => {
      const m = stderr.slice(from).match(re);
      if (m) {
        remove();
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    const timer = setTimeout(() => {
      remove();
      reject(new Error(`no stderr line matching ${re} in ${ms} ms; stderr:\n${stderr.slice(from)}`));
    }, ms);
    stderrWaiters.push(check);
    check();
  });

  return {
    dir,
    pid: child.pid,
    baseUrl: `http://127.0.0.1:${port}`,
    port: Number(port),
    configPath,
    auditPath: path.join(dir, 'audit.log'),
    config: full,
    get stderr() { return stderr; },
    get exitCode() { return child.exitCode; },
    writeConfig(next) {
      fs.writeFileSync(configPath, typeof next === 'string' ? next : configText(next));
    },
    // SIGHUP, then wait for the router's verdict in its log: "reloaded" or "refused".
    async reload() {
      const from = stderr.length;
      process.kill(child.pid, 'SIGHUP');
      const line = await waitStderr(/configuration reloaded|reload refused[^\n]*/, from);
      return line.startsWith('configuration reloaded') ? { ok: true } : { ok: false, message: line };
    },
    async stop() {
      await terminate(child);
      return { code: child.exitCode, signal: child.signalCode };
    },
  };
}

// Whether a process exists (signal 0 checks without sending anything).
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Audit entries as parsed objects (the writer appends asynchronously, so callers poll).
export function readAudit(auditPath) {
  if (!fs.existsSync(auditPath)) return [];
  return fs.readFileSync(auditPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Polls `fn` every 20 ms until it returns a truthy value; the audit writer and the budget
// settle run off the request path, so there is no response to wait on.
export async function waitFor(fn, { timeout = 5000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Audit entries for one trace id, once at least `count` of them are on disk.
export function auditFor(auditPath, traceId, count = 2) {
  return waitFor(() => {
    const mine = readAudit(auditPath).filter((e) => e.trace_id === traceId);
    return mine.length >= count ? mine : null;
  }, { what: `${count} audit entries for ${traceId}` });
}

export function kars(args) {
  return spawnSync(karsBin, args, { encoding: 'utf8' });
}

let traceCounter = 0;
export function traceId(label) {
  traceCounter += 1;
  return `t-${label}-${process.pid}-${traceCounter}`;
}
