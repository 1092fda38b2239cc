import { invalidInput, isTesseraError, unauthenticated, type TesseraError } from '../core/errors.ts';
import type { HttpResult } from '../http/http-handler.ts';
import type { IssuedTokens } from '../services/access-tokens.ts';

/** RFC 6749 §5.2's error codes that the token endpoint answers with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';
const CODES: readonly string[] = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
] satisfies OAuthErrorCode[];

/** One answer for an unknown client, a wrong secret and a disabled client: nothing tells them apart. */
export const CLIENT_AUTHENTICATION_FAILED = 'client authentication failed';

/** The failures the route raises, each carrying its OAuth code as the error's reason. */
export const oauthFailure = {
  invalidRequest: (description: string) => invalidInput(description, 'invalid_request'),
  invalidClient: () => unauthenticated(CLIENT_AUTHENTICATION_FAILED, 'invalid_client'),
  invalidGrant: (description: string) => invalidInput(description, 'invalid_grant'),
  unsupportedGrantType: (description: string) => invalidInput(description, 'unsupported_grant_type'),
};

/** Tokens and failures alike must never be cached (RFC 6749 §5.1). */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

const answer = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
  body: JSON.stringify(body),
});

/** RFC 6749 §5.1: the access token, its type and lifetime, and the refresh token that renews it. */
export const tokenAnswer = (tokens: IssuedTokens): HttpResult =>
  answer(200, {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
  });

/** error_description may hold only printable ASCII other than `"` and `\` (RFC 6749 §5.2). */
export const describable = (text: string): string =>
  text
    .replaceAll('"', "'")
    .replaceAll('\\', '/')
    .replace(/[^\x20-\x7e]/g, '?');

function codeOf(error: TesseraError): OAuthErrorCode | undefined {
  if (error.reason && CODES.includes(error.reason)) return error.reason as OAuthErrorCode;
  if (error.kind === 'unauthenticated') return 'invalid_client';
  // Bodies that cannot be read (bad JSON, an unsupported content type, a repeated field).
  if (error.kind === 'invalid-input' || error.kind === 'too-large') return 'invalid_request';
  return undefined;
}

/**
 * RFC 6749 §5.2: `{error, error_description}`, 400, or 401 with a challenge for invalid_client;
 * anything unexpected is `{"error":"server_error"}`, 500, with nothing of what went wrong.
 */
export function oauthError(error: unknown): HttpResult {
  const code = isTesseraError(error) && error.kind !== 'internal' ? codeOf(error) : undefined;
  if (!code) return answer(500, { error: 'server_error' });
  const body = { error: code, error_description: describable((error as TesseraError).message) };
  if (code !== 'invalid_client') return answer(400, body);
  return answer(401, body, { 'www-authenticate': 'Basic realm="tessera", charset="UTF-8"' });
}
