import { createServer, request as forward, Agent, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

export interface S3Cors {
  readonly url: string;
  close(): Promise<void>;
}

/** The bucket's CORS rule in AWS (infra/constructs/file-storage.ts): any origin may GET, PUT, HEAD and read ETag. */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag',
} as const;

/**
 * The S3 emulator answers no CORS, and a browser (the web console) PUTs presigned slices straight
 * to S3 and reads each one's ETag. This sits in front of it and adds what the deployed bucket's
 * CORS rule adds: preflights answered, `Access-Control-Allow-Origin: *` and ETag exposed on every
 * answer. Everything else is passed through as it comes, streamed both ways.
 */
export async function startS3Cors(upstream: string, host = '127.0.0.1'): Promise<S3Cors> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((request, response) => {
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      response
        .writeHead(200, {
          ...CORS_HEADERS,
          'access-control-allow-methods': 'GET, PUT, HEAD',
          'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
          'access-control-max-age': '3000',
          'content-length': '0',
        })
        .end();
      return;
    }
    const headers: IncomingHttpHeaders = { ...request.headers };
    delete headers.expect; // answered here already (Node sends 100 Continue itself)
    const outgoing = forward(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers, agent },
      (answer) => {
        const extra = request.headers.origin ? CORS_HEADERS : {};
        response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...extra });
        pipeline(answer, response).catch(() => response.destroy());
      },
    );
    outgoing.on('error', () => {
      if (!response.headersSent) response.writeHead(502).end();
      else response.destroy();
    });
    pipeline(request, outgoing).catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
