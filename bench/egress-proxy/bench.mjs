// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Egress proxy benchmark (issue 5): bulk transfer through a CONNECT tunnel and tunnel set-up
// rate, for a direct connection, kars-router's egress proxy and squid with the same
// allowlist, all in one run on loopback. Prints the numbers and the ratios against the
// targets (>= 0.9x direct throughput, >= squid's set-up rate). Run it with run.sh.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const binDir = process.env.KARS_BIN_DIR ?? path.resolve(here, '..', '..', 'build', 'bin');
const squidBin = process.env.SQUID ?? '/usr/sbin/squid';
const BYTES = Number(process.env.BENCH_BYTES ?? 512 * 1024 * 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SETUP_SECONDS = Number(process.env.BENCH_SETUP_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

const children = [];
function start(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.push(child);
  return child;
}
function stopChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}
process.on('exit', stopChildren);

function firstLine(child, re, what) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what}: not ready`)), 15000);
    child.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(re);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitListening(port, what) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} not listening on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Opens a connection to target, through `proxy` with CONNECT when given; resolves with the
// socket once bytes may flow (after "200" from the proxy), plus any bytes read past the head.
function open(target, proxy) {
  return new Promise((resolve, reject) => {
    if (!proxy) {
      const s = net.connect(target, '127.0.0.1', () => resolve({ socket: s, rest: Buffer.alloc(0) }));
      s.on('error', reject);
      return;
    }
    const s = net.connect(proxy, '127.0.0.1', () => {
      s.write(`CONNECT 127.0.0.1:${target} HTTP/1.1\r\nHost: 127.0.0.1:${target}\r\n\r\n`);
    });
    let head = Buffer.alloc(0);
    const onData = (d) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      const status = head.subarray(0, end).toString().split(' ')[1];
      if (status !== '200') { s.destroy(); reject(new Error(`proxy answered ${status}`)); return; }
      resolve({ socket: s, rest: head.subarray(end + 4) });
    };
    s.on('data', onData);
    s.on('error', reject);
  });
}

async function bulk(port, proxy) {
  const t0 = process.hrtime.bigint();
  const { socket, rest } = await open(port, proxy);
  let got = rest.length;
  await new Promise((resolve, reject) => {
    socket.on('data', (d) => { got += d.length; });
    socket.on('end', resolve);
    socket.on('error', reject);
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (got !== BYTES) throw new Error(`short transfer: ${got} of ${BYTES}`);
  return BYTES / (1024 * 1024) / secs;
}

// Tunnels opened and closed per second by CONCURRENCY clients in a loop.
async function setupRate(port, proxy) {
  let done = 0;
  const deadline = Date.now() + SETUP_SECONDS * 1000;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (Date.now() < deadline) {
      const { socket } = await open(port, proxy);
      socket.destroy();
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function startKars(dir, bulkPort, idlePort) {
  const egress = await freePort();
  const cfg = {
    listen: '127.0.0.1:0',
    sandbox: { name: 'bench' },
    providers: [{ name: 'openai', kind: 'openai', base_url: 'http://127.0.0.1:9', api_key_file: path.join(dir, 'key') }],
    audit: { path: path.join(dir, 'audit.jsonl') },
    egress: {
      listen: `127.0.0.1:${egress}`,
      allowed_endpoints: [{ host: '127.0.0.1', port: bulkPort }, { host: '127.0.0.1', port: idlePort }],
    },
  };
  fs.writeFileSync(path.join(dir, 'key'), 'unused\n');
  fs.writeFileSync(path.join(dir, 'router.yaml'), JSON.stringify(cfg));
  const child = start(path.join(binDir, 'kars-router'), ['--config', path.join(dir, 'router.yaml'), '--log-level', 'warn']);
  await firstLine(child, /egress proxy on/, 'kars-router');
  return egress;
}

async function startSquid(dir, bulkPort, idlePort) {
  const port = await freePort();
  const sdir = path.join(dir, 'squid');
  // squid started as root drops to its own user, which must reach and write this directory.
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(sdir);
  fs.chmodSync(sdir, 0o777);
  fs.writeFileSync(path.join(sdir, 'squid.conf'), [
    `http_port 127.0.0.1:${port}`,
    'acl CONNECT method CONNECT',
    'acl allowed_dst dst 127.0.0.1/32',
    `acl allowed_ports port ${bulkPort} ${idlePort}`,
    'http_access allow CONNECT allowed_dst allowed_ports',
    'http_access deny all',
    'cache deny all',
    `access_log stdio:${sdir}/access.log`,
    `cache_log ${sdir}/cache.log`,
    `pid_filename ${sdir}/squid.pid`,
    `coredump_dir ${sdir}`,
    'shutdown_lifetime 0 seconds',
    'dns_nameservers 127.0.0.1',
    '',
  ].join('\n'));
  const child = start(squidBin, ['-N', '-f', path.join(sdir, 'squid.conf')]);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  await waitListening(port, 'squid').catch((e) => {
    const log = fs.existsSync(path.join(sdir, 'cache.log')) ? fs.readFileSync(path.join(sdir, 'cache.log'), 'utf8') : '';
    throw new Error(`${e.message}\n${stderr}\n${log}`);
  });
  return port;
}


const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kars-bench-egress-'));
const sink = start(process.execPath, [path.join(here, 'sink.mjs'), String(BYTES)]);
const [, a, b] = await firstLine(sink, /^(\d+) (\d+)\n/, 'sink');
const [bulkPort, idlePort] = [Number(a), Number(b)];
const karsPort = await startKars(dir, bulkPort, idlePort);
const squidPort = fs.existsSync(squidBin) ? await startSquid(dir, bulkPort, idlePort) : null;

const rows = [['direct', null], ['kars', karsPort]];
if (squidPort) rows.push(['squid', squidPort]);
// Rounds interleave the paths, and each path keeps its best round: a burst of noise from the
// shared cores then costs one path one round instead of skewing whichever path ran last.
const result = Object.fromEntries(rows.map(([name]) => [name, { mibps: 0, setups: 0 }]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, proxy] of rows) {
    result[name].mibps = Math.max(result[name].mibps, await bulk(bulkPort, proxy));
    result[name].setups = Math.max(result[name].setups, await setupRate(idlePort, proxy));
  }
}

const f = (x) => x.toFixed(0).padStart(8);
console.log(`egress proxy benchmark: ${BYTES / 1048576} MiB per transfer and set-up rate over ` +
  `${SETUP_SECONDS} s with ${CONCURRENCY} clients, best of ${ROUNDS} interleaved rounds; ${os.cpus().length} CPUs`);
console.log('            MiB/s  tunnels/s');
for (const [name] of rows) console.log(`${name.padEnd(8)}${f(result[name].mibps)}   ${f(result[name].setups)}`);
const tput = result.kars.mibps / result.direct.mibps;
console.log(`kars/direct throughput: ${tput.toFixed(2)}x (target >= 0.90x) ${tput >= 0.9 ? 'PASS' : 'MISS'}`);
if (squidPort) {
  const setup = result.kars.setups / result.squid.setups;
  console.log(`kars/squid throughput: ${(result.kars.mibps / result.squid.mibps).toFixed(2)}x`);
  console.log(`kars/squid set-up rate: ${setup.toFixed(2)}x (target >= 1.00x) ${setup >= 1 ? 'PASS' : 'MISS'}`);
} else {
  console.log(`squid not found at ${squidBin}: no comparison (run.sh installs it)`);
}
stopChildren();
fs.rmSync(dir, { recursive: true, force: true });
