import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { isTesseraError } from '../core/errors.ts';
import { logger } from '../logger.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** How a dialect writes an error in its own envelope. */
export type ErrorRenderer = (error: unknown, event: HttpEvent) => HttpResult;

/**
 * Turns any error into the dialect's envelope. Errors the core did not anticipate are logged
 * with their stack and shown to the client only as a generic message.
 */
const dialectErrors = (render: ErrorRenderer): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: (request) => {
    if (!isTesseraError(request.error) || request.error.kind === 'internal') {
      logger.error('request failed', { error: request.error as Error, routeKey: request.event.routeKey });
    }
    request.response = render(request.error, request.event);
  },
});

/** Names the request (API Gateway's id) in every answer, success or error, under the header the dialect's clients read. */
const requestIdHeader = (name: string): MiddlewareObj<HttpEvent, HttpResult> => {
  const stamp = (request: middy.Request<HttpEvent, HttpResult>) => {
    if (!request.response) return;
    request.response = { ...request.response, headers: { ...request.response.headers, [name]: request.event.requestContext.requestId } };
  };
  return { after: stamp, onError: stamp };
};

export function httpHandler(
  handle: (event: HttpEvent) => Promise<HttpResult>,
  render: ErrorRenderer,
  options: { readonly requestIdHeader?: string } = {},
): HttpHandler {
  const handler = middy<HttpEvent, HttpResult>().use(injectLambdaContext(logger));
  // Registered before the error renderer, so that on an error it runs after it (middy unwinds in reverse).
  if (options.requestIdHeader) handler.use(requestIdHeader(options.requestIdHeader));
  return handler.use(dialectErrors(render)).handler(handle) as unknown as HttpHandler;
}

export const jsonResult = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});
