import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { objectStore } from '../../functions/adapters/object-store.ts';
import type { HttpHandler } from '../../functions/http/http-handler.ts';
import { ROUTES, routeKey } from '../../functions/routes.ts';
import { serveRoutes } from '../../server/main.ts';
import { multipart, useLocalStack } from '../support/local-stack.ts';

const SECRET = 'container-secret';
const stack = useLocalStack({ demo: { clientId: 'tccontainer000000001', secret: SECRET, namespace: 'box' }, worker: false });

/**
 * The container program of the largeBodies routes (server/main.ts), run here as ECS runs it but
 * against the local emulators: the handlers of exactly the routes the table marks, streamed.
 */
let server: Server;
let url: string;
before(async () => {
  await stack.ready();
  const handlers: Record<string, HttpHandler> = {};
  for (const route of ROUTES.filter((entry) => entry.largeBodies)) {
    handlers[routeKey(route)] = ((await import(`../../functions/${route.handler}`)) as { handler: HttpHandler }).handler;
  }
  server = await serveRoutes(handlers, 0);
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the largeBodies container', () => {
  it('answers its health check', async () => {
    const response = await fetch(`${url}/health`);
    assert.deepEqual([response.status, await response.json()], [200, { status: 'ok' }]);
  });

  it('takes a 30 MiB /upload, spooled as it arrives, byte-identical', async () => {
    const data = randomBytes(30 * 1024 * 1024);
    const form = multipart({ filedata: { data, filename: 'big.bin' }, secret_key: SECRET, filename: 'box/big.bin' });
    const response = await fetch(`${url}/upload`, { method: 'POST', body: form });
    assert.deepEqual(await response.json(), { message: 'OK', msg_code: 1 });
    assert.ok((await objectStore.read('box/big.bin')).equals(data));
  });

  it('answers a route it does not serve, and a body declared over the limit, in the envelope the request speaks', async () => {
    const unknown = await fetch(`${url}/jobs`, { method: 'POST' });
    assert.deepEqual([unknown.status, await unknown.json()], [404, { message: 'Not Found' }]);
    // A client announcing 1 GiB gets its answer before it has sent more than a few bytes.
    const over = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const sending = request(`${url}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(1024 * 1024 * 1024) },
      });
      sending.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      sending.on('error', reject);
      sending.write('--x\r\n');
    });
    assert.equal(over.status, 400);
    assert.deepEqual(JSON.parse(over.body), {
      message: 'request body is larger than 68157440 bytes (65 MiB), the limit of this route',
      msg_code: 0,
    });
  });
});
