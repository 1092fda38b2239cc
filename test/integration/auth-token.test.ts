import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { dynamo } from '../../functions/adapters/aws-clients.ts';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { refreshTokenStore, signingKeys } from '../../functions/adapters/token-store.ts';
import { ACCESS_TOKEN, newRefreshToken, signAccessToken } from '../../functions/core/access-token.ts';
import { isTesseraError } from '../../functions/core/errors.ts';
import { tableName } from '../../functions/resources.ts';
import { CURRENT_KEY_ID, SigningKeyring, accessTokens } from '../../functions/services/access-tokens.ts';
import { clientAuth } from '../../functions/services/client-auth.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { sdkCallsDuring } from '../support/sdk-calls.ts';

const A = { id: 'tcauthaaaa0000000001', secret: 'auth-secret-a' };
const stack = useLocalStack({ demo: { clientId: A.id, secret: A.secret, namespace: 'authdemo' }, worker: false });

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: Record<string, unknown>;
}

type Fields = Record<string, string | undefined>;

/** POSTs to the token endpoint: JSON (VK Cloud's form) by default, or urlencoded (RFC 6749's). */
async function token(
  fields: Fields,
  options: { urlencoded?: boolean; headers?: Record<string, string>; query?: string } = {},
): Promise<Answer> {
  const defined = Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const response = await fetch(`${stack.current.url}/auth/oauth/v1/token${options.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': options.urlencoded ? 'application/x-www-form-urlencoded' : 'application/json', ...options.headers },
    body: options.urlencoded ? new URLSearchParams(defined).toString() : JSON.stringify(defined),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Record<string, unknown> };
}

const credentials = (clientId: string, secret: string): Fields => ({
  client_id: clientId,
  client_secret: secret,
  grant_type: 'client_credentials',
});

async function issued(clientId: string, secret: string) {
  const answer = await token(credentials(clientId, secret));
  assert.equal(answer.status, 200, answer.text);
  return { access: String(answer.body.access_token), refresh: String(answer.body.refresh_token) };
}

const refresh = (clientId: string, refreshToken: string, extra: Fields = {}) =>
  token({ client_id: clientId, refresh_token: refreshToken, grant_type: 'refresh_token', ...extra });

function expectError(answer: Answer, status: number, error: string, description?: string | RegExp): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.body.error, error, answer.text);
  if (typeof description === 'string') assert.equal(answer.body.error_description, description);
  else if (description) assert.match(String(answer.body.error_description), description);
  assert.deepEqual(Object.keys(answer.body).sort(), ['error', 'error_description']);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
}

/** What byAccessToken refuses a token with: its reason (the dialects' cue) and message. */
async function refusal(accessToken: string | undefined, now?: number): Promise<{ reason: string | undefined; message: string }> {
  try {
    await clientAuth.byAccessToken(accessToken, { now });
  } catch (error) {
    assert.ok(isTesseraError(error) && error.kind === 'unauthenticated', String(error));
    return { reason: error.reason, message: error.message };
  }
  assert.fail('the token was accepted');
}

const newClient = async (name: string) => clientRegistry.create({ name, namespaces: [name] });

describe('the signing key', () => {
  // First in the file: on this fresh stack no token was ever issued, so no key exists yet.
  it('is made once when two containers race to issue the first-ever tokens: both sign with it, both tokens verify', async () => {
    const stored = () =>
      dynamo().send(
        new GetCommand({ TableName: tableName('tokens'), Key: { tokenKey: `signing-key#${CURRENT_KEY_ID}` }, ConsistentRead: true }),
      );
    assert.equal((await stored()).Item, undefined, 'no key before the first issue');
    const containers = [new SigningKeyring(), new SigningKeyring()];
    const keys = await Promise.all(containers.map((keyring) => keyring.forSigning()));
    assert.deepEqual(keys[0]!.key.export(), keys[1]!.key.export(), 'both containers hold the same key');
    const client = (await clientRegistry.get(A.id))!;
    const now = Date.now();
    for (const { keyId, key } of keys) {
      const signed = await signAccessToken({ clientId: A.id, secretVersion: client.secretVersion, now, ttlSeconds: 60, keyId, key });
      assert.equal((await clientAuth.byAccessToken(signed)).clientId, A.id);
    }
    // Over HTTP as well (this process's own keyring reads what the race left).
    const answers = await Promise.all([issued(A.id, A.secret), issued(A.id, A.secret)]);
    for (const answer of answers) assert.equal((await clientAuth.byAccessToken(answer.access)).clientId, A.id);
    const item = (await stored()).Item!;
    assert.match(String(item.sealedKey), /^aesgcm:/, 'sealed, never stored in the clear');
  });

  it('loses its creation race gracefully: both creators answer the one stored key', async () => {
    const [first, second] = await Promise.all([signingKeys.create('race-test'), signingKeys.create('race-test')]);
    assert.deepEqual(first, second);
    assert.deepEqual(await signingKeys.read('race-test'), first);
    assert.equal(first.length, 32);
  });
});

