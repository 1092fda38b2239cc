import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { multipartStore } from '../functions/adapters/multipart-store.ts';
import { bodyConfig } from '../functions/config.ts';
import { bodyTooLarge } from '../functions/core/errors.ts';
import { attachBodyStream } from '../functions/http/body-stream.ts';
import type { Spooler } from '../functions/http/form.ts';
import type { HttpEvent, HttpHandler, HttpResult } from '../functions/http/http-handler.ts';
import { logger } from '../functions/logger.ts';
import { BUCKET } from '../functions/resources.ts';

/** The request's bytes, failing with the dialect's too-large error once they pass `limit`. */
function limited(request: IncomingMessage, limit: number): Transform {
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) return done(bodyTooLarge(limit));
      done(null, chunk);
    },
  });
  request.on('error', (error) => counted.destroy(error));
  request.on('close', () => {
    if (!request.readableEnded) counted.destroy(new Error('the client closed the request before its body ended'));
  });
  // Whoever reads the body hears its errors; one nobody reads (the route refused first) must not crash the server.
  counted.on('error', () => undefined);
  return request.pipe(counted);
}

/**
 * Reads what the route left of the body and drops it, so the client (which is still sending)
 * reads the answer rather than a reset. False if the body ran past its limit meanwhile.
 */
function drain(body: Readable): Promise<boolean> {
  if (body.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    body.once('end', () => resolve(true));
    body.once('close', () => resolve(body.readableEnded));
    body.resume();
  });
}

function send(response: ServerResponse, result: HttpResult, closing: boolean): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (closing) headers.connection = 'close';
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

/** Large file parts go to staging objects of this request, removed when it is answered. */
function requestSpool(requestId: string): { spool: Spooler; cleanUp: () => Promise<void> } {
  const prefix = `${BUCKET.stagingPrefix}requests/${requestId}/`;
  let parts = 0;
  return {
    spool: async (content) => {
      const key = `${prefix}${++parts}`;
      return { key, size: await multipartStore.spool(key, content) };
    },
    // What cannot be removed now, the staging prefix's lifecycle rule removes within a day.
    cleanUp: async () => {
      if (parts) await multipartStore.deletePrefix(prefix).catch((error: unknown) => logger.warn('staged parts left', { prefix, error }));
    },
  };
}

/**
 * Serves a largeBodies route: the handler gets the request body as a stream (bounded by
 * TESSERA_MAX_BODY_BYTES; large file parts spooled to staging as they arrive), not a buffered
 * event body, and no gateway timeout applies. The same code serves them in the container
 * (server/main.ts) and in npm start.
 */
export async function serveStreamed(
  request: IncomingMessage,
  response: ServerResponse,
  event: HttpEvent,
  handler: HttpHandler,
  context: Context,
): Promise<void> {
  const limit = bodyConfig.maxLargeBodyBytes();
  const body = limited(request, limit);
  const { spool, cleanUp } = requestSpool(event.requestContext.requestId);
  let result: HttpResult | string;
  try {
    result = await handler(attachBodyStream(event, { body, limit, spool }), context);
  } finally {
    await cleanUp();
  }
  const declared = Number(request.headers['content-length']);
  const complete = request.readableEnded || (!(declared > limit) && (await drain(body)));
  send(response, typeof result === 'string' ? { statusCode: 200, body: result } : result, !complete);
  if (!complete) response.once('finish', () => request.destroy());
}
