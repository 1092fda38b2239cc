import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The origin the web console is served from (docs/console.md), the only one whose pages may call
 * the API from a browser: locally the console server's, deployed the console distribution's.
 * Unset, no browser origin is allowed (the API's other clients are not browsers and send none).
 */
export const CONSOLE_ORIGIN_ENV = 'TESSERA_CONSOLE_ORIGIN';

/** What the console sends: its token, JSON and form bodies; what it reads: the request id. */
export const CORS_RULE = {
  allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
  allowHeaders: ['content-type', 'x-auth-token'],
  exposeHeaders: ['x-request-id'],
  maxAgeSeconds: 600,
} as const;

/** The allowed origins: TESSERA_CONSOLE_ORIGIN, comma-separated (locally the console's port as 127.0.0.1 and as localhost). */
const allowedOrigin = (request: IncomingMessage): string | undefined => {
  const origin = request.headers.origin;
  const allowed = (process.env[CONSOLE_ORIGIN_ENV] ?? '').split(',').map((entry) => entry.trim());
  return origin && allowed.includes(origin) ? origin : undefined;
};

/**
 * CORS for the console's origin, as API Gateway's corsPreflight does it in AWS: a preflight
 * (OPTIONS with Access-Control-Request-Method) is answered here (204, allowed or not: a refused
 * origin simply gets no Access-Control-Allow-Origin, and the browser stops); any other request from
 * the allowed origin gets its headers set before the route answers. Returns true when it answered.
 */
export function applyCors(request: IncomingMessage, response: ServerResponse): boolean {
  const origin = allowedOrigin(request);
  response.setHeader('vary', 'origin');
  if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
    const headers: Record<string, string> = { 'content-length': '0' };
    if (origin) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-methods'] = CORS_RULE.allowMethods.join(', ');
      headers['access-control-allow-headers'] = CORS_RULE.allowHeaders.join(', ');
      headers['access-control-max-age'] = String(CORS_RULE.maxAgeSeconds);
    }
    response.writeHead(204, headers).end();
    return true;
  }
  if (origin) {
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-expose-headers', CORS_RULE.exposeHeaders.join(', '));
  }
  return false;
}
