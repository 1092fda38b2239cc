import type { Context } from 'aws-lambda';
import { jsonResult, type HttpEvent, type HttpHandler, type HttpResult } from './http-handler.ts';

/**
 * One Lambda serves a group of routes. API Gateway names the matched route in `routeKey`
 * ("POST /upload"), so dispatch is a lookup, with no second router to keep in step.
 */
export function dispatchByRouteKey(handlers: Readonly<Record<string, HttpHandler>>): HttpHandler {
  return async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const handler = handlers[event.routeKey];
    if (!handler) return jsonResult(404, { message: 'Not Found' });
    return handler(event, context);
  };
}
