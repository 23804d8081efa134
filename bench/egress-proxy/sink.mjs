// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// The benchmark's upstream, in a process of its own so it never shares an event loop with the
// client: port A streams BYTES bytes to each connection and closes; port B accepts and lets
// the client close (tunnel set-up). Prints "<A> <B>" when listening.

import net from 'node:net';

const total = Number(process.argv[2] ?? 256 * 1024 * 1024);
const chunk = Buffer.alloc(1024 * 1024, 0x61);

function stream(socket) {
  let left = total;
  socket.on('error', () => {});
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

const bulk = net.createServer(stream);
const idle = net.createServer((s) => s.on('error', () => {}));
const listen = (srv) => new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv.address().port)));
const [a, b] = [await listen(bulk), await listen(idle)];
process.stdout.write(`${a} ${b}\n`);
