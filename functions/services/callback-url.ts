import { isIP } from 'node:net';
import { isReachable } from '../core/address-policy.ts';
import { invalidInput } from '../core/errors.ts';
import { config } from '../config.ts';

/**
 * Checks a callback URL when a job is submitted: http(s), no credentials, no literal private
 * address. Host names are resolved and checked again at every delivery, where it counts.
 */
export function checkCallbackUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidInput('CallBack is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidInput('CallBack must be an http or https URL');
  if (url.username || url.password) throw invalidInput('CallBack must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isReachable(host, config.allowLoopbackUrls())) throw invalidInput(`CallBack host ${host} is a private or reserved address`);
  return url.href;
}
