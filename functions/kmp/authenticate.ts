import type { Client } from '../core/client.ts';
import { unauthenticated } from '../core/errors.ts';
import { parseHuaweiAuthorization, verifyHuaweiSignature } from '../core/huawei-signature.ts';
import { requestBody } from '../http/body-stream.ts';
import type { HttpEvent } from '../http/http-handler.ts';
import { clientAuth } from '../services/client-auth.ts';
import { config } from '../config.ts';
import { viewerHeaders } from '../http/viewer-host.ts';

/**
 * A KooMap client proves who it is the two ways Huawei's SDKs do (reference/kmp.md §6.1): an
 * `X-Auth-Token` (here Tessera's access token from /auth/oauth/v1/token), or an AK/SK signature
 * (`SDK-HMAC-SHA256`, AK = client id, SK = its secret), checked over the bytes as sent.
 */
export async function authenticateKmp(event: HttpEvent, now = Date.now()): Promise<Client> {
  const token = event.headers['x-auth-token'];
  if (token) return clientAuth.byAccessToken(token);
  if (!event.headers.authorization) throw unauthenticated('send an X-Auth-Token header or an SDK-HMAC-SHA256 Authorization header');
  const authorization = parseHuaweiAuthorization(event.headers.authorization);
  const request = {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: event.rawQueryString ?? '',
    headers: viewerHeaders(event, config.apiHosts()),
    body: requestBody(event),
  };
  return clientAuth.bySignature(authorization.accessKey, (secret) => verifyHuaweiSignature(request, authorization, secret, now));
}
