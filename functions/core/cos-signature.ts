import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from './secret.ts';
import { TesseraError, unauthenticated } from './errors.ts';

/**
 * Tencent COS request signatures (`q-sign-algorithm=sha1`, reference/tencent-ci.md §3), as the
 * official SDKs compute them, so their clients work unmodified against Tessera.
 */
export interface CosRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters as received (names as sent). */
  readonly query: Readonly<Record<string, string>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface CosAuthorization {
  readonly secretId: string;
  readonly signTime: string;
  readonly keyTime: string;
  readonly headerList: readonly string[];
  readonly paramList: readonly string[];
  readonly signature: string;
}

/** encodeURIComponent plus the characters it leaves alone that COS escapes. */
export const cosEncode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);

const sha1Hex = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');
const hmacSha1Hex = (key: string, text: string) => createHmac('sha1', key).update(text, 'utf8').digest('hex');

function pairs(source: Readonly<Record<string, string | undefined>>, keys: readonly string[]): string {
  const lowered = new Map(Object.entries(source).map(([key, value]) => [key.toLowerCase(), value ?? '']));
  return keys.map((key) => `${cosEncode(key)}=${cosEncode(lowered.get(key) ?? '')}`).join('&');
}

/** The hex signature for a request, given the signed header and parameter names (lower case, sorted). */
export function cosSignature(
  request: CosRequest,
  secretKey: string,
  signTime: string,
  keyTime: string,
  headerList: readonly string[],
  paramList: readonly string[],
): string {
  const httpString = [
    request.method.toLowerCase(),
    request.path,
    pairs(request.query, paramList),
    pairs(request.headers, headerList),
    '',
  ].join('\n');
  const stringToSign = ['sha1', signTime, sha1Hex(httpString), ''].join('\n');
  return hmacSha1Hex(hmacSha1Hex(secretKey, keyTime), stringToSign);
}

/** Signs a request the way the SDKs do: every header and query parameter given, sorted. */
export function signCos(request: CosRequest, secretId: string, secretKey: string, start: number, end: number): string {
  const time = `${start};${end}`;
  const headerList = Object.keys(request.headers)
    .map((key) => key.toLowerCase())
    .sort();
  const paramList = Object.keys(request.query)
    .map((key) => key.toLowerCase())
    .sort();
  const signature = cosSignature(request, secretKey, time, time, headerList, paramList);
  return [
    'q-sign-algorithm=sha1',
    `q-ak=${secretId}`,
    `q-sign-time=${time}`,
    `q-key-time=${time}`,
    `q-header-list=${headerList.map(cosEncode).join(';')}`,
    `q-url-param-list=${paramList.map(cosEncode).join(';')}`,
    `q-signature=${signature}`,
  ].join('&');
}

export function parseCosAuthorization(value: string | undefined): CosAuthorization {
  if (!value) throw unauthenticated('the Authorization header is required', 'MissingAuthorization');
  const fields = new URLSearchParams(value.trim());
  if (fields.get('q-sign-algorithm') !== 'sha1') throw unauthenticated('q-sign-algorithm must be sha1', 'InvalidAuthorization');
  const required = ['q-ak', 'q-sign-time', 'q-key-time', 'q-signature'];
  for (const name of required) if (!fields.get(name)) throw unauthenticated(`${name} is missing`, 'InvalidAuthorization');
  const list = (name: string) =>
    (fields.get(name) ?? '')
      .split(';')
      .filter(Boolean)
      .map((key) => decodeURIComponent(key).toLowerCase());
  return {
    secretId: fields.get('q-ak')!,
    signTime: fields.get('q-sign-time')!,
    keyTime: fields.get('q-key-time')!,
    headerList: list('q-header-list'),
    paramList: list('q-url-param-list'),
    signature: fields.get('q-signature')!.toLowerCase(),
  };
}

/** Longest validity a client may give a signature, to bound replays. */
export const MAX_SIGNATURE_LIFETIME_SECONDS = 7 * 24 * 3600;
/** How far ahead of the server's clock a signature's period may start. */
export const CLOCK_SKEW_SECONDS = 300;

