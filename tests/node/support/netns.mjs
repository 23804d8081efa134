// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Network namespaces of the test's own. A scenario under tests/node/netns/ runs inside
// `unshare --user --map-root-user --net --mount`: only a loopback interface, which also carries a
// public-looking address (1.2.3.4, reachable only inside the namespace), and a private
// /etc/resolv.conf naming a DNS server the scenario runs itself. Names the router resolves
// there never reach a real resolver, and no packet leaves the namespace. runInSandboxNetns()
// builds the same namespace with a wider id map, for scenarios that start `kars dev` in it.

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { karsBin, sourceDir, track } from './router.mjs';

export const PUBLIC_ADDRESS = '1.2.3.4';

// The host ids every kars sandbox maps its uid 0..65535 onto (sandbox/sandbox_spec.h,
// host_id_base and id_count). `kars dev` run inside a test namespace writes this range into
// its sandbox's uid_map, which the kernel accepts only if the range is mapped in the test
// namespace too.
const SANDBOX_HOST_IDS = { base: 100000, count: 65536 };
const SCENARIO_TIMEOUT_MS = 170_000;

function scenarioEnv() {
  // A nested `node --test` that inherits the runner's NODE_TEST_CONTEXT reports to it
  // instead of exiting non-zero on failure; it must run as a runner of its own.
  const env = { ...process.env, KARS_IN_NETNS: '1' };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

// Runs `script` with `node --test` in a fresh namespace; returns { status, output }.
export function runInNetns(script) {
  const env = scenarioEnv();
  const r = spawnSync('unshare', ['--user', '--map-root-user', '--net', '--mount', '--',
    process.execPath, '--test', '--test-reporter=spec', script], {
    encoding: 'utf8',
    env,
    timeout: SCENARIO_TIMEOUT_MS,
  });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ?? ''}` };
}

// Why runInSandboxNetns() cannot run here, or null when it can.
export function sandboxNetnsUnavailable() {
  // --map-root-user maps one id; a wider map needs CAP_SETUID over those host ids, i.e. the
  // caller must be root on the host (newuidmap and /etc/subuid would be the unprivileged
  // road, which `kars dev` does not take for its own map either).
  if (process.getuid() !== 0) return 'kars dev in a test namespace needs host root to map ids';
  return null;
}

function userNamespaceOf(pid) {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return null;
  }
}

// As runInNetns(), but the namespace maps root to the caller's uid *and* the sandbox host
// ids to themselves, so `kars dev` can start a sandbox inside it. unshare(1) cannot write a
// multi-line map without newuidmap, so the child waits on stdin while this process, root
// outside, writes the maps. Resolves to { status, output }.
export async function runInSandboxNetns(script) {
  const why = sandboxNetnsUnavailable();
  if (why) throw new Error(why);
  const child = spawn('unshare', ['--user', '--net', '--mount', '--',
    '/bin/sh', '-c', 'read go && exec "$@"', 'sh',
    process.execPath, '--test', '--test-reporter=spec', script], {
    env: scenarioEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  // By pid, and only while it is still our child: an exited pid may already be reused.
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  };
  const timer = setTimeout(kill, SCENARIO_TIMEOUT_MS);

  try {
    // The maps can only be written once unshare(2) has run, i.e. once the child's user
    // namespace is no longer ours.
    const ours = userNamespaceOf(process.pid);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const theirs = userNamespaceOf(child.pid);
      if (theirs === null) throw new Error('unshare exited before its user namespace was mapped');
      if (theirs !== ours) break;
      if (Date.now() > deadline) throw new Error('unshare did not create a user namespace');
      await new Promise((r) => setTimeout(r, 10));
    }
    const { base, count } = SANDBOX_HOST_IDS;
    for (const [file, id] of [['uid_map', process.getuid()], ['gid_map', process.getgid()]]) {
      // user_namespaces(7): the whole map in one write(2).
      fs.writeFileSync(`/proc/${child.pid}/${file}`, `0 ${id} 1\n${base} ${base} ${count}\n`);
    }
    child.stdin.end('go\n');
  } catch (e) {
    kill();
    output += `\nrunInSandboxNetns: ${e.message}`;
  }

  const status = await exited;
  clearTimeout(timer);
  return { status, output };
}

// Inside the namespace: loopback up with the public-looking address, and resolv.conf
// pointing at 127.0.0.1. Refuses to run anywhere else: it bind-mounts over /etc/resolv.conf.
export function setUpNetwork(dir) {
  if (process.env.KARS_IN_NETNS !== '1') {
    throw new Error('netns scenarios run only through runInNetns()');
  }
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  if (links.trim().split('\n').length !== 1 || !links.includes(' lo:')) {
    throw new Error(`not a fresh network namespace:\n${links}`);
  }
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  execFileSync('ip', ['addr', 'add', `${PUBLIC_ADDRESS}/32`, 'dev', 'lo']);
  const resolv = path.join(dir, 'resolv.conf');
  fs.writeFileSync(resolv, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  execFileSync('mount', ['--bind', resolv, '/etc/resolv.conf']);
}

// Inside the namespace: a tmpfs of the namespace's own over `mountPoint`, for files a kars
// sandbox must read. The sandbox mounts a fresh /tmp, so nothing under os.tmpdir() reaches
// its agent; the host's `mountPoint` is untouched and the tmpfs goes with the namespace.
export function mountScratch(mountPoint = '/mnt') {
  if (process.env.KARS_IN_NETNS !== '1') {
    throw new Error('netns scenarios run only through runInNetns() or runInSandboxNetns()');
  }
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755,size=64m', 'kars-test', mountPoint]);
  return mountPoint;
}

// Inside the namespace: `kars dev` in the foreground on `work`/sandbox.yaml, as a user would
// run it, with its state in `work`/state and the demo cassette for any model call. Resolves
// with { code, signal, output } once the agent has ended (SIGTERM after `timeoutMs`).
export function runKarsDev(work, timeoutMs = 90_000) {
  const child = track(spawn(karsBin, ['dev', '-f', path.join(work, 'sandbox.yaml'),
    '--state-dir', path.join(work, 'state'),
    '--replay', path.join(sourceDir, 'examples', 'demo', 'cassette.jsonl')], {
    cwd: work,
    // HOME inside the scratch dir: no test touches the real ~/.kars.
    env: { PATH: process.env.PATH, HOME: path.join(work, 'home') },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(child.pid, 'SIGTERM'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

// Inside the namespace: the manifest `kars dev` runs, an InferencePolicy and a BYO
// KarsSandbox named `name` whose agent is `command`; `specLines` are added to the sandbox's
// spec (indented two spaces), `extraDocs` are further YAML documents.
export function sandboxManifest(name, command, { specLines = [], extraDocs = [] } = {}) {
  return [
    'apiVersion: kars.azure.com/v1alpha1',
    'kind: InferencePolicy',
    `metadata: {name: ${name}, namespace: default}`,
    'spec:',
    `  appliesTo: {sandboxName: ${name}}`,
    '  modelPreference: {primary: {provider: openai, deployment: gpt-4o-mini}}',
    ...extraDocs.flatMap((doc) => ['---', doc.trimEnd()]),
    '---',
    'apiVersion: kars.azure.com/v1alpha1',
    'kind: KarsSandbox',
    `metadata: {name: ${name}, namespace: default}`,
    'spec:',
    '  runtime:',
    '    kind: BYO',
    '    byo:',
    `      image: ghcr.io/kars/${name}-test:v1`,
    '      contractVersion: v1',
    `      command: [${command.map((a) => JSON.stringify(a)).join(', ')}]`,
    '  sandbox: {isolation: standard}',
    `  inferenceRef: {name: ${name}}`,
    ...specLines,
    '',
  ].join('\n');
}
