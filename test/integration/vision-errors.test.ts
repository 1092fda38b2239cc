import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import sharp from 'sharp';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { serviceTokens } from '../../functions/adapters/service-token-store.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { accessTokenOf } from '../support/access-token.ts';
import { objectsOf, persons, type PersonsImages, type PersonsMethod, type PersonsOptions } from '../support/vision.ts';

const A = { id: 'tcvisionerr000000001', secret: 'vision-errors-secret-a' };
const stack = useLocalStack({ demo: { clientId: A.id, secret: A.secret, namespace: 'visionerr' }, worker: false });

/** Request-level refusals: the envelope, a string body, nothing stored. None of these needs a face. */
describe('vision: request-level errors, in VK’s words and envelope', () => {
  let token: string;
  let picture: Buffer;
  before(async () => {
    token = await accessTokenOf(stack.current.url, A.id, A.secret);
    picture = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
  });
  const call = (
    method: PersonsMethod,
    given: string | undefined,
    meta: unknown,
    images: PersonsImages = {},
    options: PersonsOptions = {},
  ) => persons(stack.current.url, method, given, meta, images, options);

  it('refuses a missing, forged or unknown token, and an unknown provider, with 401 in the envelope', async () => {
    const meta = { space: '0' };
    for (const [given, message] of [
      [undefined, 'oauth_token is required'],
      ['not-a-token', 'access token is malformed'],
      [`tsvc_${'A'.repeat(43)}`, 'access token is not valid'],
    ] as const) {
      const answer = await call('truncate', given, meta);
      assert.equal(answer.status, 401);
      assert.equal(answer.body, message);
    }
    const provider = await call('truncate', token, meta, {}, { provider: 'google' });
    assert.equal(provider.status, 401);
    assert.match(String(provider.body), /unknown oauth_provider "google"/);
  });

  it('takes mr as an alias of mcs', async () => {
    assert.equal((await call('truncate', token, { space: '0' }, {}, { provider: 'mr' })).status, 200);
  });

  it('answers truncate with an empty body', async () => {
    const answer = await call('truncate', token, { space: '3' });
    assert.deepEqual(answer.raw, { status: 200, body: {}, htmlencoded: false, last_modified: 0 });
  });

  it('quotes strconv.Atoi for a space that is not a number, and refuses spaces outside 0-9', async () => {
    const missing = await call('truncate', token, {});
    assert.deepEqual([missing.status, missing.body], [400, 'wrong space param : strconv.Atoi: parsing "": invalid syntax']);
    const word = await call('truncate', token, { space: 'abc' });
    assert.equal(word.body, 'wrong space param : strconv.Atoi: parsing "abc": invalid syntax');
    for (const space of ['10', '-1', '99']) {
      const answer = await call('truncate', token, { space });
      assert.equal(answer.status, 400);
      assert.match(String(answer.body), /^wrong space param : space -?\d+ is out of range/);
    }
  });

  it('refuses meta that is missing or not JSON', async () => {
    const missing = await call('truncate', token, undefined);
    assert.equal(missing.status, 400);
    assert.match(String(missing.body), /meta is required/);
    const broken = await call('truncate', token, undefined, {}, { rawMeta: '{"space":' });
    assert.equal(broken.status, 400);
    assert.match(String(broken.body), /^could not parse meta: /);
  });

  it('names an image whose file part is missing, as VK does', async () => {
    const answer = await call('set', token, { space: '0', images: [{ name: 'file_10', person_id: 1 }] }, { file_0: picture });
    assert.deepEqual([answer.status, answer.body], [400, 'could not get image by name file_10: http: no such file']);
  });

  it('refuses an empty image', async () => {
    const answer = await call('recognize', token, { space: '0', images: [{ name: 'file' }] }, { file: Buffer.alloc(0) });
    assert.deepEqual([answer.status, answer.body], [400, 'empty image']);
  });

  it('says no person_id has been provided to set and delete without one', async () => {
    for (const method of ['set', 'delete'] as const) {
      const answer = await call(method, token, { space: '0', images: [{ name: 'file' }] }, { file: picture });
      assert.deepEqual([answer.status, answer.body], [400, 'no person_id has been provided']);
    }
  });

  it('refuses 101 images before looking at any', async () => {
    const images = Array.from({ length: 101 }, (_, index) => ({ name: `file_${index}`, person_id: index + 1 }));
    const answer = await call('delete', token, { space: '0', images });
    assert.deepEqual([answer.status, answer.body], [400, 'too many images: 101, at most 100 per request']);
  });

  it('refuses an image over 15 MiB, and images over 30 MiB in all', async () => {
    const big = await call('recognize', token, { space: '0', images: [{ name: 'big' }] }, { big: Buffer.alloc(15 * 1024 * 1024 + 1, 1) });
    assert.equal(big.status, 400);
    assert.match(String(big.body), /larger than 15728640 bytes/);
    const part = Buffer.alloc(11 * 1024 * 1024, 1);
    const many = await call(
      'recognize',
      token,
      { space: '0', images: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
      { a: part, b: part, c: part },
    );
    assert.equal(many.status, 400);
    assert.match(String(many.body), /at most 31457280 \(30 MiB\) per request/);
  });

  it('matches an image without a name to the file part file_<index>, as VK’s tutorial sends it', async () => {
    const answer = await call('delete', token, { space: '0', images: [{ person_id: 7 }] });
    assert.deepEqual(objectsOf(answer), [{ status: 0, name: 'file_0' }]);
  });

  it('accepts a service token made by the CLI until it is revoked; a disabled client’s tokens stop working', async () => {
    const { token: service, record } = await serviceTokens.create(A.id, 'errors test');
    assert.equal((await call('truncate', service, { space: '1' })).status, 200);
    assert.ok((await serviceTokens.list(A.id)).some((listed) => listed.tokenId === record.tokenId));
    await serviceTokens.revoke(A.id, record.tokenId);
    const revoked = await call('truncate', service, { space: '1' });
    assert.deepEqual([revoked.status, revoked.body], [401, 'access token is not valid']);

    const { client, secret } = await clientRegistry.create({ name: 'soon disabled', namespaces: ['visiondisabled'], workspaces: [] });
    const { token: other } = await serviceTokens.create(client.clientId, '');
    const access = await accessTokenOf(stack.current.url, client.clientId, secret);
    await clientRegistry.setStatus(client.clientId, 'disabled');
    for (const given of [other, access]) assert.deepEqual((await call('truncate', given, { space: '1' })).body, 'this client is disabled');
  });

  it('holds a client to 25 service tokens', async () => {
    const { client } = await clientRegistry.create({ name: 'many tokens', namespaces: ['visionmany'], workspaces: [] });
    await Promise.all(Array.from({ length: 25 }, () => serviceTokens.create(client.clientId, '')));
    await assert.rejects(serviceTokens.create(client.clientId, ''), /already has 25 service tokens/);
    assert.equal((await serviceTokens.list(client.clientId)).length, 25);
  });
});
