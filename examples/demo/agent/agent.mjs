// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The kars demo agent, built on the OpenAI Agents SDK. It runs inside a kars sandbox: the only
// door out is the router on 127.0.0.1:8443 (OPENAI_BASE_URL). It asks the model a question
// that needs a local tool, uses the tools of an MCP server through the router's gateway
// (KARS_MCP_URL), then tries to reach the internet two ways and reports what happened.

import net from 'node:net';
import http from 'node:http';
import {
    Agent,
    run,
    tool,
    setDefaultOpenAIKey,
    setOpenAIAPI,
    setTracingDisabled,
} from '@openai/agents';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

// The router holds the real provider key; the sandbox never sees it. The SDK refuses to start
// without some key, so it gets a placeholder the router replaces.
setDefaultOpenAIKey(process.env.OPENAI_API_KEY ?? 'kars-router-holds-the-key');
// Chat completions keeps the replay cassette simple and works with every kars provider.
setOpenAIAPI('chat_completions');
// Tracing would export spans to api.openai.com, which the sandbox cannot reach.
setTracingDisabled(true);

const getWeather = tool({
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
        // A local function: no network needed, the answer is fixed for the demo.
        return JSON.stringify({ city, temperature_c: 14, conditions: 'light rain' });
    },
});

const agent = new Agent({
    name: 'kars demo agent',
    instructions: 'You answer weather questions. Always call get_weather before answering.',
    model: process.env.KARS_DEMO_MODEL ?? 'gpt-4o-mini',
    tools: [getWeather],
});

// MCP tools through the gateway: the server runs outside the sandbox, and the gateway shows
// the agent only the tools its McpServer admits; a call to any other is refused and audited.
async function use_mcp() {
    const client = new Client({ name: 'kars-demo-agent', version: '0.1.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(process.env.KARS_MCP_URL)));
    const { tools } = await client.listTools();
    console.log(`[agent] mcp: tools offered by the gateway: ${tools.map((t) => t.name).join(', ')}`);
    const fact = await client.callTool({ name: 'city-notes__city_facts', arguments: { city: 'Paris' } });
    console.log(`[agent] mcp: city-notes__city_facts(Paris): ${fact.content[0].text}`);
    const mail = await client.callTool({
        name: 'city-notes__send_email',
        arguments: { to: 'someone@example.com', body: 'the weather' },
    });
    const refused = mail.isError === true;
    console.log(`[agent] mcp: city-notes__send_email: ${refused ? 'refused' : 'ALLOWED'}: ${mail.content[0].text}`);
    await client.close();
    return { listed: tools.length, called: !fact.isError, refused };
}

// HTTPS through the proxy the sandbox advertises: a CONNECT to HTTPS_PROXY.
function try_proxy(target_host) {
    return new Promise((resolve) => {
        const proxy = new URL(process.env.HTTPS_PROXY ?? 'http://127.0.0.1:8444');
        const req = http.request({
            host: proxy.hostname,
            port: proxy.port,
            method: 'CONNECT',
            path: `${target_host}:443`,
            timeout: 5000,
        });
        req.on('connect', (res) => {
            res.statusCode === 200
                ? resolve(`ALLOWED (proxy answered ${res.statusCode})`)
                : resolve(`refused: proxy answered ${res.statusCode}`);
            req.destroy();
        });
        req.on('timeout', () => { req.destroy(); resolve('refused: timed out'); });
        req.on('error', (e) => resolve(`refused: ${e.code ?? e.message}`));
        req.end();
    });
}

// A direct TCP connection that ignores the proxy, as malicious code would try.
function try_direct(ip, port) {
    return new Promise((resolve) => {
        const sock = net.connect({ host: ip, port, timeout: 5000 });
        sock.on('connect', () => { sock.destroy(); resolve('ALLOWED (connected)'); });
        sock.on('timeout', () => { sock.destroy(); resolve('refused: timed out'); });
        sock.on('error', (e) => resolve(`refused: ${e.code ?? e.message}`));
    });
}

async function main() {
    console.log('[agent] asking the model: "What is the weather in Paris?"');
    const result = await run(agent, 'What is the weather in Paris?');
    const tool_calls = result.newItems.filter((i) => i.type === 'tool_call_item');
    for (const call of tool_calls) {
        console.log(`[agent] tool call: ${call.rawItem.name}(${call.rawItem.arguments})`);
    }
    console.log(`[agent] final answer: ${result.finalOutput}`);

    const mcp = await use_mcp();

    const via_proxy = await try_proxy('example.com');
    console.log(`[agent] network: https://example.com via HTTPS_PROXY: ${via_proxy}`);
    const direct = await try_direct('93.184.215.14', 443);
    console.log(`[agent] network: direct connect 93.184.215.14:443: ${direct}`);

    const escaped = via_proxy.startsWith('ALLOWED') || direct.startsWith('ALLOWED');
    const mcp_ok = mcp.listed === 1 && mcp.called && mcp.refused;
    if (tool_calls.length === 0 || !result.finalOutput || escaped || !mcp_ok) {
        console.log('[agent] FAILED: expected one tool call, a final answer, one admitted MCP ' +
            'tool that runs and one that is refused, and no network');
        process.exit(1);
    }
}

main().catch((e) => {
    console.error(`[agent] error: ${e?.message ?? e}`);
    process.exit(1);
});
