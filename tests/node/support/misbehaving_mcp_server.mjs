// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// A streamable-HTTP MCP server that misbehaves on purpose, for the gateway's failure tests.
// It initialises and lists tools normally; then `drip` answers 200 and sends one byte every
// 200 ms forever (a server that is never silent long enough for an idle timeout), and
// `echo` answers properly. Prints its port on stdout.

import http from 'node:http';

const tools = [
  { name: 'drip', description: 'Never finishes its answer', inputSchema: { type: 'object' } },
  { name: 'echo', description: 'Echoes text', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
];

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    const msg = JSON.parse(body);
    if (msg.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const reply = (result) => {
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'm1' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
    };
    if (msg.method === 'initialize') {
      reply({ protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'misbehaving', version: '1' } });
    } else if (msg.method === 'tools/list') {
      reply({ tools });
    } else if (msg.params?.name === 'drip') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    } else {
      reply({ content: [{ type: 'text', text: String(msg.params?.arguments?.text ?? '') }] });
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
