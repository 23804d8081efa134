// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The MCP server of the gateway benchmark: streamable HTTP with JSON answers, one session,
// one tool (`echo`), written on node:http with nothing in the way, so that what the
// benchmark measures is the gateway and not a framework. Prints its port on stdout.

import http from 'node:http';

const session = 'bench-session';
const tool = {
  name: 'echo',
  description: 'Returns its text',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};

function answer(msg) {
  switch (msg.method) {
    case 'initialize':
      return { protocolVersion: msg.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} },
        serverInfo: { name: 'bench-echo', version: '1.0.0' } };
    case 'ping':
      return {};
    case 'tools/list':
      return { tools: [tool] };
    case 'tools/call':
      return { content: [{ type: 'text', text: String(msg.params?.arguments?.text ?? '') }], isError: false };
    default:
      return undefined;
  }
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    let msg;
    try { msg = JSON.parse(body); } catch {
      res.writeHead(400).end();
      return;
    }
    if (msg.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const result = answer(msg);
    const out = result === undefined
      ? { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } }
      : { jsonrpc: '2.0', id: msg.id, result };
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': session });
    res.end(JSON.stringify(out));
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
