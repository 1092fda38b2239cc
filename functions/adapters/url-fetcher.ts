import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { isReachable } from '../core/address-policy.ts';
import { invalidInput, tooLarge, upstream } from '../core/errors.ts';

export interface FetchPolicy {
  readonly allowLoopback: boolean;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
}

export interface FetchedBody {
  readonly body: Readable;
  readonly contentType: string;
  readonly declaredLength: number | undefined;
}

const blocked = (host: string) => invalidInput(`source URL host ${host} resolves to a private or reserved address`);

/**
 * Every connection resolves its host here and is refused if any address it resolves to is not
 * allowed; the socket then connects to the address that was checked, so a DNS answer that
 * changes between check and connect (rebinding) cannot slip through.
 */
function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      if (addresses.length === 0 || addresses.some(({ address }) => !isReachable(address, allowLoopback))) {
        return callback(blocked(hostname), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

function checkUrl(url: URL, allowLoopback: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidInput(`source URL must be http or https, not ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password) throw invalidInput('source URL must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Literal addresses never reach the lookup above, so they are checked here.
  if (isIP(host) && !isReachable(host, allowLoopback)) throw blocked(host);
}

function sizeLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge(`source is larger than the ${maxBytes}-byte limit`));
      else done(null, chunk);
    },
  });
}

/** Fetches a client-supplied URL: http(s) only, public addresses only, capped in size and time. */
export async function fetchSource(rawUrl: string, policy: FetchPolicy): Promise<FetchedBody> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw invalidInput('source is not a valid URL');
  }
  const signal = AbortSignal.timeout(policy.timeoutMs);
  const dispatcher = new Agent({
    connect: { lookup: guardedLookup(policy.allowLoopback), timeout: policy.timeoutMs },
    headersTimeout: policy.timeoutMs,
    bodyTimeout: policy.timeoutMs,
  });
  for (let hop = 0; hop <= policy.maxRedirects; hop++) {
    checkUrl(url, policy.allowLoopback);
    let response;
    try {
      response = await request(url, { method: 'GET', dispatcher, signal, headers: { 'user-agent': 'Tessera/1' } });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (cause instanceof Error && cause.name === 'TesseraError') throw cause;
      throw upstream(`source could not be fetched: ${(error as Error).message}`, error);
    }
    const { statusCode, headers, body } = response;
    if (statusCode >= 300 && statusCode < 400 && headers.location) {
      body.resume();
      url = new URL(String(headers.location), url);
      continue;
    }
    if (statusCode !== 200) {
      body.resume();
      throw upstream(`source answered HTTP ${statusCode}`);
    }
    const declared = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    if (declared !== undefined && declared > policy.maxBytes) {
      body.destroy();
      throw tooLarge(`source is ${declared} bytes, over the ${policy.maxBytes}-byte limit`);
    }
    const limited = body.pipe(sizeLimit(policy.maxBytes));
    body.on('error', (error) => limited.destroy(error));
    limited.on('close', () => void dispatcher.close());
    return {
      body: limited,
      contentType: String(headers['content-type'] ?? 'application/octet-stream'),
      declaredLength: declared,
    };
  }
  throw invalidInput(`source redirected more than ${policy.maxRedirects} times`);
}
