import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyConfig } from '../functions/config.ts';
import type { HttpHandler, HttpResult } from '../functions/http/http-handler.ts';
import { logger } from '../functions/logger.ts';
import { loadRouteModule, renderOversize } from '../functions/platform/oversize-answers.ts';
import { ROUTES, routeKey } from '../functions/routes.ts';
import { lambdaContext, toEvent } from './http-event.ts';
import { answerNotFound } from './not-found-route.ts';
import { MalformedPathError, matchRoute } from './route-matcher.ts';
import { serveStreamed } from './streamed-route.ts';
import { applyCors } from './cors.ts';

/** How long one streamed request may take (the load balancer's idle timeout bounds silences within it). */
const REQUEST_MS = 10 * 60_000;
/** After SIGTERM: requests under way may finish within this (ECS waits 60 s before it kills). */
const DRAIN_MS = 55_000;

const LARGE_BODY_ROUTES = ROUTES.filter((route) => route.largeBodies);

function send(response: ServerResponse, result: HttpResult): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
}

/**
 * The container of the largeBodies routes (docs/architecture.md, "Large bodies"): CloudFront sends
 * them here, since Lambda takes 6 MB at most. Each request becomes the same API Gateway event the
 * handlers get on Lambda, with the body streamed instead of buffered (server/streamed-route.ts).
 * `handlers` are the route modules' handlers by route key, imported statically by the generated
 * entry (infra/group-entries.ts), so the bundle holds them.
 */
export async function serveRoutes(
  handlers: Readonly<Record<string, HttpHandler>>,
  port = Number(process.env.PORT ?? 8080),
): Promise<Server> {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (applyCors(request, response)) return;
    if (request.method === 'GET' && path === '/health') return send(response, { statusCode: 200, body: '{"status":"ok"}' });
    let match;
    try {
      match = matchRoute(LARGE_BODY_ROUTES, request.method ?? 'GET', path);
    } catch (error) {
      if (!(error instanceof MalformedPathError)) throw error;
    }
    const handler = match && handlers[routeKey(match.route)];
    if (!match || !handler) {
      return send(response, await answerNotFound(request));
    }
    const event = toEvent(request, Buffer.alloc(0), match.route, match.pathParameters);
    const limit = bodyConfig.maxLargeBodyBytes();
    if (Number(request.headers['content-length']) > limit) {
      response.setHeader('connection', 'close');
      return send(response, renderOversize(await loadRouteModule(match.route), limit, event));
    }
    await serveStreamed(request, response, event, handler, lambdaContext(match.route, Date.now() + REQUEST_MS));
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error('request failed outside its handler', { error: error as Error, url: request.url });
      if (!response.headersSent) send(response, { statusCode: 500, body: '{"message":"Internal Server Error"}' });
      else response.destroy();
    });
  });
  // Longer than the load balancer's idle timeout, so it never reuses a connection this side closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(port, resolve));
  process.once('SIGTERM', () => {
    logger.info('SIGTERM: finishing requests under way');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), DRAIN_MS).unref();
  });
  logger.info('serving the largeBodies routes', { port: (server.address() as AddressInfo).port, routes: Object.keys(handlers) });
  return server;
}
