import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { routeKey, type Route } from '../functions/routes.ts';
import type { HttpEvent, HttpHandler, HttpResult } from '../functions/http/http-handler.ts';
import { MalformedPathError, matchRoute } from './route-matcher.ts';

/** The limits API Gateway (HTTP API) and Lambda put on a request, with the answers they give. */
export const GATEWAY_LIMITS = {
  maxRequestBytes: 10 * 1024 * 1024,
  maxInvokePayloadBytes: 6 * 1024 * 1024,
  maxResponsePayloadBytes: 6 * 1024 * 1024,
  integrationTimeoutMs: 29_000,
};

const GATEWAY_ERRORS = {
  badRequest: [400, 'Bad Request'],
  notFound: [404, 'Not Found'],
  tooLarge: [413, 'Request Entity Too Large'],
  timeout: [503, 'Service Unavailable'],
  failed: [500, 'Internal Server Error'],
} as const;

// API Gateway passes these bodies as text; everything else arrives base64-encoded.
const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

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

function joinHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function queryParameters(search: URLSearchParams): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  for (const name of new Set(search.keys())) result[name] = search.getAll(name).join(',');
  return Object.keys(result).length > 0 ? result : undefined;
}

export function toEvent(request: IncomingMessage, body: Buffer, route: Route, pathParameters?: Record<string, string>): HttpEvent {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers = joinHeaders(request);
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = Date.now();
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: request.headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: queryParameters(url.searchParams),
    pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body.length === 0 ? undefined : body.toString(isText ? 'utf8' : 'base64'),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function lambdaContext(route: Route, deadline: number): Context {
  const functionName = `tessera-local-${route.group}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function writeResult(response: ServerResponse, result: HttpResult): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (body.length > GATEWAY_LIMITS.maxResponsePayloadBytes) return sendGatewayError(response, GATEWAY_ERRORS.failed);
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

/**
 * A local stand-in for API Gateway's HTTP API: it turns requests into payload-format 2.0 events,
 * applies the same limits with the same status codes, and calls the route's handler in-process.
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
    const body = await readBody(request, GATEWAY_LIMITS.maxRequestBytes);
    let match;
    try {
      match = matchRoute(options.routes, request.method ?? 'GET', path);
    } catch (error) {
      if (error instanceof MalformedPathError) return sendGatewayError(response, GATEWAY_ERRORS.badRequest);
      throw error;
    }
    if (!match) return sendGatewayError(response, GATEWAY_ERRORS.notFound);
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
      const result = await Promise.race([handler(event, lambdaContext(match.route, deadline)), timeout]);
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
