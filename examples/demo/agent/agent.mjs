// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The kars demo agent, built on the OpenAI Agents SDK. It runs inside a kars sandbox: the only
// door out is the router on 127.0.0.1:8443 (OPENAI_BASE_URL). It asks the model a question
// that needs a local tool, then tries to reach the internet two ways and reports what happened.

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

    const via_proxy = await try_proxy('example.com');
    console.log(`[agent] network: https://example.com via HTTPS_PROXY: ${via_proxy}`);
    const direct = await try_direct('93.184.215.14', 443);
    console.log(`[agent] network: direct connect 93.184.215.14:443: ${direct}`);

    const escaped = via_proxy.startsWith('ALLOWED') || direct.startsWith('ALLOWED');
    if (tool_calls.length === 0 || !result.finalOutput || escaped) {
        console.log('[agent] FAILED: expected one tool call, a final answer and no network');
        process.exit(1);
    }
}

main().catch((e) => {
    console.error(`[agent] error: ${e?.message ?? e}`);
    process.exit(1);
});
