// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Many agents' calls at once against a small daily budget: the router's reserve-then-settle
// ledger must never admit more than the budget, whatever the interleaving.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { readAudit, startFakeUpstream, startRouter, stopAll, waitFor } from './support/router.mjs';
import { chat, policyManifest, standardConfig } from './support/scenarios.mjs';

const DAILY = 100;
const N = 24;
let upstream;
let router;

before(async () => {
  upstream = await startFakeUpstream();
  router = await startRouter({
    config: { ...standardConfig(upstream), threads: 2 },
    manifest: policyManifest({ tokenBudget: { dailyTokens: DAILY } }),
  });
});

after(stopAll);

test(`${N} parallel requests never spend more than dailyTokens=${DAILY}`, async () => {
  const c = new OpenAI({ baseURL: `${router.baseUrl}/v1`, apiKey: 'dummy', maxRetries: 0 });
  // Half buffered, half streamed, so both settle paths race each other.
  const calls = Array.from({ length: N }, (_, i) => (i % 2
    ? c.chat.completions.create(chat('openai-plain'))
    : c.chat.completions.create(chat('openai-plain', { stream: true })).then(async (s) => {
      for await (const _ of s) { /* drain */ }
      return s;
    })));
  const results = await Promise.allSettled(calls);
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const denied = results.filter((r) => r.status === 'rejected');
  for (const d of denied) {
    assert.ok(d.reason instanceof OpenAI.RateLimitError, `unexpected ${d.reason}`);
    assert.equal(d.reason.type, 'token_budget_exceeded');
  }
  assert.ok(ok >= 1, 'nothing was admitted');
  assert.ok(denied.length >= 1, 'nothing was refused although N*15 > budget');
  // Each call estimates 18 and uses 15, so at most floor(100/15)=6 can complete.
  assert.ok(ok <= Math.floor(DAILY / 15), `${ok} calls completed`);

  const completed = await waitFor(() => {
    const done = readAudit(router.auditPath).filter((e) => e.decision === 'completed');
    return done.length === ok ? done : null;
  }, { what: `${ok} completed audit entries` });
  const spent = completed.reduce((sum, e) => sum + e.tokens_in + e.tokens_out, 0);
  assert.equal(spent, ok * 15);
  assert.ok(spent <= DAILY, `spent ${spent} > ${DAILY}`);
  const deniedEntries = readAudit(router.auditPath).filter((e) => e.policy_kind === 'token_budget');
  assert.equal(deniedEntries.length, denied.length);

  // The ledger's own view agrees with the audit trail.
  await waitFor(async () => {
    const text = await (await fetch(`${router.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('kars_budget_remaining_tokens{') && l.includes('window="daily"'));
    return line && Number(line.split(' ').at(-1)) === DAILY - spent;
  }, { what: `budget remaining ${DAILY - spent}` });
});
