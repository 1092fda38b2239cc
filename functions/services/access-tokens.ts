import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  judgeRefreshToken,
  newRefreshToken,
  readRefreshToken,
  signAccessToken,
  slotOfGrant,
  verifyAccessToken,
  type VerifyOutcome,
} from '../core/access-token.ts';
import { isActive, type Client } from '../core/client.ts';
import { tokenConfig } from '../config.ts';
import { clientRegistry } from '../adapters/client-registry.ts';
import { refreshTokenStore, signingKeys } from '../adapters/token-store.ts';

/** The signing key's id, in every token's `kid`: a later key (rotation) gets the next id. */
export const CURRENT_KEY_ID = 'k1';

/**
 * The signing key as one container holds it: read (and opened) once, then kept; made, on the
 * first issue anywhere, by a conditional create that every racing container agrees on.
 * Verifying never makes a key: a token naming a key that does not exist is forged.
 */
export class SigningKeyring {
  readonly #ready = new Map<string, KeyObject>();
  readonly #pending = new Map<string, Promise<KeyObject | undefined>>();

  async forSigning(): Promise<{ keyId: string; key: KeyObject }> {
    const key = await this.#get(CURRENT_KEY_ID, true);
    if (!key) throw new Error('the signing key could not be made');
    return { keyId: CURRENT_KEY_ID, key };
  }

  forVerifying(keyId: string): Promise<KeyObject | undefined> {
    return keyId === CURRENT_KEY_ID ? this.#get(keyId, false) : Promise.resolve(undefined);
  }

  #get(keyId: string, create: boolean): Promise<KeyObject | undefined> {
    const ready = this.#ready.get(keyId);
    if (ready) return Promise.resolve(ready);
    // Concurrent requests in one container share one read (or one creation); only a key is kept.
    const slot = `${create ? 'create' : 'read'}:${keyId}`;
    let pending = this.#pending.get(slot);
    if (!pending) {
      pending = (async () => {
        const raw = (await signingKeys.read(keyId)) ?? (create ? await signingKeys.create(keyId) : undefined);
        if (!raw) return undefined;
        const key = createSecretKey(raw);
        this.#ready.set(keyId, key);
        return key;
      })().finally(() => this.#pending.delete(slot));
      this.#pending.set(slot, pending);
    }
    return pending;
  }
}

const keyring = new SigningKeyring();

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds. */
  readonly expiresIn: number;
}

export type RefreshProblem = 'unknown' | 'expired' | 'replayed' | 'revoked' | 'disabled';
export type RefreshResult =
  { readonly ok: true; readonly client: Client; readonly tokens: IssuedTokens } | { readonly ok: false; readonly problem: RefreshProblem };

async function accessTokenFor(client: Client, now: number): Promise<{ accessToken: string; expiresIn: number }> {
  const { keyId, key } = await keyring.forSigning();
  const expiresIn = tokenConfig.accessTokenTtlSeconds();
  const accessToken = await signAccessToken({
    clientId: client.clientId,
    secretVersion: client.secretVersion,
    now,
    ttlSeconds: expiresIn,
    keyId,
    key,
  });
  return { accessToken, expiresIn };
}

const refreshExpiry = (now: number) => now + tokenConfig.refreshTokenTtlSeconds() * 1000;

const failed = (problem: RefreshProblem): RefreshResult => ({ ok: false, problem });

/**
 * Access tokens (signed, stateless, one hour) and refresh tokens (opaque, stored as hashes,
 * rotated on every use, at most 25 active per client) for clients that authenticated with their
 * id and secret.
 */
export const accessTokens = {
  /**
   * The client-credentials grant: a new access token, and the first refresh token of a new family
   * in the client's next slot (dropping the family begun 25 grants ago, if it is still there).
   */
  async issue(client: Client, now = Date.now()): Promise<IssuedTokens> {
    const access = await accessTokenFor(client, now);
    const family = await refreshTokenStore.nextGrant(client.clientId);
    const slot = slotOfGrant(family);
    const refresh = newRefreshToken(slot);
    await refreshTokenStore.begin(client.clientId, slot, {
      family,
      hash: refresh.hash,
      secretVersion: client.secretVersion,
      issuedAt: now,
      expiresAt: refreshExpiry(now),
      used: [],
    });
    return { accessToken: access.accessToken, refreshToken: refresh.token, expiresIn: access.expiresIn };
  },

  /**
   * The refresh grant: consumes `refreshToken` and answers a new access token and the next
   * refresh token of its family, in its slot. `client` is given when the caller also
   * authenticated with the secret; otherwise the refresh token alone vouches for the client
   * named. An unknown client and another client's or an unknown token are told apart by nothing,
   * not even the work done (the client's read, the slot's read).
   */
  async refresh(clientId: string, refreshToken: string, options: { client?: Client; now?: number } = {}): Promise<RefreshResult> {
    const now = options.now ?? Date.now();
    const presented = readRefreshToken(refreshToken);
    const client = options.client ?? (await clientRegistry.get(clientId));
    const slot = presented && (await refreshTokenStore.read(clientId, presented.slot));
    if (!client || !presented) return failed('unknown');
    const verdict = judgeRefreshToken(slot, presented.hash, now, client.secretVersion);
    if (verdict === 'replayed') {
      await refreshTokenStore.revoke(clientId, presented.slot, slot!.family);
      return failed('replayed');
    }
    if (verdict !== 'current') return failed(verdict);
    // Only a holder of a real token learns that the client is disabled; the token stays as it was.
    if (!isActive(client)) return failed('disabled');
    const next = newRefreshToken(presented.slot);
    const rotated = await refreshTokenStore.rotate(clientId, presented.slot, slot!, {
      hash: next.hash,
      issuedAt: now,
      expiresAt: refreshExpiry(now),
    });
    if (!rotated) {
      // Used by a request that came first (a replay: revoke), or its family replaced by a new grant.
      const current = await refreshTokenStore.read(clientId, presented.slot);
      if (judgeRefreshToken(current, presented.hash, now, client.secretVersion) !== 'replayed') return failed('unknown');
      await refreshTokenStore.revoke(clientId, presented.slot, current!.family);
      return failed('replayed');
    }
    const access = await accessTokenFor(client, now);
    return { ok: true, client, tokens: { accessToken: access.accessToken, refreshToken: next.token, expiresIn: access.expiresIn } };
  },

  /** The token's claims if its form, signature and lifetime hold; what is wrong with it if not. Revocation is the caller's check. */
  verify: (token: string | undefined, now = Date.now()): Promise<VerifyOutcome> =>
    verifyAccessToken(token, (keyId) => keyring.forVerifying(keyId), now),
};
