import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './secret.ts';
import { unauthenticated } from './errors.ts';

/** The parts of an xfyun `authorization` header. */
export interface XfyunAuthorization {
  readonly apiKey: string;
  readonly algorithm: string;
  readonly headers: readonly string[];
  readonly signature: string;
}

export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case header names to the values as received. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export const MAX_CLOCK_SKEW_MS = 300_000;
const REQUIRED_HEADERS = ['host', 'date', 'request-line'];

/**
 * Parses `api_key="…", algorithm="hmac-sha256", headers="host date request-line digest",
 * signature="…"`, with or without the leading `hmac ` the Java and Go demos send.
 */
export function parseAuthorization(value: string | undefined): XfyunAuthorization {
  if (!value) throw unauthenticated('authorization header is required');
  const body = value.trim().replace(/^hmac\s+/i, '');
  const fields = new Map<string, string>();
  for (const match of body.matchAll(/([a-z_]+)\s*=\s*"([^"]*)"/gi)) fields.set(match[1]!.toLowerCase(), match[2]!);
  const apiKey = fields.get('api_key');
  const signature = fields.get('signature');
  if (!apiKey || !signature) throw unauthenticated('authorization header must carry api_key and signature');
  return {
    apiKey,
    algorithm: (fields.get('algorithm') ?? '').toLowerCase(),
    headers: (fields.get('headers') ?? '').toLowerCase().split(/\s+/).filter(Boolean),
    signature,
  };
}

/** The text the client signed: one line per listed header, `request-line` as `POST /path HTTP/1.1`. */
export function signatureOrigin(request: SignedRequest, headers: readonly string[]): string {
  return headers
    .map((name) => {
      if (name === 'request-line') return `${request.method.toUpperCase()} ${request.path} HTTP/1.1`;
      const value = request.headers[name];
      if (value === undefined) throw unauthenticated(`signed header ${name} is missing from the request`);
      return `${name}: ${value}`;
    })
    .join('\n');
}

export const sign = (origin: string, secret: string): string =>
  createHmac('sha256', Buffer.from(secret, 'utf8')).update(origin, 'utf8').digest('base64');

/**
 * Checks an xfyun-signed request against the client's secret: the algorithm, the signed header
 * list, the date within ±300 s of now, and the HMAC. The `digest` header is signed as sent and
 * not compared with the body, because the official upload demos sign the digest of an empty body.
 */
export function verifySignature(request: SignedRequest, authorization: XfyunAuthorization, secret: string, now: number): void {
  if (authorization.algorithm !== 'hmac-sha256') throw unauthenticated('authorization algorithm must be hmac-sha256');
  for (const name of REQUIRED_HEADERS) {
    if (!authorization.headers.includes(name)) throw unauthenticated(`authorization must sign the ${name} header`);
  }
  const date = Date.parse(request.headers.date ?? '');
  if (Number.isNaN(date)) throw unauthenticated('date header must be an RFC 1123 date');
  if (Math.abs(now - date) > MAX_CLOCK_SKEW_MS) throw unauthenticated('date header is more than 300 s from server time');
  const expected = sign(signatureOrigin(request, authorization.headers), secret);
  if (!constantTimeEqual(expected, authorization.signature)) throw unauthenticated('signature does not match');
}
