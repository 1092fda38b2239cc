import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { cosEncode, parseCosAuthorization, signCos, verifyCos } from '../../functions/core/cos-signature.ts';

const request = {
  method: 'POST',
  path: '/jobs',
  query: {},
  headers: { host: 'demo-1250000000.ci.ap-local.myqcloud.com', 'content-type': 'application/xml' },
};
const NOW = 1_795_305_600;

describe('COS signature', () => {
  it('follows the documented steps exactly', () => {
    const time = `${NOW - 60};${NOW + 900}`;
    const header = signCos(request, 'AKIDdemo', 'secret', NOW - 60, NOW + 900);
    // Recomputed here step by step from reference/tencent-ci.md §3, independently of the module.
    const signKey = createHmac('sha1', 'secret').update(time).digest('hex');
    const httpString = `post\n/jobs\n\ncontent-type=application%2Fxml&host=demo-1250000000.ci.ap-local.myqcloud.com\n`;
    const stringToSign = `sha1\n${time}\n${createHash('sha1').update(httpString).digest('hex')}\n`;
    const expected = createHmac('sha1', signKey).update(stringToSign).digest('hex');
    assert.equal(
      header,
      `q-sign-algorithm=sha1&q-ak=AKIDdemo&q-sign-time=${time}&q-key-time=${time}&q-header-list=content-type;host&q-url-param-list=&q-signature=${expected}`,
    );
  });

  it('verifies what it signed, with query parameters too', () => {
    const withQuery = { ...request, method: 'PUT', path: '/jobs/j1', query: { cancel: '' } };
    verifyCos(withQuery, parseCosAuthorization(signCos(withQuery, 'AKID', 's', NOW - 10, NOW + 10)), 's', NOW);
  });

  it('refuses forged, tampered, expired and malformed signatures', () => {
    const good = parseCosAuthorization(signCos(request, 'AKID', 's', NOW - 10, NOW + 10));
    assert.throws(() => verifyCos(request, good, 'other', NOW), /the signature does not match/);
    assert.throws(() => verifyCos({ ...request, path: '/template' }, good, 's', NOW), /the signature does not match/);
    assert.throws(
      () => verifyCos({ ...request, headers: { ...request.headers, host: 'evil' } }, good, 's', NOW),
      /the signature does not match/,
    );
    assert.throws(() => verifyCos(request, good, 's', NOW + 11), /the signature has expired/);
    assert.throws(() => verifyCos(request, good, 's', NOW - 400), /not valid yet/);
    const tooLong = parseCosAuthorization(signCos(request, 'AKID', 's', NOW, NOW + 30 * 86_400));
    assert.throws(() => verifyCos(request, tooLong, 's', NOW), /not a valid period/);
    assert.throws(() => parseCosAuthorization(undefined), /the Authorization header is required/);
    assert.throws(() => parseCosAuthorization('q-sign-algorithm=md5&q-ak=x'), /q-sign-algorithm must be sha1/);
    assert.throws(() => parseCosAuthorization('q-sign-algorithm=sha1&q-ak=x'), /q-sign-time is missing/);
    const missingHeader = { ...request, headers: { host: request.headers.host } };
    assert.throws(() => verifyCos(missingHeader, good, 's', NOW), /signed header content-type is missing/);
  });

  it('encodes as COS does', () => {
    assert.equal(cosEncode("a b!'()*/é"), 'a%20b%21%27%28%29%2A%2F%C3%A9');
  });
});
