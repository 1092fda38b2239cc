import * as z from 'zod/mini';
import { accessTokens, type RefreshProblem } from '../services/access-tokens.ts';
import { clientAuth } from '../services/client-auth.ts';
import { presentedClient } from './credentials.ts';
import { GRANT_TYPE_REQUIRED, authDialect } from './dialect.ts';
import { oauthFailure, tokenAnswer } from './envelope.ts';

const GRANT_TYPES = ['client_credentials', 'refresh_token'] as const;

const text = (name: string, max: number) => z.optional(z.string().check(z.maxLength(max, `${name} is longer than ${max} characters`)));

/** The fields of both grants; which of them a grant needs is checked by the route. */
export const TokenRequest = z.object({
  grant_type: z.enum(GRANT_TYPES, {
    error: (issue) =>
      issue.input === undefined || issue.input === '' ? GRANT_TYPE_REQUIRED : 'grant_type must be client_credentials or refresh_token',
  }),
  client_id: text('client_id', 256),
  client_secret: text('client_secret', 1024),
  refresh_token: text('refresh_token', 1024),
  /** Accepted and ignored: a token is good for everything its client may do. */
  scope: text('scope', 1024),
});

const REFRESH_PROBLEMS: Readonly<Record<RefreshProblem, string>> = {
  unknown: 'refresh token is not valid',
  expired: 'refresh token has expired',
  replayed: 'refresh token was already used: every refresh token issued after it is revoked',
  revoked: "refresh token was revoked: the client's secret was rotated",
  disabled: 'the client is disabled',
};

/**
 * POST /auth/oauth/v1/token: the client-credentials grant (client id and secret → an access
 * token for one hour and a refresh token) and the refresh grant (a refresh token, used once →
 * the next pair). JSON (VK Cloud) or urlencoded (RFC 6749) bodies.
 */
export const route = authDialect.route(
  { summary: 'Issue an access token (client credentials) or renew it (refresh token)', body: { form: TokenRequest } },
  async ({ event, body }) => {
    const { clientId, secret } = presentedClient(event, body);
    if (!clientId) throw oauthFailure.invalidRequest('client_id is required');
    if (body.grant_type === 'client_credentials') {
      if (!secret) throw oauthFailure.invalidRequest('client_secret is required');
      const client = await clientAuth.byCredentials(clientId, secret);
      if (!client) throw oauthFailure.invalidClient();
      return tokenAnswer(await accessTokens.issue(client));
    }
    if (!body.refresh_token) throw oauthFailure.invalidRequest('refresh_token is required');
    // VK's refresh form carries no secret: the refresh token vouches for the client. A secret, when sent, must be right.
    const client = secret === undefined ? undefined : await clientAuth.byCredentials(clientId, secret);
    if (secret !== undefined && !client) throw oauthFailure.invalidClient();
    const refreshed = await accessTokens.refresh(clientId, body.refresh_token, { client });
    if (!refreshed.ok) throw oauthFailure.invalidGrant(REFRESH_PROBLEMS[refreshed.problem]);
    return tokenAnswer(refreshed.tokens);
  },
);

export const handler = route.handler;
