// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The agent egress_sandbox.mjs runs with `kars dev`: it executes inside the sandbox and
// uses only what the sandbox hands every agent (HTTPS_PROXY and friends in the environment,
// no resolver, only `lo`). Usage: node sandbox_agent.mjs CA_FILE DIRECT_ADDRESS URL...
// For each URL it tries curl and Node's https client with https-proxy-agent, then prints
// one line, AGENT_REPORT followed by JSON, for the test to judge; it judges nothing itself.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { HttpsProxyAgent } from 'https-proxy-agent';

const [caFile, directAddress, ...urls] = process.argv.slice(2);

// curl picks the proxy from https_proxy/HTTPS_PROXY itself; no -x, so a missing or wrong
// variable would show as a failed fetch rather than be papered over.
function curl(url) {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-v', '--max-time', '10', '--cacert', caFile, url],
      { encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

function nodeGet(url, ca) {
  const agent = new HttpsProxyAgent(process.env.HTTPS_PROXY);
  return new Promise((resolve) => {
    const req = https.get(url, { agent, ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve({ error: `${e.code ?? ''} ${e.message}` }));
  });
}

// A direct connection, bypassing the proxy, to the address the allowed name resolves to
// outside: the sandbox has no route there, so this shows the proxy is the only road.
function direct(address) {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port: 443, timeout: 5000 });
    s.once('connect', () => { s.destroy(); resolve({ connected: true }); });
    s.once('timeout', () => { s.destroy(); resolve({ error: 'timeout' }); });
    s.once('error', (e) => resolve({ error: e.code ?? e.message }));
  });
}

const report = {
  uid: process.getuid(),
  httpsProxy: process.env.HTTPS_PROXY ?? null,
  direct: await direct(directAddress),
  fetches: {},
};
const ca = fs.readFileSync(caFile);
for (const url of urls) {
  report.fetches[url] = { curl: await curl(url), node: await nodeGet(url, ca) };
}
process.stdout.write(`AGENT_REPORT ${JSON.stringify(report)}\n`);