describe('POST /auth/oauth/v1/token: the client-credentials grant', () => {
  it('answers a JSON body (VK Cloud) with a one-hour JWT and a refresh token, uncached', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await token(credentials(A.id, A.secret));
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(Object.keys(answer.body), ['access_token', 'token_type', 'expires_in', 'refresh_token']);
    assert.equal(answer.body.token_type, 'Bearer');
    assert.equal(answer.body.expires_in, 3600);
    assert.match(String(answer.body.refresh_token), /^[A-Za-z0-9_-]{43}\.\d{1,2}$/);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get('pragma'), 'no-cache');
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);

    const accessToken = String(answer.body.access_token);
    assert.deepEqual(decodeProtectedHeader(accessToken), { alg: 'HS256', typ: 'at+jwt', kid: CURRENT_KEY_ID });
    const claims = decodeJwt(accessToken);
    assert.equal(claims.sub, A.id);
    assert.equal(claims.client_id, A.id);
    assert.equal(claims.iss, ACCESS_TOKEN.issuer);
    assert.equal(claims.aud, ACCESS_TOKEN.audience);
    assert.equal(claims.sv, 1);
    assert.match(String(claims.jti), /^[A-Za-z0-9_-]{22}$/);
    assert.ok(claims.iat! >= before && claims.iat! <= Math.ceil(Date.now() / 1000));
    assert.equal(claims.exp! - claims.iat!, 3600);
    assert.equal((await clientAuth.byAccessToken(accessToken)).clientId, A.id);
  });

  it('answers an urlencoded body (RFC 6749), and HTTP Basic client authentication', async () => {
    const form = await token(credentials(A.id, A.secret), { urlencoded: true });
    assert.equal(form.status, 200, form.text);
    assert.equal((await clientAuth.byAccessToken(String(form.body.access_token))).clientId, A.id);
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(A.id)}:${encodeURIComponent(A.secret)}`).toString('base64')}`;
    const viaBasic = await token({ grant_type: 'client_credentials' }, { urlencoded: true, headers: { authorization: basic } });
    assert.equal(viaBasic.status, 200, viaBasic.text);
    assert.equal(decodeJwt(String(viaBasic.body.access_token)).sub, A.id);
    // scope is accepted and ignored; unknown fields too.
    assert.equal((await token({ ...credentials(A.id, A.secret), scope: 'anything', extra: 'x' })).status, 200);
  });

  it('answers a wrong secret, an unknown client and a disabled client alike: 401 invalid_client, same body, same AWS calls', async () => {
    const disabled = await newClient('disabledauth');
    await clientRegistry.setStatus(disabled.client.clientId, 'disabled');
    const attempts = {
      wrongSecret: () => token(credentials(A.id, 'not-the-secret')),
      unknownClient: () => token(credentials('tcnobody000000000001', A.secret)),
      disabledClient: () => token(credentials(disabled.client.clientId, disabled.secret)),
    };
    // Warm what a container caches (opened secrets), so that each measured call starts alike.
    for (const attempt of Object.values(attempts)) await attempt();
    const seen: { text: string; calls: string[] }[] = [];
    for (const attempt of Object.values(attempts)) {
      let answer: Answer | undefined;
      const calls = await sdkCallsDuring(async () => (answer = await attempt()));
      expectError(answer!, 401, 'invalid_client', 'client authentication failed');
      assert.match(answer!.headers.get('www-authenticate') ?? '', /^Basic realm="tessera"/);
      seen.push({ text: answer!.text, calls });
    }
    assert.ok(seen[0]!.calls.length > 0, 'the recorder saw the AWS calls');
    for (const other of seen.slice(1)) assert.deepEqual(other, seen[0]);
    // A wrong secret over Basic too.
    const basic = `Basic ${Buffer.from(`${A.id}:wrong`).toString('base64')}`;
    expectError(await token({ grant_type: 'client_credentials' }, { headers: { authorization: basic } }), 401, 'invalid_client');
  });

  it('answers missing fields and unknown grants with 400 and the right error', async () => {
    expectError(await token({ client_id: A.id, client_secret: A.secret }), 400, 'invalid_request', 'grant_type is required');
    expectError(
      await token({ client_id: A.id, client_secret: A.secret, grant_type: '' }),
      400,
      'invalid_request',
      'grant_type is required',
    );
    for (const grant of ['password', 'authorization_code', 'CLIENT_CREDENTIALS']) {
      expectError(
        await token({ client_id: A.id, client_secret: A.secret, grant_type: grant }),
        400,
        'unsupported_grant_type',
        'grant_type must be client_credentials or refresh_token',
      );
    }
    expectError(
      await token({ client_secret: A.secret, grant_type: 'client_credentials' }),
      400,
      'invalid_request',
      'client_id is required',
    );
    expectError(await token({ client_id: A.id, grant_type: 'client_credentials' }), 400, 'invalid_request', 'client_secret is required');
    expectError(
      await token({ client_id: A.id, client_secret: '', grant_type: 'client_credentials' }, { urlencoded: true }),
      400,
      'invalid_request',
      'client_secret is required',
    );
    expectError(await token({ client_id: A.id, grant_type: 'refresh_token' }), 400, 'invalid_request', 'refresh_token is required');
    expectError(
      await token({ ...credentials(A.id, A.secret), client_secret: 'x'.repeat(1025) }),
      400,
      'invalid_request',
      /longer than 1024/,
    );
  });

  it('refuses malformed bodies, secrets in the URL and two ways of authenticating, with invalid_request', async () => {
    const raw = async (body: string, contentType: string) => {
      const response = await fetch(`${stack.current.url}/auth/oauth/v1/token`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Record<string, unknown> };
    };
    expectError(await raw('{"client_id":', 'application/json'), 400, 'invalid_request', 'body is not valid JSON');
    expectError(
      await raw('grant_type=client_credentials', 'text/plain'),
      400,
      'invalid_request',
      /^unsupported content type 'text\/plain'/,
    );
    expectError(
      await raw(
        `grant_type=client_credentials&client_id=${A.id}&client_id=${A.id}&client_secret=${A.secret}`,
        'application/x-www-form-urlencoded',
      ),
      400,
      'invalid_request',
      'field client_id is given more than once',
    );
    expectError(
      await token({ client_id: A.id, grant_type: 'client_credentials' }, { query: `?client_secret=${A.secret}` }),
      400,
      'invalid_request',
      'client_secret must be sent in the request body, not in the URL',
    );
    const basic = `Basic ${Buffer.from(`${A.id}:${A.secret}`).toString('base64')}`;
    expectError(await token(credentials(A.id, A.secret), { headers: { authorization: basic } }), 400, 'invalid_request', /not both/);
    expectError(
      await token({ grant_type: 'client_credentials' }, { headers: { authorization: 'Basic !!!' } }),
      400,
      'invalid_request',
      /malformed/,
    );
  });
});

