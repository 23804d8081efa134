// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The agent of netns/mcp_sandbox.mjs, run by `kars dev` inside a sandbox: it knows only
// KARS_MCP_URL, talks to it with the official MCP SDK client, and prints one line,
// "AGENT_REPORT <json>", with what it saw.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const report = { url: process.env.KARS_MCP_URL ?? null, uid: process.getuid() };
try {
  const client = new Client({ name: 'sandboxed-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(process.env.KARS_MCP_URL)));
  report.tools = (await client.listTools()).tools.map((t) => t.name);
  const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'from the sandbox' } });
  report.echo = echo.content.map((c) => c.text ?? '').join('');
  const refused = await client.callTool({ name: 'everything__get-env', arguments: {} });
  report.refused = { isError: refused.isError ?? false, decision: refused._meta?.['kars.azure.com/decision'] ?? null };
  await client.close();
} catch (e) {
  report.error = String(e?.stack ?? e);
}
console.log(`AGENT_REPORT ${JSON.stringify(report)}`);
