// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Network namespaces of the test's own. A scenario under tests/node/netns/ runs inside
// `unshare --user --map-root-user --net --mount`: only a loopback interface, which also carries a
// public-looking address (1.2.3.4, reachable only inside the namespace), and a private
// /etc/resolv.conf naming a DNS server the scenario runs itself. Names the router resolves
// there never reach a real resolver, and no packet leaves the namespace.

import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const PUBLIC_ADDRESS = '1.2.3.4';

// Runs `script` with `node --test` in a fresh namespace; returns { status, output }.
export function runInNetns(script) {
  // A nested `node --test` that inherits the runner's NODE_TEST_CONTEXT reports to it
  // instead of exiting non-zero on failure; it must run as a runner of its own.
  const env = { ...process.env, KARS_IN_NETNS: '1' };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync('unshare', ['--user', '--map-root-user', '--net', '--mount', '--',
    process.execPath, '--test', '--test-reporter=spec', script], {
    encoding: 'utf8',
    env,
    timeout: 170_000,
  });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ?? ''}` };
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
