import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from './secret.ts';
import { unauthenticated } from './errors.ts';

/**
 * Huawei Cloud AK/SK request signatures (`SDK-HMAC-SHA256`, reference/kmp.md §6.2), computed as the
 * official Python and Java SDK cores compute them, so their clients work unmodified against Tessera.
 */
export interface HuaweiRequest {
  readonly method: string;
  /** The path as received, still percent-encoded. */
  readonly path: string;
  /**
   * The raw query string as received (without `?`, still percent-encoded), or its (key, value)
   * pairs already decoded; either way repeated keys appear as repeated pairs.
   */
  readonly query: string | ReadonlyArray<readonly [string, string]>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The exact body bytes. */
  readonly body: Buffer;
}

export interface HuaweiAuthorization {
  readonly accessKey: string;
  /** Lower-case header names, in the order the client listed (and signed) them. */
  readonly signedHeaders: readonly string[];
  /** Lower-case hex. */
  readonly signature: string;
}

export interface HuaweiVerification {
  /** False when the client sent `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`: the body is then not covered by the signature. */
  readonly payloadSigned: boolean;
}

/**
 * How the values of a repeated query key are ordered in the canonical query. `sorted`: pairs sorted
 * by key then value (Python SDK, which also sends the URL in that order). `received`: keys sorted by
 * their encoded form, the values of a repeated key in the order received (Java SDK's TreeMap).
 */
export type QueryOrder = 'sorted' | 'received';

export const HUAWEI_ALGORITHM = 'SDK-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The API gateway's rule: refuse a request whose X-Sdk-Date is more than 15 minutes from now. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;
/** Every signature must cover these: both SDKs always sign them, and host binds the request to this server. */
const REQUIRED_SIGNED_HEADERS = ['host', 'x-sdk-date'];

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** RFC 3986 encoding of the UTF-8 bytes: only `A–Z a–z 0–9 - _ . ~` left as they are, upper-case hex. */
export function rfc3986Encode(value: string): string {
  let encoded = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const unreserved =
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      (byte >= 0x30 && byte <= 0x39) ||
      byte === 0x2d ||
      byte === 0x5f ||
      byte === 0x2e ||
      byte === 0x7e;
    encoded += unreserved ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** Percent-decoding only (a `+` stays a `+`), refusing malformed escapes and invalid UTF-8. */
function percentDecode(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw unauthenticated(`the ${what} is not valid percent-encoded UTF-8`);
  }
}

/** Code-point order, as Python compares strings (UTF-16 order differs above U+FFFF). */
const compareCodePoints = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The (key, value) pairs of a raw query string, decoded with percent-decoding only, in received order. */
export function parseQuery(raw: string): Array<[string, string]> {
  const text = raw.startsWith('?') ? raw.slice(1) : raw;
  return text
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const equals = part.indexOf('=');
      const key = equals < 0 ? part : part.slice(0, equals);
      const value = equals < 0 ? '' : part.slice(equals + 1);
      return [percentDecode(key, 'query string'), percentDecode(value, 'query string')];
    });
}

/** Decode the path, split on `/`, encode each segment, join, and end with `/` (empty path → `/`). */
export function canonicalUri(path: string): string {
  const uri = percentDecode(path, 'request path').split('/').map(rfc3986Encode).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** `k=v&k=v`, each encoded, empty values as `k=`, in the given order (see QueryOrder). */
export function canonicalQuery(query: HuaweiRequest['query'], order: QueryOrder = 'sorted'): string {
  const pairs = (typeof query === 'string' ? parseQuery(query) : query).map(([key, value]) => ({
    key,
    value,
    encodedKey: rfc3986Encode(key),
    encodedValue: rfc3986Encode(value),
  }));
  if (order === 'sorted') pairs.sort((a, b) => compareCodePoints(a.key, b.key) || compareCodePoints(a.value, b.value));
  // Array.prototype.sort is stable: equal keys keep their received order.
  else pairs.sort((a, b) => (a.encodedKey < b.encodedKey ? -1 : a.encodedKey > b.encodedKey ? 1 : 0));
  return pairs.map(({ encodedKey, encodedValue }) => `${encodedKey}=${encodedValue}`).join('&');
}

/**
 * The signed value of a header. Trimmed as the Python SDK does; the Java SDK signs the value as is,
 * but HTTP drops whitespace around a field value in transit (RFC 9110 §5.5), so a server only ever
 * sees, and can only verify, the trimmed value.
 */
function headerValue(request: HuaweiRequest, name: string): string | undefined {
  return request.headers[name]?.trim();
}

/** The `X-Sdk-Content-Sha256` header verbatim when present, else the hex SHA-256 of the body. */
export function payloadHash(request: HuaweiRequest): string {
  return headerValue(request, 'x-sdk-content-sha256') ?? sha256Hex(request.body);
}

/** METHOD, URI, query, `name:value\n` per signed header, the signed header list and the payload hash, one per line. */
export function canonicalRequest(request: HuaweiRequest, signedHeaders: readonly string[], order: QueryOrder = 'sorted'): string {
  const headers = signedHeaders.map((name) => {
    const value = headerValue(request, name);
    if (value === undefined) throw unauthenticated(`signed header ${name} is missing from the request`);
    return `${name}:${value}\n`;
  });
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query, order),
    headers.join(''),
    signedHeaders.join(';'),
    payloadHash(request),
  ].join('\n');
}

