import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { postWebhook, type WebhookOutcome } from '../../functions/adapters/webhook-sender.ts';

const POLICY = { allowLoopback: true, reservedLoopbackPorts: [] };

// Answers a status line, then one header line every 100 ms and never ends the headers: the
// socket is never silent long enough for an inactivity timeout to fire.
let dripping: Server;
let dripUrl = '';
const sockets = new Set<Socket>();
before(async () => {
  dripping = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\n');
      const drip = setInterval(() => socket.write('X-Slow: a\r\n'), 100);
      socket.on('close', () => clearInterval(drip));
    });
  });
  await new Promise<void>((resolve) => dripping.listen(0, '127.0.0.1', resolve));
  dripUrl = `http://127.0.0.1:${(dripping.address() as AddressInfo).port}/hook`;
});
after(() => {
  for (const socket of sockets) socket.destroy();
  dripping.close();
});

describe('postWebhook', () => {
  it('gives up on a receiver that drips its answer once the whole time limit has passed', async () => {
    const started = Date.now();
    const outcome = await Promise.race([
      postWebhook(dripUrl, '{}', { 'content-type': 'application/json' }, { policy: POLICY, timeoutMs: 500 }),
      new Promise<WebhookOutcome | 'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 5_000).unref()),
    ]);
    assert.notEqual(outcome, 'still waiting', 'a dripping receiver held the sender past 10 times its time limit');
    assert.deepEqual(outcome, { ok: false, error: 'no answer within 500 ms' });
    assert.ok(Date.now() - started < 2_000, `gave up after ${Date.now() - started} ms`);
  });
});
