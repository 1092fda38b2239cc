import type { Client } from '../core/client.ts';
import { parseCosAuthorization, verifyCos } from '../core/cos-signature.ts';
import { clientAuth } from '../services/client-auth.ts';
import type { HttpEvent } from '../http/http-handler.ts';
import { queryOf } from '../http/form.ts';
import { config } from '../config.ts';
import { viewerHeaders } from '../http/viewer-host.ts';

/**
 * COS-signed requests: SecretId is the client id, SecretKey its secret. The signature comes in
 * the Authorization header or, for presigned requests, in the query string (then it is not
 * itself a signed parameter). Tessera's extension: an `X-Auth-Token` (an access token,
 * docs/auth.md) instead, for callers that must not hold the secret (the web console).
 */
export async function authenticateCos(event: HttpEvent, now = Date.now()): Promise<Client> {
  const token = event.headers['x-auth-token'];
  if (token) return clientAuth.byAccessToken(token, { now });
  const params = queryOf(event);
  const fromQuery = params['q-sign-algorithm']
    ? new URLSearchParams(Object.entries(params).filter(([name]) => name.startsWith('q-'))).toString()
    : undefined;
  const authorization = parseCosAuthorization(event.headers.authorization ?? fromQuery);
  const signedQuery = Object.fromEntries(Object.entries(params).filter(([name]) => !name.startsWith('q-')));
  return clientAuth.bySignature(authorization.secretId, (secret) =>
    verifyCos(
      {
        method: event.requestContext.http.method,
        path: event.rawPath,
        query: signedQuery,
        headers: viewerHeaders(event, config.apiHosts()),
      },
      authorization,
      secret,
      Math.floor(now / 1000),
    ),
  );
}