export const stringToSign = (canonical: string, sdkDate: string): string => `${HUAWEI_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;

function sdkDateOf(request: HuaweiRequest): string {
  const date = headerValue(request, 'x-sdk-date');
  if (!date) throw unauthenticated('the X-Sdk-Date header is required');
  return date;
}

/** The lower-hex signature of a request over the given signed headers (lower case, in the order listed). */
export function huaweiSignature(
  request: HuaweiRequest,
  signedHeaders: readonly string[],
  secretKey: string,
  order: QueryOrder = 'sorted',
): string {
  const text = stringToSign(canonicalRequest(request, signedHeaders, order), sdkDateOf(request));
  return createHmac('sha256', Buffer.from(secretKey, 'utf8')).update(text, 'utf8').digest('hex');
}

/** `YYYYMMDDTHHMMSSZ` (UTC) for an epoch time in milliseconds. */
export const formatSdkDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

/** Epoch milliseconds of an `X-Sdk-Date`, or undefined if it is not a real `YYYYMMDDTHHMMSSZ` time. */
export function parseSdkDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return formatSdkDate(ms) === value ? ms : undefined;
}

/**
 * Signs a request as the Python SDK does: every header present whose name has no `_` (the caller sets
 * `host` and `x-sdk-date` first), sorted. Returns the Authorization header value.
 */
export function signHuawei(request: HuaweiRequest, accessKey: string, secretKey: string): string {
  const signedHeaders = Object.keys(request.headers)
    .filter((name) => request.headers[name] !== undefined && !name.includes('_') && name !== 'authorization')
    .sort();
  const signature = huaweiSignature(request, signedHeaders, secretKey);
  return `${HUAWEI_ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
}

const AUTHORIZATION_FIELDS = ['Access', 'SignedHeaders', 'Signature'];

/**
 * Parses `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;c>, Signature=<hex>`, accepting any
 * whitespace after the algorithm and around the commas.
 */
export function parseHuaweiAuthorization(value: string | undefined): HuaweiAuthorization {
  if (!value?.trim()) throw unauthenticated('the Authorization header is required');
  const [, algorithm, rest = ''] = /^(\S+)(?:\s+(.*))?$/s.exec(value.trim())!;
  if (algorithm !== HUAWEI_ALGORITHM) throw unauthenticated(`the Authorization algorithm must be ${HUAWEI_ALGORITHM}`);
  const fields = new Map<string, string>();
  for (const part of rest ? rest.split(',') : []) {
    const field = /^\s*([A-Za-z]+)=(\S*)\s*$/.exec(part);
    if (!field) throw unauthenticated('the Authorization header must be "SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…"');
    const name = field[1]!;
    if (!AUTHORIZATION_FIELDS.includes(name)) throw unauthenticated(`the Authorization header has an unknown field ${name}`);
    if (fields.has(name)) throw unauthenticated(`the Authorization header repeats ${name}`);
    fields.set(name, field[2]!);
  }
  for (const name of AUTHORIZATION_FIELDS) if (!fields.get(name)) throw unauthenticated(`the Authorization header has no ${name}`);
  const signedHeaders = fields.get('SignedHeaders')!.toLowerCase().split(';');
  if (signedHeaders.some((name) => !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)))
    throw unauthenticated('SignedHeaders must be header names separated by ;');
  const signature = fields.get('Signature')!;
  if (!/^[0-9a-f]{64}$/i.test(signature)) throw unauthenticated('Signature must be 64 hexadecimal digits');
  return { accessKey: fields.get('Access')!, signedHeaders, signature: signature.toLowerCase() };
}

/**
 * Checks a request against the secret key of `authorization.accessKey`: host and x-sdk-date signed,
 * X-Sdk-Date within ±15 minutes of `now` (epoch ms), the payload hash, then the HMAC in constant time
 * over the sorted canonical query and, only if that differs, over the received order (Java SDK).
 */
export function verifyHuaweiSignature(
  request: HuaweiRequest,
  authorization: HuaweiAuthorization,
  secretKey: string,
  now: number,
): HuaweiVerification {
  const signed = authorization.signedHeaders;
  if (!REQUIRED_SIGNED_HEADERS.every((name) => signed.includes(name)))
    throw unauthenticated('SignedHeaders must include host and x-sdk-date');
  const date = parseSdkDate(sdkDateOf(request));
  if (date === undefined) throw unauthenticated('X-Sdk-Date must be YYYYMMDDTHHMMSSZ');
  if (Math.abs(now - date) > MAX_CLOCK_SKEW_MS) throw unauthenticated('X-Sdk-Date is more than 15 minutes from server time');
  const contentSha256 = headerValue(request, 'x-sdk-content-sha256');
  if (contentSha256 !== undefined) {
    // Used verbatim as the payload hash, so an unsigned one would let anyone swap the body.
    if (!signed.includes('x-sdk-content-sha256')) throw unauthenticated('SignedHeaders must include x-sdk-content-sha256 when it is sent');
    if (contentSha256 !== UNSIGNED_PAYLOAD && contentSha256 !== sha256Hex(request.body))
      throw unauthenticated(`X-Sdk-Content-Sha256 must be ${UNSIGNED_PAYLOAD} or the hex SHA-256 of the body`);
  }
  const matches = (order: QueryOrder) => constantTimeEqual(huaweiSignature(request, signed, secretKey, order), authorization.signature);
  const javaOrderDiffers = canonicalQuery(request.query, 'received') !== canonicalQuery(request.query, 'sorted');
  if (!matches('sorted') && !(javaOrderDiffers && matches('received'))) throw unauthenticated('the signature does not match');
  return { payloadSigned: contentSha256 !== UNSIGNED_PAYLOAD };
}