describe('POST /auth/oauth/v1/token: the refresh grant', () => {
  it('renews once: a new access token and the next refresh token; the used one is refused, and its descendants revoked', async () => {
    const first = await issued(A.id, A.secret);
    const other = await issued(A.id, A.secret); // another family, untouched by what follows
    const renewed = await refresh(A.id, first.refresh);
    assert.equal(renewed.status, 200, renewed.text);
    assert.deepEqual(Object.keys(renewed.body), ['access_token', 'token_type', 'expires_in', 'refresh_token']);
    assert.equal(renewed.headers.get('cache-control'), 'no-store');
    const next = { access: String(renewed.body.access_token), refresh: String(renewed.body.refresh_token) };
    assert.notEqual(next.refresh, first.refresh);
    assert.notEqual(next.access, first.access);
    assert.equal((await clientAuth.byAccessToken(next.access)).clientId, A.id);

    expectError(
      await refresh(A.id, first.refresh),
      400,
      'invalid_grant',
      'refresh token was already used: every refresh token issued after it is revoked',
    );
    // The replay revoked the family: the token issued from the used one is gone too.
    expectError(await refresh(A.id, next.refresh), 400, 'invalid_grant', 'refresh token is not valid');
    // Access tokens already issued stay good until they expire; the other family is untouched.
    assert.equal((await clientAuth.byAccessToken(next.access)).clientId, A.id);
    assert.equal((await refresh(A.id, other.refresh)).status, 200);
  });

  it('checks a secret when one is sent with the refresh token, over the body or Basic', async () => {
    const first = await issued(A.id, A.secret);
    expectError(await refresh(A.id, first.refresh, { client_secret: 'wrong' }), 401, 'invalid_client', 'client authentication failed');
    const renewed = await refresh(A.id, first.refresh, { client_secret: A.secret });
    assert.equal(renewed.status, 200, renewed.text);
    const basic = `Basic ${Buffer.from(`${A.id}:${A.secret}`).toString('base64')}`;
    const viaBasic = await token(
      { grant_type: 'refresh_token', refresh_token: String(renewed.body.refresh_token) },
      { urlencoded: true, headers: { authorization: basic } },
    );
    assert.equal(viaBasic.status, 200, viaBasic.text);
  });

  it("answers another client's refresh token exactly as an unknown one, through the same AWS calls", async () => {
    const b = await newClient('refreshb');
    const aToken = (await issued(A.id, A.secret)).refresh;
    const unknownToken = newRefreshToken(Number(aToken.split('.')[1])).token; // in the same slot as A's
    const attempts = [
      () => refresh(b.client.clientId, aToken),
      () => refresh(b.client.clientId, unknownToken),
      () => refresh('tcnobody000000000002', aToken),
    ];
    const seen: { text: string; calls: string[] }[] = [];
    for (const attempt of attempts) {
      let answer: Answer | undefined;
      const calls = await sdkCallsDuring(async () => (answer = await attempt()));
      expectError(answer!, 400, 'invalid_grant', 'refresh token is not valid');
      seen.push({ text: answer!.text, calls });
    }
    for (const other of seen.slice(1)) assert.deepEqual(other, seen[0]);
    // A's token still works for A.
    assert.equal((await refresh(A.id, aToken)).status, 200);
  });

  it('honours the refresh token lifetime', async () => {
    const setting = 'TESSERA_REFRESH_TOKEN_TTL_SECONDS';
    process.env[setting] = '1';
    let shortLived: string;
    try {
      shortLived = (await issued(A.id, A.secret)).refresh;
    } finally {
      delete process.env[setting];
    }
    await sleep(1100);
    expectError(await refresh(A.id, shortLived), 400, 'invalid_grant', 'refresh token has expired');
    // Through the service with the clock moved instead: 30 days by default.
    const client = (await clientRegistry.get(A.id))!;
    const tokens = await accessTokens.issue(client);
    const later = await accessTokens.refresh(A.id, tokens.refreshToken, { now: Date.now() + 30 * 24 * 3600 * 1000 + 1000 });
    assert.deepEqual(later, { ok: false, problem: 'expired' });
  });

  /** The client's refresh tokens that are live now: its slots holding a current token. */
  const liveSlots = async (clientId: string) => {
    const slots = await Promise.all(Array.from({ length: 26 }, (_, slot) => refreshTokenStore.read(clientId, slot)));
    return slots.filter((slot) => slot?.hash && slot.expiresAt > Date.now()).length;
  };

  it('keeps at most 25 refresh tokens per client: the 26th grant drops the oldest', async () => {
    const d = await newClient('limitd');
    const tokens: string[] = [];
    for (let count = 0; count < 26; count++) tokens.push((await issued(d.client.clientId, d.secret)).refresh);
    assert.equal(await liveSlots(d.client.clientId), 25);
    expectError(await refresh(d.client.clientId, tokens[0]!), 400, 'invalid_grant', 'refresh token is not valid');
    // The other 25 all work, and refreshing does not add: the count stays 25.
    for (const kept of tokens.slice(1)) assert.equal((await refresh(d.client.clientId, kept)).status, 200);
    assert.equal(await liveSlots(d.client.clientId), 25);
  });

  it('answers a burst of concurrent grants for one client, keeping 25', async () => {
    const burst = await newClient('burst');
    const answers = await Promise.all(Array.from({ length: 50 }, () => token(credentials(burst.client.clientId, burst.secret))));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      answers.map(() => 200),
    );
    assert.equal(await liveSlots(burst.client.clientId), 25);
  });

  it("lets one of two concurrent uses of a token win; the other is a replay, which revokes the winner's token too", async () => {
    const { refresh: shared } = await issued(A.id, A.secret);
    const answers = await Promise.all([refresh(A.id, shared), refresh(A.id, shared)]);
    const won = answers.filter((answer) => answer.status === 200);
    assert.equal(won.length, 1, answers.map((answer) => answer.text).join('\n'));
    expectError(
      answers.find((answer) => answer.status !== 200)!,
      400,
      'invalid_grant',
      /already used/,
    );
    expectError(await refresh(A.id, String(won[0]!.body.refresh_token)), 400, 'invalid_grant', 'refresh token is not valid');
  });

  it('refuses tokens that are not shaped as Tessera makes them', async () => {
    const { refresh: real } = await issued(A.id, A.secret);
    for (const odd of ['x', `${real.split('.')[0]}.25`, `${real}0`, `${real.split('.')[0]}.07`, `${real} `]) {
      expectError(await refresh(A.id, odd), 400, 'invalid_grant', 'refresh token is not valid');
    }
    assert.equal((await refresh(A.id, real)).status, 200);
  });

  it('refuses a disabled client, even with a real refresh token', async () => {
    const e = await newClient('disablede');
    const { refresh: refreshToken } = await issued(e.client.clientId, e.secret);
    await clientRegistry.setStatus(e.client.clientId, 'disabled');
    expectError(await refresh(e.client.clientId, refreshToken), 400, 'invalid_grant', 'the client is disabled');
    await clientRegistry.setStatus(e.client.clientId, 'active');
    assert.equal((await refresh(e.client.clientId, refreshToken)).status, 200, 'refused, not consumed');
  });
});

