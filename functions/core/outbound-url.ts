import { isIP } from 'node:net';
import { classifyAddress } from './address-policy.ts';
import { invalidInput } from './errors.ts';

/**
 * Where outbound requests (sources to fetch, callbacks to post) may go. Public addresses always;
 * loopback only in local development, and even then never to a port of Tessera's own stack (its
 * API, its file server, the storage and database emulators), which would answer a client's URL
 * with other clients' data without asking who is calling.
 */
export interface OutboundPolicy {
  readonly allowLoopback: boolean;
  readonly reservedLoopbackPorts: readonly number[];
}

/** The refusal for a host that is, or resolves to, an address outbound requests may not reach. */
export const unreachableHost = (label: string, host: string) =>
  invalidInput(`${label} host ${host} resolves to a private or reserved address`);

const reservedPortRefusal = (label: string, host: string, port: number) =>
  invalidInput(`${label} ${host}:${port} is a port of Tessera's own services, which outbound requests may not reach`);

export const portOf = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

/** Whether a connection to `address`:`port` is allowed; throws the refusal that names why not. */
export function checkAddress(policy: OutboundPolicy, address: string, port: number, label: string, host = address): void {
  const kind = classifyAddress(address);
  if (kind === 'public') return;
  if (kind === 'loopback' && policy.allowLoopback) {
    if (policy.reservedLoopbackPorts.includes(port)) throw reservedPortRefusal(label, host, port);
    return;
  }
  throw unreachableHost(label, host);
}

/**
 * What every outbound URL must be before any connection: http(s), no credentials, and no literal
 * address it may not reach. Host names are checked again when they resolve, inside the socket's
 * lookup, with the same rule. `label` names the field in messages.
 */
export function checkOutboundUrl(url: URL, policy: OutboundPolicy, label: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidInput(`${label} must be an http or https URL, not ${url.protocol.replace(':', '')}`);
  if (url.username || url.password) throw invalidInput(`${label} must not contain credentials`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Literal addresses never reach a DNS lookup, so they are checked here.
  if (isIP(host)) checkAddress(policy, host, portOf(url), label);
}
