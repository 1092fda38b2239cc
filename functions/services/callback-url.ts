import { checkOutboundUrl } from '../core/outbound-url.ts';
import { invalidInput } from '../core/errors.ts';
import { config } from '../config.ts';

/**
 * Checks a callback URL when a job is submitted, by the rules of every outbound URL. Host names
 * are resolved and checked again at every delivery, where it counts.
 */
export function checkCallbackUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidInput('CallBack is not a valid URL');
  }
  checkOutboundUrl(url, config.outboundPolicy(), 'CallBack');
  return url.href;
}
