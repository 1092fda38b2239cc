import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { constantTimeEqual, generateClientId, generateSecret, secretLookupHash } from '../../functions/core/secret.ts';
import { SEAL_KMS_KEY_ENV, SEAL_LOCAL_KEY_ENV, secretSealer } from '../../functions/adapters/secret-sealer.ts';

describe('secrets', () => {
  it('are 256-bit random, URL-safe, and different every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, generateSecret));
    assert.equal(secrets.size, 100);
    for (const secret of secrets) assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.match(generateClientId(), /^tc[0-9a-f]{16}$/);
  });

  it('hash deterministically for lookup, without revealing the secret', () => {
    const secret = generateSecret();
    assert.equal(secretLookupHash(secret), secretLookupHash(secret));
    assert.notEqual(secretLookupHash(secret), secretLookupHash(`${secret}x`));
    assert.equal(secretLookupHash(secret).includes(secret), false);
  });

  it('compare equal only when equal, whatever the lengths', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
    assert.equal(constantTimeEqual('', ''), true);
  });
});

describe('secretSealer (local key)', () => {
  afterEach(() => {
    delete process.env[SEAL_LOCAL_KEY_ENV];
    delete process.env[SEAL_KMS_KEY_ENV];
  });

  it('opens what it sealed, for the same client only', async () => {
    process.env[SEAL_LOCAL_KEY_ENV] = randomBytes(32).toString('base64');
    const sealer = secretSealer();
    const sealed = await sealer.seal('the secret', 'tc1');
    assert.equal(sealed.includes('the secret'), false);
    assert.equal(await sealer.open(sealed, 'tc1'), 'the secret');
    await assert.rejects(sealer.open(sealed, 'tc2'));
  });

  it('seals differently each time (random IV)', async () => {
    process.env[SEAL_LOCAL_KEY_ENV] = randomBytes(32).toString('base64');
    const sealer = secretSealer();
    assert.notEqual(await sealer.seal('same', 'tc1'), await sealer.seal('same', 'tc1'));
  });

  it('refuses to run without a key, or with a short one', () => {
    assert.throws(() => secretSealer(), /set TESSERA_SEAL_KMS_KEY_ID \(AWS\) or TESSERA_SEAL_LOCAL_KEY \(local\)/);
    process.env[SEAL_LOCAL_KEY_ENV] = randomBytes(16).toString('base64');
    assert.throws(() => secretSealer(), /must be 32 bytes/);
  });
});
