// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// MCP test helpers: the official SDK client pointed at a router's /mcp, the npm MCP
// servers the gateway fronts, and manifests declaring them as McpServer resources.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { closedPort, track } from './router.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.resolve(here, '..', 'node_modules');
export const everythingServer = path.join(modules, '@modelcontextprotocol/server-everything/dist/index.js');
export const filesystemServer = path.join(modules, '@modelcontextprotocol/server-filesystem/dist/index.js');
export const driftServer = path.join(here, 'drift_mcp_server.mjs');
export const shiftyServer = path.join(here, 'shifty_mcp_server.mjs');
export const conformanceCli = path.join(modules, '@modelcontextprotocol/conformance/dist/index.js');

export async function connectClient(router, name = 'kars-test-client') {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${router.baseUrl}/mcp`));
  await client.connect(transport);
  return { client, transport };
}

// server-everything in streamable-HTTP mode on a free loopback port.
export async function startEverythingHttp() {
  const port = await closedPort();
  const child = track(spawn(process.execPath, [everythingServer, 'streamableHttp'], {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  }));
  await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${err}`)), 15000);
    child.stderr.on('data', (d) => {
      err += d;
      if (/listening on port/.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited ${code}: ${err}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, port };
}

function yamlList(items) {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

// One McpServer document. `stdio` is {command: [...], env: [{name, value|valueFromEnv}]}.
export function mcpServerDoc(name, { url, stdio, allowedTools, namespace = 'default', extra = '' }) {
  let spec = `  allowedTools: ${yamlList(allowedTools)}\n`;
  if (url) spec += `  url: ${JSON.stringify(url)}\n`;
  if (stdio) {
    spec += `  stdio:\n    command: ${yamlList(stdio.command)}\n`;
    if (stdio.env) {
      spec += '    env:\n';
      for (const e of stdio.env) {
        spec += `      - name: ${e.name}\n`;
        if (e.value !== undefined) spec += `        value: ${JSON.stringify(e.value)}\n`;
        if (e.valueFromEnv !== undefined) spec += `        valueFromEnv: ${e.valueFromEnv}\n`;
      }
    }
  }
  return `apiVersion: kars.azure.com/v1alpha1
kind: McpServer
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec}${extra}`;
}
