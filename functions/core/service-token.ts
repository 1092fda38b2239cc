import { createHash, randomBytes } from 'node:crypto';

/**
 * Service tokens: what VK Cloud's console calls a non-expiring token, made and revoked by the
 * client CLI. 256 random bits behind a prefix that tells them from access tokens (JWTs) at a
 * glance; only their SHA-256 is stored, so the table cannot be replayed.
 */
const PREFIX = 'tsvc_';
const PATTERN = /^tsvc_[A-Za-z0-9_-]{43}$/;

/** As VK Cloud allows: at most 25 active tokens of a kind per project. */
export const MAX_SERVICE_TOKENS = 25;

export const newServiceToken = (): string => `${PREFIX}${randomBytes(32).toString('base64url')}`;

export const isServiceTokenShaped = (token: string): boolean => PATTERN.test(token);

export const serviceTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** What the CLI shows and revokes a token by: not the token, and not enough to find it. */
export const newServiceTokenId = (): string => randomBytes(6).toString('hex');
