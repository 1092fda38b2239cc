import { Readable } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { bodyTooLarge } from '../core/errors.ts';
import type { Spooler } from './form.ts';

/**
 * Bodies that arrive as a stream: the server of the largeBodies routes (server/, and npm start)
 * hands the request itself over instead of a buffered `body`, so a 64 MiB upload never sits in
 * memory. Lambda events carry their body as always; both read the same way here.
 */
interface StreamedBody {
  readonly body: Readable;
  /** The most bytes it may carry (the server enforces it as it reads). */
  readonly limit: number;
  /** Where its large file parts are written as they arrive. */
  readonly spool?: Spooler;
}

const STREAMS = new WeakMap<APIGatewayProxyEventV2, StreamedBody>();

/** Hands the handler a streamed body. */
export function attachBodyStream<E extends APIGatewayProxyEventV2>(event: E, streamed: StreamedBody): E {
  STREAMS.set(event, streamed);
  return event;
}

export const spoolerOf = (event: APIGatewayProxyEventV2): Spooler | undefined => STREAMS.get(event)?.spool;

/**
 * Refuses at once a streamed body whose declared length is over its limit, before any of it is
 * read, so the refusal is the dialect's own (bodies without a length are stopped as they pass it).
 */
export function checkDeclaredLength(event: APIGatewayProxyEventV2): void {
  const streamed = STREAMS.get(event);
  const declared = Number(event.headers?.['content-length']);
  if (streamed && declared > streamed.limit) throw bodyTooLarge(streamed.limit);
}

export const hasBodyStream = (event: APIGatewayProxyEventV2): boolean => STREAMS.has(event);

/** The event's body as bytes; refused for a streamed body, which only a streaming reader may take. */
export function requestBody(event: APIGatewayProxyEventV2): Buffer {
  if (STREAMS.has(event)) throw new Error(`the body of ${event.routeKey} is streamed: read it with bodyStreamOf`);
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The event's body as a stream, whichever way it came. */
export const bodyStreamOf = (event: APIGatewayProxyEventV2): Readable => STREAMS.get(event)?.body ?? Readable.from([requestBody(event)]);

/** The event's body as bytes, whichever way it came (a streamed one is bounded by its route's limit). */
export async function readBody(event: APIGatewayProxyEventV2): Promise<Buffer> {
  const stream = STREAMS.get(event)?.body;
  if (!stream) return requestBody(event);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
