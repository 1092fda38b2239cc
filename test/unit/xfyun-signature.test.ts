import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError } from '../../functions/core/errors.ts';
import { parseAuthorization, sign, signatureOrigin, verifySignature } from '../../functions/core/xfyun-signature.ts';

const NOW = Date.parse('Thu, 30 Jun 2022 02:48:19 GMT');
const request = {
  method: 'POST',
  path: '/file/mpupload/upload',
  headers: {
    host: 'upload-ost-api.xfyun.cn',
    date: 'Thu, 30 Jun 2022 02:48:19 GMT',
    digest: 'SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
  },
};
const HEADERS = 'host date request-line digest';
const ORIGIN =
  'host: upload-ost-api.xfyun.cn\ndate: Thu, 30 Jun 2022 02:48:19 GMT\nPOST /file/mpupload/upload HTTP/1.1\ndigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

const header = (signature: string, extra = '') =>
  `${extra}api_key="key1", algorithm="hmac-sha256", headers="${HEADERS}", signature="${signature}"`;
const refused = (run: () => void, message: string) =>
  assert.throws(run, (error: TesseraError) => error.kind === 'unauthenticated' && error.message === message);

describe('xfyun signature', () => {
  it('builds the signed text exactly as the demos do', () => {
    assert.equal(signatureOrigin(request, HEADERS.split(' ')), ORIGIN);
  });

  it('is base64 HMAC-SHA256 of that text, keyed by the secret', () => {
    // Computed independently: printf '%s' "$ORIGIN" | openssl dgst -sha256 -hmac secret -binary | base64
    assert.equal(sign(ORIGIN, 'secret'), 'C9/Q1OoV5HY/FA85xsz6cGq+2Zf9U4w7xl8jtBT7o/g=');
  });

  it('parses the header with or without "hmac "', () => {
    for (const prefix of ['', 'hmac ', 'HMAC  ']) {
      const parsed = parseAuthorization(header('abc=', prefix));
      assert.deepEqual(parsed, { apiKey: 'key1', algorithm: 'hmac-sha256', headers: HEADERS.split(' '), signature: 'abc=' });
    }
    refused(() => parseAuthorization(undefined), 'authorization header is required');
    refused(() => parseAuthorization('api_key="k"'), 'authorization header must carry api_key and signature');
  });

  it('verifies a good signature within ±300 s and refuses everything else', () => {
    const good = parseAuthorization(header(sign(ORIGIN, 'secret')));
    verifySignature(request, good, 'secret', NOW);
    verifySignature(request, good, 'secret', NOW + 299_000);
    verifySignature(request, good, 'secret', NOW - 299_000);
    refused(() => verifySignature(request, good, 'other', NOW), 'signature does not match');
    refused(() => verifySignature(request, good, 'secret', NOW + 301_000), 'date header is more than 300 s from server time');
    refused(() => verifySignature({ ...request, path: '/file/mpupload/complete' }, good, 'secret', NOW), 'signature does not match');
    refused(
      () => verifySignature({ ...request, headers: { ...request.headers, date: 'yesterday' } }, good, 'secret', NOW),
      'date header must be an RFC 1123 date',
    );
    refused(
      () => verifySignature(request, { ...good, algorithm: 'hmac-sha1' }, 'secret', NOW),
      'authorization algorithm must be hmac-sha256',
    );
    refused(
      () => verifySignature(request, { ...good, headers: ['host', 'date'] }, 'secret', NOW),
      'authorization must sign the request-line header',
    );
    refused(
      () => verifySignature({ ...request, headers: { host: 'h', date: request.headers.date } }, good, 'secret', NOW),
      'signed header digest is missing from the request',
    );
  });
});
