import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { isPublicKey, type Client } from '../functions/core/client.ts';
import { clientRegistry } from '../functions/adapters/client-registry.ts';
import { objectStore } from '../functions/adapters/object-store.ts';
import { BUCKET, VIEWER_KEY } from '../functions/resources.ts';

export interface PublicFiles {
  readonly url: string;
  close(): Promise<void>;
}

/** Client list reads are cached briefly: a viewer asks for dozens of tiles at once. */
const CLIENTS_TTL_MS = 2000;

/** The same page the stack deploys under the viewer prefix: Pannellum's standalone viewer from its package. */
const VIEWER_FILE = createRequire(import.meta.url).resolve(`pannellum/build/${BUCKET.viewer.page}`);

/**
 * What CloudFront serves in AWS, on this machine: GET /{key} for keys in a namespace its owner
 * marked public, with CORS for WebGL viewers, and Pannellum's viewer page at /{VIEWER_KEY}.
 * Repeated slashes collapse, as on the CloudFront function in front of the bucket, because
 * Pannellum joins its base path and "/01/…" with two.
 */
export async function startPublicFiles(options: { port?: number; host?: string } = {}): Promise<PublicFiles> {
  const viewerPage = await readFile(VIEWER_FILE);
  let clients: { at: number; list: Promise<Client[]> } | undefined;
  const publicClients = () => {
    if (!clients || Date.now() - clients.at > CLIENTS_TTL_MS) clients = { at: Date.now(), list: clientRegistry.list() };
    return clients.list;
  };
  const server = createServer((request, response) => {
    serve(request, response, publicClients, viewerPage).catch(() => {
      if (!response.headersSent) response.writeHead(500).end('internal error');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? 'localhost', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  publicClients: () => Promise<Client[]>,
  viewerPage: Buffer,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/{2,}/g, '/');
  if (path === `/${VIEWER_KEY}`) {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': viewerPage.length,
      'cache-control': `public, max-age=${BUCKET.viewer.maxAgeSeconds}`,
    });
    response.end(request.method === 'HEAD' ? undefined : viewerPage);
    return;
  }
  let key: string;
  try {
    key = decodeURIComponent(path.slice(1));
  } catch {
    response.writeHead(400).end('bad path');
    return;
  }
  const owners = await publicClients();
  if (!key || key.split('/').includes('..') || !owners.some((client) => client.status === 'active' && isPublicKey(client, key))) {
    response.writeHead(403, { 'content-type': 'text/plain' }).end('AccessDenied');
    return;
  }
  const object = await objectStore.open(key);
  if (!object) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('NoSuchKey');
    return;
  }
  response.writeHead(200, {
    'content-type': object.contentType,
    'content-length': object.size,
    etag: `"${object.etag}"`,
    'access-control-allow-origin': '*',
    'cache-control': 'public, max-age=86400',
  });
  if (request.method === 'HEAD') {
    object.body.destroy();
    response.end();
    return;
  }
  await pipeline(object.body, response);
}
