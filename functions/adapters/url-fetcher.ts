import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { checkAddress, checkOutboundUrl, portOf, type OutboundPolicy } from '../core/outbound-url.ts';
import { invalidInput, isTesseraError, tooLarge, upstream } from '../core/errors.ts';

const SOURCE = 'source URL';

export interface FetchPolicy extends OutboundPolicy {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
}

export interface FetchedBody {
  readonly body: Readable;
  readonly contentType: string;
}

/**
 * Every connection resolves its host here and is refused if any address it resolves to is not
 * allowed for the port it goes to; the socket then connects to the address that was checked, so
 * a DNS answer that changes between check and connect (rebinding) cannot slip through.
 */
export function guardedLookup(policy: OutboundPolicy, label: string, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      try {
        if (addresses.length === 0) throw invalidInput(`${label} host ${hostname} has no address`);
        for (const { address } of addresses) checkAddress(policy, address, port, label, hostname);
      } catch (refusal) {
        return callback(refusal as Error, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

/** Passes bytes through up to `maxBytes`; past that it fails and closes the upstream response at once. */
function sizeLimit(maxBytes: number, upstreamResponse: IncomingMessage): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) {
        upstreamResponse.destroy();
        done(tooLarge(`source is larger than the ${maxBytes}-byte limit`));
      } else done(null, chunk);
    },
  });
}

function get(url: URL, policy: FetchPolicy, signal: AbortSignal): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const request = send(url, {
      lookup: guardedLookup(policy, SOURCE, portOf(url)),
      signal,
      timeout: policy.timeoutMs,
      headers: { 'user-agent': 'Tessera/1', accept: '*/*' },
    });
    request.on('response', resolve);
    request.on('timeout', () => request.destroy(upstream('source did not answer in time')));
    request.on('error', (error) => {
      if (isTesseraError(error)) reject(error);
      else if (signal.aborted) reject(upstream(`source took longer than ${policy.timeoutMs} ms`));
      else reject(upstream(`source could not be fetched: ${error.message}`, error));
    });
  });
}

/** Where a redirect leads; a Location no URL parser reads is the source's fault, answered as its other failures are. */
function redirectTarget(location: string, from: URL): URL {
  try {
    return new URL(location, from);
  } catch {
    throw upstream('source redirected to an invalid URL');
  }
}

/**
 * Fetches a client-supplied URL: http(s) only, public addresses only (loopback too when the
 * policy allows it, for local development, but never the stack's own ports), every redirect
 * checked again, capped in size and time. Whoever stops reading early destroys the body, which
 * closes the upstream connection.
 */
export async function fetchSource(rawUrl: string, policy: FetchPolicy): Promise<FetchedBody> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw invalidInput('source is not a valid URL');
  }
  const signal = AbortSignal.timeout(policy.timeoutMs);
  for (let hop = 0; hop <= policy.maxRedirects; hop++) {
    checkOutboundUrl(url, policy, SOURCE);
    const response = await get(url, policy, signal);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      url = redirectTarget(response.headers.location, url);
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw upstream(`source answered HTTP ${status}`);
    }
    const declared = response.headers['content-length'] === undefined ? undefined : Number(response.headers['content-length']);
    if (declared !== undefined && declared > policy.maxBytes) {
      response.destroy();
      throw tooLarge(`source is ${declared} bytes, over the ${policy.maxBytes}-byte limit`);
    }
    const limited = sizeLimit(policy.maxBytes, response);
    response.on('error', (error) => limited.destroy(signal.aborted ? upstream(`source took longer than ${policy.timeoutMs} ms`) : error));
    limited.on('close', () => response.destroy());
    return {
      body: response.pipe(limited),
      contentType: response.headers['content-type'] ?? 'application/octet-stream',
    };
  }
  throw invalidInput(`source redirected more than ${policy.maxRedirects} times`);
}
