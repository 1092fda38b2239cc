import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Route } from '../functions/routes.ts';
import type { HttpHandler, HttpResult } from '../functions/http/http-handler.ts';
import { bodyConfig } from '../functions/config.ts';
import { loadRouteModule, renderOversize, routeLimit } from '../functions/platform/oversize-answers.ts';
import { lambdaContext, toEvent } from '../server/http-event.ts';
import { applyCors } from '../server/cors.ts';
import { answerNotFound } from '../server/not-found-route.ts';
import { MalformedPathError, matchRoute } from '../server/route-matcher.ts';
import { serveStreamed } from '../server/streamed-route.ts';
import { actingAs, roleFor } from './iam-guard.ts';

/** The limits API Gateway (HTTP API) and Lambda put on a request, with the answers they give. */
export const GATEWAY_LIMITS = {
  maxRequestBytes: 10 * 1024 * 1024,
  maxInvokePayloadBytes: 6 * 1024 * 1024,
  maxResponsePayloadBytes: 6 * 1024 * 1024,
  integrationTimeoutMs: 29_000,
};

/** No gateway times a streamed request out; this bounds one as the container's load balancer does (its idle timeout aside). */
const STREAMED_REQUEST_MS = 10 * 60_000;

const GATEWAY_ERRORS = {
  badRequest: [400, 'Bad Request'],
  tooLarge: [413, 'Request Entity Too Large'],
  timeout: [503, 'Service Unavailable'],
  failed: [500, 'Internal Server Error'],
} as const;

export type HandlerLoader = (route: Route) => Promise<HttpHandler>;

export interface ApiGateway {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

function sendGatewayError(response: ServerResponse, [status, message]: readonly [number, string]): void {
  response.writeHead(status, { 'content-type': 'application/json', apigw: 'local' });
  response.end(JSON.stringify({ message }));
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        request.pause();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function writeResult(response: ServerResponse, result: HttpResult): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (body.length > GATEWAY_LIMITS.maxResponsePayloadBytes) return sendGatewayError(response, GATEWAY_ERRORS.failed);
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

/**
 * A local stand-in for the deployed front door: API Gateway's HTTP API for most routes (payload
 * format 2.0 events, the same limits with the same status codes, the handler called in-process),
 * and for largeBodies routes the container's streaming server (server/), as CloudFront routes them.
 */
export async function startApiGateway(options: {
  routes: readonly Route[];
  loadHandler: HandlerLoader;
  port: number;
  host?: string;
  onError?: (error: unknown) => void;
}): Promise<ApiGateway> {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    // API Gateway's corsPreflight in AWS: the console's origin only (TESSERA_CONSOLE_ORIGIN).
    if (applyCors(request, response)) return;
    let match;
    try {
      match = matchRoute(options.routes, request.method ?? 'GET', path);
    } catch (error) {
      if (error instanceof MalformedPathError) return sendGatewayError(response, GATEWAY_ERRORS.badRequest);
      throw error;
    }
    // What the edge (CloudFront's function) does before any origin: unknown routes and declared
    // bodies over a route's limit are answered in the envelope the request speaks.
    if (!match) return writeResult(response, await answerNotFound(request));
    const limit = routeLimit(match.route, { largeBodies: true, maxLargeBodyBytes: bodyConfig.maxLargeBodyBytes() });
    if (Number(request.headers['content-length']) > limit) {
      response.setHeader('connection', 'close');
      const event = toEvent(request, Buffer.alloc(0), match.route, match.pathParameters);
      return writeResult(response, renderOversize(await loadRouteModule(match.route), limit, event));
    }
    if (match.route.largeBodies) {
      const handler = await options.loadHandler(match.route);
      const context = lambdaContext(match.route, Date.now() + STREAMED_REQUEST_MS);
      const event = toEvent(request, Buffer.alloc(0), match.route, match.pathParameters);
      return actingAs(roleFor(match.route), () => serveStreamed(request, response, event, handler, context));
    }
    const body = await readBody(request, GATEWAY_LIMITS.maxRequestBytes);
    if (body === undefined) {
      response.setHeader('connection', 'close');
      return sendGatewayError(response, GATEWAY_ERRORS.tooLarge);
    }
    const event = toEvent(request, body, match.route, match.pathParameters);
    if (Buffer.byteLength(JSON.stringify(event)) > GATEWAY_LIMITS.maxInvokePayloadBytes) {
      return sendGatewayError(response, GATEWAY_ERRORS.tooLarge);
    }
    const handler = await options.loadHandler(match.route);
    const deadline = Date.now() + GATEWAY_LIMITS.integrationTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), GATEWAY_LIMITS.integrationTimeoutMs);
    });
    try {
      const result = await Promise.race([
        actingAs(roleFor(match.route), () => handler(event, lambdaContext(match.route, deadline))),
        timeout,
      ]);
      if (result === 'timeout') return sendGatewayError(response, GATEWAY_ERRORS.timeout);
      writeResult(response, typeof result === 'string' ? { statusCode: 200, body: result } : result);
    } finally {
      clearTimeout(timer);
    }
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) sendGatewayError(response, GATEWAY_ERRORS.failed);
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
