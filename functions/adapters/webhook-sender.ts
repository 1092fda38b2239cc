import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkOutboundUrl, portOf, type OutboundPolicy } from '../core/outbound-url.ts';
import { guardedLookup } from './url-fetcher.ts';

export interface WebhookOutcome {
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
}

/**
 * POSTs a callback to a client's URL with the same address rules as `source` fetches (public
 * addresses; loopback only in local development and never the stack's own ports), checked at
 * connect time. Never follows redirects; any 2xx counts as delivered. `timeoutMs` bounds the whole
 * exchange, not each silence: a receiver that drips its answer a byte at a time is cut off too.
 */
export function postWebhook(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: { policy: OutboundPolicy; timeoutMs: number },
): Promise<WebhookOutcome> {
  let url: URL;
  try {
    url = new URL(rawUrl);
    checkOutboundUrl(url, options.policy, 'CallBack');
  } catch (error) {
    return Promise.resolve({ ok: false, error: (error as Error).message });
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const request = send(url, {
      method: 'POST',
      lookup: guardedLookup(options.policy, 'CallBack', portOf(url)),
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Tessera-Callback/1' },
    });
    request.on('response', (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `the receiver answered HTTP ${status}` });
    });
    // A socket timeout only counts silence, so a slow receiver could hold the sender for ever.
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error) => resolve({ ok: false, error: error.message }));
    request.end(body);
  });
}
