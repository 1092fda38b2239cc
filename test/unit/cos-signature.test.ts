import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CosClockSkewError,
  cosEncode,
  parseCosAuthorization,
  signableHosts,
  signCos,
  verifyCos,
} from '../../functions/core/cos-signature.ts';

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
    const tooLong = parseCosAuthorization(signCos(request, 'AKID', 's', NOW, NOW + 30 * 86_400));
    assert.throws(() => verifyCos(request, tooLong, 's', NOW), /not a valid period/);
    assert.throws(() => parseCosAuthorization(undefined), /the Authorization header is required/);
    assert.throws(() => parseCosAuthorization('q-sign-algorithm=md5&q-ak=x'), /q-sign-algorithm must be sha1/);
    assert.throws(() => parseCosAuthorization('q-sign-algorithm=sha1&q-ak=x'), /q-sign-time is missing/);
    const missingHeader = { ...request, headers: { host: request.headers.host } };
    assert.throws(() => verifyCos(missingHeader, good, 's', NOW), /signed header content-type is missing/);
  });

  it('a period that does not hold the server time is RequestTimeTooSkewed, carrying both clocks', () => {
    const good = parseCosAuthorization(signCos(request, 'AKID', 's', NOW - 10, NOW + 10));
    for (const now of [NOW + 11, NOW - 10 - 301, NOW + 3600, NOW - 3600]) {
      assert.throws(
        () => verifyCos(request, good, 's', now),
        (error: unknown) =>
          error instanceof CosClockSkewError &&
          error.reason === 'RequestTimeTooSkewed' &&
          error.kind === 'unauthenticated' &&
          error.requestTime === NOW - 10 &&
          error.serverTime === now &&
          /^The difference between the request time and the server's time is too large/.test(error.message),
      );
    }
    // Up to 300 s ahead of the server's clock, and up to the period's end, are inside the window.
    verifyCos(request, good, 's', NOW - 10 - 300);
    verifyCos(request, good, 's', NOW + 10);
  });

  it("a signed host without its port is accepted when the request's Host carries one (cos-python-sdk-v5)", () => {
    const sent = { ...request, headers: { ...request.headers, host: '127.0.0.1:3300' } };
    const withoutPort = parseCosAuthorization(
      signCos({ ...sent, headers: { ...sent.headers, host: '127.0.0.1' } }, 'AKID', 's', NOW - 10, NOW + 10),
    );
    const withPort = parseCosAuthorization(signCos(sent, 'AKID', 's', NOW - 10, NOW + 10));
    verifyCos(sent, withoutPort, 's', NOW);
    verifyCos(sent, withPort, 's', NOW);
    // Another host, or another port, is still another host.
    const otherHost = parseCosAuthorization(
      signCos({ ...sent, headers: { ...sent.headers, host: '127.0.0.2' } }, 'AKID', 's', NOW - 10, NOW + 10),
    );
    assert.throws(() => verifyCos(sent, otherHost, 's', NOW), /the signature does not match/);
    const otherPort = parseCosAuthorization(
      signCos({ ...sent, headers: { ...sent.headers, host: '127.0.0.1:3301' } }, 'AKID', 's', NOW - 10, NOW + 10),
    );
    assert.throws(() => verifyCos(sent, otherPort, 's', NOW), /the signature does not match/);
    // A Host without a port is matched exactly: a signature naming a port is not stripped to fit.
    assert.throws(() => verifyCos({ ...sent, headers: { ...sent.headers, host: '127.0.0.1' } }, withPort, 's', NOW), /does not match/);
    // The wrong secret fails whichever host it names.
    assert.throws(() => verifyCos(sent, withoutPort, 'other', NOW), /the signature does not match/);
  });

  it('names the hosts a Host header may have been signed as', () => {
    assert.deepEqual(signableHosts('example.com'), ['example.com']);
    assert.deepEqual(signableHosts('example.com:8443'), ['example.com:8443', 'example.com']);
    assert.deepEqual(signableHosts('[::1]:3300'), ['[::1]:3300', '[::1]', '::1']);
    assert.deepEqual(signableHosts('[::1]'), ['[::1]']);
  });

  it('encodes as COS does', () => {
    assert.equal(cosEncode("a b!'()*/é"), 'a%20b%21%27%28%29%2A%2F%C3%A9');
  });
});
