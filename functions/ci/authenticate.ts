import type { Client } from '../core/client.ts';
import { isActive } from '../core/client.ts';
import { parseCosAuthorization, verifyCos } from '../core/cos-signature.ts';
import { forbidden, unauthenticated } from '../core/errors.ts';
import { clientRegistry } from '../adapters/client-registry.ts';
import type { HttpEvent } from '../http/http-handler.ts';

export function queryOf(event: HttpEvent): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? '')) result[name] = value;
  return result;
}

/**
 * COS-signed requests: SecretId is the client id, SecretKey its secret. The signature comes in
 * the Authorization header or, for presigned requests, in the query string (then it is not
 * itself a signed parameter).
 */
export async function authenticateCos(event: HttpEvent, now = Date.now()): Promise<Client> {
  const params = queryOf(event);
  const fromQuery = params['q-sign-algorithm'] ? new URLSearchParams(Object.entries(params).filter(([name]) => name.startsWith('q-'))).toString() : undefined;
  const authorization = parseCosAuthorization(event.headers.authorization ?? fromQuery);
  const found = await clientRegistry.withSecret(authorization.secretId);
  if (!found) throw unauthenticated('the SecretId does not exist', 'SecretidNotExist');
  const signedQuery = Object.fromEntries(Object.entries(params).filter(([name]) => !name.startsWith('q-')));
  verifyCos({ method: event.requestContext.http.method, path: event.rawPath, query: signedQuery, headers: event.headers }, authorization, found.secret, Math.floor(now / 1000));
  if (!isActive(found.client)) throw forbidden('this client is disabled');
  return found.client;
}

