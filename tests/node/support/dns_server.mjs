// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// A tiny authoritative DNS server on 127.0.0.1:53 (UDP) for netns scenarios, with packets
// encoded and decoded by dns-packet. Each name maps to a function of how many A queries for
// it came before, so a test can play a rebinding resolver: one answer for the first lookup,
// another for every later one.

import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

const NXDOMAIN = 3;

// `zone`: { 'name.test': (n) => ['1.2.3.4'], ... } where n counts earlier A queries.
export async function startDnsServer(zone) {
  const queries = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let query;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    if (!q) return;
    const name = q.name.toLowerCase();
    const earlier = queries.filter((e) => e.name === name && e.type === 'A').length;
    queries.push({ name, type: q.type });
    const answerFor = zone[name];
    const addresses = answerFor && q.type === 'A' ? answerFor(earlier) : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED |
        (answerFor ? 0 : NXDOMAIN),
      questions: [q],
      // TTL 0: nothing may cache the first answer, as a rebinding attacker would set it.
      answers: addresses.map((data) => ({ type: 'A', name: q.name, ttl: 0, data })),
    });
    socket.send(response, rinfo.port, rinfo.address);
  });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(53, '127.0.0.1', resolve);
  });
  return {
    queries,
    aQueries: (name) => queries.filter((e) => e.name === name && e.type === 'A').length,
    close: () => socket.close(),
  };
}
