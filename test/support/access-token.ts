import assert from 'node:assert/strict';

/** An access token from POST /auth/oauth/v1/token (docs/auth.md): kmp's X-Auth-Token, vision's oauth_token. */
export async function accessTokenOf(endpoint: string, clientId: string, secret: string): Promise<string> {
  const response = await fetch(`${endpoint}/auth/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: clientId, client_secret: secret, grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { access_token?: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.access_token!;
}