describe('rotating the client secret', () => {
  it('revokes its access tokens and refresh tokens at once', async () => {
    const r = await newClient('rotater');
    const before = await issued(r.client.clientId, r.secret);
    assert.equal((await clientAuth.byAccessToken(before.access)).clientId, r.client.clientId);
    const secret = await clientRegistry.rotate(r.client.clientId);
    assert.deepEqual(await refusal(before.access), {
      reason: 'revoked',
      message: "access token was revoked: the client's secret was rotated",
    });
    expectError(
      await refresh(r.client.clientId, before.refresh),
      400,
      'invalid_grant',
      "refresh token was revoked: the client's secret was rotated",
    );
    expectError(await token(credentials(r.client.clientId, r.secret)), 401, 'invalid_client');
    const after = await issued(r.client.clientId, secret);
    assert.equal(decodeJwt(after.access).sv, 2);
    assert.equal((await clientAuth.byAccessToken(after.access)).clientId, r.client.clientId);
  });
});

describe('clientAuth.byAccessToken', () => {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('costs the client read alone once the key is held, and nothing for a forged token', async () => {
    const { access } = await issued(A.id, A.secret);
    await clientAuth.byAccessToken(access);
    assert.deepEqual(await sdkCallsDuring(() => clientAuth.byAccessToken(access)), ['GetItemCommand']);
    const forged = `${access.slice(0, access.lastIndexOf('.'))}.${randomBytes(32).toString('base64url')}`;
    assert.deepEqual(await sdkCallsDuring(() => refusal(forged)), []);
  });

  it('refuses missing and malformed tokens', async () => {
    for (const missing of [undefined, ''])
      assert.deepEqual(await refusal(missing), { reason: 'missing', message: 'access token is required' });
    for (const malformed of ['abc', 'a.b', 'a.b.c.d', 'Bearer x.y.z', `${'a'.repeat(2100)}.b.c`, '!!.??.**']) {
      assert.deepEqual(await refusal(malformed), { reason: 'malformed', message: 'access token is malformed' }, malformed);
    }
    // Shaped like a JWS, but its parts are not JSON.
    assert.equal((await refusal('eyJub3Q.anNvbg.c2ln')).reason, 'malformed');
  });

  it('refuses forged tokens: another key, alg none, a tampered payload, another kid, other claims', async () => {
    const { access } = await issued(A.id, A.secret);
    const [header, payload] = access.split('.');
    const claims = decodeJwt(access);
    const invalid = { reason: 'invalid', message: 'access token is not valid' };

    const otherKey = await signAccessToken({
      clientId: A.id,
      secretVersion: 1,
      now: Date.now(),
      ttlSeconds: 60,
      keyId: CURRENT_KEY_ID,
      key: randomBytes(32),
    });
    assert.deepEqual(await refusal(otherKey), invalid);
    // Keyed by the client's own secret (what a confused verifier might accept).
    const withSecret = await signAccessToken({
      clientId: A.id,
      secretVersion: 1,
      now: Date.now(),
      ttlSeconds: 60,
      keyId: CURRENT_KEY_ID,
      key: Buffer.from(A.secret),
    });
    assert.deepEqual(await refusal(withSecret), invalid);

    const none = `${encode({ alg: 'none', typ: 'at+jwt', kid: CURRENT_KEY_ID })}.${payload}.`;
    assert.deepEqual(await refusal(none), invalid);
    const hs512 = `${encode({ alg: 'HS512', typ: 'at+jwt', kid: CURRENT_KEY_ID })}.${payload}.${access.split('.')[2]}`;
    assert.deepEqual(await refusal(hs512), invalid);

    const b = await newClient('tamperb');
    const tampered = `${header}.${encode({ ...claims, sub: b.client.clientId, client_id: b.client.clientId })}.${access.split('.')[2]}`;
    assert.deepEqual(await refusal(tampered), invalid);
    const longer = `${header}.${encode({ ...claims, exp: claims.exp! + 86_400 })}.${access.split('.')[2]}`;
    assert.deepEqual(await refusal(longer), invalid);

    // Signed with the real key, but not as Tessera issues tokens.
    const key = (await signingKeys.read(CURRENT_KEY_ID))!;
    const now = Math.floor(Date.now() / 1000);
    const asIssued: Record<'kid' | 'typ' | 'issuer' | 'audience' | 'subject', string> = {
      kid: CURRENT_KEY_ID,
      typ: 'at+jwt',
      issuer: ACCESS_TOKEN.issuer,
      audience: ACCESS_TOKEN.audience,
      subject: A.id,
    };
    const real = (changes: Partial<typeof asIssued> & { claims?: Record<string, unknown> } = {}) => {
      const { kid, typ, issuer, audience, subject } = { ...asIssued, ...changes };
      return new SignJWT({ client_id: subject, sv: 1, ...changes.claims })
        .setProtectedHeader({ alg: 'HS256', typ, kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .setJti('j')
        .sign(key);
    };
    assert.equal((await clientAuth.byAccessToken(await real())).clientId, A.id, 'signed as issued, it verifies');
    for (const changes of [
      { kid: 'k2' },
      { typ: 'JWT' },
      { issuer: 'someone-else' },
      { audience: 'elsewhere' },
      { claims: { sv: 'x' } },
      { claims: { client_id: b.client.clientId } },
      { subject: 'tcnobody000000000003' },
    ]) {
      assert.deepEqual(await refusal(await real(changes)), invalid, JSON.stringify(changes));
    }
  });

  it('refuses expired tokens', async () => {
    const { access } = await issued(A.id, A.secret);
    assert.deepEqual(await refusal(access, Date.now() + 3601 * 1000), { reason: 'expired', message: 'access token has expired' });
    const client = (await clientRegistry.get(A.id))!;
    const old = await accessTokens.issue(client, Date.now() - 2 * 3600 * 1000);
    assert.equal((await refusal(old.accessToken)).reason, 'expired');
  });

  it("refuses a disabled client's tokens (and takes them again once it is enabled)", async () => {
    const c = await newClient('disabledtoken');
    const { access } = await issued(c.client.clientId, c.secret);
    await clientRegistry.setStatus(c.client.clientId, 'disabled');
    assert.deepEqual(await refusal(access), { reason: 'disabled', message: 'this client is disabled' });
    await clientRegistry.setStatus(c.client.clientId, 'active');
    assert.equal((await clientAuth.byAccessToken(access)).clientId, c.client.clientId);
  });
});
