import { isIP } from 'node:net';
import { isReachable } from './address-policy.ts';
import { invalidInput } from './errors.ts';

/** The refusal for a host that is, or resolves to, an address outbound requests may not reach. */
export const unreachableHost = (label: string, host: string) => invalidInput(`${label} host ${host} resolves to a private or reserved address`);

/**
 * What every outbound URL (a `source` to fetch, a CallBack to post to) must be before any
 * connection: http(s), no credentials, and no literal private address. Host names are checked
 * again when they resolve, inside the socket's lookup. `label` names the field in messages.
 */
export function checkOutboundUrl(url: URL, allowLoopback: boolean, label: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidInput(`${label} must be an http or https URL, not ${url.protocol.replace(':', '')}`);
  if (url.username || url.password) throw invalidInput(`${label} must not contain credentials`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Literal addresses never reach a DNS lookup, so they are checked here.
  if (isIP(host) && !isReachable(host, allowLoopback)) throw unreachableHost(label, host);
}
