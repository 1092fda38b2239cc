import type { IncomingMessage } from 'node:http';
import type { HttpResult } from '../functions/http/http-handler.ts';
import { handler as notFound } from '../functions/platform/not-found.ts';
import type { Route } from '../functions/routes.ts';
import { lambdaContext, toEvent } from './http-event.ts';

/** The catch-all ($default in API Gateway) that answers paths no route serves. */
const NOT_FOUND_ROUTE: Route = {
  method: 'GET',
  path: '$default',
  dialect: 'platform',
  group: 'platform',
  handler: 'platform/not-found.ts',
};

/** A request no route takes, answered as API Gateway's $default route answers it (in the envelope it speaks). */
export const answerNotFound = (request: IncomingMessage): Promise<HttpResult> =>
  notFound(toEvent(request, Buffer.alloc(0), NOT_FOUND_ROUTE), lambdaContext(NOT_FOUND_ROUTE, Date.now() + 1000));
