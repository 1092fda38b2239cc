import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64Bytes, base64UrlOf } from '../../functions/core/imagemogr2/base64.ts';

describe("rules' Base64, with web-standard APIs only (the console bundles the parser)", () => {
  it('decodes every spelling as Node’s Buffer does, and encodes as its base64url', () => {
    for (const text of ['#FF0000', '#00ff0080', 'red', '数据万象', 'é✓?>', 'a', 'ab', 'abc']) {
      const url = Buffer.from(text, 'utf8').toString('base64url');
      const standard = Buffer.from(text, 'utf8').toString('base64');
      assert.equal(base64UrlOf(text), url, text);
      for (const spelling of [url, standard, standard.replace(/=+$/, ''), `${url}${'='.repeat((4 - (url.length % 4)) % 4)}`]) {
        assert.deepEqual(Buffer.from(base64Bytes(spelling)), Buffer.from(text, 'utf8'), `${text}: ${spelling}`);
      }
    }
  });
});
