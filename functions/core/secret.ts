import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes: long enough that an unsalted hash of it cannot be reversed by search. */
export const generateSecret = (): string => randomBytes(32).toString('base64url');

export const generateClientId = (): string => `tc${randomBytes(8).toString('hex')}`;

/**
 * The storage dialect identifies a client by its secret alone, so the registry needs a
 * deterministic index over secrets. A SHA-256 of a 256-bit random secret is safe to store and
 * index: there is nothing to brute-force, which is what a salt would otherwise protect against.
 */
export const secretLookupHash = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** Compares two strings without leaking, through timing, how long their common prefix is. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