/**
 * A signature whose period does not hold the server's time: the client's clock is off (or the
 * signature is stale). COS answers `RequestTimeTooSkewed` with the server's time, from which
 * Tencent's SDKs correct their clock and sign again.
 */
export class CosClockSkewError extends TesseraError {
  constructor(
    /** The start of the signature's period (Unix seconds): the client's clock when it signed. */
    readonly requestTime: number,
    /** The server's clock (Unix seconds). */
    readonly serverTime: number,
    /** The end of the signature's period (Unix seconds). */
    readonly expiresAt: number,
  ) {
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    super(
      'unauthenticated',
      `The difference between the request time and the server's time is too large: the signature is valid from ${iso(requestTime)} ` +
        `to ${iso(expiresAt)}, the server's time is ${iso(serverTime)}`,
      { reason: 'RequestTimeTooSkewed' },
    );
    this.name = 'CosClockSkewError';
  }
}

/**
 * The hosts a signature may name for a request whose Host header is `host`: that host and, when
 * it carries a port, the host without it (cos-python-sdk-v5 signs the URL's hostname, port
 * dropped, but sends `Host: name:port`), an IPv6 literal also without its brackets (Python's
 * urlparse().hostname).
 */
export function signableHosts(host: string): string[] {
  const match = /^(\[[^\]]*\]|[^:]*):\d+$/.exec(host);
  if (!match) return [host];
  const name = match[1]!;
  return name.startsWith('[') ? [host, name, name.slice(1, -1)] : [host, name];
}

/**
 * The paths a signature may name for a request to `path` (as sent, %-escapes and all): that path
 * and, when it holds escapes, the path decoded. COS signs the decoded path (the Node SDK signs
 * `/` + Key and sends it escaped; cos-python-sdk-v5 signs `/pic_jobs/a,b` and sends
 * `/pic_jobs/a%2Cb`); Tessera's own clients have signed the path as sent.
 */
export function signablePaths(path: string): string[] {
  if (!path.includes('%')) return [path];
  try {
    const decoded = decodeURIComponent(path);
    return decoded === path ? [path] : [path, decoded];
  } catch {
    return [path];
  }
}

/** Every form of the request the signature may have been computed over: its path and host as sent, or as the SDKs sign them. */
function signableRequests(request: CosRequest, signsHost: boolean): CosRequest[] {
  const host = request.headers.host;
  const withHosts = (candidate: CosRequest) =>
    signsHost && host ? signableHosts(host).map((name) => ({ ...candidate, headers: { ...candidate.headers, host: name } })) : [candidate];
  return signablePaths(request.path).flatMap((path) => withHosts({ ...request, path }));
}

export function verifyCos(request: CosRequest, authorization: CosAuthorization, secretKey: string, nowSeconds: number): void {
  const match = /^(\d+);(\d+)$/.exec(authorization.signTime);
  if (!match) throw unauthenticated('q-sign-time must be <start>;<end>', 'InvalidAuthorization');
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start || end - start > MAX_SIGNATURE_LIFETIME_SECONDS)
    throw unauthenticated('q-sign-time is not a valid period', 'InvalidAuthorization');
  if (nowSeconds > end || nowSeconds + CLOCK_SKEW_SECONDS < start) throw new CosClockSkewError(start, nowSeconds, end);
  for (const name of authorization.headerList) {
    if (request.headers[name] === undefined) throw unauthenticated(`signed header ${name} is missing`, 'InvalidAuthorization');
  }
  // Every candidate is computed and compared, so the time taken does not tell which one matched.
  let matched = false;
  for (const candidate of signableRequests(request, authorization.headerList.includes('host'))) {
    const expected = cosSignature(
      candidate,
      secretKey,
      authorization.signTime,
      authorization.keyTime,
      authorization.headerList,
      authorization.paramList,
    );
    matched = constantTimeEqual(expected, authorization.signature) || matched;
  }
  if (!matched) throw unauthenticated('the signature does not match', 'SignatureDoesNotMatch');
}
