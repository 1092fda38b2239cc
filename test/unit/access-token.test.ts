import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import {
  MAX_ACTIVE_REFRESH_TOKENS,
  REMEMBERED_USED_TOKENS,
  judgeRefreshToken,
  newRefreshToken,
  readRefreshToken,
  signAccessToken,
  slotOfGrant,
  verifyAccessToken,
  withUsed,
  type RefreshSlot,
} from '../../functions/core/access-token.ts';
import { TesseraError, forbidden, invalidInput, unauthenticated } from '../../functions/core/errors.ts';
import { basicCredentials } from '../../functions/auth/credentials.ts';
import { describable, oauthError, oauthFailure } from '../../functions/auth/envelope.ts';

const NOW = Date.UTC(2026, 0, 1);
const DAY = 24 * 3600 * 1000;

const slot = (overrides: Partial<RefreshSlot> = {}): RefreshSlot => ({
  family: 7,
  hash: 'current',
  secretVersion: 1,
  issuedAt: NOW,
  expiresAt: NOW + 30 * DAY,
  used: ['first', 'second'],
  ...overrides,
});

describe('refresh tokens', () => {
  it('take the 25 slots in turn, one per grant, so the 26th grant replaces the first', () => {
    const slots = Array.from({ length: 60 }, (_, index) => slotOfGrant(index + 1));
    assert.equal(new Set(slots).size, MAX_ACTIVE_REFRESH_TOKENS);
    assert.equal(slotOfGrant(26), slotOfGrant(1));
    assert.ok(slots.every((taken) => taken >= 0 && taken < 25));
  });

  it('are 256 random bits and their slot; read back to the same slot and hash', () => {
    const made = newRefreshToken(17);
    assert.match(made.token, /^[A-Za-z0-9_-]{43}\.17$/);
    assert.deepEqual(readRefreshToken(made.token), { slot: 17, hash: made.hash });
    assert.notEqual(newRefreshToken(17).hash, made.hash);
    for (const odd of [
      '',
      'x.1',
      `${'a'.repeat(43)}.25`,
      `${'a'.repeat(43)}.01`,
      `${'a'.repeat(43)}.`,
      `${'a'.repeat(44)}.1`,
      `${'a'.repeat(43)}.1 `,
    ]) {
      assert.equal(readRefreshToken(odd), undefined, odd);
    }
  });

  it('are judged against their slot: current, replayed, revoked by a rotation, expired, or unknown', () => {
    assert.equal(judgeRefreshToken(slot(), 'current', NOW, 1), 'current');
    assert.equal(judgeRefreshToken(slot(), 'second', NOW, 1), 'replayed');
    assert.equal(judgeRefreshToken(slot(), 'first', NOW, 1), 'replayed');
    assert.equal(judgeRefreshToken(slot(), 'current', NOW, 2), 'revoked');
    assert.equal(judgeRefreshToken(slot(), 'current', NOW + 30 * DAY, 1), 'expired');
    assert.equal(judgeRefreshToken(slot(), 'other', NOW, 1), 'unknown');
    assert.equal(judgeRefreshToken(undefined, 'current', NOW, 1), 'unknown');
    // A revoked family has no current token; its used ones are still replays.
    assert.equal(judgeRefreshToken(slot({ hash: undefined }), 'current', NOW, 1), 'unknown');
    assert.equal(judgeRefreshToken(slot({ hash: undefined }), 'first', NOW, 1), 'replayed');
  });

  it('remember the most recent used tokens of a family', () => {
    let used: string[] = [];
    for (let index = 0; index < REMEMBERED_USED_TOKENS + 5; index++) used = withUsed(used, `t${index}`);
    assert.equal(used.length, REMEMBERED_USED_TOKENS);
    assert.equal(used[0], 't5');
    assert.equal(used.at(-1), `t${REMEMBERED_USED_TOKENS + 4}`);
  });
});

