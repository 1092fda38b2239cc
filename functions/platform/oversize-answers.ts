import { STATUS_CODES } from 'node:http';
import { bodyTooLarge, type TesseraError } from '../core/errors.ts';
import type { HttpEvent, HttpResult } from '../http/http-handler.ts';
import type { Route as RouteModule } from '../http/kit.ts';
import { ROUTES, routeKey, type Route } from '../routes.ts';

/**
 * What a request over its route's body limit is answered, in the route's own dialect: the one
 * source for every place that refuses a body before the handler reads it (the CloudFront Function
 * of the deployed stack, generated from these answers by infra/oversize-function.ts, and the local
 * server's pre-check). The answer is whatever the route's dialect renders for a `too-large` error
 * (its `renderError`), so no envelope is written twice.
 *
 * Limits, in bytes of request body (Content-Length):
 * - a largeBodies route served by the container (and by `npm start`): TESSERA_MAX_BODY_BYTES;
 * - any route served by Lambda: what fits in Lambda's 6 MB invoke payload once API Gateway has
 *   base64-encoded the body into its event (see LAMBDA_MAX_BODY_BYTES). API Gateway's own 10 MB
 *   request limit is never reached first.
 */

/** Lambda's synchronous invoke payload: the whole API Gateway event, body included. */
export const LAMBDA_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Room left in that payload for the rest of the event: headers (API Gateway takes 10 KB of them), query, context, JSON escapes. */
export const EVENT_ALLOWANCE_BYTES = 64 * 1024;
/** The largest body a Lambda-served route takes: base64 turns 3 bytes into 4 (4,669,440 bytes, about 4.45 MiB). */
export const LAMBDA_MAX_BODY_BYTES = Math.floor(((LAMBDA_INVOKE_PAYLOAD_BYTES - EVENT_ALLOWANCE_BYTES) * 3) / 4);

export interface LimitOptions {
  /** Whether the largeBodies routes are served by the container (the CDK `largeBodies` flag; always, in `npm start`). */
  readonly largeBodies: boolean;
  /** TESSERA_MAX_BODY_BYTES (functions/config.ts `bodyConfig.maxLargeBodyBytes()`). */
  readonly maxLargeBodyBytes: number;
}

/** The body limit of one route, in bytes. */
export const routeLimit = (route: Pick<Route, 'largeBodies'>, options: LimitOptions): number =>
  route.largeBodies && options.largeBodies ? options.maxLargeBodyBytes : LAMBDA_MAX_BODY_BYTES;

/** Every route's body limit, by route key ("POST /upload"). */
export function routeLimits(options: LimitOptions, routes: readonly Route[] = ROUTES): Map<string, number> {
  return new Map(routes.map((route) => [routeKey(route), routeLimit(route, options)]));
}

/** The error a body over `limit` raises: the same words for every route, so the edge holds one answer per dialect and limit. */
export const tooLargeError = (limit: number): TesseraError => bodyTooLarge(limit);

/**
 * The answer a live request over the limit gets: the route's dialect renders the error, and the
 * request-id header its handler would add is added (as the kit's middleware does). For servers
 * that have the route's module loaded (the local server and the container).
 */
export function renderOversize(module: RouteModule, limit: number, event: HttpEvent): HttpResult {
  const result = module.dialect.renderError(tooLargeError(limit), event);
  const header = module.dialect.requestIdHeader;
  return header ? { ...result, headers: { ...result.headers, [header]: event.requestContext.requestId } } : result;
}

/** The route module a row of the table names (its `route` export, declared with its dialect's kit). */
export async function loadRouteModule(route: Route): Promise<RouteModule> {
  const loaded = (await import(new URL(`../${route.handler}`, import.meta.url).href)) as { route?: RouteModule };
  if (!loaded.route?.dialect?.renderError) throw new Error(`${route.handler} exports no \`route\` declared with its dialect's kit`);
  return loaded.route;
}

/**
 * Answers rendered ahead of time, for an edge that cannot run the dialects' code: what varies per
 * request is left as tokens that the edge replaces (every occurrence, in headers and body).
 */
