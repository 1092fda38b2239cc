import type { Client } from '../core/client.ts';
import { forbidden, invalidInput } from '../core/errors.ts';
import { parseAuthorization, verifySignature } from '../core/xfyun-signature.ts';
import { clientAuth } from '../services/client-auth.ts';
import type { HttpEvent } from '../http/http-handler.ts';
import { config } from '../config.ts';
import { viewerHeaders } from '../http/viewer-host.ts';

/**
 * Authenticates an xfyun-signed request: `api_key` names the client, the HMAC is keyed by its
 * secret, and the `app_id` in the body must be that same client. Tessera's extension: an
 * `X-Auth-Token` (an access token, docs/auth.md) instead of the signature, for callers that must
 * not hold the secret (the web console); `app_id` must then be the token's client.
 */
export async function authenticateXfyun(event: HttpEvent, appId: string | undefined, now = Date.now()): Promise<Client> {
  const token = event.headers['x-auth-token'];
  if (token) {
    const client = await clientAuth.byAccessToken(token, { now });
    if (!appId) throw invalidInput('app_id is required');
    if (appId !== client.clientId) throw forbidden('app_id does not belong to this access token');
    return client;
  }
  const authorization = parseAuthorization(event.headers.authorization);
  const client = await clientAuth.bySignature(authorization.apiKey, (secret) =>
    verifySignature(
      { method: event.requestContext.http.method, path: event.rawPath, headers: viewerHeaders(event, config.apiHosts()) },
      authorization,
      secret,
      now,
    ),
  );
  if (!appId) throw invalidInput('app_id is required');
  if (appId !== client.clientId) throw forbidden('app_id does not belong to this api_key');
  return client;
}