describe('access tokens', () => {
  const key = randomBytes(32);
  const keys = (keyId: string) => Promise.resolve(keyId === 'k1' ? key : undefined);
  const sign = (overrides: { now?: number; keyId?: string; signWith?: Uint8Array } = {}) =>
    signAccessToken({
      clientId: 'tcclient',
      secretVersion: 3,
      now: overrides.now ?? NOW,
      ttlSeconds: 3600,
      keyId: overrides.keyId ?? 'k1',
      key: overrides.signWith ?? key,
    });

  it('carry the client, its secret version and a one-hour lifetime, and verify', async () => {
    const token = await sign();
    const claims = decodeJwt(token);
    assert.equal(claims.exp! - claims.iat!, 3600);
    const outcome = await verifyAccessToken(token, keys, NOW + 1000);
    assert.equal(outcome.ok, true);
    if (!outcome.ok) return;
    assert.equal(outcome.claims.clientId, 'tcclient');
    assert.equal(outcome.claims.secretVersion, 3);
    assert.equal(outcome.claims.expiresAt, NOW / 1000 + 3600);
    assert.notEqual(decodeJwt(await sign()).jti, claims.jti, 'each token has its own id');
  });

  it('are refused when expired, forged, unknown-keyed, missing or malformed', async () => {
    const token = await sign();
    assert.deepEqual(await verifyAccessToken(token, keys, NOW + 3600 * 1000), { ok: false, problem: 'expired' });
    assert.deepEqual(await verifyAccessToken(await sign({ signWith: randomBytes(32) }), keys, NOW), { ok: false, problem: 'invalid' });
    assert.deepEqual(await verifyAccessToken(await sign({ keyId: 'k9' }), keys, NOW), { ok: false, problem: 'invalid' });
    assert.deepEqual(await verifyAccessToken(undefined, keys, NOW), { ok: false, problem: 'missing' });
    assert.deepEqual(await verifyAccessToken('a.b', keys, NOW), { ok: false, problem: 'malformed' });
  });

  it('never read a key for a malformed token or one signed with alg none', async () => {
    let reads = 0;
    const counting = (keyId: string) => {
      reads++;
      return keys(keyId);
    };
    const [, payload] = (await sign()).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'k1' })).toString('base64url')}.${payload}.`;
    assert.deepEqual(await verifyAccessToken(none, counting, NOW), { ok: false, problem: 'invalid' });
    assert.deepEqual(await verifyAccessToken('not a token', counting, NOW), { ok: false, problem: 'malformed' });
    assert.equal(reads, 0);
  });
});

describe('the OAuth error envelope', () => {
  const render = (error: unknown) => {
    const result = oauthError(error);
    return { status: result.statusCode, body: JSON.parse(result.body ?? '') as unknown, headers: result.headers ?? {} };
  };

  it('answers each OAuth code with its status, uncached; invalid_client with a challenge', () => {
    assert.deepEqual(render(oauthFailure.invalidRequest('x is required')).body, {
      error: 'invalid_request',
      error_description: 'x is required',
    });
    assert.equal(render(oauthFailure.invalidGrant('no')).status, 400);
    assert.equal(render(oauthFailure.unsupportedGrantType('no')).status, 400);
    const client = render(oauthFailure.invalidClient());
    assert.equal(client.status, 401);
    assert.deepEqual(client.body, { error: 'invalid_client', error_description: 'client authentication failed' });
    assert.match(String(client.headers['www-authenticate']), /^Basic realm="tessera"/);
    assert.equal(client.headers['cache-control'], 'no-store');
  });

  it("maps the kit's own failures (unreadable bodies) to invalid_request, and anything else to a bare server_error", () => {
    assert.equal((render(invalidInput('body is not valid JSON')).body as { error: string }).error, 'invalid_request');
    assert.equal((render(unauthenticated('who?')).body as { error: string }).error, 'invalid_client');
    for (const unexpected of [new Error('ECONNRESET at 10.0.0.1'), new TesseraError('internal', 'secret detail'), forbidden('x')]) {
      const answer = render(unexpected);
      assert.equal(answer.status, 500);
      assert.deepEqual(answer.body, { error: 'server_error' });
      assert.equal(answer.headers['cache-control'], 'no-store');
    }
  });

  it('keeps error_description within its character set', () => {
    assert.equal(describable('type "text/plain" \\ é\n'), "type 'text/plain' / ??");
  });
});

describe('HTTP Basic client credentials', () => {
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

  it('read the form-urlencoded id and secret; other schemes are not credentials', () => {
    assert.deepEqual(basicCredentials(basic('tcclient:s3cret')), { clientId: 'tcclient', secret: 's3cret' });
    assert.deepEqual(basicCredentials(basic('a%3Ab:c+d%2B:e')), { clientId: 'a:b', secret: 'c d+:e' });
    assert.deepEqual(basicCredentials(`bAsIc   ${Buffer.from('x:').toString('base64')}`), { clientId: 'x', secret: '' });
    assert.equal(basicCredentials(undefined), undefined);
    assert.equal(basicCredentials('Bearer abc'), undefined);
    assert.equal(basicCredentials('Basicx abc'), undefined);
  });

  it('refuse a malformed header with invalid_request', () => {
    for (const header of ['Basic', 'Basic !!!', basic('no-colon'), basic('a:%E0%A4%A')]) {
      assert.throws(
        () => basicCredentials(header),
        (error: unknown) => error instanceof TesseraError && error.reason === 'invalid_request',
        header,
      );
    }
  });
});