export const OVERSIZE_TOKENS = {
  /** The request's id (the dialects' RequestId fields and request-id headers); the edge puts its own request id there. */
  requestId: 'TESSERAOVERSIZEREQUESTID',
  /** The Host the viewer asked for (ci's `<Resource>`); the edge puts the request's Host there. */
  host: 'TESSERAOVERSIZEHOST',
  /** The path asked for (ci's `<Resource>`); the edge puts the request's URI there. */
  path: '/TESSERAOVERSIZEPATH',
  /** Fresh hex for ids the dialect makes from the clock and randomness (ost's sid); the edge writes the time in ms as hex, then random hex. */
  nonce: 'TESSERAOVERSIZENONCE',
} as const;

/**
 * Per-request parts of rendered answers, turned into the nonce token: ost's sid
 * `ost0001<route>@dx<ms as hex><random hex>` (ost/envelope.ts).
 */
const NONCES: readonly RegExp[] = [/(?<=@dx)[0-9a-f]{8,}/g];

export interface OversizeAnswer {
  readonly statusCode: number;
  /** The reason phrase of statusCode. */
  readonly statusDescription: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface OversizeTemplate {
  readonly method: Route['method'];
  readonly path: string;
  readonly limit: number;
  /** The answer to a request that speaks neither JSON content-type nor JSON accept. */
  readonly answer: OversizeAnswer;
  /**
   * Present when the dialect answers differently when the request's content-type or accept names
   * JSON (ci: JSON instead of XML, ci/envelope.ts `wireOf`): that answer.
   */
  readonly json?: OversizeAnswer;
}

/** A payload-format 2.0 event as API Gateway would make it for this route, with the tokens in its per-request fields. */
function syntheticEvent(route: Route, headers: Record<string, string>): HttpEvent {
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: OVERSIZE_TOKENS.path,
    rawQueryString: '',
    headers: { host: OVERSIZE_TOKENS.host, ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'oversize',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: route.method, path: OVERSIZE_TOKENS.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' },
      requestId: OVERSIZE_TOKENS.requestId,
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date(0).toUTCString(),
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

function template(result: HttpResult): OversizeAnswer {
  const tokenized = (text: string) => NONCES.reduce((value, pattern) => value.replace(pattern, OVERSIZE_TOKENS.nonce), text);
  const statusCode = result.statusCode ?? 200;
  if (result.isBase64Encoded) throw new Error('an oversize answer must be text');
  return {
    statusCode,
    statusDescription: STATUS_CODES[statusCode] ?? '',
    headers: Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), tokenized(String(value))]),
    ),
    body: tokenized(result.body ?? ''),
  };
}

const sameAnswer = (a: OversizeAnswer, b: OversizeAnswer) => JSON.stringify(a) === JSON.stringify(b);

/** Each route's too-large answer, rendered by its dialect, by route key. Imports every route module: build time only (CDK synth, tests). */
export async function oversizeAnswers(options: LimitOptions, routes: readonly Route[] = ROUTES): Promise<Map<string, OversizeTemplate>> {
  const answers = new Map<string, OversizeTemplate>();
  for (const route of routes) {
    const module = await loadRouteModule(route);
    const limit = routeLimit(route, options);
    const render = (headers: Record<string, string>) => template(renderOversize(module, limit, syntheticEvent(route, headers)));
    const answer = render({});
    const json = render({ 'content-type': 'application/json', accept: 'application/json' });
    answers.set(routeKey(route), {
      method: route.method,
      path: route.path,
      limit,
      answer,
      ...(sameAnswer(answer, json) ? {} : { json }),
    });
  }
  return answers;
}

/** A template filled in for one request, as the edge does it (for tests and for servers without the route module). */
export function fillOversize(
  template: OversizeTemplate,
  request: { readonly requestId: string; readonly host: string; readonly path: string; readonly nonce: string; readonly json: boolean },
): OversizeAnswer {
  const chosen = request.json && template.json ? template.json : template.answer;
  const fill = (text: string) =>
    text
      .split(OVERSIZE_TOKENS.requestId)
      .join(request.requestId)
      .split(OVERSIZE_TOKENS.host)
      .join(request.host)
      .split(OVERSIZE_TOKENS.path)
      .join(request.path)
      .split(OVERSIZE_TOKENS.nonce)
      .join(request.nonce);
  return {
    ...chosen,
    headers: Object.fromEntries(Object.entries(chosen.headers).map(([name, value]) => [name, fill(value)])),
    body: fill(chosen.body),
  };
}
