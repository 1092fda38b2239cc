import { randomBytes } from 'node:crypto';
import type { TokenProblem } from '../core/access-token.ts';
import { isActive, type Client } from '../core/client.ts';
import { forbidden, unauthenticated } from '../core/errors.ts';
import { constantTimeEqual } from '../core/secret.ts';
import { isServiceTokenShaped } from '../core/service-token.ts';
import { clientRegistry } from '../adapters/client-registry.ts';
import { serviceTokens } from '../adapters/service-token-store.ts';
import { accessTokens } from './access-tokens.ts';

/** Compared with the secret presented for an unknown client, so that it costs what a known one does; never a secret. */
const NO_SECRET = randomBytes(32).toString('base64url');

const TOKEN_PROBLEMS: Readonly<Record<TokenProblem, string>> = {
  missing: 'access token is required',
  malformed: 'access token is malformed',
  invalid: 'access token is not valid',
  expired: 'access token has expired',
};

/**
 * How every dialect learns who is calling, whatever its wire shows: a client known by its secret
 * (storage), by its id with its secret opened to check a signature (ost, ci, kmp), by its id and
 * secret (the token endpoint), or by an access token (kmp's X-Auth-Token, vision's oauth_token).
 * A disabled client is refused here, once for all of them.
 */
export const clientAuth = {
  requireActive(client: Client): Client {
    if (!isActive(client)) throw forbidden('this client is disabled');
    return client;
  },

  /** The client a secret belongs to, or undefined. */
  bySecret: (secret: string): Promise<Client | undefined> => clientRegistry.findBySecret(secret),

  /**
   * The active client a signed request names, once `verify` (which throws) has accepted the
   * signature under its secret. An unknown id is verified against a stand-in secret: the same work
   * and the same refusal as a wrong signature, so no answer tells whether a client exists.
   */
  async bySignature(clientId: string, verify: (secret: string) => void): Promise<Client> {
    const found = await clientRegistry.withSecret(clientId);
    verify(found?.secret ?? NO_SECRET);
    // Only if someone signed with the stand-in, which never leaves this process.
    if (!found) throw unauthenticated('the signature does not match');
    return clientAuth.requireActive(found.client);
  },

  /**
   * The client whose id and secret these are, if it is active; undefined for an unknown id, a
   * wrong secret and a disabled client alike, after the same work (one read, one constant-time
   * comparison), so the answer tells none of them apart.
   */
  async byCredentials(clientId: string, secret: string): Promise<Client | undefined> {
    const found = await clientRegistry.withSecret(clientId);
    const matches = constantTimeEqual(secret, found?.secret ?? NO_SECRET);
    return found && matches && isActive(found.client) ? found.client : undefined;
  },

  /**
   * The client an access token (from POST /auth/oauth/v1/token) was issued to. Costs the client's
   * read, and once per container the signing key's; no token is looked up. Throws
   * `unauthenticated` with `reason` missing, malformed, invalid (forged, or another key's),
   * expired, revoked (the client's secret was rotated since) or disabled; each dialect words
   * that in its own envelope.
   */
  async byAccessToken(token: string | undefined, options: { now?: number } = {}): Promise<Client> {
    const verified = await accessTokens.verify(token, options.now);
    if (!verified.ok) throw unauthenticated(TOKEN_PROBLEMS[verified.problem], verified.problem);
    const client = await clientRegistry.get(verified.claims.clientId);
    if (!client) throw unauthenticated(TOKEN_PROBLEMS.invalid, 'invalid');
    if (client.secretVersion !== verified.claims.secretVersion)
      throw unauthenticated("access token was revoked: the client's secret was rotated", 'revoked');
    if (!isActive(client)) throw unauthenticated('this client is disabled', 'disabled');
    return client;
  },

  /**
   * The client of a vision `oauth_token`: an access token, or a service token (non-expiring, made
   * and revoked with the client CLI) read by its hash. An unknown service token is refused in the
   * words of a forged access token.
   */
  async byOAuthToken(token: string | undefined, options: { now?: number } = {}): Promise<Client> {
    if (!token || !isServiceTokenShaped(token)) return clientAuth.byAccessToken(token, options);
    const record = await serviceTokens.find(token);
    const client = record && (await clientRegistry.get(record.clientId));
    if (!client) throw unauthenticated(TOKEN_PROBLEMS.invalid, 'invalid');
    if (!isActive(client)) throw unauthenticated('this client is disabled', 'disabled');
    return client;
  },
};
