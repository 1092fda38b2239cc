import type { HttpEvent } from '../http/http-handler.ts';
import { queryOf } from '../http/form.ts';
import { oauthFailure } from './envelope.ts';

export interface PresentedClient {
  readonly clientId: string | undefined;
  readonly secret: string | undefined;
}

/** RFC 6749 §2.3.1: Basic's user and password are the form-urlencoded id and secret. */
const formDecode = (text: string) => decodeURIComponent(text.replaceAll('+', ' '));

/** The id and secret of an `Authorization: Basic` header; undefined when there is no such header. */
export function basicCredentials(header: string | undefined): { clientId: string; secret: string } | undefined {
  if (!header || !/^basic(\s|$)/i.test(header)) return undefined;
  const encoded = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header)?.[1];
  const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0)
    throw oauthFailure.invalidRequest('the Basic authorization header is malformed: base64 of client_id:client_secret expected');
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw oauthFailure.invalidRequest('the Basic authorization header is malformed: its id or secret is not form-urlencoded');
  }
}

/**
 * Who the client says it is: HTTP Basic (RFC 6749's recommended form) or `client_id` and
 * `client_secret` among the body's fields (VK Cloud's form, and RFC 6749's alternative), never
 * both. Secrets in the URL are refused: URLs end up in logs.
 */
export function presentedClient(event: HttpEvent, fields: { client_id?: string; client_secret?: string }): PresentedClient {
  const query = queryOf(event);
  for (const name of ['client_secret', 'refresh_token']) {
    if (Object.hasOwn(query, name)) throw oauthFailure.invalidRequest(`${name} must be sent in the request body, not in the URL`);
  }
  const basic = basicCredentials(event.headers?.authorization);
  if (!basic) return { clientId: fields.client_id || undefined, secret: fields.client_secret || undefined };
  if (fields.client_secret)
    throw oauthFailure.invalidRequest('use one way to authenticate the client: HTTP Basic or client_secret, not both');
  if (fields.client_id && fields.client_id !== basic.clientId) throw oauthFailure.invalidRequest('client_id is not the HTTP Basic user');
  return { clientId: basic.clientId || undefined, secret: basic.secret || undefined };
}
