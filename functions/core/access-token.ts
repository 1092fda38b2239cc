import { randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { secretLookupHash } from './secret.ts';

/**
 * Tessera's access tokens: JWTs (RFC 7519, shaped as RFC 9068's access-token profile) signed with
 * HS256 under one server-side key, so a token is checked by its signature and claims alone, never
 * looked up. What makes a token void before it expires is `sv`: the client's secret version when
 * it was issued, compared with the client's current one (rotating the secret revokes every token).
 */
export const ACCESS_TOKEN = {
  issuer: 'tessera/auth',
  audience: 'tessera',
  /** RFC 9068's media type for JWT access tokens, so no other JWT the key might sign reads as one. */
  type: 'at+jwt',
  algorithm: 'HS256',
  /** Longer than this is not one of ours, whatever it holds: refused before any parsing. */
  maxLength: 2048,
} as const;

/** What a verified token says. */
export interface AccessTokenClaims {
  readonly clientId: string;
  readonly secretVersion: number;
  readonly tokenId: string;
  readonly issuedAt: number;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

export interface SignInput {
  readonly clientId: string;
  readonly secretVersion: number;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly ttlSeconds: number;
  readonly keyId: string;
  readonly key: KeyObject | Uint8Array;
}

export async function signAccessToken(input: SignInput): Promise<string> {
  const issuedAt = Math.floor(input.now / 1000);
  return new SignJWT({ client_id: input.clientId, sv: input.secretVersion })
    .setProtectedHeader({ alg: ACCESS_TOKEN.algorithm, typ: ACCESS_TOKEN.type, kid: input.keyId })
    .setIssuer(ACCESS_TOKEN.issuer)
    .setAudience(ACCESS_TOKEN.audience)
    .setSubject(input.clientId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + input.ttlSeconds)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(input.key);
}

/** Why a token was refused, as far as its text and signature tell (revocation needs the client). */
export type TokenProblem = 'missing' | 'malformed' | 'invalid' | 'expired';

export type VerifyOutcome =
  { readonly ok: true; readonly claims: AccessTokenClaims } | { readonly ok: false; readonly problem: TokenProblem };

/** The key a `kid` names, or undefined when there is none (the token is then forged). */
export type KeyResolver = (keyId: string) => Promise<KeyObject | Uint8Array | undefined>;

/** Thrown out of the resolver so that jose stops: the token names a key Tessera does not have. */
class UnknownKey extends Error {}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** jose's error codes, by what they mean for the caller. */
const PROBLEMS: Readonly<Record<string, TokenProblem>> = {
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWS_INVALID: 'malformed',
  ERR_JWT_INVALID: 'malformed',
};

const isClaims = (payload: JWTPayload): payload is JWTPayload & { sub: string; sv: number; jti: string; iat: number; exp: number } =>
  typeof payload.sub === 'string' &&
  payload.sub.length > 0 &&
  payload.client_id === payload.sub &&
  Number.isSafeInteger(payload.sv) &&
  typeof payload.jti === 'string';

/**
 * Checks a token's form, signature (HS256 only: `none` and every other algorithm are refused
 * before any key is read), type, issuer, audience and lifetime. A token that is not even shaped
 * like a JWS is refused without asking for a key.
 */
export async function verifyAccessToken(token: string | undefined, keyFor: KeyResolver, now: number): Promise<VerifyOutcome> {
  if (!token) return { ok: false, problem: 'missing' };
  if (token.length > ACCESS_TOKEN.maxLength || !COMPACT_JWS.test(token)) return { ok: false, problem: 'malformed' };
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = typeof header.kid === 'string' ? await keyFor(header.kid) : undefined;
        if (!key) throw new UnknownKey();
        return key;
      },
      {
        algorithms: [ACCESS_TOKEN.algorithm],
        typ: ACCESS_TOKEN.type,
        issuer: ACCESS_TOKEN.issuer,
        audience: ACCESS_TOKEN.audience,
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        currentDate: new Date(now),
      },
    );
    if (!isClaims(payload)) return { ok: false, problem: 'invalid' };
    return {
      ok: true,
      claims: { clientId: payload.sub, secretVersion: payload.sv, tokenId: payload.jti, issuedAt: payload.iat, expiresAt: payload.exp },
    };
  } catch (error) {
    if (error instanceof UnknownKey) return { ok: false, problem: 'invalid' };
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_J')) throw error;
    // Bad signatures, other algorithms, wrong type/issuer/audience, claims not as issued: forged.
    return { ok: false, problem: PROBLEMS[code] ?? 'invalid' };
  }
}

/**
 * Refresh tokens: opaque (256 random bits), kept only as their SHA-256. A client has 25 slots
 * (VK Cloud's limit of 25 active refresh tokens): each client-credentials grant takes the next
 * slot in turn, replacing the family that was there (the one begun 25 grants earlier), and each
 * use of a token replaces it, in its slot, by the next of its family. So the count is bounded by
 * construction, and no two grants ever contend for one record. The slot's number travels at
 * the end of the token (`<random>.<slot>`), so a token is found without a search.
 *
 * Presenting a token that its family has already moved past is a replay: the token leaked, or
 * the client lost an answer. Either way the family is revoked (OAuth 2.0 Security BCP, §4.14.2).
 */
export const MAX_ACTIVE_REFRESH_TOKENS = 25;
/** How many used tokens of its family a slot remembers, to recognise their replay. */
export const REMEMBERED_USED_TOKENS = 20;

export interface RefreshSlot {
  /** The grant that began the family: its sequence number among the client's grants. */
  readonly family: number;
  /** The family's current token; absent once the family is revoked. */
  readonly hash?: string;
  /** The client's secret version at the grant: a rotation revokes the family. */
  readonly secretVersion: number;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The family's used tokens, the most recent last. */
  readonly used: readonly string[];
}

export const slotOfGrant = (sequence: number): number => sequence % MAX_ACTIVE_REFRESH_TOKENS;

export function newRefreshToken(slot: number): { readonly token: string; readonly hash: string } {
  const token = `${randomBytes(32).toString('base64url')}.${slot}`;
  return { token, hash: secretLookupHash(token) };
}

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}\.(0|[1-9]\d?)$/;

/** The slot a token names and its hash; undefined when it cannot be one of ours. */
export function readRefreshToken(token: string): { readonly slot: number; readonly hash: string } | undefined {
  const slot = REFRESH_TOKEN.exec(token)?.[1];
  if (slot === undefined || Number(slot) >= MAX_ACTIVE_REFRESH_TOKENS) return undefined;
  return { slot: Number(slot), hash: secretLookupHash(token) };
}

/**
 * What a presented token is, given its slot: its family's current token (usable), an earlier one
 * (a replay), one of an older secret (revoked), expired, or nothing Tessera knows (never issued to
 * this client, replaced by a later grant, or its family revoked).
 */
export type RefreshVerdict = 'current' | 'replayed' | 'revoked' | 'expired' | 'unknown';

export function judgeRefreshToken(slot: RefreshSlot | undefined, hash: string, now: number, secretVersion: number): RefreshVerdict {
  if (!slot) return 'unknown';
  if (slot.hash === hash) {
    if (slot.secretVersion !== secretVersion) return 'revoked';
    return slot.expiresAt > now ? 'current' : 'expired';
  }
  return slot.used.includes(hash) ? 'replayed' : 'unknown';
}

/** The slot's used tokens once `hash` is used too. */
export const withUsed = (used: readonly string[], hash: string): string[] => [...used, hash].slice(-REMEMBERED_USED_TOKENS);
