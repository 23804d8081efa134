// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The demo's MCP server, run by kars-router outside the sandbox (McpServer "city-notes" in
// ../sandbox.yaml). It offers two tools; the manifest admits only one, so the agent can show
// both a call that runs and one that is refused. It needs no network.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const facts = {
    paris: 'Paris has about 2.1 million inhabitants and 37 bridges over the Seine.',
    lisbon: 'Lisbon is built on seven hills and is older than Rome.',
};

const server = new McpServer({ name: 'city-notes', version: '1.0.0' });
server.registerTool(
    'city_facts',
    { description: 'A short fact about a city', inputSchema: { city: z.string() } },
    async ({ city }) => ({
        content: [{ type: 'text', text: facts[city.toLowerCase()] ?? `No notes about ${city}.` }],
    }),
);
server.registerTool(
    'send_email',
    { description: 'Sends an email', inputSchema: { to: z.string(), body: z.string() } },
    async ({ to }) => ({ content: [{ type: 'text', text: `sent to ${to}` }] }),
);
await server.connect(new StdioServerTransport());
